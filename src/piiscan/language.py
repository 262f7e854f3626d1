"""English or French, per segment and per paragraph, offline (py3langid).

French text must reach the French pipeline and French context words; a
bilingual memo ("English follows / le français suit") is split by
paragraph. Short snippets (a table cell, a name) carry too little signal
to judge: `guess_language` returns None for them so callers fall back to
the language of the row or document, or to English.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Iterator

LANGUAGES = ("en", "fr")
MIN_LETTERS = 12  # "Marie Tremblay" is not a sentence in any language
MIN_WORDS = 3
MIN_CONFIDENCE = 0.7
SAMPLE_CHARS = 3000  # the head of a long text decides; langid is linear in length

_WORD = re.compile(r"[^\W\d_]{2,}")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n+")


@functools.cache
def _identifier():  # type: ignore[no-untyped-def]
    # Loaded on first use (0.7 s): commands that never read text don't pay.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages(list(LANGUAGES))
    return ident


def guess_language(text: str) -> str | None:
    """'en', 'fr', or None when the text is too short or too ambiguous to tell."""
    if len(text) < MIN_LETTERS:  # most table cells: cannot hold enough letters
        return None
    sample = text[:SAMPLE_CHARS]
    words = _WORD.findall(sample)
    if len(words) < MIN_WORDS or sum(map(len, words)) < MIN_LETTERS:
        return None
    lang, confidence = _identifier().classify(" ".join(words))
    return lang if confidence >= MIN_CONFIDENCE else None


@dataclass(frozen=True, slots=True)
class LanguageRun:
    """A stretch of consecutive paragraphs in one language: text[start:end]."""

    start: int
    end: int
    language: str


def language_runs(text: str, default: str = "en") -> Iterator[LanguageRun]:
    """Split a text into runs of paragraphs of one language each.

    A paragraph too short to judge (a heading, a signature) joins the run
    before it, or the next one when it comes first, so a bilingual document
    yields two or three runs, not one per line.
    """
    pieces: list[tuple[int, int, str | None]] = []
    pos = 0
    for brk in _PARAGRAPH_BREAK.finditer(text):
        pieces.append((pos, brk.start(), guess_language(text[pos:brk.start()])))
        pos = brk.end()
    pieces.append((pos, len(text), guess_language(text[pos:])))
    first_known = next((lang for _, _, lang in pieces if lang), default)
    current: str = first_known
    run_start = 0
    for start, _end, lang in pieces:
        if lang and lang != current:
            if start > run_start:
                yield LanguageRun(run_start, start, current)
            run_start, current = start, lang
    yield LanguageRun(run_start, len(text), current)
