"""CA_POSTAL_CODE: Canada Post's letter sets."""

from __future__ import annotations

import pytest

from piiscan.detectors.ca_postal_code import CaPostalCodeDetector
from tests.detectors.helpers import HIGH, MEDIUM, hits, reported

DET = CaPostalCodeDetector()


@pytest.mark.parametrize("text, expected", [
    ("Code postal : H2X 1Y4", [("H2X 1Y4", HIGH)]),
    ("123 rue Principale, Gatineau (Québec) J8Y 6T3", [("J8Y 6T3", HIGH)]),
    ("Postal code: V6B1A1", [("V6B1A1", HIGH)]),
    ("Ottawa ON K1A0B1", [("K1A0B1", MEDIUM)]),
    ("Whitehorse Y1A 2C6", [("Y1A 2C6", MEDIUM)]),
    ("Code postal : D2X 1Y4", []),  # D is never used
    ("Code postal : H2X 1O4", []),  # nor O
    ("Postal code: W1A 1A1", []),  # W is never first
    ("Postal code: Z1A 1A1", []),  # nor Z
    ("Model K1A 0B1-X", []),
    ("hash a1b2c3 in the log", []),  # lower case
    ("SKU H2X1Y4", []),
    ("H2X 1Y45", []),
])
def test_vectors(text: str, expected: list[tuple[str, str]]) -> None:
    assert hits(DET, text) == expected


def test_column_named_for_it_and_canonical() -> None:
    assert hits(DET, "H2X 1Y4", field="code_postal") == [("H2X 1Y4", HIGH)]
    (m,) = reported(DET, "H2X 1Y4")
    assert m.canonical == "H2X1Y4"
