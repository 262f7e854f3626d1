"""The real command killed (SIGKILL) or interrupted (Ctrl-C) part-way, then resumed.

Whatever happened, `piiscan scan --resume` must end with exactly the findings
of an uninterrupted run: the same (location, type, hash, pointer) rows, none
lost, none twice. A Ctrl-C stops cleanly: exit code 3, the run marked
"interrupted", what was done kept. The local pool's workers die with a
killed scan instead of living on.
"""

from __future__ import annotations

import signal
import sqlite3
import stat
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from piiscan.checks import luhn_ok
from tests.hostile.scanning import alive, env_for, finish, children_of, run, start, stored

pytestmark = pytest.mark.slow  # a real scan of hundreds of files

FILES, PER_FILE = 500, 40
PLUGINS = {"PIISCAN_PLUGINS": "filesystem,text,ca_sin"}


def sin(i: int) -> str:
    body = f"{1 + i % 7}{(1_234_567 + i * 7_919) % 10**7:07d}"
    return body + next(d for d in "0123456789" if luhn_ok(body + d))


@dataclass
class Share:
    base: Path
    tree: Path
    clean: Counter[tuple[str, ...]]

    def env(self, tmp: str = "tmp") -> dict[str, str]:
        return env_for(self.base / "home", self.base / tmp, PLUGINS)


def rows(db: Path, run_id: int | None = None) -> Counter[tuple[str, ...]]:
    return Counter(f for f in stored(db, run_id).findings)


@pytest.fixture(scope="module")
def share(tmp_path_factory: pytest.TempPathFactory) -> Share:
    base = tmp_path_factory.mktemp("interrupted")
    tree = base / "share"
    tree.mkdir()
    for f in range(FILES):
        (tree / f"f{f:04}.txt").write_text("".join(f"NAS {sin(f * PER_FILE + j)}\n"
                                                   for j in range(PER_FILE)))
    s = Share(base, tree, Counter())
    cli = run(["scan", str(tree), "--format", "jsonl", "--db", str(base / "clean.db")], s.env(),
              base / "clean", timeout=600)
    assert cli.returncode == 0, cli.text()
    s.clean = rows(base / "clean.db")
    assert sum(s.clean.values()) == FILES * PER_FILE
    return s


def items_done(db: Path) -> int:
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return con.execute("SELECT COUNT(*) FROM items").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return 0


def start_and_stop(share: Share, db: Path, sig: int, after_items: int = 100):
    """Start a scan, and send `sig` once `after_items` items are in the store."""
    proc = start(["scan", str(share.tree), "--format", "jsonl", "--db", str(db)],
                 share.env("tmp-" + db.stem), share.base / db.stem)
    deadline = time.monotonic() + 300
    while items_done(db) < after_items:
        assert proc.poll() is None, "the scan ended before it could be stopped"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    workers = children_of(proc.pid)
    proc.send_signal(sig)
    return proc, workers


def test_killed_then_resumed_gives_exactly_the_uninterrupted_findings(share: Share) -> None:
    db = share.base / "killed.db"
    proc, workers = start_and_stop(share, db, signal.SIGKILL)
    finish(proc, share.base / "killed", timeout=60)
    partial = stored(db)
    assert partial.status == "running"
    assert 0 < len(partial.items) < FILES, "the kill must land part-way"
    # the workers die with the scan that started them
    assert workers
    deadline = time.monotonic() + 30
    while any(alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [w for w in workers if alive(w)]
    # nothing can clean up after SIGKILL: what is left stays in the run's private folder
    for left in (share.base / "tmp-killed").iterdir():
        assert left.name.startswith("piiscan-run-") and left.is_dir()
        assert stat.S_IMODE(left.stat().st_mode) == 0o700

    resumed = run(["scan", str(share.tree), "--format", "jsonl", "--db", str(db), "--resume"],
                  share.env(), share.base / "resumed", timeout=600)
    assert resumed.returncode == 0, resumed.text()
    done = stored(db)
    assert done.status == "done" and len(done.items) == FILES
    got = rows(db)
    assert got - share.clean == Counter(), "findings twice"
    assert share.clean - got == Counter(), "findings lost"
    print(f"\nkill -9 after {len(partial.items)}/{FILES} items, {len(partial.findings)} findings "
          f"stored; resumed: {sum(got.values())} findings = {sum(share.clean.values())} uninterrupted")


def test_ctrl_c_stops_cleanly_and_resume_finishes(share: Share) -> None:
    db = share.base / "ctrl-c.db"
    proc, _ = start_and_stop(share, db, signal.SIGINT)
    cli = finish(proc, share.base / "ctrl-c", timeout=120)
    assert cli.returncode == 3, cli.text()
    assert "interrupted" in cli.stderr.decode()
    assert b"Traceback" not in cli.stderr
    partial = stored(db)
    assert partial.status == "interrupted"
    assert 0 < len(partial.items) < FILES
    assert list((share.base / "tmp-ctrl-c").iterdir()) == []  # its private temp dir is gone

    resumed = run(["scan", str(share.tree), "--format", "jsonl", "--db", str(db), "--resume"],
                  share.env(), share.base / "resumed-int", timeout=600)
    assert resumed.returncode == 0, resumed.text()
    assert stored(db).status == "done"
    assert rows(db) == share.clean
