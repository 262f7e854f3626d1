"""Machine-readable zones of passports (TD3) and ID cards (TD1)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Iterator

from ..checks import mrz_check_ok
from ..model import EntityType, Match, Segment
from .base import SCORE_CONTEXT

# Line 2 of a TD3 passport: number, check, nationality, birth date, check,
# sex, expiry, check, optional data, check, composite check (44 characters).
_TD3_LINE2 = (r"[A-Z0-9<]{9}[0-9][A-Z<]{3}[0-9]{6}[0-9][MFX<][0-9]{6}[0-9]"
              r"[A-Z0-9<]{14}[0-9<][0-9]")
_TD3 = re.compile(rf"(?=((?:P[A-Z<][A-Z<]{{42}})?)({_TD3_LINE2}))")
# TD1: number and optional data; birth, sex, expiry, nationality, composite; name.
_TD1 = re.compile(r"(?=([ACI][A-Z<][A-Z<]{3}[A-Z0-9<]{9}[0-9][A-Z0-9<]{15})"
                  r"([0-9]{6}[0-9][MFX<][0-9]{6}[0-9][A-Z<]{3}[A-Z0-9<]{11}[0-9])"
                  r"((?:[A-Z<]{30})?))")
_SPACE = frozenset(" \t\r\n\f\v\u00a0")


@dataclass(frozen=True, slots=True)
class Zone:
    """A validated MRZ, as offsets into the whitespace-free text."""

    start: int
    end: int
    number: tuple[int, int]
    birth: tuple[int, int]
    name: tuple[int, int] | None
    state: str
    document: str


def birth_date(yymmdd: str, today: date | None = None) -> date | None:
    """The MRZ stores two-digit years: one later than this year's is 19YY."""
    today = today or date.today()
    yy, mm, dd = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    year = 1900 + yy if yy > today.year % 100 else 2000 + yy
    try:
        return date(year, mm, dd)
    except ValueError:
        return None


def holder_name(field: str) -> str:
    """'SURNAME<<GIVEN<NAMES<<<' → 'GIVEN NAMES SURNAME'."""
    surname, _, given = field.strip("<").partition("<<")
    words = [w for w in given.split("<") if w] + [w for w in surname.split("<") if w]
    return " ".join(words)


def _td3(compact: str) -> Iterator[Zone]:
    for m in _TD3.finditer(compact):
        line1, line2 = m.group(1), m.group(2)
        checks = ((line2[0:9], line2[9]), (line2[13:19], line2[19]), (line2[21:27], line2[27]),
                  (line2[28:42], line2[42]),
                  (line2[0:10] + line2[13:20] + line2[21:43], line2[43]))
        if not all(mrz_check_ok(f, c) for f, c in checks):
            continue
        at = m.start(2)
        name = (m.start(1) + 5, m.start(1) + 5 + len(line1[5:].rstrip("<"))) if line1 else None
        yield Zone(m.start(1), m.end(2), (at, at + len(line2[:9].rstrip("<"))),
                   (at + 13, at + 19), name, (line1[2:5] if line1 else "").strip("<"),
                   "passport")


def _td1(compact: str) -> Iterator[Zone]:
    for m in _TD1.finditer(compact):
        line1, line2, line3 = m.group(1), m.group(2), m.group(3)
        checks = ((line1[5:14], line1[14]), (line2[0:6], line2[6]), (line2[8:14], line2[14]),
                  (line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29], line2[29]))
        if not all(mrz_check_ok(f, c) for f, c in checks):
            continue
        at1, at2 = m.start(1), m.start(2)
        name = (m.start(3), m.start(3) + len(line3.rstrip("<"))) if line3.strip("<") else None
        yield Zone(at1, max(m.end(2), m.end(3)), (at1 + 5, at1 + 5 + len(line1[5:14].rstrip("<"))),
                   (at2, at2 + 6), name, line1[2:5].strip("<"), "id card")


