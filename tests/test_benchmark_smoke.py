"""The benchmark runs end to end in one command and writes its table as JSON."""

from __future__ import annotations

import html
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import corpus, run  # noqa: E402
from benchmarks.score import Prediction, score  # noqa: E402


@pytest.mark.slow
def test_benchmark_runs_end_to_end_at_a_tiny_scale(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "results.json"
    assert run.main(["--scale", "0.2", "--out", str(out), "--work", str(tmp_path / "corpus")]) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    gold_types = {g.entity_type for g in corpus.load_gold(tmp_path / "corpus" / "gold.jsonl")}
    gold_types.discard("HARD_NEGATIVE")
    for side in ("piiscan", "presidio"):
        assert gold_types | {"PERSON_en", "PERSON_fr"} <= set(result[side]["per_type"])
        assert result[side]["seconds"] > 0 and result[side]["chars_per_second"] > 0
        assert set(result[side]["hard_negatives_total"]) >= {"invoice", "reference", "tracking", "org"}
    assert "PERSON_fr" in result["table"] and "CA_SIN" in capsys.readouterr().out


def test_corpus_gold_matches_the_files(tmp_path: Path) -> None:
    labels = corpus.generate(tmp_path, scale=0.2, formats=("txt", "csv", "json", "html"))
    by_file: dict[str, list[str]] = {}
    for lab in labels:
        by_file.setdefault(lab.location, []).append(lab.value)
    for location, values in by_file.items():
        text = (tmp_path / "share" / location).read_text(encoding="utf-8")
        if location.endswith(".html"):
            text = html.unescape(text)
        if location.endswith(".json"):
            text = json.dumps(json.loads(text), ensure_ascii=False)
        for value in values:
            assert (value in text) or (value.replace('"', '\\"') in text), (location, value)
    kinds = {lab.kind for lab in labels if lab.entity_type == "HARD_NEGATIVE"}
    assert {"invoice", "reference", "tracking", "org", "street", "place", "code"} <= kinds


def test_corpus_is_reproducible(tmp_path: Path) -> None:
    a = corpus.generate(tmp_path / "a", scale=0.2, formats=("txt", "csv"))
    b = corpus.generate(tmp_path / "b", scale=0.2, formats=("txt", "csv"))
    assert a == b


@pytest.mark.parametrize("entity,pred,gold,expected", [
    ("CA_SIN", "130692544", "130 692 544", True),
    ("PHONE_NUMBER", "+1 514 555 0134", "(514) 555-0134", True),
    ("PERSON", "Marie Tremblay", "TREMBLAY, Marie", True),
    ("PERSON", "Marie", "Marie-Ève Tremblay Roy", False),
    ("PASSPORT", "AB123456<3CAN", "AB123456", True),
    ("CREDIT_CARD", "4111", "4111 1111 1111 1111", False),
])
def test_matching_rules(entity: str, pred: str, gold: str, expected: bool) -> None:
    g = [corpus.Label("a.txt", entity, gold, "en", "x", "txt")]
    s = score(g, [Prediction("a.txt", entity, pred)])
    assert (s.per_type[entity].tp == 1) is expected


def test_hard_negatives_are_counted() -> None:
    g = [corpus.Label("a.txt", "HARD_NEGATIVE", "046 454 286", "en", "reference", "txt"),
         corpus.Label("a.txt", "HARD_NEGATIVE", "Ville de Montréal", "fr", "org", "txt")]
    s = score(g, [Prediction("a.txt", "CA_SIN", "046454286"),
                  Prediction("a.txt", "PERSON", "Montréal")])
    assert s.hard_negatives == {"reference": 1, "org": 1}
