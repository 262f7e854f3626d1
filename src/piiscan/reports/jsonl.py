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
from itertools import islice
from json.encoder import encode_basestring
from typing import Any, Callable, Iterator, TextIO

from ..store import entity_of, pointer_dict, severity_of
from . import RunReport

_encode = json.JSONEncoder(ensure_ascii=False).encode  # what json.dumps(..., ensure_ascii=False) runs
_string = encode_basestring  # what that encoder writes a str with
CHUNK = 2000  # lines joined per write
PIECES = 8192  # distinct pointers (etc.) kept encoded at once


def write_jsonl(report: RunReport, out: TextIO) -> None:
    lines = finding_lines(report)
    while chunk := list(islice(lines, CHUNK)):  # one write per chunk, not per line
        out.write("".join(chunk))
    for v in report.violations:
        out.write(json.dumps(v.as_dict(), ensure_ascii=False) + "\n")
    for e in report.errors:
        out.write(json.dumps(e.as_dict(), ensure_ascii=False) + "\n")


class _Pieces(dict):  # type: ignore[type-arg]
    """The text of each key, made at its first use; a plain dict lookup after that.

    Cleared when full, so a run whose pointers are all different (a
    table's rows) holds a bounded number of them.
    """

    def __init__(self, make: Callable[[Any], str]) -> None:
        super().__init__()
        self.make, self.limit = make, PIECES

    def __missing__(self, key: Any) -> str:
        if len(self) >= self.limit:
            self.clear()
        text = self[key] = self.make(key)
        return text


class _Scores(_Pieces):
    """Scores as the encoder writes them, rounded. Only nonzero floats are kept: 0.0 and -0.0
    (or 1 and 1.0) are one dict key but two texts."""

    def __missing__(self, key: Any) -> str:
        text = self.make(key)
        if type(key) is float and key and len(self) < self.limit:
            self[key] = text
        return text


def _score(score: Any) -> str:
    if type(score) is float and math.isfinite(score):
        return repr(round(score, 2))  # as the encoder writes a float
    return _encode(round(score, 2))


def _head(entity_type: str) -> str:
    """The line's start, up to the location: the same for every finding of a type."""
    return f'{{"kind": "finding", "entity_type": {_encode(str(entity_of(entity_type)))}, "location": '


def _tail(key: tuple[str, str | None, str]) -> str:
    detector, language, entity_type = key
    return (f', "detector": {_encode(detector)}, "language": {_encode(language)}, '
            f'"severity": {_encode(severity_of(entity_type))}')


def _attributes(text: str) -> str:
    attrs = json.loads(text)
    return f', "attributes": {_encode(dict(attrs))}' if attrs else ""


def finding_lines(report: RunReport) -> Iterator[str]:
    """One line per finding, in the order of `report.findings()`.

    Each line is `json.dumps(finding_from_row(row).as_dict(), ensure_ascii=False) + "\\n"`.
    What repeats from row to row (the type's head, detector and language,
    pointer, score, attributes; the location of consecutive rows) is
    encoded once; text columns hold str, so the rest is the encoder's own
    string escaping, called directly.
    """
    heads, tails = _Pieces(_head), _Pieces(_tail)
    pointers = _Pieces(lambda text: _encode(pointer_dict(text)))
    attributes_of, scores = _Pieces(_attributes), _Scores(_score)
    last_location, location_json = None, ""
    for (entity_type, location, pointer, masked, value_hash, score, detector, language, value,
         record, _field, attributes) in report.store.finding_rows(report.run.id):
        if location != last_location:  # rows come by location
            last_location, location_json = location, _string(location)
        line = (f'{heads[entity_type]}{location_json}, "pointer": {pointers[pointer]}, '
                f'"masked": {_string(masked)}, "value_hash": {_string(value_hash)}, '
                f'"score": {scores[score]}{tails[detector, language, entity_type]}')
        if record is not None:
            line += ', "record": ' + _string(record)
        if attributes != "{}":
            line += attributes_of[attributes]
        if value is not None:
            line += ', "value": ' + _string(value)
        yield line + "}\n"
