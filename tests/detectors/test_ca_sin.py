"""CA_SIN: Luhn, reserved first digits, and labels for and against."""

from __future__ import annotations

import pytest

from piiscan.detectors.ca_sin import CaSinDetector
from piiscan.model import EntityType
from tests.detectors.helpers import HIGH, MEDIUM, hits, reported

DET = CaSinDetector()


@pytest.mark.parametrize("text, expected", [
    # labelled, EN and FR, every grouping
    ("NAS : 130 692 544", [("130 692 544", HIGH)]),
    ("SIN: 130-692-544", [("130-692-544", HIGH)]),
    ("Social insurance number 130692544", [("130692544", HIGH)]),
    ("Numéro d'assurance sociale : 130692544.", [("130692544", HIGH)]),
    ("N.A.S. 130 692 544", [("130 692 544", HIGH)]),
    ("130 692 544 (assurance sociale)", [("130 692 544", HIGH)]),
    # grouped without any label: medium; bare without a label: not reported
    ("Le dossier mentionne 130 692 544 sans plus.", [("130 692 544", MEDIUM)]),
    ("Suivi psychosocial : 130 692 544", [("130 692 544", MEDIUM)]),  # suivi ≠ numéro de suivi
    ("Reading 130692544 on the meter", []),
    # check digit and reserved first digits
    ("NAS : 130 692 545", []),
    ("SIN 046 454 286", []),  # 0: fictitious (ESDC's sample number)
    ("SIN 812 345 676", []),  # 8: never issued
    # Luhn-valid numbers labelled as something else (Presidio reports these)
    ("Invoice no. 123456782", []),
    ("Invoice no. 046454286", []),
    ("Référence 123 456 782", []),
    ("Facture 123-456-782", []),
    ("Numéro de commande : 130 692 544", []),
    ("Tracking 271828188 shipped", []),
    ("Confirmation : 130 692 544", []),
    # CRA business numbers: same shape, same Luhn check
    ("Numéro d'entreprise 130692544", []),
    ("Organisme de bienfaisance 130692544 RR 0001", []),
    ("Charity 130 692 544 RR0001", []),
    ("Our number is 130692544RT0001.", []),
    # the nearest label decides
    ("Facture 123 456 782, NAS 130 692 544", [("130 692 544", HIGH)]),
    ("NAS 130 692 544 — facture 123 456 782", [("130 692 544", HIGH)]),
    # pieces of longer numbers
    ("Carte 4111 1111 1111 1111", []),
    ("Tél. 613 555 0199", []),
    ("Total 130692544.00 $", []),
    ("Compte 130 692 544 123", []),
])
def test_vectors(text: str, expected: list[tuple[str, str]]) -> None:
    assert hits(DET, text) == expected


@pytest.mark.parametrize("field", ["NAS", "SIN", "sin_number", "Numéro d'assurance sociale",
                                   "employee_SIN"])
def test_a_column_named_for_it_is_context(field: str) -> None:
    assert hits(DET, "130692544", field=field) == [("130692544", HIGH)]


@pytest.mark.parametrize("field", ["invoice_no", "Facture", "order_id"])
def test_a_column_named_for_something_else_rejects(field: str) -> None:
    assert hits(DET, "130 692 544", field=field) == []


def test_unlabelled_column_needs_grouping() -> None:
    assert hits(DET, "130692544", field="employee_id") == []


def test_temporary_resident_and_canonical_value() -> None:
    (m,) = reported(DET, "SIN 923-456-784")
    assert m.entity_type is EntityType.CA_SIN
    assert m.attributes == {"temporary_resident": "true"}
    assert m.canonical == "923456784"
    (m,) = reported(DET, "SIN 130-692-544")
    assert "temporary_resident" not in m.attributes
