"""PASSPORT (Canadian numbers in text): both formats, only with a passport label."""

from __future__ import annotations

import pytest

from piiscan.detectors.ca_passport import CaPassportDetector
from piiscan.model import EntityType
from tests.detectors.helpers import HIGH, hits, reported

DET = CaPassportDetector()


@pytest.mark.parametrize("text, expected", [
    ("Passeport canadien no AB123456", [("AB123456", HIGH)]),
    ("Passport number: A123456BC, expires 2031", [("A123456BC", HIGH)]),
    ("No. de passeport : GK654321", [("GK654321", HIGH)]),
    ("Document de voyage HN123987 délivré à Ottawa", [("HN123987", HIGH)]),
    ("Travel document GK654321", [("GK654321", HIGH)]),
    ("AB123456 (passport)", [("AB123456", HIGH)]),
    ("Reference AB123456 in the catalogue", []),  # the shape alone is not enough
    ("AB123456", []),
    ("Passeport : AB12345", []),
    ("Passeport : AB1234567", []),
    ("Passport ab123456", []),
    ("Passport ABC123456", []),
])
def test_vectors(text: str, expected: list[tuple[str, str]]) -> None:
    assert hits(DET, text) == expected


@pytest.mark.parametrize("field", ["passport", "Passeport", "passport_no", "No de passeport"])
def test_column_named_for_it(field: str) -> None:
    assert hits(DET, "A123456BC", field=field) == [("A123456BC", HIGH)]


def test_entity_and_country() -> None:
    (m,) = reported(DET, "Passeport AB123456")
    assert m.entity_type is EntityType.PASSPORT
    assert m.attributes == {"country": "CAN"}
