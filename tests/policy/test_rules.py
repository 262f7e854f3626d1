"""Each rule firing and not firing, at its boundary, on store rows written by hand."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Iterator

import pytest

from piiscan.model import EntityType, Severity
from tests.policy.rows import AS_OF, Run, policy

POLICY = policy("""
    purposes:
      - name: donations
        locations: [finance/**, "*#crm.donors"]
        categories: [PERSON, EMAIL_ADDRESS, CREDIT_CARD]
        retention: {CREDIT_CARD: 60d}
        measured_from: [date_transaction, approved_at, mtime]
      - name: monthly
        locations: [monthly/**]
        categories: [PERSON, CREDIT_CARD]
        retention: {CREDIT_CARD: until expiry}
      - name: payroll
        locations: [hr/**]
        categories: [PERSON, EMAIL_ADDRESS]
        exclusive: [CA_SIN]
      - name: participants
        locations: [participants/**]
        categories: all
        exclusive: [CA_SIN, PASSPORT]
        retention: 6y
        measured_from: [date_fermeture, document]
    rules:
      undeclared_locations: {ignore: [tmp/**]}
      minors: {under: 18, purposes: [participants]}
      public: {locations: [site/**], allow: [EMAIL_ADDRESS]}
      world_readable: {purposes: [payroll]}
""")


@pytest.fixture
def run(tmp_path: Path) -> Iterator[Run]:
    r = Run(tmp_path)
    yield r
    r.close()


# -- retention_exceeded -----------------------------------------------------

@pytest.mark.parametrize("days, exceeded", [(59, False), (60, False), (61, True), (400, True)])
def test_card_retention_counts_days_from_the_transaction_date(run: Run, days: int, exceeded: bool) -> None:
    run.finding("CREDIT_CARD", "finance/d.csv", record="row:2", row=2)
    run.date("finance/d.csv", "row:2", "date_transaction", AS_OF - timedelta(days=days))
    got = run.keys(POLICY)
    assert (("retention_exceeded", "finance/d.csv", "donations") in got) is exceeded


def test_retention_is_per_record_and_per_category(run: Run) -> None:
    for row, days in ((2, 61), (3, 59), (4, 90)):
        run.finding("CREDIT_CARD", "finance/d.csv", record=f"row:{row}", row=row, value=str(row))
        run.finding("EMAIL_ADDRESS", "finance/d.csv", record=f"row:{row}", row=row, value=str(row))
        run.date("finance/d.csv", f"row:{row}", "date_transaction", AS_OF - timedelta(days=days))
    [v] = run.evaluate(POLICY)
    assert (v.rule, v.count, v.entity_types) == ("retention_exceeded", 2, (EntityType.CREDIT_CARD,))
    assert v.severity is Severity.HIGH
    assert v.finding_hashes == ("hmac-sha256:CREDIT_CARD:2", "hmac-sha256:CREDIT_CARD:4")
    # The oldest passed its limit on the 61st day after its transaction.
    since = AS_OF - timedelta(days=90) + timedelta(days=61)
    assert f"the limit passed on {since.isoformat()}" in v.message
    assert "60 days" in v.message and "date_transaction" in v.message
    assert v.action.startswith("Delete or anonymise")


def test_field_names_compare_without_case_accents_or_separators(run: Run) -> None:
    run.finding("CREDIT_CARD", "finance/d.csv", record="row:2", row=2)
    run.date("finance/d.csv", "row:2", "Approved At", AS_OF - timedelta(days=61))
    assert run.keys(POLICY) == {("retention_exceeded", "finance/d.csv", "donations")}


def test_a_date_recorded_for_the_whole_document_applies_to_each_record(run: Run) -> None:
    run.finding("CREDIT_CARD", "finance/d.json", record="$.dons[0]")
    run.date("finance/d.json", None, "date_transaction", AS_OF - timedelta(days=61))
    assert ("retention_exceeded", "finance/d.json", "donations") in run.keys(POLICY)


@pytest.mark.parametrize("days, exceeded", [(60, False), (61, True)])
def test_without_a_date_field_the_modification_time_is_used(run: Run, days: int, exceeded: bool) -> None:
    run.item("finance/old.txt", mtime=AS_OF - timedelta(days=days))
    run.finding("CREDIT_CARD", "finance/old.txt")
    assert (("retention_exceeded", "finance/old.txt", "donations") in run.keys(POLICY)) is exceeded


def test_no_date_at_all_means_no_verdict(run: Run) -> None:
    run.item("finance/undated.txt", mtime=None)
    run.finding("CREDIT_CARD", "finance/undated.txt")
    assert run.keys(POLICY) == set()


def test_until_expiry_is_never_exceeded(run: Run) -> None:
    run.item("monthly/cards.csv", mtime=date(2001, 1, 1))
    run.finding("CREDIT_CARD", "monthly/cards.csv")
    assert run.keys(POLICY) == set()


@pytest.mark.parametrize("closed, exceeded", [("2020-11-01", False), ("2020-10-31", True)])
def test_six_years_are_calendar_years(run: Run, closed: str, exceeded: bool) -> None:
    run.finding("PERSON", "participants/p.csv", record="row:2", row=2)
    run.date("participants/p.csv", "row:2", "date_fermeture", closed)
    assert (("retention_exceeded", "participants/p.csv", "participants") in run.keys(POLICY)) is exceeded


def test_document_date_is_the_latest_one_not_after_the_as_of_date(run: Run) -> None:
    run.finding("PERSON", "participants/notes.txt")
    run.date("participants/notes.txt", None, "(document)", "2019-06-01")
    run.date("participants/notes.txt", None, "(document)", "2020-10-30")
    run.date("participants/notes.txt", None, "(document)", "2027-01-15")  # an appointment to come
    [v] = run.evaluate(POLICY)
    assert (v.rule, v.location) == ("retention_exceeded", "participants/notes.txt")
    assert "latest date written in the document" in v.message
    assert "2026-10-31" in v.message


def test_database_rows_use_their_own_date_column(run: Run) -> None:
    table = "postgresql://scanner@db.local/crm#crm.donors"
    for key, days in (("7", 61), ("8", 59)):
        run.item(table, mode=None)
        run.finding("CREDIT_CARD", table, record=f"pk:{key}", value=key)
        run.date(table, f"pk:{key}", "approved_at", AS_OF - timedelta(days=days))
    [v] = run.evaluate(POLICY)
    assert (v.rule, v.location, v.purpose, v.count) == ("retention_exceeded", table, "donations", 1)


# -- minor_data -------------------------------------------------------------

@pytest.mark.parametrize("age, minor", [(0, True), (17, True), (18, False), (45, False)])
def test_minors_are_people_under_the_age_limit(run: Run, age: int, minor: bool) -> None:
    run.finding("DATE_OF_BIRTH", "participants/p.csv", record="row:2", row=2, age=age)
    assert (("minor_data", "participants/p.csv", "participants") in run.keys(POLICY)) is minor


def test_minor_count_is_per_person(run: Run) -> None:
    for row, age in ((2, 9), (3, 12), (4, 40)):
        run.finding("DATE_OF_BIRTH", "participants/p.csv", record=f"row:{row}", row=row, age=age,
                    value=str(row))
    # In free text, the same date of birth twice is one person.
    run.finding("DATE_OF_BIRTH", "participants/n.txt", age=16, value="a")
    run.finding("DATE_OF_BIRTH", "participants/n.txt", age=16, value="a")
    got = {v.location: v for v in run.evaluate(POLICY) if v.rule == "minor_data"}
    assert got["participants/p.csv"].count == 2
    assert "age 9 and 12" in got["participants/p.csv"].message
    assert got["participants/n.txt"].count == 1
    assert got["participants/n.txt"].severity is Severity.HIGH


def test_minors_rule_applies_only_to_the_purposes_it_names(run: Run) -> None:
    run.finding("DATE_OF_BIRTH", "hr/staff.csv", record="row:2", row=2, age=16)
    assert not any(rule == "minor_data" for rule, _, _ in run.keys(POLICY))


@pytest.mark.parametrize("age, minor", [(13, True), (14, False)])
def test_minors_rule_without_purposes_applies_everywhere(run: Run, age: int, minor: bool) -> None:
    pol = policy("rules:\n  minors:\n    under: 14\n")
    run.finding("DATE_OF_BIRTH", "anything/x.html", age=age)
    assert (("minor_data", "anything/x.html", None) in run.keys(pol)) is minor


def test_dates_of_birth_without_an_age_are_not_minors(run: Run) -> None:
    run.finding("DATE_OF_BIRTH", "participants/p.csv")
    assert not any(rule == "minor_data" for rule, _, _ in run.keys(POLICY))


# -- category_not_allowed and undeclared_location -----------------------------

@pytest.mark.parametrize("entity, location, expected", [
    ("PERSON", "finance/d.csv", set()),
    ("PASSPORT", "finance/d.csv", {("category_not_allowed", "finance/d.csv", "donations")}),
    ("CA_SIN", "finance/d.csv", {("category_not_allowed", "finance/d.csv", "donations")}),
    ("CA_SIN", "hr/pay.csv", set()),
    ("CA_SIN", "participants/p.csv", set()),
    ("CA_SIN", "misc/list.txt", {("category_not_allowed", "misc/list.txt", None)}),
    ("EMAIL_ADDRESS", "misc/list.txt", {("undeclared_location", "misc/list.txt", None)}),
    ("EMAIL_ADDRESS", "tmp/x.txt", set()),  # ignored by the rule
    ("EMAIL_ADDRESS", "site/team.html", set()),  # a declared public folder is not undeclared
    ("PASSPORT", "hr/pay.csv", {("category_not_allowed", "hr/pay.csv", "payroll")}),
])
def test_where_each_category_may_be(run: Run, entity: str, location: str, expected: set) -> None:
    run.finding(entity, location)
    got = {k for k in run.keys(POLICY) if k[0] in ("category_not_allowed", "undeclared_location")}
    assert got == expected


def test_a_category_kept_to_some_purposes_names_them_and_where_to_move_it(run: Run) -> None:
    run.finding("CA_SIN", "misc/list.txt")
    [v] = run.evaluate(POLICY)
    assert v.severity is Severity.HIGH
    assert "only in: payroll and participants" in v.message
    assert v.action == "Move them to hr/** and participants/**, or delete them."


def test_undeclared_low_sensitivity_data_is_low(run: Run) -> None:
    run.finding("EMAIL_ADDRESS", "misc/list.txt", value="a")
    run.finding("PHONE_NUMBER", "misc/list.txt", value="b")
    [v] = run.evaluate(POLICY)
    assert (v.severity, v.count) == (Severity.LOW, 2)
    assert v.entity_types == (EntityType.EMAIL_ADDRESS, EntityType.PHONE_NUMBER)


def test_undeclared_locations_are_not_checked_unless_asked(run: Run) -> None:
    pol = policy("""
        purposes:
          - {name: a, locations: [a/**], categories: all}
    """)
    run.finding("EMAIL_ADDRESS", "b/x.txt")
    assert run.keys(pol) == set()


# -- exposure: world_readable and public_location -----------------------------

@pytest.mark.parametrize("mode, readable", [(0o100644, True), (0o100604, True), (0o100640, False),
                                            (0o100600, False), (None, False)])
def test_world_readable_files_of_the_named_purposes(run: Run, mode: int | None, readable: bool) -> None:
    run.item("hr/pay.csv", mode=mode)
    run.finding("PERSON", "hr/pay.csv")
    got = run.keys(POLICY)
    assert (("world_readable", "hr/pay.csv", "payroll") in got) is readable


def test_world_readable_outside_the_named_purposes_is_not_reported(run: Run) -> None:
    run.item("finance/d.csv", mode=0o100644)
    run.finding("PERSON", "finance/d.csv")
    assert run.keys(POLICY) == set()


def test_world_readable_archive_is_reported_once_for_the_file_on_disk(run: Run) -> None:
    run.item("hr/2025.zip", mode=0o100644)
    run.finding("PERSON", "hr/2025.zip!jan.csv", value="a")
    run.finding("PERSON", "hr/2025.zip!feb.csv", value="b")
    [v] = run.evaluate(POLICY)
    assert (v.rule, v.location, v.count) == ("world_readable", "hr/2025.zip", 2)
    assert "mode 0644" in v.message and "chmod o-r" in v.action


def test_world_readable_min_severity(run: Run) -> None:
    pol = policy("rules:\n  world_readable: {min_severity: high}\n")
    run.item("a.txt", mode=0o100644)
    run.item("b.txt", mode=0o100644)
    run.finding("EMAIL_ADDRESS", "a.txt")
    run.finding("CA_SIN", "b.txt")
    assert run.keys(pol) == {("world_readable", "b.txt", None)}


@pytest.mark.parametrize("entity, severity", [("EMAIL_ADDRESS", None), ("PHONE_NUMBER", Severity.MEDIUM),
                                              ("DATE_OF_BIRTH", Severity.HIGH),
                                              ("CA_SIN", Severity.CRITICAL)])
def test_public_locations_raise_the_data_s_own_severity(run: Run, entity: str,
                                                         severity: Severity | None) -> None:
    run.finding(entity, "site/events.html")
    got = [v for v in run.evaluate(POLICY) if v.rule == "public_location"]
    assert [v.severity for v in got] == ([severity] if severity else [])


# -- output -------------------------------------------------------------------

def test_messages_in_french(run: Run) -> None:
    run.finding("CREDIT_CARD", "finance/d.csv", record="row:2", row=2)
    run.date("finance/d.csv", "row:2", "date_transaction", AS_OF - timedelta(days=61))
    run.finding("CA_SIN", "misc/list.txt")
    by_rule = {v.rule: v for v in run.evaluate(POLICY, lang="fr")}
    ret = by_rule["retention_exceeded"]
    assert "1 valeur (numéro de carte de paiement)" in ret.message
    assert "60 jours" in ret.message and "« donations »" in ret.message
    assert "du champ « date_transaction »" in ret.message
    assert ret.action.startswith("Supprimer ou anonymiser")
    assert "ne permet ces données que dans : payroll et participants" in by_rule["category_not_allowed"].message


def test_violations_come_sorted_and_serialise_with_their_rule(run: Run) -> None:
    run.finding("EMAIL_ADDRESS", "misc/b.txt")
    run.finding("CA_SIN", "misc/a.txt")
    out = [v.as_dict() for v in run.evaluate(POLICY)]
    assert [(d["location"], d["rule"]) for d in out] == [("misc/a.txt", "category_not_allowed"),
                                                       ("misc/b.txt", "undeclared_location")]
    assert out[0]["kind"] == "violation" and out[0]["entity_types"] == ["CA_SIN"]
    assert out[0]["severity"] == "high"


def test_many_minors_read_as_an_age_range(run: Run) -> None:
    for row in range(2, 12):
        run.finding("DATE_OF_BIRTH", "participants/class.csv", record=f"row:{row}", row=row,
                    age=row + 3, value=str(row))
    [v] = [v for v in run.evaluate(POLICY) if v.rule == "minor_data"]
    assert v.count == 10 and "age 5–14 on 2026-11-01" in v.message
