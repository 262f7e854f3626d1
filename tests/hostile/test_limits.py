"""Per-item time and memory budgets in the default local process pool.

A test reader misbehaves on demand, by the first line of a file: it sleeps
inside one call (the watchdog's SIGALRM stops it), spins in C holding the
interpreter (no signal gets through: the parent kills the worker after a
grace period), swallows the watchdog's exception and waits again, or asks
for more memory than the worker may have. Each must end as a recorded
"timeout" or "too large", with the other files' findings intact.
"""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from piiscan.detectors.base import RegexDetector
from piiscan.engine import ScanOptions
from piiscan.model import EntityType, Item, Pointer, Segment
from piiscan.registry import Registry
from piiscan.runner import Placement, run_scan
from piiscan.store import Store
from tests.hostile.scanning import REPO, env_for, run, stored

KEY = b"k" * 32


class CodeDetector(RegexDetector):
    """Test detector: 'ID-' and six digits."""

    name = "code"
    entity = EntityType.CA_UCI
    pattern = re.compile(r"ID-\d{6}")
    pattern_score = 0.9


class StubbornReader:
    """One segment per line, unless the first line asks for trouble."""

    name = "stubborn"
    media_types = ("text/plain",)

    def read(self, item: Item, ctx: Any) -> Iterator[Segment | Item]:
        assert item.open is not None
        with item.open() as fh:
            lines = fh.read().decode().splitlines()
        first = lines[0] if lines else ""
        if first == "SLEEP":  # blocked in one library call
            time.sleep(3600)
        elif first == "SPIN":  # in C, holding the interpreter: no signal handler runs
            sum(itertools.repeat(1, 10**13))
        elif first == "SWALLOW":  # catches everything, the watchdog's stop included
            while True:
                try:
                    time.sleep(3600)
                except Exception:
                    pass
        elif first == "HOG":
            bytearray(64 << 30)  # more than any worker may have
        elif first == "NEST":  # members, one of which sleeps
            for n, member in enumerate(lines[1:], 1):
                data = member.replace("\\n", "\n").encode()
                yield item.child(f"m{n}.txt", _Bytes(data))
            return
        for n, line in enumerate(lines, 1):
            yield Segment(line, item.location, Pointer(line=n))


class _Bytes:
    """A picklable opener over bytes."""

    def __init__(self, data: bytes):
        self.data = data

    def __call__(self) -> Any:
        import io
        return io.BytesIO(self.data)


def registry() -> Registry:
    from piiscan.sources.filesystem import FileSystemSource
    reg = Registry()
    reg.add_detector(CodeDetector())
    reg.add_reader(StubbornReader())
    reg.add("piiscan.sources", "filesystem", FileSystemSource())
    return reg


def tree(root: Path, files: dict[str, str]) -> Path:
    root.mkdir()
    for name, text in files.items():
        (root / name).write_text(text)
    return root


def scan_pool(root: Path, db: Path, **options: Any) -> tuple[dict[str, str], dict[str, int], str]:
    with Store(db) as store:
        run_id = run_scan(store, registry(), KEY, ScanOptions(**options), [str(root)],
                          placement=Placement("local", workers=2), registry_factory=registry,
                          guess_language=False)
    s = stored(db, run_id)
    reasons = {loc: reason for loc, reason, _ in s.errors}
    found: dict[str, int] = {}
    for loc, *_ in s.findings:
        found[loc] = found.get(loc, 0) + 1
    return reasons, found, s.status


def test_a_reader_stuck_in_one_call_is_stopped_and_says_timeout(tmp_path: Path) -> None:
    root = tree(tmp_path / "t", {"a-ok.txt": "ID-100001\nID-100002\n", "b-sleep.txt": "SLEEP\nID-100003\n",
                                 "c-ok.txt": "ID-100004\n"})
    reasons, found, status = scan_pool(root, tmp_path / "s.db", item_timeout_s=1.0)
    assert status == "done"
    assert reasons == {"b-sleep.txt": "timeout"}
    assert found == {"a-ok.txt": 2, "c-ok.txt": 1}


