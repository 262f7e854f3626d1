"""Canadian passport numbers, as written in forms and case notes."""

from __future__ import annotations

import re

from ..model import EntityType
from .context import DIGITS, ContextualDetector


class CaPassportDetector(ContextualDetector):
    """Canadian passport number: two letters and six digits (AB123456), or since
    2023 a letter, six digits and two letters (A123456BC).

    Check: none exists outside the machine-readable zone (see the `mrz`
    detector, which validates its check digits), so a value is reported only
    beside a passport label (passport, passeport, travel document, document
    de voyage…) or under a column named for it. Reserved ranges: none
    published. Reference: IRCC / Passport Program, "Canadian passport" data
    page; ICAO Doc 9303 part 4 for the document number field.
    Known false positives: product, permit and file codes of the same shape
    written near the word "passport" (e.g. a permit number in the same
    sentence).
    """

    name = "ca_passport"
    entity = EntityType.PASSPORT
    pattern = re.compile(
        r"(?<![A-Za-z0-9])(?P<value>[A-Z]{2}\d{6}|[A-Z]\d{6}[A-Z]{2})(?![A-Za-z0-9])")
    keywords = DIGITS
    context_score = 0.85
    context = (
        "passport", "passport no", "passport number", "passeport", "numéro de passeport",
        "no de passeport", "n° de passeport", "travel document", "document de voyage",
        "titre de voyage",
    )
    examples = {
        "Passeport canadien no AB123456": True,
        "Passport number: A123456BC, expires 2031": True,
        "Travel document GK654321 issued in Ottawa": True,
        "Reference AB123456 in the catalogue": False,  # no passport label
        "Passeport : AB12345": False,  # too short
        "Passport ab123456": False,  # never lower case
    }

    def normalize(self, value: str) -> str:
        return value.upper()

    def needs_context(self, value: str) -> bool:
        return True

    def attributes(self, value: str) -> dict[str, str]:
        return {"country": "CAN"}
