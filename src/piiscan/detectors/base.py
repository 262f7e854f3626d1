"""What a detector is, and the regex-plus-validator shape most of them share.

A detector yields `Match`es for a `Segment`. It declares `keywords` (cheap
substrings; the engine skips it on text that holds none of them — empty
means "always run") and `examples`: synthetic text → whether the detector
must find its entity there. One contract test runs every registered
detector's examples, third-party ones included.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import ClassVar, Iterable, Iterator, Mapping, Protocol, Sequence, runtime_checkable

from ..model import EntityType, Match, Segment

# Score bands: a validated value with context is high, alone medium.
SCORE_CONTEXT = 0.95
SCORE_VALIDATED = 0.6
SCORE_PATTERN = 0.4


@runtime_checkable
class Detector(Protocol):
    name: str
    entities: tuple[EntityType, ...]
    keywords: tuple[str, ...]
    examples: Mapping[str, bool]

    def detect(self, segment: Segment) -> Iterator[Match]: ...


@runtime_checkable
class BatchDetector(Detector, Protocol):
    """A detector that is cheaper on many segments at once (spaCy's nlp.pipe)."""

    def detect_many(self, segments: Sequence[Segment]) -> Iterator[list[Match]]: ...


def fold(text: str) -> str:
    """Lower-case, accents removed: 'Numéro' and 'NUMERO' compare equal."""
    if len(text) <= _WORD_CHARS:  # a word: the name rules ask for the same ones all the time
        return _fold_word(text)
    return _fold(text)


_WORD_CHARS = 32  # only short strings are cached, so the cache stays small (~10 MB at most)


def _fold(text: str) -> str:
    if text.isascii():  # nothing to decompose: most labels and windows
        return text.lower()
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


_fold_word = functools.lru_cache(maxsize=1 << 16)(_fold)


def words_pattern(words: Iterable[str]) -> re.Pattern[str] | None:
    """One regex matching any context word on word boundaries, on folded text."""
    words = sorted({fold(w) for w in words}, key=len, reverse=True)
    if not words:
        return None
    alt = "|".join(re.escape(w).replace(r"\ ", r"[\s_\-.]*") for w in words)
    return re.compile(rf"(?<![a-z0-9])(?:{alt})(?![a-z0-9])")


def has_context(segment: Segment, start: int, end: int, context: re.Pattern[str] | None,
                before: int = 60, after: int = 25) -> bool:
    """True when a context word is in the field name or near the match."""
    if context is None:
        return False
    if segment.field and context.search(fold(segment.field)):
        return True
    window = segment.text[max(0, start - before):start] + " " + segment.text[end:end + after]
    return context.search(fold(window)) is not None


class RegexDetector:
    """A pattern, an optional validator, and context words that raise the score.

    Subclasses set `pattern` (group "value" if the match has padding), and
    may override `validate` (True valid, False reject, None no opinion),
    `normalize`, `attributes` and `needs_context`.
    """

    name: ClassVar[str]
    entity: ClassVar[EntityType]
    pattern: ClassVar[re.Pattern[str]]
    context: ClassVar[tuple[str, ...]] = ()
    keywords: ClassVar[tuple[str, ...]] = ()
    examples: ClassVar[Mapping[str, bool]] = {}
    pattern_score: ClassVar[float] = SCORE_PATTERN
    validated_score: ClassVar[float] = SCORE_VALIDATED
    context_score: ClassVar[float] = SCORE_CONTEXT

    def __init__(self) -> None:
        self._context = words_pattern(self.context)

    @property
    def entities(self) -> tuple[EntityType, ...]:
        return (self.entity,)

    def validate(self, value: str) -> bool | None:
        return None

    def normalize(self, value: str) -> str:
        return value

    def needs_context(self, value: str) -> bool:
        """Whether this value is too ambiguous to report without context."""
        return False

    def attributes(self, value: str) -> dict[str, str]:
        return {}

    def detect(self, segment: Segment) -> Iterator[Match]:
        for m in self.pattern.finditer(segment.text):
            group = "value" if "value" in self.pattern.groupindex else 0
            value = m.group(group)
            start, end = m.span(group)
            verdict = self.validate(value)
            if verdict is False:
                continue
            context = has_context(segment, start, end, self._context)
            if not context and self.needs_context(value):
                continue
            if context:
                score = self.context_score
            elif verdict:
                score = self.validated_score
            else:
                score = self.pattern_score
            yield Match(self.entity, start, end, score, self.name, value,
                        self.normalize(value), self.attributes(value))
