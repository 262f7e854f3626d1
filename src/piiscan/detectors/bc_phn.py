"""British Columbia Personal Health Numbers (PHN)."""

from __future__ import annotations

import re

from stdnum.ca import bc_phn

from ..checks import digits_only
from ..model import EntityType, Segment
from .base import SCORE_CONTEXT, has_context, words_pattern
from .context import DIGITS, HEALTH_CARD_WORDS, PHONE_WORDS, ContextualDetector

PHN_WORDS = ("PHN", "personal health number", "BC services card", "carte services de la C.-B.",
             "MSP", "Medical Services Plan", "CareCard", "BC health")


class BcPhnDetector(ContextualDetector):
    """British Columbia Personal Health Number: 10 digits starting with 9, "9123 456 780".

    Check: mod 11 with weights 2, 4, 8, 5, 10, 9, 7, 3 over digits 2–9, the
    tenth digit being the check (python-stdnum `stdnum.ca.bc_phn`).
    Reserved: only numbers starting with 9 are PHNs. Attribute province=BC.
    Context is required: PHN / BC Services Card labels score high, a
    generic health-card label just above the high threshold; a phone label
    nearer than either drops it (BC phone numbers never start with 9, but
    other provinces' do).
    Reference: BC Ministry of Health, Teleplan specifications (PHN check
    digit); python-stdnum.
    Known false positives: 10-digit numbers starting with 9 (phone numbers
    in area codes 902, 905…) right after a health-card label.
    """

    name = "bc_phn"
    entity = EntityType.CA_HEALTH_NUMBER
    pattern = re.compile(
        r"(?<![\d.])(?P<value>9\d{3}(?P<sep>[ -]?)\d{3}(?P=sep)\d{3})(?!\d|[.,]\d)")
    keywords = DIGITS
    generic_score = 0.88
    context = (*HEALTH_CARD_WORDS, *PHN_WORDS)
    against = (*PHONE_WORDS, "sin", "nas", "invoice", "facture", "order", "commande",
               "account", "compte")
    examples = {
        "PHN: 9123 456 780": True,
        "BC Services Card 9698123452": True,
        "Carte d'assurance maladie : 9000 012 345": True,
        "PHN: 9123 456 781": False,  # wrong check digit
        "PHN: 8123 456 780": False,  # not starting with 9
        "Invoice 9123456780": False,
    }

    def __init__(self) -> None:
        super().__init__()
        self._specific = words_pattern(PHN_WORDS)

    def context_score_for(self, segment: Segment, start: int, end: int) -> float:
        specific = has_context(segment, start, end, self._specific)
        return SCORE_CONTEXT if specific else self.generic_score

    def validate(self, value: str) -> bool:
        return bc_phn.is_valid(digits_only(value))

    def needs_context(self, value: str) -> bool:
        return True

    def normalize(self, value: str) -> str:
        return digits_only(value)

    def attributes(self, value: str) -> dict[str, str]:
        return {"province": "BC"}
