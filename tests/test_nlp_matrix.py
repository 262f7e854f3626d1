"""NER on numpy's BLAS: the same entities as on blis, one BLAS thread per process.

The pipelines are dependencies of piiscan: if one is missing these tests fail.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from piiscan import nlp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import corpus  # noqa: E402

PROBE = """
import json, sys
from piiscan import nlp
from threadpoolctl import threadpool_info
texts = json.load(open(sys.argv[1], encoding="utf-8"))
out = {"library": nlp.matrix_library(), "ents": {}}
for lang in ("en", "fr"):
    pipe = nlp.pipeline(lang)
    out["ents"][lang] = [[(e.start_char, e.end_char, e.label_) for e in doc.ents]
                         for doc in pipe.pipe(texts[lang])]
    # the token-vector layers, where the time goes, say which library multiplies
    out.setdefault("blis_layers", []).extend(
        node.name for node in pipe.get_pipe("ner").model.walk()
        if node.name == "maxout" and getattr(node.ops, "use_blis", True))
out["threads"] = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
print(json.dumps(out))
"""


def _probe(texts: Path, **env: str) -> dict:
    clean = {k: v for k, v in os.environ.items()
             if k not in ("PIISCAN_MATRIX", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                          "MKL_NUM_THREADS")}
    out = subprocess.run([sys.executable, "-c", PROBE, str(texts)], env={**clean, **env},
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def prose(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Paragraphs of the benchmark's synthetic case notes, letters and memos, per language."""
    work = tmp_path_factory.mktemp("matrix")
    labels = corpus.generate(work, scale=1, seed=5, formats=("txt", "csv"))
    language = {lab.location: lab.language for lab in labels if lab.language in ("en", "fr")}
    texts: dict[str, list[str]] = {"en": [], "fr": []}
    for location, lang in sorted(language.items()):
        if location.endswith(".txt"):
            text = (work / "share" / location).read_text(encoding="utf-8")
            texts[lang].extend(p for p in text.split("\n\n") if p.strip())
    assert len(texts["en"]) > 20 and len(texts["fr"]) > 20
    target = work / "texts.json"
    target.write_text(json.dumps(texts), encoding="utf-8")
    return target


def test_numpy_blas_finds_the_same_entities_as_blis(prose: Path) -> None:
    fast = _probe(prose)
    slow = _probe(prose, PIISCAN_MATRIX="blis")
    assert fast["library"] == "numpy" and fast["blis_layers"] == []
    assert slow["library"] == "blis" and slow["blis_layers"]
    assert fast["ents"] == slow["ents"]
    people = [e for doc in fast["ents"]["en"] + fast["ents"]["fr"] for e in doc
              if e[2] in ("PERSON", "PER")]
    assert len(people) > 20  # the texts hold names, so equality means something


def test_one_blas_thread_per_process_unless_the_operator_set_one(prose: Path) -> None:
    assert _probe(prose)["threads"] == [1]
    assert _probe(prose, OPENBLAS_NUM_THREADS="2")["threads"] == [2]


def test_the_environment_picks_the_library(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIISCAN_MATRIX", "blis")
    assert nlp.matrix_library() == "blis"
    monkeypatch.setenv("PIISCAN_MATRIX", " NumPy ")
    assert nlp.matrix_library() == "numpy"
