"""CA_HEALTH_NUMBER (Quebec RAMQ): four letters, a birth date with women's month + 50."""

from __future__ import annotations

import pytest

from piiscan.checks import ramq_birth_ok
from piiscan.detectors.ramq import RamqNumberDetector
from tests.detectors.helpers import HIGH, MEDIUM, hits, reported

DET = RamqNumberDetector()


@pytest.mark.parametrize("text, expected", [
    ("RAMQ : TREM 8703 1215", [("TREM 8703 1215", HIGH)]),
    ("Numéro d'assurance maladie TREM87031215", [("TREM87031215", HIGH)]),
    ("Health card: GAGJ-9556-2014", [("GAGJ-9556-2014", HIGH)]),
    ("Carte GAGJ 9556 2014 au dossier", [("GAGJ 9556 2014", MEDIUM)]),  # woman: 55 = May
    ("nam trem 8703 1215", [("trem 8703 1215", HIGH)]),
    ("RAMQ : TREM 8713 1215", []),  # month 13
    ("RAMQ : TREM 8763 1215", []),  # month 63
    ("NAM : GAGJ 9502 3014", []),  # 30 February
    ("Lot ABCD 1234 5678", []),
    ("RAMQ : TrEm 8703 1215", []),  # mixed case is not how it is written
    ("RAMQ : TREMB 8703 1215", []),
])
def test_vectors(text: str, expected: list[tuple[str, str]]) -> None:
    assert hits(DET, text) == expected


def test_column_named_for_it() -> None:
    assert hits(DET, "TREM87031215", field="NAM") == [("TREM87031215", HIGH)]


def test_province_and_canonical() -> None:
    (m,) = reported(DET, "RAMQ trem-8703-1215")
    assert m.attributes == {"province": "QC"}
    assert m.canonical == "TREM87031215"


@pytest.mark.parametrize("digits, ok", [
    ("870312", True), ("875312", True), ("870229", False), ("880229", True),
    ("000229", True), ("871231", True), ("870431", False), ("870012", False),
    ("875012", False), ("870300", False), ("87031", False),
])
def test_birth_part(digits: str, ok: bool) -> None:
    assert ramq_birth_ok(digits) is ok
