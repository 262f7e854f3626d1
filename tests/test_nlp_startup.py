"""Loading the NER pipelines costs only what they need: no Presidio, French patterns cached."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from piiscan import nlp

PROBE = """
import json, sys, time
from piiscan import nlp
from spacy import util
t = time.monotonic()
en, fr = nlp.pipeline("en"), nlp.pipeline("fr")
print(json.dumps({
    "presidio": "presidio_analyzer" in sys.modules,
    "flag_restored": util.registry._entry_point_factories.entry_points,
    "fr": [e.text for e in fr("Hier, Marie Tremblay a appelé au sujet de son dossier.").ents],
    "en": [e.text for e in en("Yesterday Marie Tremblay called about her file.").ents],
}))
"""


def _installed() -> bool:
    try:
        nlp.require("en"), nlp.require("fr")
    except nlp.PipelineMissing:
        return False
    return True


@pytest.mark.skipif(not _installed(), reason="spaCy pipelines not installed")
def test_pipelines_load_without_presidio_and_still_find_names(tmp_path) -> None:
    env = {"PIISCAN_CACHE": str(tmp_path), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    for run in range(2):  # the second start reads the compiled French patterns back
        out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True,
                             text=True, check=True)
        got = json.loads(out.stdout)
        assert got["presidio"] is False
        assert got["flag_restored"] is True
        assert "Marie Tremblay" in got["fr"] and "Marie Tremblay" in got["en"]
        assert list(tmp_path.glob("re-*.bin")), "the French token_match was not cached"
