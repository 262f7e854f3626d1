"""Dates as they appear in records: ISO, 12/03/2025, "12 mars 2025", "March 12, 2025".

Numeric dates are read day first unless told otherwise (Quebec and most
forms in Canada write dd/mm/yyyy); a value that can only be month first
(03/25/2025) is read that way whatever the order.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Iterator

MONTHS = {
    "january": 1, "jan": 1, "janvier": 1, "janv": 1,
    "february": 2, "feb": 2, "fevrier": 2, "fevr": 2, "fev": 2,
    "march": 3, "mar": 3, "mars": 3,
    "april": 4, "apr": 4, "avril": 4, "avr": 4,
    "may": 5, "mai": 5,
    "june": 6, "jun": 6, "juin": 6,
    "july": 7, "jul": 7, "juillet": 7, "juil": 7,
    "august": 8, "aug": 8, "aout": 8,
    "september": 9, "sep": 9, "sept": 9, "septembre": 9,
    "october": 10, "oct": 10, "octobre": 10,
    "november": 11, "nov": 11, "novembre": 11,
    "december": 12, "dec": 12, "decembre": 12,
}
_MONTH_WORDS = sorted(MONTHS, key=len, reverse=True) + ["février", "févr", "fév", "août",
                                                          "décembre", "déc"]
_MONTH = "(?:" + "|".join(sorted(set(_MONTH_WORDS), key=len, reverse=True)) + r")\.?"

_ISO = r"(?P<iy>(?:19|20)\d\d)[-/.](?P<im>\d{1,2})[-/.](?P<id>\d{1,2})"
_NUM = r"(?P<na>\d{1,2})[/.-](?P<nb>\d{1,2})[/.-](?P<ny>(?:19|20)\d\d)"
_DMY = rf"(?P<td>\d{{1,2}})(?:er|st|nd|rd|th)?\s+(?P<tm>{_MONTH})\s+(?P<ty>(?:19|20)\d\d)"
_MDY = rf"(?P<um>{_MONTH})\s+(?P<ud>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<uy>(?:19|20)\d\d)"
DATE_IN_TEXT = re.compile(rf"(?<![\w/.-])(?:{_ISO}|{_NUM}|{_DMY}|{_MDY})(?![\w])", re.IGNORECASE)
_COMPACT = re.compile(r"^((?:19|20)\d\d)(\d\d)(\d\d)$")
_TIME_TAIL = re.compile(r"[T ]\d{1,2}:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?$", re.IGNORECASE)


def _month(word: str) -> int:
    word = unicodedata.normalize("NFKD", word.rstrip("."))
    return MONTHS["".join(c for c in word if not unicodedata.combining(c)).lower()]


def _make(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _from_match(m: re.Match[str], day_first: bool) -> date | None:
    g = m.groupdict()
    if g["iy"]:
        return _make(int(g["iy"]), int(g["im"]), int(g["id"]))
    if g["ny"]:
        a, b = int(g["na"]), int(g["nb"])
        if a > 12 or (day_first and b <= 12):
            return _make(int(g["ny"]), b, a)
        return _make(int(g["ny"]), a, b)
    if g["ty"]:
        return _make(int(g["ty"]), _month(g["tm"]), int(g["td"]))
    return _make(int(g["uy"]), _month(g["um"]), int(g["ud"]))


def parse_date(value: str, day_first: bool = True) -> date | None:
    """A field's value as a date, or None when it is not (only) a date."""
    text = value.strip()
    if not text or len(text) > 40:
        return None
    text = _TIME_TAIL.sub("", text).strip()
    if c := _COMPACT.match(text):
        return _make(int(c.group(1)), int(c.group(2)), int(c.group(3)))
    m = DATE_IN_TEXT.fullmatch(text)
    return _from_match(m, day_first) if m else None


def dates_in_text(text: str, day_first: bool = True) -> Iterator[date]:
    """Every readable date written in free text."""
    for m in DATE_IN_TEXT.finditer(text):
        d = _from_match(m, day_first)
        if d is not None:
            yield d
