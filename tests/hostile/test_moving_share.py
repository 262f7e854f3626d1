"""Files that vanish, change or turn into something else between listing and reading.

First deterministically, one item at a time with the real file-system source
and engine: the file is changed right after the source listed it, or between
the engine's sniffing and its reading. Then through the real command while a
thread keeps rewriting, truncating, deleting and swapping files for FIFOs,
folders and links until the scan ends. Nothing may crash or hang, and the
files that stay put are all read.
"""

from __future__ import annotations

import io
import os
import shutil
import threading
import time
from pathlib import Path
from typing import Callable

import pytest

from piiscan.engine import ItemDone, Scanner, ScanOptions
from piiscan.model import Item, ScanError
from piiscan.redact import Redactor
from piiscan.registry import Registry
from piiscan.sources.filesystem import FileSystemSource
from tests.hostile.corpus import REASONS, SIN, text_bytes, zip_bytes
from tests.hostile.scanning import env_for, finish, start, stored

PLUGINS = "filesystem,text,csv,json,archive,ca_sin"


def registry() -> Registry:
    return Registry.from_entry_points(only=PLUGINS.split(","))


def listed(root: Path) -> dict[str, Item]:
    return {it.location: it for it in FileSystemSource().items(str(root), ScanOptions())
            if isinstance(it, Item)}


def scan_one(item: Item) -> list[object]:
    with Scanner(registry(), Redactor(b"k" * 32), ScanOptions(item_timeout_s=30)) as sc:
        return list(sc.scan_item(item))


def reasons(events: list[object]) -> list[str]:
    return [e.reason for e in events if isinstance(e, ScanError)]


def _to_fifo(p: Path) -> None:
    p.unlink()
    os.mkfifo(p)


def _to_dir(p: Path) -> None:
    p.unlink()
    p.mkdir()


def _to_link(p: Path) -> None:
    p.unlink()
    p.symlink_to("/dev/zero")


@pytest.mark.parametrize("change, want", [
    (lambda p: p.unlink(), "vanished"),
    (_to_fifo, "not a regular file"),  # opened, it would block the scan for ever
    (_to_dir, "not a regular file"),
    (_to_link, "unreadable"),  # not followed: O_NOFOLLOW refuses it
])
def test_a_file_changed_after_listing(tmp_path: Path, change: Callable[[Path], None],
                                      want: str) -> None:
    (tmp_path / "note.txt").write_bytes(text_bytes())
    item = listed(tmp_path)["note.txt"]
    change(tmp_path / "note.txt")
    events = scan_one(item)
    assert reasons(events) == [want]
    assert isinstance(events[-1], ItemDone) and events[-1].error == want


class ChangingOpener:
    """Opens the real file; before the n-th open, changes it (sniffing is the first open)."""

    def __init__(self, inner: Callable[[], io.BufferedReader], path: Path,
                 change: Callable[[Path], None], at: int = 2):
        self.inner, self.path, self.change, self.at, self.opens = inner, path, change, at, 0

    def __call__(self) -> io.BufferedReader:
        self.opens += 1
        if self.opens == self.at:
            self.change(self.path)
        return self.inner()


@pytest.mark.parametrize("name, data, change, outcomes", [
    ("export.zip", zip_bytes(), lambda p: p.write_bytes(p.read_bytes()[:300]), {"corrupt"}),
    ("export.zip", zip_bytes(), lambda p: p.write_bytes(b"plain text now\n"),
     {"corrupt", "unsupported format"}),
    ("note.txt", text_bytes(), lambda p: p.write_bytes(b""), {None}),
    ("note.txt", text_bytes(), lambda p: p.write_bytes(text_bytes() * 2000), {None}),
    ("note.txt", text_bytes(), lambda p: p.unlink(), {"vanished"}),
])
def test_a_file_changed_between_sniffing_and_reading(tmp_path: Path, name: str, data: bytes,
                                                     change: Callable[[Path], None],
                                                     outcomes: set[str | None]) -> None:
    (tmp_path / name).write_bytes(data)
    item = listed(tmp_path)[name]
    assert item.open is not None
    moving = Item(item.location, item.name, ChangingOpener(item.open, tmp_path / name, change),
                  item.info)
    events = scan_one(moving)
    done = events[-1]
    assert isinstance(done, ItemDone) and done.error in outcomes
    assert set(reasons(events)) <= REASONS


