"""Without triage marks or allow-lists the HTML report counts in SQL and reads only the rows it
shows; the page must be the one the finding-by-finding reading gives."""

from __future__ import annotations

import pytest

import piiscan.reports.html as html
from piiscan.reports import RunReport
from piiscan.reports.html import MAX_ROWS, render_html
from piiscan.store import Store
from tests.auditkit import add_run, finding


def _store(path) -> tuple[Store, int]:
    store = Store(path)
    add_run(store, [finding("CA_SIN", "hr/payroll.csv", "046 454 286", row=2, column="NAS")])
    big = [finding("EMAIL_ADDRESS", "exports/all.csv", f"p{i}@example.org", row=i, column="mail")
           for i in range(MAX_ROWS + 7)]
    # two types with equal counts in one place: the page lists them in order of first finding
    tie = [finding("PHONE_NUMBER", "notes/tie.txt", "514-555-0147", line=9),
           finding("EMAIL_ADDRESS", "notes/tie.txt", "ana@example.org", line=1),
           finding("PHONE_NUMBER", "notes/tie.txt", "514-555-0148", line=10),
           finding("EMAIL_ADDRESS", "notes/tie.txt", "bob@example.org", line=2)]
    members = [finding("CREDIT_CARD", "mail/2023.zip!exports/donors.csv", "4111 1111 1111 1111",
                       row=5, column="carte"),
               finding("CA_SIN", "mail/2023.zip", "130 692 544", line=1)]
    run = add_run(store, [*tie, *big, *members,
                          finding("CA_SIN", "hr/payroll.csv", "046 454 286", row=2, column="NAS")])
    return store, run


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_counted_page_is_the_finding_by_finding_page(tmp_path, monkeypatch, language):
    store, run = _store(tmp_path / "p.db")
    with store:
        fast = render_html(RunReport.load(store, run, language=language))
        # the reading every triaged report takes: each finding built and shown to triage
        monkeypatch.setattr(html, "has_rules", lambda triage: True)
        slow = render_html(RunReport.load(store, run, language=language))
    assert fast == slow
    assert ("and 7 more in this location" if language == "en" else "et 7 autres") in fast
