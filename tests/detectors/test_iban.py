"""IBAN_CODE: mod 97 and the registry's per-country layout."""

from __future__ import annotations

import pytest

from piiscan.detectors.iban import IbanDetector
from tests.detectors.helpers import HIGH, MEDIUM, hits, reported

DET = IbanDetector()


@pytest.mark.parametrize("text, expected", [
    ("IBAN : FR76 3000 6000 0112 3456 7890 189", [("FR76 3000 6000 0112 3456 7890 189", HIGH)]),
    ("Virement vers DE89370400440532013000", [("DE89370400440532013000", HIGH)]),
    ("GB82 WEST 1234 5698 7654 32 merci", [("GB82 WEST 1234 5698 7654 32", MEDIUM)]),
    ("BE71 0961 2345 6769 BANK", [("BE71 0961 2345 6769", MEDIUM)]),  # cut back to what validates
    ("IBAN : FR76 3000 6000 0112 3456 7890 188", []),  # wrong check digits
    ("IBAN : XX76 3000 6000 0112 3456 7890 189", []),  # no such country
    ("IBAN : FR76 3000 6000 0112 3456 7890", []),  # too short for France
    ("Ref AB12 3456 7890 1234", []),
])
def test_vectors(text: str, expected: list[tuple[str, str]]) -> None:
    assert hits(DET, text) == expected


def test_column_named_for_it_and_canonical() -> None:
    assert hits(DET, "DE89370400440532013000", field="IBAN") == [("DE89370400440532013000", HIGH)]
    (m,) = reported(DET, "IBAN FR76 3000 6000 0112 3456 7890 189")
    assert m.canonical == "FR7630006000011234567890189"
    assert m.attributes == {"country": "FR"}
