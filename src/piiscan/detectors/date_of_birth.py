"""Dates of birth: a date is personal information only when it says so."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Iterator

from ..model import EntityType, Match, Segment
from .base import fold, words_pattern
from .context import DIGITS, nearest_label

MONTHS: dict[str, int] = {}
for _n, _names in enumerate((
        "january jan janvier janv", "february feb fevrier fevr fev", "march mar mars",
        "april apr avril avr", "may mai", "june jun juin", "july jul juillet juil",
        "august aug aout", "september sep sept septembre", "october oct octobre",
        "november nov novembre", "december dec decembre"), 1):
    MONTHS.update(dict.fromkeys(_names.split(), _n))

_MONTH = r"(?P<mon>[^\W\d_]{3,9})\.?"
_DAY_SUFFIX = r"(?:er|re|st|nd|rd|th)?"
_PATTERNS = (
    # 1987-03-12, 1987/03/12
    ("ymd", re.compile(r"(?<![\d/.-])(?P<y>(?:18|19|20)\d\d)(?P<s>[-/.])(?P<m>\d\d?)(?P=s)"
                       r"(?P<d>\d\d?)(?!\d|[/.-]\d)")),
    # 12/03/1987, 03-12-87: day or month first, see _readings
    ("num", re.compile(r"(?<![\d/.-])(?P<a>\d\d?)(?P<s>[-/.])(?P<b>\d\d?)(?P=s)"
                       r"(?P<y>\d{4}|\d\d)(?!\d|[/.-]\d)")),
    # 12 mars 1987, 1er mars 1987, 12th of March 1987
    ("dmy", re.compile(rf"(?<!\w)(?P<d>\d\d?){_DAY_SUFFIX}\s+(?:of\s+|de\s+)?{_MONTH},?\s+"
                       r"(?P<y>\d{4})(?!\d)", re.IGNORECASE)),
    # March 12, 1987
    ("mdy", re.compile(rf"(?<!\w){_MONTH}\s+(?P<d>\d\d?){_DAY_SUFFIX},?\s+(?P<y>\d{{4}})(?!\d)",
                       re.IGNORECASE)),
)

LABELS_FR = ("date de naissance", "date naissance", "naissance", "d.d.n.", "ddn",
             "datenaissance", "datedenaissance", "date_naissance", "anniversaire")
LABELS_EN = ("born", "birth", "date of birth", "birth date", "birthdate", "birthday", "dob",
             "d.o.b.", "dateofbirth", "date_of_birth")
# "né le", "née le", "né(e) le", "né à Gatineau le" (on folded text, accents gone)
_NE_LE = r"(?<![a-z0-9])nee?(?:\(e\))?\s+(?:a\s+[^\d,;:]{1,40}?\s+)?le(?![a-z0-9])"

# Labels of the other dates forms are full of; the nearest label wins.
OTHER_DATES = (
    "date", "dated", "daté", "signed", "signé", "signature", "issued", "issue date", "émis",
    "émission", "délivré", "délivrance", "expiry", "expiration", "expires", "expire",
    "valid until", "valide jusqu'au", "arrival", "arrived", "arrivée", "arrivé", "hired",
    "hire date", "embauche", "embauché", "inscription", "registration", "registered",
    "enrolled", "today", "aujourd'hui", "deceased", "décès", "décédé", "died", "death",
    "created", "updated", "modified", "modifié", "mis à jour", "payment", "paiement", "paid",
    "payé", "due", "échéance", "visit", "visite", "rendez-vous", "appointment", "since",
    "depuis", "until", "jusqu'au", "start", "début", "end", "fin", "received", "reçu",
)


@dataclass(frozen=True, slots=True)
class Candidate:
    start: int
    end: int
    readings: tuple[tuple[int, int, int], ...]  # (year, month, day); day first if two
    ambiguous: bool = False


def _year(text: str, today: date) -> int:
    if len(text) == 4:
        return int(text)
    yy = int(text)
    return 1900 + yy if yy > today.year % 100 else 2000 + yy


def _candidates(text: str, today: date) -> Iterator[Candidate]:
    """Every date-shaped span, leftmost-longest, without overlaps."""
    found: list[Candidate] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            g = m.groupdict()
            if kind == "ymd":
                readings = ((int(g["y"]), int(g["m"]), int(g["d"])),)
                ambiguous = False
            elif kind == "num":
                a, b, y = int(g["a"]), int(g["b"]), _year(g["y"], today)
                readings = ((y, b, a), (y, a, b))
                ambiguous = a != b and a <= 12 and b <= 12
            else:
                month = MONTHS.get(fold(g["mon"]))
                if month is None:
                    continue
                readings = ((int(g["y"]), month, int(g["d"])),)
                ambiguous = False
            found.append(Candidate(m.start(), m.end(), readings, ambiguous))
    found.sort(key=lambda c: (c.start, -c.end))
    end = -1
    for c in found:
        if c.start >= end:
            end = c.end
            yield c


def birth_date(readings: tuple[tuple[int, int, int], ...], today: date) -> date | None:
    """The first reading that is a real date, not in the future, from 1900 on."""
    for y, m, d in readings:
        try:
            born = date(y, m, d)
        except ValueError:
            continue
        if 1900 <= born.year and born <= today:
            return born
    return None


class DateOfBirthDetector:
    """Date of birth: a date labelled as one, in English or French.

    Formats: 1987-03-12, 12/03/1987 (also with - or ., and two-digit years),
    "12 mars 1987", "1er mars 1987", "March 12, 1987", "12 March 1987".
    Check: the date must exist, not lie in the future, and be from 1900 on.
    A numeric date that reads both ways (03/04/1987) is read day first in a
    French segment or beside a French label, month first beside an English
    one, falling back to the other order if the first is impossible; it
    carries ambiguous=true. Attribute raw_birth_date (ISO), which the
    Redactor turns into an age.
    Context is required: a label (born, DOB, date of birth, birth date, né
    le, née le, né à … le, date de naissance, naissance, d.d.n.) or a
    column named for it (dob, birth_date, date_naissance…). A nearer label
    of another date (signed, issued, expiry, arrivée, embauche, date…) wins.
    A date without a birth label is never reported.
    Known false positives: dates next to, but not of, a birth ("born in
    Toronto, moved 2001-05-04"). Reference: ISO 8601; CLDR en-CA / fr-CA formats.
    """

    name = "date_of_birth"
    entities = (EntityType.DATE_OF_BIRTH,)
    keywords = DIGITS
    score = 0.9
    examples = {
        "Date de naissance : 12 mars 1987": True,
        "Née le 1er mars 1987 à Gatineau": True,
        "Born March 12, 1987 in Toronto": True,
        "DOB: 1987-03-12": True,
        "Date of birth 12/03/1987": True,
        "Né à Trois-Rivières le 12/03/1987": True,
        "Date de naissance : 31/02/1987": False,  # not a real date
        "Date of birth: 2999-01-01": False,  # in the future
        "Meeting on 12 March 1987": False,  # a date, but not a birth date
        "Date d'embauche : 2019-05-02": False,
        "Signé le 12/03/2024": False,
    }

    def __init__(self) -> None:
        fr = words_pattern(LABELS_FR)
        en = words_pattern(LABELS_EN)
        assert fr is not None and en is not None
        self._fr = re.compile(f"{fr.pattern}|{_NE_LE}")
        self._for = re.compile(f"{self._fr.pattern}|{en.pattern}")
        self._against = words_pattern(OTHER_DATES)

    def _day_first(self, segment: Segment, start: int) -> bool:
        """French documents and labels write day/month; English labels here month/day."""
        if segment.language == "fr":
            return True
        near = fold(segment.field or "") + " " + fold(segment.text[max(0, start - 60):start])
        if self._fr.search(near):
            return True
        return segment.language != "en" and not re.search(r"born|birth|dob|d\.o\.b", near)

    def detect(self, segment: Segment) -> Iterator[Match]:
        today = date.today()
        text = segment.text
        floor = 0
        for cand in _candidates(text, today):
            label = nearest_label(segment, cand.start, cand.end, self._for, self._against,
                                  before=60, after=25, floor=floor)
            floor = cand.end  # a label before an earlier date belongs to that date
            if not label:
                continue
            readings = cand.readings
            if len(readings) > 1 and not self._day_first(segment, cand.start):
                readings = readings[::-1]
            born = birth_date(readings, today)
            if born is None:
                continue
            iso = born.isoformat()
            attrs = {"raw_birth_date": iso}
            if cand.ambiguous:
                attrs["ambiguous"] = "true"
            yield Match(EntityType.DATE_OF_BIRTH, cand.start, cand.end, self.score, self.name,
                        text[cand.start:cand.end], iso, attrs)
