"""Running the real `piiscan` command on a hostile folder, and reading what it stored.

The command runs in a child process with its own PIISCAN_HOME and TMPDIR,
under a time limit (a hang fails the test instead of blocking it), and its
peak memory is read from the kernel when it ends (`os.wait4` reports the
largest resident set of the process and of the workers it waited for).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

from tests.hostile.corpus import PLANTED, REASONS, Entry

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Cli:
    returncode: int
    stdout: bytes
    stderr: bytes
    maxrss_kb: int
    seconds: float

    def text(self) -> str:
        return self.stderr.decode(errors="replace")[-4000:]


def env_for(home: Path, tmp: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    tmp.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PIISCAN_HOME=str(home), TMPDIR=str(tmp))
    env.pop("PIISCAN_PLUGINS", None)
    env.update(extra or {})
    return env


def start(args: Sequence[str], env: Mapping[str, str], out: Path,
          preexec: Callable[[], None] | None = None) -> subprocess.Popen[bytes]:
    """`python -m piiscan ARGS`, its output going to files beside `out`."""
    return subprocess.Popen(
        [sys.executable, "-m", "piiscan", *args], env=dict(env), cwd=str(REPO),
        stdout=open(out.with_suffix(".stdout"), "wb"), stderr=open(out.with_suffix(".stderr"), "wb"),
        stdin=subprocess.DEVNULL, preexec_fn=preexec)


def finish(proc: subprocess.Popen[bytes], out: Path, timeout: float) -> Cli:
    """Wait for `proc` (at most `timeout` s: then kill it and fail) and collect what it left."""
    began = time.monotonic()
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() - began > timeout:
            proc.kill()
            os.wait4(proc.pid, 0)
            raise AssertionError(f"piiscan did not finish within {timeout:.0f} s (a hang)")
        time.sleep(0.05)
    proc.returncode = os.waitstatus_to_exitcode(status)
    for stream in (proc.stdout, proc.stderr):
        if stream:
            stream.close()
    return Cli(proc.returncode, out.with_suffix(".stdout").read_bytes(),
               out.with_suffix(".stderr").read_bytes(), usage.ru_maxrss,
               time.monotonic() - began)


def run(args: Sequence[str], env: Mapping[str, str], out: Path, timeout: float = 600,
        preexec: Callable[[], None] | None = None) -> Cli:
    return finish(start(args, env, out, preexec), out, timeout)


# -- the store ---------------------------------------------------------------------

@dataclass
class Stored:
    """One run's rows, read straight from the SQLite file."""

    items: dict[str, tuple[str | None, int, str | None]]  # location → (error, findings, media)
    errors: list[tuple[str, str, str]]  # (location, reason, detail)
    findings: list[tuple[str, str, str, str]]  # (location, entity_type, value_hash, pointer)
    status: str
    counters: str

    def under(self, location: str) -> tuple[list[tuple[str, str, str]], list[tuple[str, ...]]]:
        """Errors and findings of an item and of its members."""
        inside = lambda loc: loc == location or loc.startswith(location + "!")
        return ([e for e in self.errors if inside(e[0])],
                [f for f in self.findings if inside(f[0])])

    def accounted(self, location: str) -> bool:
        return location in self.items or any(e[0] == location for e in self.errors)


def stored(db: Path, run_id: int | None = None) -> Stored:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        if run_id is None:
            run_id = con.execute("SELECT MAX(id) FROM runs").fetchone()[0]
        items = {loc: (err, n, media) for loc, err, n, media in con.execute(
            "SELECT location, error, findings, media_type FROM items WHERE run_id = ?", (run_id,))}
        errors = list(con.execute("SELECT location, reason, detail FROM errors WHERE run_id = ?",
                                  (run_id,)))
        findings = list(con.execute("SELECT location, entity_type, value_hash, pointer FROM findings"
                                    " WHERE run_id = ?", (run_id,)))
        status, counters = con.execute("SELECT status, counters FROM runs WHERE id = ?",
                                       (run_id,)).fetchone()
    finally:
        con.close()
    return Stored(items, errors, findings, status, counters)


@dataclass
class Outcome:
    entry: Entry
    accounted: bool
    error: str | None  # the reason the item itself ended with, if it failed
    reasons: frozenset[str]  # every reason recorded for it or its members
    findings: int

    @property
    def kind(self) -> str:
        if not self.accounted:
            return "missing"
        if "crashed" in self.reasons:
            return "crash"
        return "error" if self.error else "result"

    def problems(self) -> list[str]:
        """What is wrong with this outcome, as sentences (empty: all good)."""
        e = self.entry
        out = []
        if not self.accounted:
            out.append("neither an item nor an error row")
        unknown = self.reasons - REASONS
        if unknown:
            out.append(f"unexpected reasons {sorted(unknown)}")
        if e.reasons is not None:
            seen = self.reasons if e.member_error else ({self.error} if self.error else set())
            if not e.reasons & seen:
                out.append(f"wanted {sorted(e.reasons)}, got {sorted(self.reasons) or 'a result'}")
        if e.findings and not self.findings:
            out.append("the planted values were not found")
        return out


