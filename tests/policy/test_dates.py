"""Dates in record fields and in free text, in the forms Canadian files use."""

from __future__ import annotations

from datetime import date

import pytest

from piiscan.policy.dates import dates_in_text, parse_date


@pytest.mark.parametrize("text, day_first, expected", [
    ("2026-03-02", True, date(2026, 3, 2)),
    ("2026/03/02", True, date(2026, 3, 2)),
    ("2026-03-02T10:15:00Z", True, date(2026, 3, 2)),
    ("2026-03-02 10:15:00", True, date(2026, 3, 2)),
    ("20260302", True, date(2026, 3, 2)),
    ("02/03/2026", True, date(2026, 3, 2)),
    ("02/03/2026", False, date(2026, 2, 3)),
    ("25/03/2026", False, date(2026, 3, 25)),  # only one reading exists
    ("03/25/2026", True, date(2026, 3, 25)),
    ("12 mars 2025", True, date(2025, 3, 12)),
    ("1er février 2026", True, date(2026, 2, 1)),
    ("3 août 2024", True, date(2024, 8, 3)),
    ("12 sept. 2026", True, date(2026, 9, 12)),
    ("March 12, 2025", True, date(2025, 3, 12)),
    ("12 Mar 2025", True, date(2025, 3, 12)),
    ("2026-02-30", True, None),
    ("pending", True, None),
    ("2026", True, None),
    ("514-555-0147", True, None),
    ("", True, None),
])
def test_field_values(text: str, day_first: bool, expected: date | None) -> None:
    assert parse_date(text, day_first) == expected


def test_dates_in_free_text() -> None:
    text = ("Candidature reçue le 15 juin 2026 (poste 2026-14). Emploi 2019-2024. "
            "Tél. 514-555-0147. Entrevue le 3/4/2026; décision: July 2, 2026.")
    assert list(dates_in_text(text)) == [date(2026, 6, 15), date(2026, 4, 3), date(2026, 7, 2)]
