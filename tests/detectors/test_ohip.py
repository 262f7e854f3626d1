"""CA_HEALTH_NUMBER (Ontario OHIP): Luhn check digit, version code, a label required."""

from __future__ import annotations

import pytest

from piiscan.detectors.ohip import OhipNumberDetector
from tests.detectors.helpers import HIGH, hits, reported

DET = OhipNumberDetector()


@pytest.mark.parametrize("text, expected", [
    ("OHIP: 1234-567-897", [("1234-567-897", HIGH)]),
    ("Ontario health card 1234 567 897 AB", [("1234 567 897 AB", HIGH)]),
    ("No. OHIP 1234567897XY", [("1234567897XY", HIGH)]),
    ("Carte santé de l'Ontario : 9876-543-217", [("9876-543-217", HIGH)]),
    ("Numéro d'assurance maladie : 9876543217", [("9876543217", HIGH)]),
    ("OHIP: 1234-567-898", []),  # wrong check digit
    ("Ref 1234567897", []),  # no label: one 10-digit number in ten passes Luhn
    ("1234 567 897", []),
    ("Health card on file; phone 4165550197", []),  # the phone label is nearer
    ("OHIP 1234-567-897-123", []),  # part of a longer number
])
def test_vectors(text: str, expected: list[tuple[str, str]]) -> None:
    assert hits(DET, text) == expected


def test_specific_label_scores_above_a_generic_one() -> None:
    (specific,) = reported(DET, "OHIP 1234 567 897")
    (generic,) = reported(DET, "Health card 1234 567 897")
    assert specific.score > generic.score >= 0.85


def test_column_named_for_it() -> None:
    assert hits(DET, "1234567897", field="OHIP") == [("1234567897", HIGH)]
    assert hits(DET, "1234567897", field="phone") == []


def test_attributes_and_canonical() -> None:
    (m,) = reported(DET, "OHIP 1234-567-897-AB")
    assert m.attributes == {"province": "ON", "version_code": "AB"}
    assert m.canonical == "1234567897"
