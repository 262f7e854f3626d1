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
    ("Fax: 514/555-0147", [("514/555-0147", HIGH)]),
    ("+1 (514) 555-0147", [("+1 (514) 555-0147", MEDIUM)]),
    ("numéro 011 33 1 23 45 67 89", [("011 33 1 23 45 67 89", MEDIUM)]),
    ("514 555 0147 x 12", [("514 555 0147 x 12", MEDIUM)]),
    # a list is one run of digits, and several numbers
    ("514-555-0147 613-555-0199", [("514-555-0147", MEDIUM), ("613-555-0199", MEDIUM)]),
    ("Tél. 514-555-0147/613-555-0199", [("514-555-0147", HIGH), ("613-555-0199", HIGH)]),
    ("(514) 555-0147 (613) 555-0199", [("(514) 555-0147", MEDIUM), ("(613) 555-0199", MEDIUM)]),
    ("514-555-0147, 613-555-0199 et 418-555-0123",
     [("514-555-0147", MEDIUM), ("613-555-0199", MEDIUM), ("418-555-0123", MEDIUM)]),
    # not phone numbers
    ("Numéro 123-456-7890", []),  # area code 123 does not exist
    ("NAS 130 692 544", []),
    ("Carte 4111 1111 1111 1111", []),
    ("Né le 1987-03-12", []),
    ("le 12/03/1987 à 10:30", []),
    ("OHIP 4165550197", []),  # a health-card label is nearer than any phone label
    ("Facture 4165550197", []),
    # digits inside longer numbers, or glued to letters, signs, dates
    ("Suivi 7015 9010 9281 5908", []),
    ("Colis 7027601895559796", []),
    ("Carte 4199-3518-1909-3782", []),
    ("514-555-0147-2", []),
    ("ID 05145550147", []),
    ("ABC5145550147", []),
    ("5145550147abc", []),
    ("$5145550147", []),
    ("5145550147%", []),
    ("Réf. 2012-01-02 08:00", []),
    ("Pages 211-227 (2003)", []),
    ("12/03/1987 5145550147", []),  # libphonenumber drops a run holding a date
])
def test_vectors(text: str, expected: list[tuple[str, str]]) -> None:
    assert hits(DET, text) == expected


def test_canonical_is_e164_and_extension_is_kept_apart() -> None:
    (m,) = reported(DET, "Tél. : (514) 555-0147, poste 123")
    assert m.canonical == "+15145550147"
    assert m.attributes == {"region": "CA", "extension": "123"}
    (other,) = reported(DET, "call 1-514-555-0147")
    assert other.canonical == m.canonical  # one number, one hash


@pytest.mark.parametrize("text, canonical, region", [
    ("Phone 212-555-0147", "+12125550147", "US"),
    ("Tel 876-555-0147", "+18765550147", "JM"),
    ("1-800-555-0199", "+18005550199", "US"),  # toll-free: the first region of +1
    ("+1 902 566 7127", "+19025667127", "CA"),
    ("Call +44 20 7946 0958", "+442079460958", "GB"),
])
def test_region_of_the_number(text: str, canonical: str, region: str) -> None:
    (m,) = reported(DET, text)
    assert (m.canonical, m.attributes["region"]) == (canonical, region)


def test_column_named_for_it() -> None:
    assert hits(DET, "5145550147", field="téléphone") == [("5145550147", HIGH)]
