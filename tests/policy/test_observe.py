"""Record dates taken while the scan reads: declared fields, and dates in documents."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from piiscan.engine import Scanner, ScanOptions
from piiscan.model import Item, ItemInfo, Pointer, Segment
from piiscan.redact import Redactor
from piiscan.registry import Registry
from piiscan.runner import record
from piiscan.store import Store
from tests.policy.rows import AS_OF, policy

POLICY = policy("""
    purposes:
      - name: donations
        locations: [finance/**, "*#crm.donors"]
        categories: [PERSON, EMAIL_ADDRESS, CREDIT_CARD]
        retention: {CREDIT_CARD: 60d}
        measured_from: [date_transaction, "date d'approbation"]
      - name: candidates
        locations: [cv/**]
        categories: all
        retention: 3 months
        measured_from: document
""")


@pytest.fixture
def store(tmp_path: Path):
    s = Store(tmp_path / "s.db")
    s.begin_run(["x"], {})  # run 1
    yield s
    s.close()


def dates(store: Store) -> set[tuple]:
    store.commit()
    return set(store.record_dates(1))


@pytest.mark.parametrize("field, text, day", [
    ("date_transaction", "2026-09-01", "2026-09-01"),
    ("Date Transaction", "2026-09-01T14:03:00Z", "2026-09-01"),
    ("DATE_TRANSACTION", "01/09/2026", "2026-09-01"),
    ("Date d’approbation", "12 mars 2025", "2025-03-12"),
    ("date_d_approbation", "March 12, 2025", "2025-03-12"),
    ("$.dons[3].date_transaction", "2026-09-01", "2026-09-01"),
    ("date_transaction", "pending", None),
    ("amount", "2026-09-01", None),
])
def test_declared_date_fields_are_recorded_per_record(store: Store, field: str, text: str,
                                                      day: str | None) -> None:
    observe = POLICY.observer(store)
    observe(1, Segment(text, "finance/d.csv", Pointer(row=4), field=field, record="row:4"))
    expected = {("finance/d.csv", "row:4", "date_transaction" if "trans" in field.lower()
                 else "date d'approbation", day)} if day else set()
    assert dates(store) == expected


def test_month_first_when_the_policy_says_so(store: Store) -> None:
    pol = policy("""
        date_order: mdy
        purposes:
          - {name: d, locations: ["**"], categories: all, measured_from: paid_on}
    """)
    pol.observer(store)(1, Segment("04/03/2026", "x.csv", field="paid_on", record="row:2"))
    assert dates(store) == {("x.csv", "row:2", "paid_on", "2026-04-03")}


def test_document_dates_only_where_a_purpose_measures_from_them(store: Store) -> None:
    observe = POLICY.observer(store)
    observe(1, Segment("Reçue le 15 juin 2026. Entrevue 2026-06-30, puis 2026-06-30.", "cv/a.txt"))
    observe(1, Segment("Meeting on 2026-06-30", "finance/notes.txt"))
    assert dates(store) == {("cv/a.txt", None, "(document)", "2026-06-15"),
                            ("cv/a.txt", None, "(document)", "2026-06-30")}


def test_csv_rows_through_the_scanner(tmp_path: Path, store: Store) -> None:
    """A real scan: the CSV reader's rows, the card detector, the observer, then the rules."""
    csv = tmp_path / "one-time.csv"
    rows = [("4238 0246 8650 1244", 61), ("5252 6018 1590 8305", 59), ("4450 9455 7620 6539", 120)]
    csv.write_text("donor,card_number,date_transaction\n" + "".join(
        f"Donor {i},{card},{(AS_OF - timedelta(days=days)).isoformat()}\n"
        for i, (card, days) in enumerate(rows)), encoding="utf-8")
    reg = Registry.from_entry_points(only=["csv", "credit_card"])
    run_id = store.begin_run(["x"], {})
    observe = POLICY.observer(store)
    with Scanner(reg, Redactor(b"k" * 32, as_of=AS_OF), ScanOptions(as_of=AS_OF),
                 observers=[lambda seg: observe(run_id, seg)]) as scanner:
        item = Item("finance/one-time.csv", "one-time.csv", lambda: open(csv, "rb"),
                    ItemInfo(size=csv.stat().st_size, mtime=csv.stat().st_mtime))
        for event in scanner.scan_item(item):
            record(store, run_id, event)
    store.commit()
    assert len(list(store.record_dates(run_id))) == 3
    [v] = POLICY.evaluate(store, run_id, AS_OF, "en")
    assert (v.rule, v.location, v.purpose, v.count) == (
        "retention_exceeded", "finance/one-time.csv", "donations", 2)
    assert f"the limit passed on {(AS_OF - timedelta(days=59)).isoformat()}" in v.message


def test_observer_cost_is_a_lookup_for_unrelated_fields(store: Store) -> None:
    observe = POLICY.observer(store)
    seg = Segment("Jean Dupont", "finance/d.csv", field="donor", record="row:2")
    for _ in range(1000):
        observe(1, seg)
    assert observe.reader._field_cache == {"donor": None}
    assert dates(store) == set()


def test_one_date_per_segment_for_worker_processes() -> None:
    """What the executors use: a declared field's date first, else the latest in the text."""
    field = Segment("2026-09-01", "finance/d.csv", field="date_transaction", record="row:2")
    text = Segment("Reçue le 2026-06-15, entrevue le 2026-06-30.", "cv/a.txt", record="page:1")
    assert POLICY.record_date(field) == ("date_transaction", "2026-09-01")
    assert POLICY.record_date(text) == ("(document)", "2026-06-30")
    assert POLICY.record_date(Segment("2026-06-15", "elsewhere.txt")) is None



def test_database_rows_through_the_scanner(tmp_path: Path, store: Store) -> None:
    """A SQLite file on a share: each table row is a record with its own date column."""
    import sqlite3

    db = tmp_path / "crm.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE donors (id INTEGER PRIMARY KEY, donor TEXT, card_number TEXT,"
                     " approved_at DATE)")
        conn.executemany("INSERT INTO donors VALUES (?, ?, ?, ?)", [
            (1, "Donor A", "4238 0246 8650 1244", (AS_OF - timedelta(days=61)).isoformat()),
            (2, "Donor B", "5252 6018 1590 8305", (AS_OF - timedelta(days=59)).isoformat()),
        ])
    conn.close()
    pol = policy("""
        purposes:
          - name: donations
            locations: ["finance/*.db!donors"]
            categories: [PERSON, CREDIT_CARD]
            retention: {CREDIT_CARD: 60d}
            measured_from: approved_at
    """)
    reg = Registry.from_entry_points(only=["sqlite", "dbtable", "credit_card"])
    run_id = store.begin_run(["x"], {})
    observe = pol.observer(store)
    with Scanner(reg, Redactor(b"k" * 32, as_of=AS_OF), ScanOptions(as_of=AS_OF, full=True),
                 observers=[lambda seg: observe(run_id, seg)]) as scanner:
        item = Item("finance/crm.db", "crm.db", lambda: open(db, "rb"),
                    ItemInfo(size=db.stat().st_size, mtime=db.stat().st_mtime))
        for event in scanner.scan_item(item):
            record(store, run_id, event)
    store.commit()
    rows = sorted(store.record_dates(run_id))
    assert [(loc, field) for loc, _, field, _ in rows] == [("finance/crm.db!donors", "approved_at")] * 2
    [v] = pol.evaluate(store, run_id, AS_OF, "en")
    assert (v.rule, v.location, v.purpose, v.count) == (
        "retention_exceeded", "finance/crm.db!donors", "donations", 1)
