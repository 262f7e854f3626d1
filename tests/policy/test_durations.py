"""Retention periods as written in policies, and the calendar arithmetic behind them."""

from __future__ import annotations

from datetime import date

import pytest

from piiscan.policy.durations import parse_duration


@pytest.mark.parametrize("text, amount, unit", [
    ("60d", 60, "days"), ("60 days", 60, "days"), ("60 jours", 60, "days"), ("1 day", 1, "days"),
    ("2w", 2, "weeks"), ("2 semaines", 2, "weeks"),
    ("3 months", 3, "months"), ("3 mois", 3, "months"), ("3m", 3, "months"),
    ("6y", 6, "years"), ("6 years", 6, "years"), ("6 ans", 6, "years"), ("6 Années", 6, "years"),
    ("until expiry", None, "days"), ("Jusqu’à l’expiration", None, "days"), ("no limit", None, "days"),
])
def test_durations_in_english_and_french(text: str, amount: int | None, unit: str) -> None:
    d = parse_duration(text)
    assert (d.amount, d.unit if amount else "days") == (amount, unit)
    assert d.open_ended is (amount is None)


@pytest.mark.parametrize("text", ["60", "sixty days", "0d", "-3 months", "3 fortnights", "", "6 y ago"])
def test_what_is_not_a_duration(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


@pytest.mark.parametrize("text, start, last_day", [
    ("60d", date(2026, 7, 14), date(2026, 9, 12)),
    ("2w", date(2026, 1, 1), date(2026, 1, 15)),
    ("3 months", date(2025, 11, 30), date(2026, 2, 28)),  # clamped to the month's length
    ("3 months", date(2026, 6, 20), date(2026, 9, 20)),
    ("6y", date(2020, 2, 29), date(2026, 2, 28)),
    ("6 ans", date(2019, 11, 29), date(2025, 11, 29)),
])
def test_the_last_day_data_may_be_kept(text: str, start: date, last_day: date) -> None:
    assert parse_duration(text).after(start) == last_day


def test_open_ended_has_no_last_day() -> None:
    assert parse_duration("until expiry").after(date(2026, 1, 1)) is None
