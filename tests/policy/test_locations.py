"""Location patterns against the locations the scanner reports."""

from __future__ import annotations

import pytest

from piiscan.policy.locations import LocationPattern, outer_file


@pytest.mark.parametrize("pattern, location, matches", [
    ("finance/dons/**", "finance/dons/2025.csv", True),
    ("finance/dons/**", "finance/dons/2025/mars.zip!export.csv", True),
    ("finance/dons/**", "finance/donsx/a.csv", False),
    ("finance/dons/", "Finance/Dons/a.csv", True),  # case-insensitive, like SMB shares
    ("hr", "hr/payroll.csv", True),  # a plain name covers what is inside
    ("hr", "hr-old/payroll.csv", False),
    ("*.csv", "a.csv", True),
    ("*.csv", "x/a.csv", False),
    ("**/*.csv", "x/y/a.csv", True),
    ("a/**/b.txt", "a/b.txt", True),
    ("finance/*.zip", "finance/2023.zip!donors.csv", True),  # members of a matching archive
    ("finance/*", "finance/2023.zip!donors.csv", True),
    ("finance/*.zip!*.csv", "finance/2023.zip!donors.txt", False),
    ("crm/*.db!participants", "crm/p.db!participants", True),
    ("*#crm.donors", "postgresql://scanner@db.local/crm#crm.donors", True),
    ("*#crm.donors", "postgresql://scanner@db.local/crm#crm.donors_old", False),
    ("postgresql://*#public.*", "postgresql://u@h:5432/db#public.donors", True),
    ("postgresql://*#public.*", "mysql+pymysql://u@h/db#public.donors", False),
])
def test_patterns(pattern: str, location: str, matches: bool) -> None:
    assert LocationPattern.parse(pattern).matches(location) is matches


def test_outer_file() -> None:
    assert outer_file("mail/2023.zip!exports/donors.csv") == "mail/2023.zip"
    assert outer_file("hr/payroll.csv") == "hr/payroll.csv"
