"""CA_HEALTH_NUMBER (BC PHN): starts with 9, mod 11 check (python-stdnum), a label required."""

from __future__ import annotations

import pytest

from piiscan.detectors.bc_phn import BcPhnDetector
from tests.detectors.helpers import HIGH, hits, reported

DET = BcPhnDetector()


@pytest.mark.parametrize("text, expected", [
    ("PHN: 9123 456 780", [("9123 456 780", HIGH)]),
    ("BC Services Card 9698123452", [("9698123452", HIGH)]),
    ("Personal Health Number 9000-012-345", [("9000-012-345", HIGH)]),
    ("Carte d'assurance maladie : 9000 012 345", [("9000 012 345", HIGH)]),
    ("PHN: 9123 456 781", []),  # wrong check digit
    ("PHN: 8123 456 780", []),  # a PHN starts with 9
    ("9123456780", []),  # no label
    ("Invoice 9123456780", []),
    ("PHN on file. Fax 9123456780", []),
])
def test_vectors(text: str, expected: list[tuple[str, str]]) -> None:
    assert hits(DET, text) == expected


def test_column_named_for_it() -> None:
    assert hits(DET, "9123456780", field="PHN") == [("9123456780", HIGH)]


def test_attributes() -> None:
    (m,) = reported(DET, "PHN 9123-456-780")
    assert m.attributes == {"province": "BC"}
    assert m.canonical == "9123456780"
