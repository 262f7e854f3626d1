"""piiscan and Presidio, both ways.

- `as_recognizer(detector)` wraps any piiscan detector (the built-ins or a
  third party's) as a Presidio `EntityRecognizer`, to add to a Presidio
  `RecognizerRegistry` next to Presidio's own (docs/presidio.md).
- `PresidioDetector` runs Presidio recognizers a user configured (a
  recognizer YAML file, or objects) as one piiscan detector. Presidio's
  entity names map to piiscan's `EntityType`; a name with no mapping is an
  error at construction, never a silently dropped finding.
- `offline_analyzer()` is Presidio's default `AnalyzerEngine`, built so
  that nothing is downloaded: spaCy pipelines named from what is installed
  (Presidio's default names en_core_web_lg and downloads it), and an email
  recognizer whose `tldextract` uses its bundled suffix list instead of
  fetching one (offline, the stock one logs tracebacks on first use).
"""

from __future__ import annotations

import functools
from typing import Any, Iterable, Iterator, Mapping, Sequence

from presidio_analyzer import (
    AnalysisExplanation,
    AnalyzerEngine,
    EntityRecognizer,
    RecognizerRegistry,
    RecognizerResult,
)
from presidio_analyzer.nlp_engine import NlpEngine, NlpEngineProvider
from presidio_analyzer.predefined_recognizers import EmailRecognizer

from . import nlp
from .detectors.base import Detector
from .model import EntityType, Match, Segment

PRESIDIO_LOCATION = "<presidio>"


class UnknownEntity(ValueError):
    """A Presidio entity name with no piiscan EntityType and no explicit mapping."""


# -- piiscan detectors inside Presidio ----------------------------------------

class PiiscanRecognizer(EntityRecognizer):
    """A piiscan detector seen by Presidio as a recognizer for one language."""

    def __init__(self, detector: Detector, language: str = "en"):
        self.detector = detector
        super().__init__(supported_entities=[str(e) for e in detector.entities],
                         name=f"piiscan:{detector.name}", supported_language=language,
                         context=list(getattr(detector, "context", ()) or ()))

    def load(self) -> None:  # the detector is ready when it is constructed
        pass

    def analyze(self, text: str, entities: list[str] | None,
                nlp_artifacts: Any = None) -> list[RecognizerResult]:
        wanted = set(entities or self.supported_entities)
        segment = Segment(text, PRESIDIO_LOCATION, language=self.supported_language)
        if hasattr(self.detector, "detect_many"):
            matches: Iterable[Match] = next(iter(self.detector.detect_many([segment])))
        else:
            matches = self.detector.detect(segment)
        return [self._result(m) for m in matches if str(m.entity_type) in wanted]

    def _result(self, m: Match) -> RecognizerResult:
        explanation = AnalysisExplanation(
            recognizer=self.name, original_score=m.score,
            textual_explanation=f"piiscan detector {self.detector.name}")
        return RecognizerResult(str(m.entity_type), m.start, m.end, m.score,
                                analysis_explanation=explanation,
                                recognition_metadata={
                                    RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                                    RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id})


def as_recognizer(detector: Detector, language: str = "en") -> EntityRecognizer:
    """`detector` as a Presidio recognizer for `language` (Presidio registers one per language)."""
    return PiiscanRecognizer(detector, language)


def as_recognizers(detector: Detector,
                   languages: Sequence[str] = ("en", "fr")) -> list[EntityRecognizer]:
    return [PiiscanRecognizer(detector, lang) for lang in languages]


# -- Presidio, offline -----------------------------------------------------------

class OfflineEmailRecognizer(EmailRecognizer):
    """Presidio's email recognizer, validating domains with tldextract's bundled list."""

    def validate_result(self, pattern_text: str) -> bool:
        return _tld_extractor()(pattern_text).fqdn != ""


@functools.cache
def _tld_extractor():  # type: ignore[no-untyped-def]
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def offline_nlp_engine(languages: Sequence[str] = ("en", "fr")) -> NlpEngine:
    """Presidio's spaCy engine on the installed pipelines (PipelineMissing if one is not)."""
    return NlpEngineProvider(
        nlp_configuration=nlp.presidio_nlp_configuration(languages)).create_engine()


def make_offline(registry: RecognizerRegistry) -> RecognizerRegistry:
    """Swap Presidio's email recognizers for ones that never fetch the suffix list."""
    swapped = []
    for rec in registry.recognizers:
        if type(rec) is EmailRecognizer:
            rec = OfflineEmailRecognizer(context=rec.context,
                                         supported_language=rec.supported_language)
        swapped.append(rec)
    registry.recognizers = swapped
    return registry


