"""Without --reveal, no planted raw value reaches any output, the store, a log or a temp file.

The same run with --reveal must show the values, so the search itself is proven
able to find them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.share import PLANTED, make_share

FORMATS = ("table", "jsonl", "csv", "sarif", "html")


def needles() -> list[bytes]:
    out = []
    for values in PLANTED.values():
        for v in values:
            out += [v.encode("utf-8"), v.encode("utf-16-le")]
    return out


def leaks_in(paths: list[Path]) -> list[str]:
    found = []
    for p in paths:
        data = p.read_bytes()
        for n in needles():
            if n in data:
                found.append(f"{p.name}: {n!r}")
    return found


def run_all_formats(share: Path, work: Path, *extra: str) -> list[Path]:
    env = os.environ | {"PIISCAN_HOME": str(work / "home"), "TMPDIR": str(work / "tmp")}
    (work / "tmp").mkdir(exist_ok=True)
    files: list[Path] = []
    for fmt in FORMATS:
        out = work / f"out.{fmt}"
        proc = subprocess.run(
            [sys.executable, "-m", "piiscan", "-vv", "--log-file", str(work / "piiscan.log"),
             "scan", str(share), "--format", fmt, "--output", str(out), *extra],
            capture_output=True, env=env, timeout=600)
        assert proc.returncode == 0, proc.stderr.decode(errors="replace")
        (work / f"stdout.{fmt}").write_bytes(proc.stdout)
        (work / f"stderr.{fmt}").write_bytes(proc.stderr)
        files.append(out)
    return [p for p in work.rglob("*") if p.is_file()]


@pytest.fixture(scope="module")
def share(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_share(tmp_path_factory.mktemp("share"))


def test_nothing_leaks_without_reveal(share: Path, tmp_path: Path) -> None:
    files = run_all_formats(share, tmp_path)
    names = {p.name for p in files}
    assert {"piiscan.db", "hmac.key", "piiscan.log", "out.html", "out.jsonl"} <= names
    assert leaks_in(files) == []
    # temp files live in a private directory removed on exit
    assert list((tmp_path / "tmp").iterdir()) == []


def test_the_search_would_see_a_leak(share: Path, tmp_path: Path) -> None:
    files = run_all_formats(share, tmp_path, "--reveal")
    leaked = leaks_in([p for p in files if p.name in ("out.jsonl", "piiscan.db")])
    assert any("out.jsonl" in x for x in leaked)
    assert any("piiscan.db" in x for x in leaked)


def test_key_is_owner_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from piiscan.redact import load_or_create_key
    monkeypatch.setenv("PIISCAN_HOME", str(tmp_path / "h"))
    key = load_or_create_key()
    assert len(key) == 32
    assert (tmp_path / "h" / "hmac.key").stat().st_mode & 0o077 == 0
    assert (tmp_path / "h").stat().st_mode & 0o077 == 0
    assert load_or_create_key() == key
