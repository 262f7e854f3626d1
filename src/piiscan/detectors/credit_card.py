"""Payment card numbers (PAN)."""

from __future__ import annotations

import re

from ..checks import digits_only, luhn_ok
from ..model import EntityType
from .context import DIGITS, ContextualDetector

# (issuer, IIN prefix ranges as inclusive string pairs of equal length, lengths).
# Order matters: Discover's co-branded 622126–622925 sits inside UnionPay's 62.
ISSUERS: tuple[tuple[str, tuple[tuple[str, str], ...], frozenset[int]], ...] = (
    ("amex", (("34", "34"), ("37", "37")), frozenset({15})),
    ("diners", (("300", "305"), ("3095", "3095"), ("36", "36"), ("38", "39")),
     frozenset(range(14, 20))),
    ("jcb", (("3528", "3589"),), frozenset(range(16, 20))),
    ("visa", (("4", "4"),), frozenset({13, 16, 19})),
    ("mastercard", (("51", "55"), ("2221", "2720")), frozenset({16})),
    ("mir", (("2200", "2204"),), frozenset(range(16, 20))),
    ("discover", (("6011", "6011"), ("622126", "622925"), ("644", "649"), ("65", "65")),
     frozenset(range(16, 20))),
    ("unionpay", (("62", "62"),), frozenset(range(16, 20))),
    ("maestro", (("5018", "5018"), ("5020", "5020"), ("5038", "5038"), ("5893", "5893"),
                 ("56", "58"), ("6304", "6304"), ("6759", "6759"), ("6761", "6763")),
     frozenset(range(12, 20))),
)


def issuer_of(number: str) -> str | None:
    """The card network whose IIN range and length fit `number`, if any."""
    for issuer, ranges, lengths in ISSUERS:
        if len(number) not in lengths:
            continue
        for lo, hi in ranges:
            if lo <= number[:len(lo)] <= hi:
                return issuer
    return None


def printed_like_a_card(value: str) -> bool:
    """Groups as cards are printed: 4-4-4-4(-3), Amex 4-6-5, Diners 4-6-4, or none.

    A row of small numbers ("10 20 30 40 50 60") is a 12-digit run too.
    """
    groups = [len(g) for g in re.split(r"[ -]", value)]
    if len(groups) == 1:
        return True
    if groups in ([4, 6, 5], [4, 6, 4]):
        return True
    return all(g == 4 for g in groups[:-1]) and 1 <= groups[-1] <= 4


class CreditCardDetector(ContextualDetector):
    """Payment card number: 12–19 digits, ungrouped or grouped by spaces or dashes.

    Check: Luhn (ISO/IEC 7812) and an issuer range with a length that
    network issues: Visa 4; Mastercard 51–55 and 2221–2720; Amex 34/37
    (15 digits); Discover 6011, 622126–622925, 644–649, 65; JCB 3528–3589;
    Diners 300–305, 3095, 36, 38–39; UnionPay 62; Maestro 5018, 5020, 5038,
    5893, 56–58, 6304, 6759, 6761–6763; Mir 2200–2204. Attribute `issuer`.
    Reference: ISO/IEC 7812-1; the networks' published BIN/IIN tables.
    Known false positives: long tracking, order and account numbers. Those
    with no valid issuer prefix are rejected; a parcel/order label nearer
    than any card label (tracking, suivi de colis, commande…) rejects the
    rest. Test PANs (4111 1111 1111 1111) are reported: they are valid.
    """

    name = "credit_card"
    entity = EntityType.CREDIT_CARD
    pattern = re.compile(r"(?<!\d)(?<!\d[ -])(?P<value>\d(?:[ -]?\d){11,18})(?![ -]?\d)")
    keywords = DIGITS
    validated_score = 0.7
    context = (
        "card", "credit card", "debit card", "card number", "credit", "visa", "mastercard",
        "master card", "amex", "american express", "discover", "jcb", "diners", "unionpay",
        "maestro", "carte", "carte de crédit", "carte de débit", "numéro de carte", "crédit",
        "expiry", "expiration", "exp", "cvv", "cvc", "payment", "paiement", "pan",
    )
    against = (
        "tracking", "tracking number", "numéro de suivi", "no de suivi", "n° de suivi",
        "code de suivi", "suivi de colis", "suivi du colis", "suivi", "colis", "parcel",
        "shipment", "shipping", "expédition", "waybill", "order", "order number", "commande",
        "invoice", "facture", "reference", "référence", "confirmation",
    )
    examples = {
        "Carte de crédit : 4111 1111 1111 1111": True,
        "Visa 4012-8888-8888-1881, exp 12/27": True,
        "Mastercard 2223 0000 4840 0011": True,
        "AMEX 3782 822463 10005": True,
        "payé avec 5555555555554444 hier": True,
        "Carte 4111 1111 1111 1112": False,  # wrong check digit
        "Tracking 1234 5678 9012 3452": False,  # Luhn-valid, no issuer
        "Numéro de suivi du colis : 4111 1111 1111 1111": False,
        "Order 5555555555554444 shipped": False,
        "Scores 10 20 30 40 50 60 70": False,
        "Téléphone 514 555 0147": False,
    }

    def validate(self, value: str) -> bool:
        digits = digits_only(value)
        return printed_like_a_card(value) and luhn_ok(digits) and issuer_of(digits) is not None

    def normalize(self, value: str) -> str:
        return digits_only(value)

    def attributes(self, value: str) -> dict[str, str]:
        return {"issuer": issuer_of(digits_only(value)) or "unknown"}
