"""English or French, per segment and per paragraph, offline (py3langid).

French text must reach the French pipeline and French context words; a
bilingual memo ("English follows / le français suit") is split by
paragraph. Short snippets (a table cell, a name) carry too little signal
to judge: `guess_language` returns None for them so callers fall back to
the language of the row or document, or to English.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

LANGUAGES = ("en", "fr")
MIN_LETTERS = 12  # "Marie Tremblay" is not a sentence in any language
MIN_WORDS = 3
MIN_CONFIDENCE = 0.7
SAMPLE_CHARS = 3000  # the head of a long text decides; langid is linear in length

_WORD = re.compile(r"[^\W\d_]{2,}")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n+")

log = logging.getLogger("piiscan")


@functools.cache
def _identifier():  # type: ignore[no-untyped-def]
    """py3langid restricted to English and French, loaded on first use: commands
    that never read text don't pay. Its model file takes 0.4–0.7 s to unpack
    (LZMA, then 68 MB of arrays), in every process that loads it; the arrays
    English and French need are kept in the cache directory and read back in
    milliseconds (`_saved_model`)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = None
    try:
        ident = _saved_model(LanguageIdentifier)
    except Exception as exc:  # a cache of another version, cut short, unreadable: unpack as usual
        log.debug("language model cache unreadable: %s", type(exc).__name__)
    if ident is None:
        ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        _save_model(ident)
    ident.set_languages(list(LANGUAGES))
    return ident


def _model_path():  # type: ignore[no-untyped-def]
    from importlib.metadata import version

    from py3langid.langid import MODEL_DIR, MODEL_FILE

    from .lexicon import cache_dir

    model = Path(MODEL_FILE) if Path(MODEL_FILE).is_absolute() else Path(MODEL_DIR) / MODEL_FILE
    # by content (4.6 MB, a few ms): every virtualenv with the same model shares one file
    tag = hashlib.blake2b(f"{version('py3langid')}-{'-'.join(LANGUAGES)}".encode(), digest_size=8)
    tag.update(model.read_bytes())
    return cache_dir() / f"{_CACHE_PREFIX}{tag.hexdigest()}.npz"


_CACHE_PREFIX = "langid-"


_ARRAYS = ("ptc", "pc", "classes", "nextmove", "row", "output")


def _save_model(ident) -> None:  # type: ignore[no-untyped-def]
    """Keep the columns of LANGUAGES (in the model's order, so `set_languages` picks
    the same ones again) and the tokenizer's automaton, uncompressed."""
    import io

    import numpy

    from .lexicon import save

    try:
        keep = [i for i, c in enumerate(ident.nb_classes) if c in LANGUAGES]
        arrays = {"ptc": numpy.ascontiguousarray(ident.nb_ptc[:, keep]), "pc": ident.nb_pc[keep],
                  "classes": numpy.array([ident.nb_classes[i] for i in keep]),
                  "nextmove": numpy.frombuffer(ident.tk_nextmove, dtype=_dtype(ident.tk_nextmove)),
                  "row": numpy.frombuffer(ident.tk_row, dtype=_dtype(ident.tk_row)),
                  "output": numpy.array(ident.tk_output, dtype=numpy.int32)}
        buf = io.BytesIO()
        numpy.savez(buf, **arrays)
        path = _model_path()
        save(path, buf.getvalue())
        for stale in path.parent.glob(f"{_CACHE_PREFIX}*.npz"):  # another py3langid's: 40 MB each
            if stale != path:
                stale.unlink(missing_ok=True)
    except Exception as exc:  # only a lost saving: the next start unpacks again
        log.debug("language model not cached: %s", type(exc).__name__)


def _saved_model(cls):  # type: ignore[no-untyped-def]
    import numpy

    try:
        data = numpy.load(_model_path(), allow_pickle=False)
    except FileNotFoundError:
        return None
    with data:
        if set(data.files) != set(_ARRAYS):
            raise ValueError("not a language model cache")
        arrays = {name: data[name] for name in _ARRAYS}
    if sorted(arrays["classes"].tolist()) != sorted(LANGUAGES):
        raise ValueError("language model cache for other languages")
    return cls(arrays["ptc"], arrays["pc"], arrays["classes"].tolist(), _stdlib(arrays["nextmove"]),
               arrays["output"].tolist(), norm_probs=True, tk_row=_stdlib(arrays["row"]))


def _dtype(values: array) -> str:
    return {2: "uint16", 4: "uint32", 8: "uint64"}[values.itemsize]


def _stdlib(values) -> array:  # type: ignore[no-untyped-def]
    """The stdlib array py3langid walks its automaton over (faster per item than numpy)."""
    code = next(c for c in "HILQ" if array(c).itemsize == values.dtype.itemsize)
    out = array(code)
    out.frombytes(memoryview(values).cast("B"))  # np.load gives contiguous arrays
    return out


def guess_language(text: str) -> str | None:
    """'en', 'fr', or None when the text is too short or too ambiguous to tell."""
    if len(text) < MIN_LETTERS:  # most table cells: cannot hold enough letters
        return None
    if len(text) <= MEMO_CHARS:
        return _guess_short(text)
    return _guess(text)


MEMO_CHARS = 200  # cells and short lines repeat ("Follow-up scheduled"): a third of them here


@functools.lru_cache(maxsize=8192)
def _guess_short(text: str) -> str | None:
    return _guess(text)


def _guess(text: str) -> str | None:
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