class MrzDetector:
    """ICAO 9303 machine-readable zone: TD3 passports (2 × 44) and TD1 ID cards (3 × 30).

    TD3 line 1 is "P", a type letter or "<", the issuing state and the name
    ("SURNAME<<GIVEN<NAMES<<<"); line 2 holds the document number, its check
    digit, nationality, birth date (YYMMDD) and check, sex, expiry and
    check, optional data and check, and a composite check. All check digits
    (weights 7-3-1, checks.mrz_check_digit) must hold, or nothing is
    reported. Whitespace inserted by OCR, and the line break, are ignored.
    A TD3 line 2 alone (OCR lost line 1) is still reported, without name or
    issuing state. Yields PASSPORT (the number; attributes country = issuing
    state, document = passport / id card), PERSON ("GIVEN NAMES SURNAME",
    spanning the name field) and DATE_OF_BIRTH (raw_birth_date, ISO; a
    two-digit year later than the current one is 19YY).
    Not handled: TD2 (2 × 36) and TD1 numbers longer than 9 characters
    (continued in the optional data). Reference: ICAO Doc 9303, parts 3–5.
    Known false positives: none expected — five check digits must agree —
    but specimen MRZs in manuals (ICAO's "ERIKSSON ANNA MARIA") are reported.
    """

    name = "mrz"
    entities = (EntityType.PASSPORT, EntityType.PERSON, EntityType.DATE_OF_BIRTH)
    keywords = ("<",)
    score = SCORE_CONTEXT
    examples = {
        "P<CANTREMBLAY<<MARIE<CLAIRE<<<<<<<<<<<<<<<<<\n"
        "AB123456<4CAN8703123F3101012<<<<<<<<<<<<<<<2": True,
        "P<CANOKAFOR<<DANIEL<<<<<<<<<<<<<<<<<<<<<<<<< "
        "GK654321<5CAN0102030M2906151<<<<<<<<<<<<<<<2": True,
        "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\n"
        "ERIKSSON<<ANNA<MARIA<<<<<<<<<<": True,
        # birth-date check digit changed from 3 to 4
        "P<CANTREMBLAY<<MARIE<CLAIRE<<<<<<<<<<<<<<<<<\n"
        "AB123456<4CAN8703124F3101012<<<<<<<<<<<<<<<2": False,
        "<<< see attached <<<": False,
    }

    def detect(self, segment: Segment) -> Iterator[Match]:
        text = segment.text
        if text.count("<") < 2:  # HTML and XML pass the "<" prefilter; an MRZ has fillers
            return
        where = [i for i, c in enumerate(text) if c not in _SPACE]
        compact = "".join(text[i] for i in where)
        taken: list[tuple[int, int]] = []
        for zone in [*_td3(compact), *_td1(compact)]:
            if any(zone.start < e and s < zone.end for s, e in taken):
                continue  # an overlapping reading of the same zone
            taken.append((zone.start, zone.end))
            yield from self._matches(text, compact, where, zone)

    def _matches(self, text: str, compact: str, where: list[int], zone: Zone) -> Iterator[Match]:
        def span(a: int, b: int) -> tuple[int, int]:
            return where[a], where[b - 1] + 1

        start, end = span(*zone.number)
        number = compact[zone.number[0]:zone.number[1]]
        attrs = {"document": zone.document}
        if zone.state:
            attrs["country"] = zone.state
        yield Match(EntityType.PASSPORT, start, end, self.score, self.name, number, number, attrs)
        if zone.name:
            field = compact[zone.name[0]:zone.name[1]]
            person = holder_name(field)
            if person:
                start, end = span(*zone.name)
                yield Match(EntityType.PERSON, start, end, self.score, self.name, person, person,
                            {"source": "mrz"})
        born = birth_date(compact[zone.birth[0]:zone.birth[1]])
        if born is not None and born <= date.today():
            start, end = span(*zone.birth)
            iso = born.isoformat()
            yield Match(EntityType.DATE_OF_BIRTH, start, end, self.score, self.name,
                        text[start:end], iso, {"raw_birth_date": iso})