def test_a_worker_that_no_signal_reaches_is_killed_and_says_timeout(tmp_path: Path) -> None:
    root = tree(tmp_path / "t", {"a-ok.txt": "ID-100001\n", "b-spin.txt": "SPIN\n",
                                 "c-swallow.txt": "SWALLOW\n", "d-ok.txt": "ID-100004\n"})
    reasons, found, status = scan_pool(root, tmp_path / "s.db", item_timeout_s=1.0)
    assert status == "done"
    assert reasons == {"b-spin.txt": "timeout", "c-swallow.txt": "timeout"}
    assert found == {"a-ok.txt": 1, "d-ok.txt": 1}


def test_a_stuck_member_is_stopped_and_the_container_goes_on(tmp_path: Path) -> None:
    root = tree(tmp_path / "t", {"box.txt": "NEST\nID-200001\nSLEEP\\nID-200002\nID-200003\n"})
    reasons, found, status = scan_pool(root, tmp_path / "s.db", item_timeout_s=1.0)
    assert reasons == {"box.txt!m2.txt": "timeout"}
    assert found == {"box.txt!m1.txt": 1, "box.txt!m3.txt": 1}


def test_an_item_over_the_memory_budget_says_too_large(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIISCAN_ITEM_MEMORY", "3G")
    root = tree(tmp_path / "t", {"a-hog.txt": "HOG\n", "b-ok.txt": "ID-100001\n"})
    reasons, found, status = scan_pool(root, tmp_path / "s.db")
    assert reasons == {"a-hog.txt": "too large"}
    assert found == {"b-ok.txt": 1}


def test_the_watchdog_also_runs_inline_in_the_main_thread(tmp_path: Path) -> None:
    """--executor inline: the CLI's own process, where SIGALRM is free."""
    root = tree(tmp_path / "t", {"a-sleep.txt": "SLEEP\n", "b-ok.txt": "ID-100001\n"})
    script = (
        "from tests.hostile.test_limits import registry, KEY\n"
        "from piiscan.engine import ScanOptions\n"
        "from piiscan.runner import run_scan, Placement\n"
        "from piiscan.store import Store\n"
        f"with Store({str(tmp_path / 's.db')!r}) as store:\n"
        f"    run_scan(store, registry(), KEY, ScanOptions(item_timeout_s=1.0), [{str(root)!r}],\n"
        "             placement=Placement('inline'), guess_language=False)\n")
    proc = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, timeout=120,
                          env=dict(os.environ, PYTHONPATH=str(REPO)))
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    s = stored(tmp_path / "s.db")
    assert [(loc, r) for loc, r, _ in s.errors] == [("a-sleep.txt", "timeout")]
    assert [f[0] for f in s.findings] == ["b-ok.txt"]


def test_item_timeout_on_the_command_line(tmp_path: Path) -> None:
    """A 200 MB text full of candidate numbers takes far more than a second to read."""
    root = tmp_path / "share"
    root.mkdir()
    (root / "small.txt").write_text("NAS : 130 692 544\n")
    block = ("NAS 123 456 789 " * 64 + "\n").encode() * 1024
    with open(root / "huge.txt", "wb") as fh:
        for _ in range((200 << 20) // len(block)):
            fh.write(block)
    env = env_for(tmp_path / "home", tmp_path / "tmp", {"PIISCAN_PLUGINS": "filesystem,text,ca_sin"})
    cli = run(["scan", str(root), "--format", "jsonl", "--db", str(tmp_path / "s.db"),
               "--item-timeout", "1"], env, tmp_path / "scan", timeout=300)
    assert cli.returncode == 0, cli.text()
    s = stored(tmp_path / "s.db")
    assert [(loc, r) for loc, r, _ in s.errors] == [("huge.txt", "timeout")]
    assert any(f[0] == "small.txt" for f in s.findings)
    assert "stopped after 1" in s.errors[0][2]
