"""Quebec health insurance numbers (RAMQ, numéro d'assurance maladie)."""

from __future__ import annotations

import re

from ..checks import ramq_birth_ok
from ..model import EntityType
from .context import DIGITS, HEALTH_CARD_WORDS, ContextualDetector


class RamqNumberDetector(ContextualDetector):
    """Quebec health insurance number (RAMQ / NAM): 4 letters and 8 digits, "TREM 8703 1215".

    Letters: the first three of the surname and the first of the given name.
    Digits: birth date YYMMDD, the month plus 50 for women, then two
    administrative digits. Check: the month (01–12 or 51–62) and day must
    form a real date (29 February only in a year divisible by 4); there is
    no published check digit. Attribute province=QC.
    Reference: Régie de l'assurance maladie du Québec, "Carte d'assurance
    maladie"; Règlement sur les formalités relatives à la carte (RLRQ A-29 r.7.1).
    Scoring: the shape is distinctive, so a value alone is medium; a label
    (RAMQ, NAM, carte d'assurance maladie, health card…) makes it high.
    Known false positives: upper-case product or lot codes of four letters
    and eight digits whose digits happen to read as a date.
    """

    name = "ramq"
    entity = EntityType.CA_HEALTH_NUMBER
    pattern = re.compile(
        r"(?<![A-Za-z0-9])(?P<value>(?:[A-Z]{4}|[a-z]{4})[ -]?\d{4}[ -]?\d{4})(?![A-Za-z0-9])")
    keywords = DIGITS
    context = (*HEALTH_CARD_WORDS, "RAMQ", "Régie de l'assurance maladie", "carte soleil",
               "assurance maladie du Québec")
    examples = {
        "RAMQ : TREM 8703 1215": True,
        "Numéro d'assurance maladie TREM87031215": True,
        "Carte GAGJ 9556 2014 au dossier": True,  # woman: month 55 = May
        "RAMQ : TREM 8713 1215": False,  # month 13
        "NAM : GAGJ 9502 3014": False,  # 30 February
        "Lot ABCD 1234 5678": False,  # month 34
    }

    def validate(self, value: str) -> bool:
        return ramq_birth_ok(re.sub(r"[^0-9]", "", value)[:6])

    def normalize(self, value: str) -> str:
        return re.sub(r"[^A-Za-z0-9]", "", value).upper()

    def attributes(self, value: str) -> dict[str, str]:
        return {"province": "QC"}
