"""The dictionary-word set as hashes: same answers as a set of strings, a cache that heals."""

from __future__ import annotations

import os
import stat

from piiscan import lexicon, nlp
from piiscan.lexicon import Lexicon

WORDS = ["program", "ressources", "après-midi", "école", "wall", "mur"]


def test_membership_matches_a_set_of_strings() -> None:
    lex = Lexicon.of(WORDS)
    assert all(w in lex for w in WORDS)
    for other in ["tesfay", "nguyễn", "Program", "", "programs"]:
        assert other not in lex
    assert 42 not in lex and len(lex) == len(WORDS)


def test_cache_round_trip_private_and_rebuilt_when_damaged(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PIISCAN_CACHE", str(tmp_path / "cache"))
    built = []

    def build():
        built.append(1)
        return WORDS

    first = lexicon.cached("words-test", build)
    path = tmp_path / "cache" / "words-test.lexicon"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    again = lexicon.cached("words-test", build)
    assert len(built) == 1 and all(w in again for w in WORDS) and len(again) == len(first)
    path.write_bytes(b"piiscan-lexicon-1\n" + b"\x01" * 13)  # cut short
    healed = lexicon.cached("words-test", build)
    assert len(built) == 2 and all(w in healed for w in WORDS)


def test_unwritable_cache_still_answers(tmp_path, monkeypatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("PIISCAN_CACHE", str(blocker / "cache"))
    lex = lexicon.cached("words-test", lambda: WORDS)
    assert "école" in lex


def test_pipeline_lexicon_knows_common_words_not_names() -> None:
    words = nlp.common_words()
    if not words:  # no pipeline installed: the detector then relies on NER alone
        return
    assert {"program", "ressources", "hospital", "hôpital"} <= {w for w in
                                                                ["program", "ressources", "hospital", "hôpital"]
                                                                if w in words}
    assert "tesfay" not in words and "nguyễn" not in words
