"""JSON Lines: findings, violations and errors in one stream, told apart by "kind".

A finding's line is `json.dumps(finding.as_dict(), ensure_ascii=False)`.
Runs hold tens of thousands of findings and audits write them every week,
so those lines are put together from the store's rows, piece by piece,
with the same encoder for every value: the bytes do not change
(tests/reports/test_jsonl.py holds the two ways to each other).
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from json.encoder import encode_basestring
from typing import Any, Iterator, TextIO

from ..store import entity_of, pointer_dict, severity_of
from . import RunReport

_encode = json.JSONEncoder(ensure_ascii=False).encode  # what json.dumps(..., ensure_ascii=False) runs
_string = encode_basestring  # what that encoder writes a str with


def write_jsonl(report: RunReport, out: TextIO) -> None:
    out.writelines(finding_lines(report))
    for v in report.violations:
        out.write(json.dumps(v.as_dict(), ensure_ascii=False) + "\n")
    for e in report.errors:
        out.write(json.dumps(e.as_dict(), ensure_ascii=False) + "\n")


def finding_lines(report: RunReport) -> Iterator[str]:
    """One line per finding, in the order of `report.findings()`."""
    for row in report.store.finding_rows(report.run.id):
        yield finding_line(row)


@lru_cache(maxsize=4096)
def _pointer_json(text: str) -> str:
    return _encode(pointer_dict(text))


@lru_cache(maxsize=256)
def _head(entity_type: str) -> str:
    """The line's start, up to the location: the same for every finding of a type."""
    return f'{{"kind": "finding", "entity_type": {_encode(str(entity_of(entity_type)))}, "location": '


@lru_cache(maxsize=1024)
def _tail(detector: str, language: str | None, entity_type: str) -> str:
    return (f', "detector": {_encode(detector)}, "language": {_encode(language)}, '
            f'"severity": {_encode(severity_of(entity_type))}')


def _number(score: Any) -> str:
    if type(score) is float and math.isfinite(score):
        return repr(round(score, 2))  # as the encoder writes a float
    return _encode(round(score, 2))


def finding_line(row: tuple[Any, ...]) -> str:
    """`json.dumps(finding_from_row(row).as_dict(), ensure_ascii=False) + "\n"`, faster."""
    (entity_type, location, pointer, masked, value_hash, score, detector, language, value,
     record, _field, attributes) = row
    # text columns hold str: the encoder's own string escaping, called directly
    parts = [_head(entity_type), _string(location), ', "pointer": ', _pointer_json(pointer),
             ', "masked": ', _string(masked), ', "value_hash": ', _string(value_hash),
             ', "score": ', _number(score), _tail(detector, language, entity_type)]
    if record is not None:
        parts += (', "record": ', _string(record))
    if attributes != "{}":
        attrs = json.loads(attributes)
        if attrs:
            parts += (', "attributes": ', _encode(dict(attrs)))
    if value is not None:
        parts += (', "value": ', _string(value))
    parts.append("}\n")
    return "".join(parts)
