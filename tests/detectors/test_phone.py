"""PHONE_NUMBER: valid numbers only, extensions in EN and FR, E.164 canonical form."""

from __future__ import annotations

import pytest

from piiscan.detectors.phone import PhoneDetector
from tests.detectors.helpers import HIGH, MEDIUM, hits, reported

DET = PhoneDetector()


@pytest.mark.parametrize("text, expected", [
    ("Tél. : 514 555-0147", [("514 555-0147", HIGH)]),
    ("Téléphone : (514) 555-0147, poste 123", [("(514) 555-0147, poste 123", HIGH)]),
    ("Phone 613-555-0199 ext. 45", [("613-555-0199 ext. 45", HIGH)]),
    ("Cellulaire 1 819 555 0123", [("1 819 555 0123", HIGH)]),
    ("Joindre au 613.555.0199 p. 22 svp", [("613.555.0199 p. 22", HIGH)]),
    ("Écrire ou passer : +33 1 23 45 67 89", [("+33 1 23 45 67 89", MEDIUM)]),
    ("Meet 514-555-0147 tomorrow", [("514-555-0147", MEDIUM)]),
    ("Notes de suivi : appel au 514-555-0147", [("514-555-0147", HIGH)]),
    ("5145550147", [("5145550147", MEDIUM)]),
    # not phone numbers
    ("Numéro 123-456-7890", []),  # area code 123 does not exist
    ("NAS 130 692 544", []),
    ("Carte 4111 1111 1111 1111", []),
    ("Né le 1987-03-12", []),
    ("le 12/03/1987 à 10:30", []),
    ("OHIP 4165550197", []),  # a health-card label is nearer than any phone label
    ("Facture 4165550197", []),
])
def test_vectors(text: str, expected: list[tuple[str, str]]) -> None:
    assert hits(DET, text) == expected


def test_canonical_is_e164_and_extension_is_kept_apart() -> None:
    (m,) = reported(DET, "Tél. : (514) 555-0147, poste 123")
    assert m.canonical == "+15145550147"
    assert m.attributes == {"region": "CA", "extension": "123"}
    (other,) = reported(DET, "call 1-514-555-0147")
    assert other.canonical == m.canonical  # one number, one hash


def test_column_named_for_it() -> None:
    assert hits(DET, "5145550147", field="téléphone") == [("5145550147", HIGH)]
