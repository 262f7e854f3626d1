"""Ontario health numbers (OHIP)."""

from __future__ import annotations

import re

from ..checks import digits_only, luhn_ok
from ..model import EntityType, Segment
from .base import SCORE_CONTEXT, has_context, words_pattern
from .context import DIGITS, HEALTH_CARD_WORDS, PHONE_WORDS, ContextualDetector

OHIP_WORDS = ("OHIP", "RAMO", "Ontario health", "Ontario Health Insurance Plan",
              "assurance-santé de l'Ontario", "carte santé de l'Ontario")


class OhipNumberDetector(ContextualDetector):
    """Ontario health number: 10 digits, usually 1234-567-897, with an optional
    version code of one or two letters (1234-567-897-AB).

    Check: the tenth digit is the Luhn (mod 10) check digit of the first
    nine — the Ministry of Health's algorithm, identical to ISO 7812 Luhn
    over the ten digits (checks.luhn_ok). Attribute province=ON.
    Context is required: one 10-digit number in ten passes, and 10-digit
    numbers are mostly phone numbers. OHIP / Ontario labels score high; a
    generic health-card label scores just above the high threshold (it may
    be another province's card); a phone label nearer than either drops it.
    Reference: Ontario Ministry of Health, "Health Card Validation"
    reference manual (check-digit routine).
    Known false positives: Luhn-valid phone or account numbers written right
    after a health-card label.
    """

    name = "ohip"
    entity = EntityType.CA_HEALTH_NUMBER
    pattern = re.compile(
        r"(?<![\d.])(?P<value>\d{4}(?P<sep>[ -]?)\d{3}(?P=sep)\d{3}(?:[ -]?[A-Z]{1,2})?)"
        r"(?![A-Za-z0-9]|[.,]\d)")
    keywords = DIGITS
    generic_score = 0.88
    context = (*HEALTH_CARD_WORDS, *OHIP_WORDS)
    against = (*PHONE_WORDS, "sin", "nas", "invoice", "facture", "order", "commande",
               "account", "compte")
    examples = {
        "OHIP: 1234-567-897": True,
        "Ontario health card 1234 567 897 AB": True,
        "Numéro d'assurance maladie : 9876543217": True,
        "OHIP: 1234-567-898": False,  # wrong check digit
        "Ref 1234567897": False,  # no health-card label
        "Health card on file; phone 4165550197": False,
    }

    def __init__(self) -> None:
        super().__init__()
        self._specific = words_pattern(OHIP_WORDS)

    def context_score_for(self, segment: Segment, start: int, end: int) -> float:
        specific = has_context(segment, start, end, self._specific)
        return SCORE_CONTEXT if specific else self.generic_score

    def validate(self, value: str) -> bool:
        return luhn_ok(digits_only(value)[:10])

    def needs_context(self, value: str) -> bool:
        return True

    def normalize(self, value: str) -> str:
        return digits_only(value)[:10]

    def attributes(self, value: str) -> dict[str, str]:
        version = "".join(c for c in value if c.isalpha())
        return {"province": "ON", "version_code": version} if version else {"province": "ON"}
