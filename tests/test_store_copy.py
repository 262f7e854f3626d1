"""Copying an unchanged item's rows from the previous run: exactly its rows and its members'.

An item's members are `item!member` (nested: `item!a.zip!b.txt`); the copy
finds them with a range over the (run, location) indexes, so names that
merely start like the item (`a.zip2`, `a.zip_b`, `a.zip `) must stay out,
and every member, even oddly named (`a.zip!`), must come along.
"""

from __future__ import annotations

import sqlite3

import pytest

from piiscan.model import EntityType, Finding, ItemInfo, Pointer, ScanError
from piiscan.store import ROW_HASH, ROW_LOCATION, ROW_POINTER, Store

ITEM = "share/a.zip"
MEMBERS = [ITEM, f"{ITEM}!", f"{ITEM}!x.csv", f"{ITEM}!dir/y.txt", f"{ITEM}!inner.zip!z.txt"]
# sort before, between and after the item's range, or share its first characters
STRANGERS = ["share/a.zi", "share/a.zip2", "share/a.zip_b", f"{ITEM} ", f"{ITEM} !x.csv",
             f'{ITEM}"', f"{ITEM}#", "share/a.zip2!x.csv", "share/b.zip!x.csv"]


def _finding(location: str, n: int) -> Finding:
    return Finding(EntityType.EMAIL_ADDRESS, location, Pointer(line=n), "a***@example.org",
                   f"hmac-sha256:{n:064x}", 0.9, "email")


def _previous_run(store: Store) -> int:
    run = store.begin_run(["share"], {}, kind="audit")
    n = 0
    # interleaved, so the copy must pick its rows out of others'
    for round_ in range(2):
        for loc in sorted(MEMBERS + STRANGERS, reverse=bool(round_)):
            n += 1
            store.add_finding(run, _finding(loc, n))
            store.add_error(run, ScanError(loc, "corrupt", f"part {n}"))
            store.add_record_date(run, loc, f"row {n}", "date", "2020-01-01")
    for loc in MEMBERS + STRANGERS:
        store.add_item(run, loc, ItemInfo(10, 1.0, 1, 0o640), "text/plain", "text", 2, None, None)
    store.finish_run(run, "done")
    return run


def _rows(store: Store, run: int) -> dict[str, list[tuple]]:
    db = store.db
    return {
        # what every reader sees: the run's own rows and those its reused items reference
        "findings": [(r[ROW_LOCATION], r[ROW_POINTER], r[ROW_HASH]) for r in store.finding_rows(run)],
        "errors": list(db.execute("SELECT location, detail FROM errors WHERE run_id = ? ORDER BY rowid",
                                  (run,))),
        "dates": list(db.execute("SELECT location, record FROM record_dates WHERE run_id = ?"
                                 " ORDER BY rowid", (run,))),
        "items": sorted(db.execute("SELECT location, reused FROM items WHERE run_id = ?", (run,))),
    }


def _expected(store: Store, run: int, keep: list[str], rename: str | None = None) -> dict[str, list]:
    def moved(loc: str) -> str:
        return loc if rename is None else rename + loc[len(ITEM):]
    rows = _rows(store, run)
    return {
        "findings": [(moved(r[0]), *r[1:]) for r in rows["findings"] if r[0] in keep],
        "errors": [(moved(r[0]), *r[1:]) for r in rows["errors"] if r[0] in keep],
        "dates": [(moved(r[0]), *r[1:]) for r in rows["dates"] if r[0] in keep],
        "items": sorted((moved(r[0]), 1) for r in rows["items"] if r[0] in keep),
    }



def test_copy_takes_the_item_and_all_its_members_and_nothing_else(store):
    prev = _previous_run(store)
    run = store.begin_run(["share"], {}, kind="audit")
    copied = store.copy_rows(prev, run, ITEM)
    assert copied == 2 * len(MEMBERS)
    assert _rows(store, run) == _expected(store, prev, MEMBERS)


def test_batched_copy_is_the_same_as_one_item_at_a_time(store):
    prev = _previous_run(store)
    one, batch = (store.begin_run(["share"], {}, kind="audit") for _ in range(2))
    tops = [ITEM, "share/a.zip2"]
    assert sum(store.copy_rows(prev, one, t) for t in tops) == store.copy_items(prev, batch, tops)
    got = _rows(store, batch)
    # the batch goes through the previous run once, so items' rows interleave as they did
    # there; each location's rows keep their order, and that is what every reader sees
    assert {k: _by_location(v) for k, v in got.items()} == \
        {k: _by_location(v) for k, v in _rows(store, one).items()}
    assert {loc for loc, _ in got["items"]} == {*MEMBERS, "share/a.zip2", "share/a.zip2!x.csv"}


def _by_location(rows: list[tuple]) -> dict[str, list[tuple]]:
    out: dict[str, list[tuple]] = {}
    for r in rows:
        out.setdefault(r[0], []).append(r)
    return out


def test_a_copy_under_another_name_keeps_the_members_tails(store):
    prev = _previous_run(store)
    store.copy_rows(prev, prev, ITEM, as_location="share/copy.zip")
    rows = _rows(store, prev)
    copies = {k: [r for r in v if r[0].startswith("share/copy.zip")] for k, v in rows.items()}
    expected = _expected(store, prev, MEMBERS, rename="share/copy.zip")
    expected["items"] = [(loc, 1) for loc, _ in expected["items"]]
    assert copies == expected


def test_an_existing_store_gets_todays_indexes_when_opened(tmp_path):
    path = tmp_path / "old.db"
    with Store(path) as s:  # made into a store as the first versions left it
        _previous_run(s)
        for name in ("errors_run", "record_dates_run", "violations_run"):
            s.db.execute(f"DROP INDEX {name}")
        s.db.execute("CREATE INDEX findings_hash ON findings(value_hash)")
        s.db.execute("CREATE INDEX findings_run_hash ON findings(run_id, value_hash)")
    with Store(path) as s:
        names = {r[0] for r in s.db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"errors_run", "record_dates_run", "violations_run", "findings_run"} <= names
        # no query reads findings by hash, and every copied finding had to be added to them
        assert not names & {"findings_hash", "findings_run_hash"}
        run = s.begin_run(["share"], {}, kind="audit")
        assert s.copy_rows(1, run, ITEM) == 2 * len(MEMBERS)
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone() == ("ok",)