def offline_analyzer(languages: Sequence[str] = ("en", "fr"),
                     nlp_engine: NlpEngine | None = None) -> AnalyzerEngine:
    """Presidio's AnalyzerEngine with its default recognizers, built without downloads."""
    from presidio_analyzer.recognizer_registry import RecognizerRegistryProvider

    engine = nlp_engine or offline_nlp_engine(languages)
    registry = RecognizerRegistryProvider(
        registry_configuration={"supported_languages": list(languages)}
    ).create_recognizer_registry()
    registry.add_nlp_recognizer(nlp_engine=engine)
    return AnalyzerEngine(registry=make_offline(registry), nlp_engine=engine,
                          supported_languages=list(languages))


# -- Presidio recognizers inside piiscan ------------------------------------------

def entity_mapping(names: Iterable[str],
                   explicit: Mapping[str, EntityType | str] | None = None) -> dict[str, EntityType]:
    """Presidio entity name → EntityType: explicit first, then same name; else UnknownEntity."""
    explicit = dict(explicit or {})
    out: dict[str, EntityType] = {}
    unknown = []
    for name in sorted(set(names)):
        target = explicit.get(name, name)
        try:
            out[name] = EntityType(str(target))
        except ValueError:
            unknown.append(name)
    if unknown:
        known = ", ".join(e.value for e in EntityType)
        raise UnknownEntity(
            f"Presidio entities with no piiscan type: {', '.join(unknown)}; map each to one "
            f"of {known} (entity_map={{'{unknown[0]}': 'CA_SIN'}}) or leave it out")
    return out


class PresidioDetector:
    """Presidio recognizers a user configured, run as one piiscan detector.

    Give recognizer objects, or a Presidio recognizer YAML file (the format of
    `RecognizerRegistry.add_recognizers_from_yaml`), or both. Segments are
    analysed in their language when a recognizer supports it, else in the
    first of `languages`. The spaCy pass that Presidio's context words need
    is batched over the segments of a batch.
    """

    keywords: tuple[str, ...] = ()
    examples: Mapping[str, bool] = {}  # user-configured: the contract test has nothing to run

    def __init__(self, recognizers: Iterable[EntityRecognizer] = (), *,
                 yaml_path: str | None = None,
                 entity_map: Mapping[str, EntityType | str] | None = None,
                 languages: Sequence[str] = ("en", "fr"), nlp_engine: NlpEngine | None = None,
                 name: str = "presidio", batch_size: int = nlp.BATCH_SIZE):
        self.name = name
        self.batch_size = batch_size
        registry = RecognizerRegistry(supported_languages=list(languages))
        for rec in recognizers:
            registry.add_recognizer(rec)
        if yaml_path:
            registry.add_recognizers_from_yaml(yaml_path)
        if not registry.recognizers:
            raise ValueError("PresidioDetector needs at least one recognizer")
        make_offline(registry)
        names = {e for rec in registry.recognizers for e in rec.supported_entities}
        self.mapping = entity_mapping(names, entity_map)
        self.entities = tuple(sorted(set(self.mapping.values())))
        self.languages = tuple(dict.fromkeys(
            rec.supported_language for rec in registry.recognizers
            if rec.supported_language in languages)) or (languages[0],)
        engine = nlp_engine or offline_nlp_engine(self.languages)
        self.analyzer = AnalyzerEngine(registry=registry, nlp_engine=engine,
                                       supported_languages=list(languages))

    def detect(self, segment: Segment) -> Iterator[Match]:
        for matches in self.detect_many([segment]):
            yield from matches

    def detect_many(self, segments: Sequence[Segment]) -> Iterator[list[Match]]:
        out: list[list[Match]] = [[] for _ in segments]
        by_lang: dict[str, list[int]] = {}
        for i, seg in enumerate(segments):
            lang = seg.language if seg.language in self.languages else self.languages[0]
            by_lang.setdefault(lang, []).append(i)
        for lang, idx in by_lang.items():
            texts = [segments[i].text for i in idx]
            batch = self.analyzer.nlp_engine.process_batch(texts, lang, batch_size=self.batch_size)
            for i, (text, artifacts) in zip(idx, batch):
                for r in self.analyzer.analyze(text, lang, nlp_artifacts=artifacts):
                    entity = self.mapping.get(r.entity_type)
                    if entity is None:  # a recognizer returned a type it did not declare
                        raise UnknownEntity(f"a Presidio recognizer returned {r.entity_type!r}, "
                                            f"which no recognizer declared")
                    out[i].append(Match(entity, r.start, r.end, r.score, self.name,
                                        text[r.start:r.end]))
        yield from out
