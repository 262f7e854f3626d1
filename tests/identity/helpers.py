"""Findings built by hand, shaped as the engine makes them (values revealed)."""

from __future__ import annotations

from piiscan.model import EntityType, Finding, Pointer
from piiscan.redact import Redactor, mask

REDACTOR = Redactor(b"k" * 32, reveal=True)


def luhn_complete(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return body + str((10 - total % 10) % 10)


def sin(n: int) -> str:
    """A valid, never-issued-looking synthetic SIN: first digit 1–7, Luhn-valid."""
    digits = luhn_complete(f"{1 + n % 7}{(n * 7919 + 12345) % 10**7:07d}")
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


def cell(entity: str, value: str, location: str, row: int, column: str,
         **attributes: str) -> Finding:
    """A finding in a table cell (CSV, spreadsheet, database row)."""
    return _finding(entity, value, location, Pointer(row=row, column=column), f"row:{row}",
                    column, attributes)


def member(entity: str, value: str, location: str, index: int, key: str,
           **attributes: str) -> Finding:
    """A finding in a JSON object of a list."""
    return _finding(entity, value, location, Pointer(path=f"$[{index}].{key}"), f"$[{index}]", key,
                    attributes)


def prose(entity: str, value: str, location: str, line: int, **attributes: str) -> Finding:
    """A finding in running text, on a given line."""
    return _finding(entity, value, location, Pointer(line=line), None, None, attributes)


def _finding(entity: str, value: str, location: str, pointer: Pointer, record: str | None,
             field: str | None, attributes: dict[str, str]) -> Finding:
    e = EntityType(entity)
    if e is EntityType.DATE_OF_BIRTH and "raw_birth_date" not in attributes:
        attributes = {**attributes, "raw_birth_date": value}
    return Finding(e, location, pointer, mask(e, value), REDACTOR.hash(e, value), 0.9, "test",
                   value=value, record=record, field=field, attributes=attributes)


def row(location: str, number: int, **cells: str) -> list[Finding]:
    """One CSV row: keyword = column, value typed by the column name."""
    types = {"nom": "PERSON", "prenom": "PERSON", "name": "PERSON", "parent": "PERSON",
             "enfant": "PERSON", "notes": "PERSON", "courriel": "EMAIL_ADDRESS",
             "email": "EMAIL_ADDRESS", "nas": "CA_SIN", "telephone": "PHONE_NUMBER",
             "naissance": "DATE_OF_BIRTH", "passeport": "PASSPORT"}
    header = {"prenom": "prénom", "telephone": "téléphone", "naissance": "date_naissance"}
    out = []
    for column, value in cells.items():
        base = column.rstrip("0123456789")
        out.append(cell(types[base], value, location, number, header.get(base, base)))
    return out
