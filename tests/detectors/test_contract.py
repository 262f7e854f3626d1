"""Every registered detector — built-in or third-party — keeps the detector contract.

The registry is built from entry points, so a plugin installed next to
piiscan is held to the same rules: its name is its entry-point name, its
entities are EntityType members, its keywords can drive the prefilter, and
its own examples behave as it declares. The Redactor then never lets a
raw value through into what is stored or printed.
"""

from __future__ import annotations

from importlib import metadata

import pytest

from piiscan.detectors.base import Detector
from piiscan.model import EntityType, Match, Segment
from piiscan.redact import Redactor
from piiscan.registry import Registry

MIN_SCORE = 0.5  # the engine's default --min-score
OPTIONAL = {"person"}  # needs spaCy pipelines; may be absent on a slim install
NAMES = sorted({ep.name for ep in metadata.entry_points(group="piiscan.detectors")})


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.from_entry_points(only=NAMES)


@pytest.fixture(params=NAMES)
def detector(request: pytest.FixtureRequest, registry: Registry) -> Detector:
    name = request.param
    if name not in registry.detectors:
        error = next((p.error for p in registry.plugins if p.name == name), "not loaded")
        if name in OPTIONAL:
            pytest.skip(f"{name} unavailable: {error}")
        pytest.fail(f"detector {name!r} failed to load: {error}")
    return registry.detectors[name]


def example_matches(det: Detector, text: str) -> list[Match]:
    seg = Segment(text, "example.txt")
    return [m for m in det.detect(seg) if m.entity_type in det.entities and m.score >= MIN_SCORE]


def test_builtin_detectors_are_all_registered() -> None:
    assert {"ca_sin", "credit_card", "ca_passport", "mrz", "email", "phone", "date_of_birth",
            "ramq", "ohip", "bc_phn", "ca_postal_code", "iban", "ip_address"} <= set(NAMES)


def test_name_matches_entry_point(registry: Registry, detector: Detector) -> None:
    assert registry.detectors[detector.name] is detector
    assert isinstance(detector, Detector)


def test_entities_are_entity_types(detector: Detector) -> None:
    assert detector.entities
    assert all(isinstance(e, EntityType) for e in detector.entities)


def test_keywords_can_drive_the_prefilter(detector: Detector) -> None:
    # The engine lower-cases the text and looks for each keyword as a substring.
    for kw in detector.keywords:
        assert isinstance(kw, str) and kw and kw == kw.lower(), kw


def test_examples_are_declared_both_ways(detector: Detector) -> None:
    assert detector.examples, "a detector ships examples"
    assert True in detector.examples.values(), "at least one positive example"
    assert False in detector.examples.values(), "at least one negative example"


def test_examples_behave_as_declared(detector: Detector) -> None:
    wrong = []
    for text, expected in detector.examples.items():
        found = bool(example_matches(detector, text))
        if found != expected:
            wrong.append(f"{'missed' if expected else 'false positive'}: {text!r}")
        lowered = text.lower()
        if expected and detector.keywords and not any(k in lowered for k in detector.keywords):
            wrong.append(f"the prefilter would skip: {text!r}")
    assert not wrong, "\n".join(wrong)


def test_matches_span_the_text_they_came_from(detector: Detector) -> None:
    for text, expected in detector.examples.items():
        for m in example_matches(detector, text) if expected else ():
            assert m.detector == detector.name
            assert 0 <= m.start < m.end <= len(text)
            assert 0 < m.score <= 1


def test_redactor_never_lets_the_raw_value_through(detector: Detector) -> None:
    redactor = Redactor(b"k" * 32)
    for text, expected in detector.examples.items():
        if not expected:
            continue
        seg = Segment(text, "example.txt")
        for m in example_matches(detector, text):
            finding = redactor.finding(m, seg)
            raw = text[m.start:m.end]
            assert raw not in finding.masked and m.text not in finding.masked, finding.masked
            assert finding.value is None
            assert finding.value_hash.startswith("hmac-sha256:")
            assert not any(k.startswith("raw_") for k in finding.attributes)
            assert raw not in str(finding.as_dict())
