"""piiscan detectors inside Presidio, Presidio recognizers inside piiscan; all offline."""

from __future__ import annotations

from pathlib import Path

import pytest
from presidio_analyzer import Pattern, PatternRecognizer, RecognizerRegistry

from piiscan.engine import Scanner, ScanOptions
from piiscan.model import EntityType, Finding, Item, Segment
from piiscan.presidio_bridge import (
    PresidioDetector,
    UnknownEntity,
    as_recognizer,
    offline_analyzer,
    offline_nlp_engine,
)
from piiscan.redact import Redactor
from piiscan.registry import Registry

# Presidio's spaCy engine loads the full en and fr pipelines (10–20 s here).
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def engine():  # type: ignore[no-untyped-def]
    return offline_nlp_engine(("en", "fr"))  # spaCy loads once for the module


def employee_ids(language: str = "en") -> PatternRecognizer:
    return PatternRecognizer(supported_entity="EMPLOYEE_ID", supported_language=language,
                             patterns=[Pattern("employee id", r"\bEMP-\d{5}\b", 0.7)],
                             context=["employee", "employé"])


def test_piiscan_detector_in_a_presidio_registry_finds_a_sin(engine) -> None:  # type: ignore[no-untyped-def]
    from presidio_analyzer import AnalyzerEngine
    from piiscan.detectors.ca_sin import CaSinDetector

    registry = RecognizerRegistry(supported_languages=["en", "fr"])
    for lang in ("en", "fr"):
        registry.add_recognizer(as_recognizer(CaSinDetector(), lang))
    analyzer = AnalyzerEngine(registry=registry, nlp_engine=engine, supported_languages=["en", "fr"])
    text = "NAS de l'employée : 130 692 544. Facture 130692545."
    results = analyzer.analyze(text, language="fr")
    assert [(r.entity_type, text[r.start:r.end]) for r in results] == [("CA_SIN", "130 692 544")]


def test_person_detector_as_a_presidio_recognizer() -> None:
    from piiscan.detectors.person import PersonDetector

    rec = as_recognizer(PersonDetector(), "fr")
    text = "Rencontre avec Mme Nguyễn Thị Lan à la Ville de Montréal."
    found = [text[r.start:r.end] for r in rec.analyze(text, ["PERSON"])]
    assert found == ["Nguyễn Thị Lan"]


def test_presidio_recognizer_in_piiscan_finds_its_entity(engine) -> None:  # type: ignore[no-untyped-def]
    det = PresidioDetector([employee_ids()], entity_map={"EMPLOYEE_ID": "CA_UCI"},
                           languages=("en",), nlp_engine=engine, name="employee_id")
    assert det.entities == (EntityType.CA_UCI,)
    [m] = list(det.detect(Segment("Employee EMP-12345 badge", "hr.txt")))
    assert (m.entity_type, m.text, m.detector) == (EntityType.CA_UCI, "EMP-12345", "employee_id")


def test_presidio_recognizers_from_yaml_run_through_the_engine(tmp_path: Path, engine) -> None:  # type: ignore[no-untyped-def]
    yaml_file = tmp_path / "recognizers.yaml"
    yaml_file.write_text(
        "recognizers:\n"
        "  - name: Permis de conduire QC\n"
        "    supported_language: fr\n"
        "    supported_entity: CA_DRIVERS_LICENCE\n"
        "    patterns:\n"
        "      - name: qc\n"
        "        regex: '\\b[A-Z]\\d{4}-\\d{6}-\\d{2}\\b'\n"
        "        score: 0.8\n", encoding="utf-8")
    det = PresidioDetector(yaml_path=str(yaml_file), languages=("en", "fr"), nlp_engine=engine)
    reg = Registry()
    reg.add_detector(det)
    data = tmp_path / "permis.txt"
    data.write_text("Le permis de conduire du client est T1234-567890-12, valide.", encoding="utf-8")
    from piiscan.sources.formats.text import TextReader
    reg.add_reader(TextReader())
    with Scanner(reg, Redactor(b"k" * 32, reveal=True), ScanOptions(reveal=True),
                 language=lambda t: "fr") as sc:
        events = list(sc.scan_item(Item("permis.txt", "permis.txt", open=lambda: open(data, "rb"))))
    findings = [e for e in events if isinstance(e, Finding)]
    assert [(f.entity_type, f.value) for f in findings] == [
        (EntityType.CA_DRIVERS_LICENCE, "T1234-567890-12")]


def test_unknown_presidio_entity_fails_loudly(engine) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UnknownEntity, match="EMPLOYEE_ID"):
        PresidioDetector([employee_ids()], languages=("en",), nlp_engine=engine)


def test_offline_analyzer_is_presidio_defaults_without_downloads(engine) -> None:  # type: ignore[no-untyped-def]
    analyzer = offline_analyzer(("en", "fr"), nlp_engine=engine)
    text = "Contact Emily Thompson at emily.thompson@example.org."
    found = {(r.entity_type, text[r.start:r.end]) for r in analyzer.analyze(text, language="en")}
    assert ("EMAIL_ADDRESS", "emily.thompson@example.org") in found
    assert ("PERSON", "Emily Thompson") in found
    names = {r.name for r in analyzer.registry.recognizers}
    assert "CaSinRecognizer" not in names  # Presidio ships it disabled; so do we
