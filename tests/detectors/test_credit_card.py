"""CREDIT_CARD: Luhn, issuer ranges and lengths, print layouts, parcel labels."""

from __future__ import annotations

import pytest

from piiscan.detectors.credit_card import CreditCardDetector, issuer_of
from tests.detectors.helpers import HIGH, MEDIUM, hits, reported

DET = CreditCardDetector()


@pytest.mark.parametrize("text, expected", [
    ("Carte de crédit : 4111 1111 1111 1111", [("4111 1111 1111 1111", HIGH)]),
    ("Visa 4012-8888-8888-1881, exp 12/27", [("4012-8888-8888-1881", HIGH)]),
    ("Card number 5555555555554444", [("5555555555554444", HIGH)]),
    ("Mastercard 2223 0000 4840 0011", [("2223 0000 4840 0011", HIGH)]),
    ("Numéro de carte 3782 822463 10005", [("3782 822463 10005", HIGH)]),  # Amex 4-6-5
    ("Paiement 4912 3456 7890 1234 566", [("4912 3456 7890 1234 566", HIGH)]),  # 19 digits
    ("Expiration 09/28 — 6011 1111 1111 1117", [("6011 1111 1111 1117", HIGH)]),
    ("payé avec 5555555555554444 hier", [("5555555555554444", MEDIUM)]),
    # wrong check digit, no issuer, wrong length for the issuer
    ("Carte 4111 1111 1111 1112", []),
    ("Card 1234 5678 9012 3452", []),  # Luhn-valid, no issuer
    ("Card 9123 4567 8901 2348", []),
    ("Amex 3782 8224 6310 0051", []),  # an Amex prefix is 15 digits, not 16
    # parcels and orders, EN and FR
    ("Tracking 1234 5678 9012 3452", []),
    ("Numéro de suivi du colis : 4111 1111 1111 1111", []),
    ("Colis 4111111111111111 livré", []),
    ("Order 5555555555554444 shipped", []),
    ("Commande no 4111-1111-1111-1111", []),
    # not printed like a card
    ("Scores 10 20 30 40 50 60 70", []),
    ("4111 1111 1111 1111 2222 3333", []),  # too long a run
])
def test_vectors(text: str, expected: list[tuple[str, str]]) -> None:
    assert hits(DET, text) == expected


def test_column_named_for_it() -> None:
    assert hits(DET, "4111111111111111", field="card") == [("4111111111111111", HIGH)]
    assert hits(DET, "4111111111111111", field="tracking_number") == []


@pytest.mark.parametrize("number, issuer", [
    ("4111111111111111", "visa"), ("5555555555554444", "mastercard"),
    ("2223000048400011", "mastercard"), ("378282246310005", "amex"),
    ("6011111111111117", "discover"), ("6221260000000000", "discover"),
    ("6212345678901232", "unionpay"), ("3530111333300000", "jcb"),
    ("30569309025904", "diners"), ("6761234567890125", "maestro"),
    ("1234567890123452", None), ("2721000000000000", None),
])
def test_issuer_ranges(number: str, issuer: str | None) -> None:
    assert issuer_of(number) == issuer


def test_issuer_attribute_and_canonical_value() -> None:
    (m,) = reported(DET, "Visa 4111-1111-1111-1111")
    assert m.attributes == {"issuer": "visa"}
    assert m.canonical == "4111111111111111"
