"""International Bank Account Numbers."""

from __future__ import annotations

import re
from typing import Iterator

from stdnum import iban as stdnum_iban

from ..checks import iban_ok
from ..model import EntityType, Match, Segment
from .context import DIGITS, ContextualDetector


class IbanDetector(ContextualDetector):
    """IBAN: country code, two check digits, then the national account number (BBAN),
    often printed in groups of four: "FR76 3000 6000 0112 3456 7890 189".

    Check: ISO 13616 mod 97 (checks.iban_ok) and the country's BBAN length
    and layout from the SWIFT IBAN registry (python-stdnum's copy, through
    `stdnum.iban.is_valid` without the extra national checks). Canada has
    no IBAN; these are foreign accounts of donors, staff and partners.
    A grouped match that runs into the next word ("… 189 BANK") is cut back
    to the longest prefix that validates.
    Reference: ISO 13616-1:2020; SWIFT IBAN Registry.
    Scoring: mod 97 plus the registry layout is strong, so a value alone is
    medium-high; an IBAN / RIB / virement label makes it high.
    Known false positives: sample IBANs from bank documentation (valid by
    construction, reported).
    """

    name = "iban"
    entity = EntityType.IBAN_CODE
    pattern = re.compile(
        r"(?<![A-Za-z0-9])(?P<value>[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?)"
        r"(?![A-Za-z0-9])")
    keywords = DIGITS
    validated_score = 0.7
    context = ("IBAN", "RIB", "bank account", "compte bancaire", "account number",
               "numéro de compte", "virement", "wire", "transfer", "SEPA", "BIC", "SWIFT")
    examples = {
        "IBAN : FR76 3000 6000 0112 3456 7890 189": True,
        "Virement vers DE89370400440532013000": True,
        "GB82 WEST 1234 5698 7654 32 merci": True,
        "IBAN : FR76 3000 6000 0112 3456 7890 188": False,  # wrong check digits
        "IBAN : XX76 3000 6000 0112 3456 7890 189": False,  # no such country
    }

    def validate(self, value: str) -> bool:
        compact = value.replace(" ", "")
        return iban_ok(compact) and stdnum_iban.is_valid(compact, check_country=False)

    def normalize(self, value: str) -> str:
        return value.replace(" ", "")

    def detect(self, segment: Segment) -> Iterator[Match]:
        for m in self.pattern.finditer(segment.text):
            value = self.longest_valid(m.group("value"))
            if value is None:
                continue
            start = m.start("value")
            end = start + len(value)
            label = self.label(segment, start, end)
            if label is False:
                continue
            score = self.context_score if label else self.validated_score
            yield Match(self.entity, start, end, score, self.name, value,
                        self.normalize(value), {"country": value[:2]})

    def longest_valid(self, value: str) -> str | None:
        """The whole match, or the longest prefix ending on a group that validates."""
        cuts = [len(value)] + [i for i in range(len(value) - 1, 0, -1) if value[i] == " "]
        for cut in cuts:
            if self.validate(value[:cut]):
                return value[:cut]
        return None