def _mutate(root: Path, stop: threading.Event) -> int:
    """Keep changing every file under `root` until told to stop; return how many changes."""
    actions: list[Callable[[Path], None]] = [
        lambda p: p.write_bytes(b""),
        lambda p: p.write_bytes(f"NAS : {SIN}\n".encode() * 50),
        lambda p: p.unlink(),
        lambda p: os.mkfifo(p),
        lambda p: p.mkdir(),
        lambda p: p.symlink_to("/dev/zero"),
        lambda p: p.write_bytes(zip_bytes()),
        lambda p: p.write_bytes(zip_bytes()[:200]),
    ]
    n = 0
    while not stop.is_set():
        for i in range(40):
            p = root / f"v{i:02}.txt"
            try:
                if p.is_symlink() or p.is_file() or p.is_fifo():
                    p.unlink()
                elif p.is_dir():
                    shutil.rmtree(p)
                actions[(n + i) % len(actions)](p)
            except OSError:
                pass
        n += 1
        time.sleep(0.01)
    return n


def test_the_command_survives_a_share_that_keeps_changing(tmp_path: Path) -> None:
    share = tmp_path / "share"
    (share / "stable").mkdir(parents=True)
    (share / "volatile").mkdir()
    for i in range(150):
        (share / "stable" / f"s{i:03}.txt").write_text(f"NAS : {SIN}\n")
    for i in range(40):
        (share / "volatile" / f"v{i:02}.txt").write_bytes(text_bytes())
    stop = threading.Event()
    mutator = threading.Thread(target=_mutate, args=(share / "volatile", stop), daemon=True)
    env = env_for(tmp_path / "home", tmp_path / "tmp", {"PIISCAN_PLUGINS": PLUGINS})
    mutator.start()
    try:
        proc = start(["scan", str(share), "--format", "jsonl", "--db", str(tmp_path / "s.db")],
                     env, tmp_path / "scan")
        cli = finish(proc, tmp_path / "scan", timeout=300)
    finally:
        stop.set()
        mutator.join()
    assert cli.returncode == 0, cli.text()
    s = stored(tmp_path / "s.db")
    assert s.status == "done"
    assert {r for _, r, _ in s.errors} <= REASONS
    found = {f[0] for f in s.findings}
    assert {f"stable/s{i:03}.txt" for i in range(150)} <= found
    assert b"Traceback" not in cli.stderr


def test_links_followed_on_request_end_without_loops(tmp_path: Path) -> None:
    """--follow-symlinks: each folder once, loops and dangling links reported."""
    share = tmp_path / "outer" / "share"  # ".." leads to a folder holding only the share
    (share / "real").mkdir(parents=True)
    (share / "real" / "note.txt").write_text(f"NAS : {SIN}\n")
    os.mkfifo(share / "pipe")
    for name, target in (("loop", "."), ("up", ".."), ("self", "self"), ("dangling", "nowhere"),
                         ("to-pipe", "pipe"), ("to-zero", "/dev/zero"), ("to-real", "real")):
        (share / name).symlink_to(target)
    env = env_for(tmp_path / "home", tmp_path / "tmp", {"PIISCAN_PLUGINS": PLUGINS})
    proc = start(["scan", str(share), "--follow-symlinks", "--format", "jsonl", "--db",
                  str(tmp_path / "s.db")], env, tmp_path / "scan")
    cli = finish(proc, tmp_path / "scan", timeout=300)
    assert cli.returncode == 0, cli.text()
    s = stored(tmp_path / "s.db")
    got = {loc: reason for loc, reason, _ in s.errors}
    assert got == {
        "dangling": "broken link",
        "loop": "skipped",  # the share's own folder, already being scanned
        "up/share": "skipped",  # the share again, through its parent
        "pipe": "not a regular file",
        "self": "unreadable",  # too many levels of symbolic links
        "to-pipe": "not a regular file",
        "to-real": "skipped",
        "to-zero": "not a regular file",
    }
    assert [f[0] for f in s.findings] == ["real/note.txt"]
