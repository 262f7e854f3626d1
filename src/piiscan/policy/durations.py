"""Retention periods as people write them: "60d", "3 months", "6 ans", "until expiry".

Months and years are calendar ones (a 3-month limit from 30 November ends on
28 or 29 February), because that is how a policy's reader counts them.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

UNITS = {
    "d": "days", "day": "days", "days": "days", "j": "days", "jour": "days", "jours": "days",
    "w": "weeks", "week": "weeks", "weeks": "weeks", "sem": "weeks", "semaine": "weeks",
    "semaines": "weeks",
    "m": "months", "mo": "months", "month": "months", "months": "months", "mois": "months",
    "y": "years", "yr": "years", "year": "years", "years": "years", "a": "years", "an": "years",
    "ans": "years", "annee": "years", "annees": "years",
}
# Limits tied to something piiscan cannot read reliably (a card's expiry,
# a consent being withdrawn): declared, shown, never turned into a violation.
OPEN_ENDED = {
    "until expiry": "until expiry", "until expired": "until expiry",
    "until the card expires": "until expiry", "jusqu'a expiration": "until expiry",
    "jusqu'a l'expiration": "until expiry", "until consent is withdrawn": "until consent is withdrawn",
    "jusqu'au retrait du consentement": "until consent is withdrawn",
    "no limit": "no limit", "unlimited": "no limit", "sans limite": "no limit",
}
HINT = "write e.g. 60d, 3 months, 6y or 'until expiry'"

_AMOUNT = re.compile(r"^(\d+)\s*([a-z]+)\.?$")


@dataclass(frozen=True, slots=True)
class Duration:
    """A retention period; `amount` is None for an open-ended one."""

    amount: int | None
    unit: str = "days"  # days | weeks | months | years
    text: str = ""

    @property
    def open_ended(self) -> bool:
        return self.amount is None

    def after(self, start: date) -> date | None:
        """The last day data from `start` may be kept; None when open-ended."""
        if self.amount is None:
            return None
        if self.unit == "days":
            return start + timedelta(days=self.amount)
        if self.unit == "weeks":
            return start + timedelta(weeks=self.amount)
        months = self.amount * (12 if self.unit == "years" else 1)
        return add_months(start, months)

    def __str__(self) -> str:
        if self.amount is None:
            return self.text
        unit = self.unit if self.amount != 1 else self.unit[:-1]
        return f"{self.amount} {unit}"


def add_months(start: date, months: int) -> date:
    """Calendar months; the day is clamped to the target month's length."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.replace("’", "'"))
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).lower().split())


def parse_duration(text: str) -> Duration:
    """Parse a duration; raise ValueError (the caller adds the line and the fix)."""
    folded = _fold(str(text))
    if folded in OPEN_ENDED:
        return Duration(None, text=OPEN_ENDED[folded])
    m = _AMOUNT.match(folded)
    if not m or m.group(2) not in UNITS:
        raise ValueError(f"{text!r} is not a duration")
    amount = int(m.group(1))
    if amount <= 0:
        raise ValueError(f"{text!r} is not a duration longer than zero")
    return Duration(amount, UNITS[m.group(2)], str(text))
