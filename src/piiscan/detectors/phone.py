"""Telephone numbers, by libphonenumber's rules (the `phonenumbers` port), found fast."""

from __future__ import annotations

import re
from typing import Iterator

from ..model import EntityType, Match, Segment
from .base import SCORE_CONTEXT, words_pattern
from .context import DIGITS, HEALTH_CARD_WORDS, PHONE_WORDS, nearest_label
from .phone_finder import find_numbers, warm

# French extensions libphonenumber does not know ("poste 123", "p. 22").
_POSTE = re.compile(r"\s*,?\s*(?:poste|p\.|ext\.?|x)\s*(?P<ext>\d{1,6})(?!\d)", re.IGNORECASE)


class PhoneDetector:
    """Telephone number, North American by default, international with a "+" prefix.

    Check: what libphonenumber's `PhoneNumberMatcher(text, "CA")` finds at
    leniency VALID — the number must be valid for its region's numbering
    plan (area code and exchange in service ranges), which also rules out
    dates, times, 9-digit SIN groups and 16-digit card numbers.
    `phone_finder` applies the matcher's rules but decides North American
    numbers without its costly parsing: the same numbers, 10x faster or
    more. Extensions "ext. 45", "x 45" and the French "poste 123" / "p. 22"
    are kept in the span and as attribute `extension`; the canonical value
    is E.164 (+15145550147).
    Reference: ITU-T E.164; NANP numbering plan; libphonenumber.
    Scoring: a labelled number (tél., phone, cell…) is high; an unlabelled
    number written as a phone number (separators, parentheses, "+") medium,
    a bare 10-digit run barely above the default threshold. A SIN, health
    card, invoice or order label nearer than any phone label drops it.
    Known false positives: an organisation's own switchboard numbers (valid,
    reported, not personal), 10-digit account numbers that look like phones.
    Known misses (the matcher's): a number run into a spaced digit group,
    "514 555 0147 2 pm"; any digits in a run that holds a date "12/03/1987".
    """

    name = "phone"
    entities = (EntityType.PHONE_NUMBER,)
    keywords = DIGITS
    # The engine skips text that cannot hold a valid number: ten digits give or
    # take separators (a North American number), or "+" and six (the shortest
    # international one, +683 4002, has seven).
    prefilter = re.compile(r"[+＋]\W{0,3}\d(?:\W{0,4}\d){5}|\d(?:\W{0,4}\d){9}")
    region = "CA"
    context = (*PHONE_WORDS, "phone number", "numéro de téléphone", "call", "appel", "appeler",
               "rappeler", "contact", "joindre", "sms", "texto", "whatsapp", "portable")
    against = ("sin", "nas", "social insurance", "assurance sociale", "ohip", "phn", "ramq",
               *HEALTH_CARD_WORDS, "invoice", "facture", "order", "commande", "tracking",
               "numéro de suivi", "no de suivi", "account", "compte", "transit")
    examples = {
        "Tél. : 514 555-0147, poste 123": True,
        "Call (613) 555-0199 ext. 45 after 5": True,
        "International: +33 1 23 45 67 89": True,
        "Cell 5145550147": True,
        "NAS 130 692 544": False,
        "Né le 1987-03-12": False,
        "Carte 4111 1111 1111 1111": False,
        "Numéro 123-456-7890": False,  # area code 123 does not exist
        "OHIP 4165550197": False,
    }

    def __init__(self) -> None:
        self._context = words_pattern(self.context)
        self._against = words_pattern(self.against)

    def warm_up(self) -> None:
        """Compile the numbering-plan patterns before a pool forks, not in every run
        (an unchanged rescan reads no number); otherwise they compile at the first one."""
        warm()

    def detect(self, segment: Segment) -> Iterator[Match]:
        text = segment.text
        for found in find_numbers(text, self.region):
            start, end = found.start, found.end
            extension = found.extension
            if not extension and (x := _POSTE.match(text, end)):
                extension, end = x.group("ext"), x.end()
            label = nearest_label(segment, start, end, self._context, self._against)
            if label is False:
                continue
            raw = text[start:end]
            if label:
                score = SCORE_CONTEXT
            elif raw.isdigit():
                score = 0.55
            else:
                score = 0.7
            attrs = {"region": found.region}
            if extension:
                attrs["extension"] = extension
            yield Match(EntityType.PHONE_NUMBER, start, end, score, self.name, raw, found.e164,
                        attrs)
