"""Large patterns compiled once and read back: the same matches, and a damaged file is harmless."""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys

import pytest

from piiscan import recache


def big_pattern(seed: int) -> str:
    rng = random.Random(seed)
    words = {"".join(rng.choice("abcdeéèàçxyz-'") for _ in range(rng.randint(3, 12)))
             for _ in range(20_000)}
    return "(?iu)^(?:" + "|".join(re.escape(w) for w in sorted(words)) + r")(?P<tail>\w*)$"


SAMPLES = ["abc", "ÉCOLE", "x-y'z", "zzzzzz", "", "àçé-x", "abcdefghijkl"]


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("PIISCAN_CACHE", str(tmp_path))
    return tmp_path


def _answers(pattern: re.Pattern[str], words: list[str]) -> list[tuple[int, int] | None]:
    return [m.span() if (m := pattern.match(w)) else None for w in words]


def test_preloaded_pattern_is_the_one_re_returns_and_matches_the_same(cache) -> None:
    text = big_pattern(1)
    reference = re._compiler.compile(text, 0)  # compiled the usual way, bypassing re's cache
    probe = SAMPLES + [w for w in text[9:3000].split("|")[:200]]
    re.purge()
    assert recache.preload(text)
    assert list(cache.glob("re-*.bin"))
    assert re.compile(text) is re.compile(text)
    assert _answers(re.compile(text), probe) == _answers(reference, probe)
    assert re.compile(text).groupindex == reference.groupindex


def test_a_later_process_reads_the_file_with_the_same_answers(cache) -> None:
    text = big_pattern(2)
    assert recache.preload(text)
    code = ("import json, re, sys\n"
            "from piiscan import recache\n"
            "text, words = json.load(sys.stdin)\n"
            "ok = recache.preload(text)\n"
            "print(json.dumps([ok, [m.span() if (m := re.compile(text).match(w)) else None"
            " for w in words]]))\n")
    probe = SAMPLES + text[9:2000].split("|")[:100]
    out = subprocess.run([sys.executable, "-c", code], input=json.dumps([text, probe]), text=True,
                         capture_output=True, check=True, env={"PIISCAN_CACHE": str(cache),
                                                               "PATH": "/usr/bin:/bin"})
    ok, spans = json.loads(out.stdout)
    assert ok
    assert [tuple(s) if s else None for s in spans] == _answers(re.compile(text), probe)


def test_damaged_cache_file_falls_back_and_is_rewritten(cache) -> None:
    text = big_pattern(3)
    assert recache.preload(text)
    [path] = cache.glob("re-*.bin")
    head, _, body = path.read_bytes().partition(b"\n")
    path.write_bytes(head + b"\n" + body[: len(body) // 2])  # a program cut in half
    reference = re._compiler.compile(text, 0)
    probe = SAMPLES + text[9:2000].split("|")[:100]
    re.purge()
    assert recache.preload(text)
    assert _answers(re.compile(text), probe) == _answers(reference, probe)
    assert len(path.read_bytes()) > len(head) + len(body) // 2 + 1  # whole again
    path.write_bytes(b"not json\n")
    re.purge()
    assert recache.preload(text)
    assert _answers(re.compile(text), probe) == _answers(reference, probe)


def test_small_patterns_are_left_to_re(cache) -> None:
    assert not recache.preload("a|b")
    assert not list(cache.glob("re-*.bin"))
