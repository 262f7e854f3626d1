"""A reference list of people (`--people`): a CRM export of participants or staff.

Its rows name people who appear in the breach only through an identifier
(a SIN alone in a payroll file), and give contact points to notify them.
Names are read straight from the name columns (the list is about people);
identifiers go through the registry's own detectors and the same keyed
hash as the scan, so "130692544" in the list matches "130 692 544" found
in a file, and a phone written either way matches.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Iterator, Sequence

from ..engine import Detection, ScanOptions
from ..model import EntityType, Finding, Match, Pointer, Segment
from ..redact import Redactor
from ..registry import Registry
from . import names as nm

E = EntityType
SOURCE = "people-list"

# Words of a column header → what the column holds (headers are folded first).
_COLUMN_WORDS: tuple[tuple[EntityType, frozenset[str]], ...] = (
    (E.EMAIL_ADDRESS, frozenset("email courriel mail".split())),
    (E.PHONE_NUMBER, frozenset("telephone tel phone cell cellulaire mobile portable".split())),
    (E.CA_SIN, frozenset("sin nas".split())),
    (E.DATE_OF_BIRTH, frozenset("naissance birth dob ddn birthdate datenaissance".split())),
    (E.PASSPORT, frozenset("passport passeport".split())),
    (E.CA_HEALTH_NUMBER, frozenset("ramq ohip health sante maladie phn".split())),
    (E.CA_UCI, frozenset("uci iuc".split())),
    (E.STREET_ADDRESS, frozenset("adresse address".split())),
)
_PHRASES = {"assurancesociale": E.CA_SIN, "socialinsurance": E.CA_SIN,
            "assurancemaladie": E.CA_HEALTH_NUMBER, "healthcard": E.CA_HEALTH_NUMBER}


class PeopleListError(Exception):
    """The list cannot be read; the message names the file, never its content."""


@dataclass(frozen=True, slots=True)
class Column:
    index: int
    header: str
    entity: EntityType | None  # None for a name part
    name_role: str | None


def column_entity(header: str) -> EntityType | None:
    words = nm.field_words(header)
    joined = "".join(words)
    for phrase, entity in _PHRASES.items():
        if phrase in joined:
            return entity
    for entity, vocab in _COLUMN_WORDS:
        if set(words) & vocab or joined in vocab:
            return entity
    return None


def classify(header: Sequence[str]) -> list[Column]:
    cols = []
    for i, h in enumerate(header):
        h = (h or "").strip()
        entity = column_entity(h)
        role = None if entity else nm.field_role(h)
        if entity or role:
            cols.append(Column(i, h, entity, role))
    return cols


def read_table(path: Path) -> Iterator[list[str]]:
    """Rows of a CSV (any common delimiter and encoding) or the first sheet of an XLSX."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        try:
            from openpyxl import load_workbook
            wb = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:
            raise PeopleListError(f"{path}: not a readable XLSX file ({type(exc).__name__})") from None
        try:
            for row in wb.worksheets[0].iter_rows(values_only=True):
                yield [_cell(v) for v in row]
        finally:
            wb.close()
        return
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel  # type: ignore[assignment]
    yield from csv.reader(io.StringIO(text), dialect)


def _cell(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, datetime):
        return v.date().isoformat()
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))  # a SIN typed as a number
    return str(v)


def load_people(path: str | Path, registry: Registry, redactor: Redactor) -> list[list[Finding]]:
    """One list of findings per row: the row's name (as PERSON) and its identifiers."""
    path = Path(path)
    if not path.is_file():
        raise PeopleListError(f"{path}: no such file")
    rows = read_table(path)
    header = next(rows, None)
    if not header:
        raise PeopleListError(f"{path}: empty")
    cols = classify(header)
    if not any(c.name_role for c in cols):
        raise PeopleListError(f"{path}: no name column (expected e.g. nom, prénom, name, first name)")
    wanted = frozenset(c.entity for c in cols if c.entity and c.entity is not E.STREET_ADDRESS)
    detectors = [d for d in registry.detectors.values() if set(d.entities) & wanted]
    detection = Detection(detectors, ScanOptions(entities=wanted))
    label = f"{SOURCE}:{path.name}"
    out: list[list[Finding]] = []
    for n, row in enumerate(rows, start=2):
        if not any(c.strip() for c in row):
            continue
        out.append(_row_findings(row, n, cols, detection, redactor, label))
    return out


def _row_findings(row: Sequence[str], n: int, cols: Sequence[Column], detection: Detection,
                  redactor: Redactor, label: str) -> list[Finding]:
    def cell(c: Column) -> str:
        return row[c.index].strip() if c.index < len(row) and row[c.index] else ""

    given = " ".join(cell(c) for c in cols if c.name_role == nm.GIVEN and cell(c))
    family = " ".join(cell(c) for c in cols if c.name_role in (nm.FAMILY, nm.NOM) and cell(c))
    full = " ".join(cell(c) for c in cols if c.name_role == nm.FULL and cell(c))
    name = " ".join(p for p in (given, family) if p) or full
    record = f"row:{n}"
    found: list[Finding] = []
    if name:
        seg = Segment(name, label, Pointer(row=n), field="name", record=record)
        found.append(redactor.finding(Match(E.PERSON, 0, len(name), 1.0, SOURCE, name), seg))
    segments = []
    for c in cols:
        value = cell(c)
        if not value or c.entity is None:
            continue
        seg = Segment(value, label, Pointer(row=n, column=c.header), field=c.header, record=record)
        if c.entity is E.STREET_ADDRESS:  # a contact point to write to, not detected
            found.append(redactor.finding(Match(E.STREET_ADDRESS, 0, len(value), 1.0, SOURCE,
                                                value), seg))
            continue
        segments.append((c, seg))
    detected: dict[int, list[Match]] = {}
    by_text = {id(s): i for i, (_, s) in enumerate(segments)}
    for seg, matches in detection.detect_batch([s for _, s in segments]):
        detected[by_text.get(id(seg), -1)] = matches
    for i, (c, seg) in enumerate(segments):
        matches = [m for m in detected.get(i, ()) if m.entity_type is c.entity]
        if not matches and c.entity is E.DATE_OF_BIRTH:
            matches = _iso_birth_date(seg.text)
        for m in matches:
            found.append(redactor.finding(m, seg))
    return found


def _iso_birth_date(text: str) -> list[Match]:
    """A list's date column is a birth date by its header; accept plain ISO dates."""
    try:
        born = date.fromisoformat(text.strip()[:10])
    except ValueError:
        return []
    iso = born.isoformat()
    return [Match(E.DATE_OF_BIRTH, 0, len(text), 1.0, SOURCE, text, iso, {"raw_birth_date": iso})]