def outcome(entry: Entry, store: Stored) -> Outcome:
    errors, findings = store.under(entry.location)
    own = [r for loc, r, _ in errors if loc == entry.location]
    item = store.items.get(entry.location)
    error = (item[0] if item and item[0] else None) or (own[0] if own else None)
    return Outcome(entry, store.accounted(entry.location), error,
                   frozenset(r for _, r, _ in errors), len(findings))


def table(outcomes: Iterable[Outcome]) -> list[tuple[str, int, int, int, int]]:
    """Per format: inputs, recorded errors, clean results, crashes or missing."""
    per: dict[str, Counter[str]] = {}
    for o in outcomes:
        per.setdefault(o.entry.fmt, Counter())[o.kind] += 1
    return [(fmt, sum(c.values()), c["error"], c["result"], c["crash"] + c["missing"])
            for fmt, c in sorted(per.items())]


# -- leaks -------------------------------------------------------------------------

def needles(values: Iterable[str] | None = None) -> list[bytes]:
    """Each planted value as UTF-8 and as UTF-16 (SQLite and Windows tools write both)."""
    values = list(values) if values is not None else [v for vs in PLANTED.values() for v in vs]
    return [form for v in values for form in (v.encode(), v.encode("utf-16-le"))]


def leaks(paths: Iterable[Path], values: Iterable[str] | None = None) -> list[str]:
    found = []
    wanted = needles(values)
    for p in paths:
        data = p.read_bytes()
        found += [f"{p.name}: {n!r}" for n in wanted if n in data]
    return found


def files_under(*roots: Path) -> list[Path]:
    return [p for root in roots if root.exists() for p in sorted(root.rglob("*"))
            if p.is_file() and not p.is_symlink()]


# -- the read-only proof -----------------------------------------------------------

_NOATIME = getattr(os, "O_NOATIME", 0)


def _digest(path: str) -> str:
    # O_NOATIME: taking the snapshot must not itself move the access times it compares.
    fd = os.open(path, os.O_RDONLY | _NOATIME | os.O_NONBLOCK)
    h = hashlib.sha256()
    with os.fdopen(fd, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()


@dataclass(frozen=True)
class Snap:
    mode: int
    size: int
    mtime_ns: int
    atime_ns: int
    digest: str | None
    target: str | None = None


def _listing(path: bytes) -> list[bytes] | None:
    """A folder's names, listed without moving its access time (None: not listable)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | _NOATIME)
    except PermissionError:
        return None
    try:
        return sorted(os.fsencode(n) for n in os.listdir(fd))
    finally:
        os.close(fd)


def snapshot(root: Path) -> dict[bytes, Snap]:
    """Every entry under `root`, by bytes path: its mode, size, times and contents.

    Special files are only stat-ed (a FIFO must never be opened); links are
    not followed, nor read (reading a link moves its access time). Folders
    are listed and files read with O_NOATIME, so taking a snapshot does not
    itself change what it records.
    """
    out: dict[bytes, Snap] = {}
    base = os.fsencode(root)
    todo = [b""]
    while todo:
        rel_dir = todo.pop()
        names = _listing(os.path.join(base, rel_dir) if rel_dir else base) or []
        for name in names:
            rel = os.path.join(rel_dir, name) if rel_dir else name
            path = os.path.join(base, rel)
            st = os.lstat(path)
            digest = None
            if stat.S_ISREG(st.st_mode):
                try:
                    digest = _digest(os.fsdecode(path))
                except PermissionError:  # not root: mode-000 files stay unread here too
                    digest = "unreadable"
            elif stat.S_ISDIR(st.st_mode):
                todo.append(rel)
            is_link = stat.S_ISLNK(st.st_mode)
            out[rel] = Snap(st.st_mode, 0 if stat.S_ISDIR(st.st_mode) else st.st_size,
                            st.st_mtime_ns, 0 if is_link else st.st_atime_ns, digest, None)
    return out


def age(root: Path, when: float = 1_577_836_800.0) -> None:
    """Set every access and modification time under `root` to `when` (2020-01-01).

    An access time older than a day is what `relatime` (the usual mount
    option) updates on the next read: any read by the scan would show.
    """
    base = os.fsencode(root)
    for dirpath, dirnames, filenames in os.walk(base, topdown=False):
        for name in dirnames + filenames:
            os.utime(os.path.join(dirpath, name), (when, when), follow_symlinks=False)
    os.utime(base, (when, when))


def atime_updates_on_read(probe_dir: Path) -> bool:
    """Whether this file system moves access times on a plain read (not noatime)."""
    probe = probe_dir / "atime-probe"
    probe.write_bytes(b"x" * 100)
    os.utime(probe, (1_577_836_800, 1_577_836_800))
    with open(probe, "rb") as fh:
        fh.read()
    moved = probe.stat().st_atime_ns != 1_577_836_800 * 10**9
    probe.unlink()
    return moved


def children_of(pid: int) -> list[int]:
    """The processes `pid` started (its workers), from /proc."""
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []
    kids: list[int] = []
    for tid in tasks:
        try:
            kids += [int(k) for k in Path(f"/proc/{pid}/task/{tid}/children").read_text().split()]
        except OSError:
            pass
    return kids


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"

