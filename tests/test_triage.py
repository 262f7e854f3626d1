"""Triage marks: what they match, what they hide, when they expire, and the commands."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from piiscan.model import EntityType
from piiscan.store import Store
from piiscan.triage import AllowList, Mark, Triage, normalize_hash, triage
from tests.auditkit import add_run, finding, value_hash, violation

SIN = "046 454 286"
H_SIN = value_hash(EntityType.CA_SIN, SIN)
H_OTHER = value_hash(EntityType.CA_SIN, "130 692 544")
TODAY = date(2026, 11, 2)


def mark(location: str, status: str = "false_positive", *, h: str = "", entity: str = "",
         until: date | None = None, id: int = 1) -> Mark:
    return Mark(id, location, status, h, entity, until)


@pytest.mark.parametrize("m, location, matches", [
    (mark("hr/payroll.csv"), "hr/payroll.csv", True),
    (mark("hr/payroll.csv"), "hr/payroll.csv.bak", False),
    (mark("hr/*"), "hr/2024/payroll.csv", True),                    # * crosses folders
    (mark("mail/*.zip!*"), "mail/2023.zip!exports/donors.csv", True),
    (mark("mail/2023.zip"), "mail/2023.zip!exports/donors.csv", False),  # the member is not the archive
    (mark("*", h=H_SIN), "anywhere/else.txt", True),
    (mark("*", h=H_OTHER), "anywhere/else.txt", False),
    (mark("*", entity="CA_SIN"), "x.txt", True),
    (mark("*", entity="EMAIL_ADDRESS"), "x.txt", False),
])
def test_what_a_mark_matches(m: Mark, location: str, matches: bool) -> None:
    f = finding("CA_SIN", location, SIN)
    assert (Triage([m], today=TODAY).finding(f) is not None) is matches


@pytest.mark.parametrize("status, until, hidden, expired", [
    ("false_positive", None, True, False),
    ("test_data", None, True, False),
    ("confirmed", None, False, False),
    ("accepted", date(2026, 12, 31), True, False),
    ("accepted", date(2026, 11, 2), True, False),     # the last day still counts
    ("accepted", date(2026, 11, 1), False, True),     # past: shown again, flagged expired
])
def test_what_a_status_does(status: str, until: date | None, hidden: bool, expired: bool) -> None:
    v = Triage([mark("*", status, until=until)], today=TODAY).finding(finding("CA_SIN", "a.txt", SIN))
    assert v is not None and v.hidden is hidden and v.expired is expired and v.status == status


def test_the_most_specific_mark_wins() -> None:
    marks = [mark("hr/*", "accepted", until=date(2027, 1, 1), id=1),
             mark("hr/*", "confirmed", h=H_SIN, id=2)]
    t = Triage(marks, today=TODAY)
    assert t.finding(finding("CA_SIN", "hr/p.csv", SIN)).status == "confirmed"
    assert t.finding(finding("CA_SIN", "hr/p.csv", "130 692 544")).status == "accepted"


def test_allow_lists_hide_by_hash_and_by_location() -> None:
    t = Triage(allow=AllowList(frozenset({H_SIN}), ("fixtures/*",)))
    assert t.finding(finding("CA_SIN", "hr/p.csv", SIN)).status == "allowed"
    assert t.finding(finding("EMAIL_ADDRESS", "fixtures/a.txt", "a@example.org")).hidden
    assert t.finding(finding("CA_SIN", "hr/p.csv", "130 692 544")) is None


def test_stale_marks_are_those_that_matched_nothing() -> None:
    t = Triage([mark("hr/*", id=1), mark("gone/*", id=2), mark("*", h=H_OTHER, id=3)], today=TODAY)
    t.finding(finding("CA_SIN", "hr/p.csv", SIN))
    assert [m.id for m in t.stale()] == [2, 3]


def test_a_violation_is_hidden_by_a_place_mark_or_when_all_its_findings_are() -> None:
    v = violation("undeclared_location", "medium", "notes/b.txt", "…", hashes=(H_SIN,))
    assert Triage([mark("notes/*", "accepted", until=date(2027, 1, 1))], today=TODAY).violation(v).hidden
    # a mark about one value does not speak for the whole place …
    assert Triage([mark("notes/*", h=H_SIN)], today=TODAY).violation(v) is None
    # … but when every finding behind the violation is hidden, so is the violation
    assert Triage([mark("notes/*", h=H_SIN)], today=TODAY).violation(v, {("notes/b.txt", H_SIN)}).hidden


@pytest.mark.parametrize("text, expected", [
    (H_SIN, H_SIN),
    (H_SIN.split(":")[1], H_SIN),
    ("  " + H_SIN.upper() + " ", H_SIN),
])
def test_hashes_are_accepted_as_reports_print_them(text: str, expected: str) -> None:
    assert normalize_hash(text) == expected


@pytest.mark.parametrize("bad", ["046454286", "hmac-sha256:xyz", "", H_SIN[:-1]])
def test_a_raw_value_is_never_taken_for_a_hash(bad: str) -> None:
    with pytest.raises(ValueError):
        normalize_hash(bad)


# -- the commands -------------------------------------------------------------------

def cli(db: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(triage, [*args, "--db", str(db)])
    return result.exit_code, result.output


def test_mark_list_unmark(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    with Store(db) as store:
        add_run(store, [finding("CA_SIN", "hr/p.csv", SIN, row=2, column="NAS")])
    code, out = cli(db, "mark", "--location", "hr/p.csv", "--hash", H_SIN, "--status", "false_positive",
                    "--note", "an employee number")
    assert code == 0 and out.startswith("mark 1: hr/p.csv hmac-sha256:") and "false_positive" in out
    code, out = cli(db, "mark", "--location", "old/*", "--status", "accepted", "--until", "2027-03-31")
    assert code == 0 and "mark 2" in out
    # the same location/hash/type again replaces the decision instead of piling up
    code, out = cli(db, "mark", "--location", "hr/p.csv", "--hash", H_SIN, "--status", "confirmed")
    assert code == 0 and "mark 1" in out
    code, out = cli(db, "list")
    assert code == 0
    lines = [line for line in out.splitlines() if line.strip()[:1].isdigit()]
    assert "confirmed" in lines[0] and "1 findings" in lines[0]
    assert "STALE" in lines[1] and "old/*" in lines[1]
    code, out = cli(db, "unmark", "2")
    assert code == 0 and "1 mark(s) removed" in out
    with Store(db) as store:
        assert [m["id"] for m in store.marks()] == [1]
    code, _ = cli(db, "unmark", "--location", "hr/p.csv", "--hash", H_SIN)
    assert code == 0
    with Store(db) as store:
        assert store.marks() == []


@pytest.mark.parametrize("args, message", [
    (["--status", "accepted"], "needs --until"),
    (["--status", "confirmed", "--until", "2027-01-01"], "--until only applies"),
    (["--status", "accepted", "--until", "next week"], "is not a date"),
    (["--status", "test_data", "--hash", "046454286"], "not a value hash"),
    (["--status", "test_data", "--entity", "SSN"], "unknown entity type"),
    (["--status", "wrong"], "Invalid value"),
])
def test_mark_refuses_what_it_cannot_keep(tmp_path: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(triage, ["mark", "--location", "x", *args, "--db", str(tmp_path / "p.db")])
    assert result.exit_code == 2
    assert message in result.output


def test_the_store_can_be_named_by_the_audit_config(tmp_path: Path) -> None:
    (tmp_path / "share").mkdir()
    (tmp_path / "audit.yaml").write_text("sources: [share]\nhistory: hist/a.db\n", encoding="utf-8")
    result = CliRunner().invoke(triage, ["mark", "--location", "x/*", "--status", "test_data",
                                         "--config", str(tmp_path / "audit.yaml")])
    assert result.exit_code == 0, result.output
    with Store(tmp_path / "hist/a.db") as store:
        assert store.marks()[0]["location"] == "x/*"
