"""Labels for and against a value: the label nearest to it decides.

`base.has_context` only says whether a context word is near. Validated
numbers collide with other numbers of the same shape (a Luhn-valid 9-digit
invoice number, a 10-digit phone number that passes the OHIP check), so the
detectors here also know words that say "this is something else", and the
label closest to the value wins: "Facture 123 456 782, NAS 130 692 544"
rejects the first number and reports the second.
"""

from __future__ import annotations

import re
from typing import ClassVar, Iterator

from ..model import Match, Segment
from .base import RegexDetector, fold, words_pattern

# Prefilter keywords for detectors whose values always hold a digit.
DIGITS: tuple[str, ...] = tuple("0123456789")

# Words that name a health card whatever the province; each province's
# detector adds its own (OHIP, PHN, RAMQ).
HEALTH_CARD_WORDS: tuple[str, ...] = (
    "health card", "health number", "health insurance", "health insurance number",
    "carte santé", "carte d'assurance maladie", "carte d'assurance-maladie",
    "assurance maladie", "assurance-maladie", "numéro d'assurance maladie",
    "numéro d'assurance-maladie", "no d'assurance maladie", "NAM", "HIN", "HCN",
    "health plan", "régime d'assurance maladie",
)

# Words that say a number nearby is a phone number, not an identifier.
PHONE_WORDS: tuple[str, ...] = (
    "phone", "telephone", "téléphone", "tél", "tel", "cell", "cellulaire", "mobile",
    "fax", "télécopieur", "ext", "poste",
)


def _before(text: str, start: int, end: int) -> str:
    """text[start:end] without a word cut in two at the far edge ("basin" must not read "sin")."""
    while start < end and start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        start += 1
    return text[start:end]


def _after(text: str, start: int, end: int) -> str:
    while end > start and end < len(text) and text[end].isalnum() and text[end - 1].isalnum():
        end -= 1
    return text[start:end]


def nearest_label(segment: Segment, start: int, end: int, for_: re.Pattern[str] | None,
                  against: re.Pattern[str] | None, before: int = 60, after: int = 25,
                  floor: int = 0) -> bool | None:
    """True if the nearest label argues for the value, False if against, None if none.

    The field name (a column header) speaks first. Then the text before the
    value, where labels usually sit, then the text after it. `floor` stops
    the look-back, e.g. at the previous value of the same kind.
    """
    if segment.field:
        name = fold(segment.field)
        if for_ is not None and for_.search(name):
            return True
        if against is not None and against.search(name):
            return False
    text = segment.text
    head = fold(_before(text, max(floor, start - before), start))
    best: tuple[int, bool] | None = None
    for pattern, verdict in ((for_, True), (against, False)):
        for m in pattern.finditer(head) if pattern is not None else ():
            distance = len(head) - m.end()
            # On a tie (a negative word inside a positive phrase) the positive wins.
            if best is None or distance < best[0] or (distance == best[0] and verdict):
                best = (distance, verdict)
    if best is not None:
        return best[1]
    tail = fold(_after(text, end, min(len(text), end + after)))
    for pattern, verdict in ((for_, True), (against, False)):
        m = pattern.search(tail) if pattern is not None else None
        if m and (best is None or m.start() < best[0] or (m.start() == best[0] and verdict)):
            best = (m.start(), verdict)
    return None if best is None else best[1]


def part_of_longer(text: str, start: int, end: int) -> bool:
    """A grouped value glued by its own separator to more digits is a piece of a longer number.

    "4111 1111 1111 1111" holds "111 1111 111"-like runs and a phone list
    holds 3-3-4 groups; patterns cannot see past their match, this can.
    """
    sep = next((c for c in text[start:end] if c in " -."), None)
    if sep is None:
        return False
    return (start >= 2 and text[start - 1] == sep and text[start - 2].isdigit()) or \
        (end + 1 < len(text) and text[end] == sep and text[end + 1].isdigit())


class ContextualDetector(RegexDetector):
    """RegexDetector with `against` words: a value labelled as something else is dropped.

    Subclasses may override `context_score_for` when some context words are
    more specific than others (OHIP versus any health card).
    """

    against: ClassVar[tuple[str, ...]] = ()
    look_before: ClassVar[int] = 60
    look_after: ClassVar[int] = 25

    def __init__(self) -> None:
        super().__init__()
        self._against = words_pattern(self.against)

    def context_score_for(self, segment: Segment, start: int, end: int) -> float:
        return self.context_score

    def label(self, segment: Segment, start: int, end: int) -> bool | None:
        return nearest_label(segment, start, end, self._context, self._against,
                             self.look_before, self.look_after)

    def detect(self, segment: Segment) -> Iterator[Match]:
        group: str | int = "value" if "value" in self.pattern.groupindex else 0
        for m in self.pattern.finditer(segment.text):
            value = m.group(group)
            start, end = m.span(group)
            if part_of_longer(segment.text, start, end):
                continue
            verdict = self.validate(value)
            if verdict is False:
                continue
            label = self.label(segment, start, end)
            if label is False or (label is None and self.needs_context(value)):
                continue
            if label:
                score = self.context_score_for(segment, start, end)
            else:
                score = self.validated_score if verdict else self.pattern_score
            yield Match(self.entity, start, end, score, self.name, value,
                        self.normalize(value), self.attributes(value))
