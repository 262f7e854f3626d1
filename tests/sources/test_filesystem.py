"""The file-system source: order, filters, links, special files, errors, and no writes."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import pytest

from piiscan.engine import ScanOptions
from piiscan.model import EntityType, Item, ItemError, ScanError
from piiscan.sources.filesystem import FileOpener, FileSystemSource, glob_to_regex
from tests.share import make_share
from tests.sources.formats.text_helpers import EMAIL, SIN, scan

SOURCE = FileSystemSource()


def walk(root: Path, **options: Any) -> list[Item | ScanError]:
    return list(SOURCE.items(str(root), ScanOptions(**options)))


def locations(root: Path, **options: Any) -> list[str]:
    return [i.location for i in walk(root, **options) if isinstance(i, Item)]


def errors(root: Path, **options: Any) -> dict[str, tuple[str, str]]:
    return {e.location: (e.reason, e.detail) for e in walk(root, **options) if isinstance(e, ScanError)}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "share"
    for rel in ["hr/payroll.csv", "hr/old/2019.csv", "finance/donors.json", "notes/suivi.txt",
                "notes/tmp/scratch.txt", "README.md"]:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"contenu": rel}) if rel.endswith(".json") else f"contenu de {rel}\n"
        path.write_text(text, encoding="utf-8")
    return root


def test_walk_is_sorted_relative_and_slash_separated(tree: Path) -> None:
    assert locations(tree) == ["README.md", "finance/donors.json", "hr/old/2019.csv",
                               "hr/payroll.csv", "notes/suivi.txt", "notes/tmp/scratch.txt"]
    assert walk(tree) == walk(tree)  # same order every time


def test_items_carry_file_facts(tree: Path) -> None:
    item = next(i for i in walk(tree) if isinstance(i, Item) and i.location == "hr/payroll.csv")
    st = (tree / "hr" / "payroll.csv").stat()
    assert (item.name, item.info.size, item.info.mtime, item.info.inode, item.info.mode) == (
        "payroll.csv", st.st_size, st.st_mtime, st.st_ino, st.st_mode)
    with item.open() as fh:
        assert fh.read() == b"contenu de hr/payroll.csv\n"


def test_a_single_file_is_located_by_its_name(tree: Path) -> None:
    items = list(SOURCE.items(str(tree / "hr" / "payroll.csv"), ScanOptions()))
    assert [i.location for i in items] == ["payroll.csv"]


@pytest.mark.parametrize("target, accepted", [
    (".", True), ("tests", True), ("pyproject.toml", True), ("/no/such/place", False),
    ("postgresql://user@localhost/crm", False), ("sqlite:///crm.db", False),
])
def test_accepts_existing_local_paths_only(target: str, accepted: bool) -> None:
    assert SOURCE.accepts(target) is accepted


@pytest.mark.parametrize("include, exclude, expected", [
    (("*.csv",), (), ["hr/old/2019.csv", "hr/payroll.csv"]),
    (("hr/**",), (), ["hr/old/2019.csv", "hr/payroll.csv"]),
    (("notes",), (), ["notes/suivi.txt", "notes/tmp/scratch.txt"]),
    (("*.csv",), ("hr/old/",), ["hr/payroll.csv"]),
    ((), ("hr/**",), ["README.md", "finance/donors.json", "notes/suivi.txt", "notes/tmp/scratch.txt"]),
    ((), ("*.CSV", "**/tmp/**"), ["README.md", "finance/donors.json", "notes/suivi.txt"]),
    ((), ("/README.md", "finance"), ["hr/old/2019.csv", "hr/payroll.csv", "notes/suivi.txt",
                                     "notes/tmp/scratch.txt"]),
    (("hr/*.csv",), (), ["hr/payroll.csv"]),
    (("**/2019.*",), (), ["hr/old/2019.csv"]),
])
def test_include_and_exclude_globs(tree: Path, include: tuple[str, ...], exclude: tuple[str, ...],
                                   expected: list[str]) -> None:
    assert locations(tree, include=include, exclude=exclude) == expected


def test_ignore_file_is_read_from_the_root(tree: Path) -> None:
    (tree / ".piiscanignore").write_text(
        "# exports temporaires\nnotes/tmp/\n*.json\n!finance/donors.json\n/README.md\nhr/old\n",
        encoding="utf-8")
    assert locations(tree) == [".piiscanignore", "finance/donors.json", "hr/payroll.csv",
                               "notes/suivi.txt"]
    assert len(locations(tree, ignore_file=None)) == 7
    (tree / "custom.ignore").write_text("hr/\n", encoding="utf-8")
    assert "hr/payroll.csv" not in locations(tree, ignore_file="custom.ignore")


@pytest.mark.parametrize("pattern, path, matches", [
    ("*.csv", "a/b/c.csv", True), ("*.csv", "c.csv", True), ("*.csv", "a/c.csv.bak", False),
    ("hr/*.csv", "hr/a.csv", True), ("hr/*.csv", "x/hr/a.csv", False),
    ("hr/**", "hr/a/b/c", True), ("**/hr", "x/y/hr", True), ("a/**/b", "a/b", True),
    ("a/**/b", "a/x/y/b", True), ("?.txt", "a.txt", True), ("?.txt", "ab.txt", False),
    ("[ab].txt", "b.txt", True), ("[!ab].txt", "b.txt", False), ("NAS*.XLSX", "nas_2024.xlsx", True),
])
def test_glob_patterns(pattern: str, path: str, matches: bool) -> None:
    assert (glob_to_regex(pattern).fullmatch(path) is not None) is matches


def test_hidden_files_and_folders_on_and_off(tree: Path) -> None:
    (tree / ".git").mkdir()
    (tree / ".git" / "config").write_text("x", encoding="utf-8")
    (tree / "notes" / ".brouillon.txt").write_text("x", encoding="utf-8")
    shown = locations(tree)
    assert ".git/config" in shown and "notes/.brouillon.txt" in shown
    hidden = locations(tree, hidden=False)
    assert not any(loc.startswith(".") or "/." in loc for loc in hidden)
    assert len(hidden) == 6


def test_symlinks_are_reported_not_followed_by_default(tree: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text(f"NAS {SIN}\n", encoding="utf-8")
    (tree / "lien.txt").symlink_to(outside)
    (tree / "notes" / "boucle").symlink_to(tree)
    assert "lien.txt" not in locations(tree)
    errs = errors(tree)
    assert errs["lien.txt"][0] == "skipped" and errs["notes/boucle"][0] == "skipped"


@pytest.mark.timeout(30)
def test_following_symlinks_is_loop_safe(tree: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("x", encoding="utf-8")
    (tree / "lien.txt").symlink_to(outside)
    (tree / "notes" / "boucle").symlink_to(tree)  # share/notes/boucle → share
    (tree / "hr" / "old" / "retour").symlink_to(tree / "hr")  # a loop two levels up
    (tree / "cassé").symlink_to(tmp_path / "nowhere")
    found = locations(tree, follow_symlinks=True)
    assert "lien.txt" in found
    assert len(found) == len(set(found)) == 7  # every file once
    errs = errors(tree, follow_symlinks=True)
    assert errs["notes/boucle"][0] == "skipped" and errs["hr/old/retour"][0] == "skipped"
    assert errs["cassé"][0] == "broken link"


@pytest.mark.timeout(30)
def test_fifos_are_never_opened(tree: Path) -> None:
    fifo = tree / "notes" / "tube"
    os.mkfifo(fifo)
    errs = errors(tree)
    assert errs["notes/tube"] == ("not a regular file", "FIFO")
    # Even if a FIFO takes a file's place after listing, opening it does not block.
    with pytest.raises(ItemError) as err:
        FileOpener(str(fifo))()
    assert err.value.reason == "not a regular file"
    result = scan(SOURCE.items(str(tree), ScanOptions()))
    assert [(e.location, e.reason) for e in result.errors] == [("notes/tube", "not a regular file")]


def test_files_over_the_size_limit_are_reported_unread(tree: Path) -> None:
    (tree / "gros.txt").write_bytes(b"x" * 2000)
    errs = errors(tree, max_file_size=1000)
    assert errs == {"gros.txt": ("too large", "2000 bytes, over the limit of 1000")}
    assert "gros.txt" not in locations(tree, max_file_size=1000)


def test_a_file_removed_during_the_walk_is_reported_and_the_walk_goes_on(tree: Path) -> None:
    walker = SOURCE.items(str(tree), ScanOptions())
    first = next(walker)
    assert first.location == "README.md"
    (tree / "finance" / "donors.json").unlink()  # listed with its folder next …
    shutil.rmtree(tree / "notes")  # … and a folder listed with the root
    rest = list(walker)
    assert [(e.location, e.reason) for e in rest if isinstance(e, ScanError)] == [
        ("notes", "vanished")]
    assert [i.location for i in rest if isinstance(i, Item)] == ["hr/old/2019.csv", "hr/payroll.csv"]


def test_a_file_removed_before_it_is_read_is_reported(tree: Path) -> None:
    items = walk(tree)
    (tree / "hr" / "payroll.csv").unlink()
    result = scan(items)
    assert [(e.location, e.reason) for e in result.errors] == [("hr/payroll.csv", "vanished")]
    assert len(result.done) == 6


def _as_unprivileged(fn: Callable[[], Any]) -> Any:
    """Run `fn` as nobody in a forked child (root reads anything, so chmod 000 proves nothing)."""
    if os.geteuid() != 0:
        return fn()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: drop privileges, run, report as JSON, exit without cleanup
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            payload = json.dumps(fn())
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            payload = json.dumps({"child failed": repr(exc)})
        os.write(write_end, payload.encode())
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as fh:
        data = fh.read()
    os.waitpid(pid, 0)
    return json.loads(data)


@pytest.fixture
def open_dir() -> Any:
    """A folder others may enter (tmp_path is private to root)."""
    path = Path(tempfile.mkdtemp(prefix="piiscan-perm-"))
    path.chmod(0o755)
    yield path
    for p in [path, *path.rglob("*")]:
        if p.is_dir():
            p.chmod(0o755)
    shutil.rmtree(path)


@pytest.mark.timeout(60)
def test_permission_denied_on_files_and_folders(open_dir: Path) -> None:
    (open_dir / "a.txt").write_text(f"NAS {SIN}\n", encoding="utf-8")
    (open_dir / "b-verrou.txt").write_text("x\n", encoding="utf-8")
    (open_dir / "b-verrou.txt").chmod(0)
    (open_dir / "c-prive").mkdir()
    (open_dir / "c-prive" / "x.txt").write_text("x\n", encoding="utf-8")
    (open_dir / "c-prive").chmod(0)
    (open_dir / "d.txt").write_text(f"{EMAIL}\n", encoding="utf-8")
    for p in (open_dir / "a.txt", open_dir / "d.txt"):
        p.chmod(0o644)

    def run() -> dict[str, Any]:
        result = scan(SOURCE.items(str(open_dir), ScanOptions()))
        return {"errors": sorted([e.location, e.reason] for e in result.errors),
                "found": sorted(f.location for f in result.findings)}

    got = _as_unprivileged(run)
    assert got == {"errors": [["b-verrou.txt", "permission denied"], ["c-prive", "permission denied"]],
                   # a.txt is root's: O_NOATIME is refused and the read goes on without it
                   "found": ["a.txt", "d.txt"]}


def test_undecodable_file_names_become_readable_locations(tmp_path: Path) -> None:
    root = bytes(tmp_path)
    fd = os.open(os.path.join(root, b"Num\xe9ro.txt"), os.O_WRONLY | os.O_CREAT, 0o644)
    os.write(fd, f"NAS {SIN}\n".encode())
    os.close(fd)
    items = walk(tmp_path)
    assert [i.location for i in items] == ["Numéro.txt"]
    with items[0].open() as fh:
        assert fh.read().startswith(b"NAS")


def test_item_openers_survive_pickling(tree: Path) -> None:
    item = walk(tree)[0]
    opener = pickle.loads(pickle.dumps(item.open))
    assert opener == item.open
    with opener() as fh:
        assert fh.read() == b"contenu de README.md\n"


def _atime_is_updated_here(probe: Path) -> bool:
    old = time.time() - 3 * 86400
    os.utime(probe, (old, probe.stat().st_mtime))
    with open(probe, "rb") as fh:
        fh.read()
    return probe.stat().st_atime != old


def test_a_scan_changes_no_time_stamps(tmp_path: Path) -> None:
    share = make_share(tmp_path / "share")
    files = sorted([share, *share.rglob("*")])  # folders too: listing one reads it
    old = time.time() - 3 * 86400  # relatime updates an access time older than a day
    for p in files:
        os.utime(p, (old, p.stat().st_mtime))
    before = {p: (p.stat().st_atime_ns, p.stat().st_mtime_ns) for p in files}

    result = scan(SOURCE.items(str(share), ScanOptions()))
    assert {(f.location, f.entity_type) for f in result.findings} >= {
        ("hr/payroll.csv", EntityType.CA_SIN), ("hr/payroll.csv", EntityType.EMAIL_ADDRESS),
        ("notes/suivi.txt", EntityType.CA_SIN), ("notes/page.html", EntityType.EMAIL_ADDRESS)}
    assert not result.errors

    after = {p: (p.stat().st_atime_ns, p.stat().st_mtime_ns) for p in files}
    assert {p: v[1] for p, v in after.items()} == {p: v[1] for p, v in before.items()}
    probe = tmp_path / "probe.txt"
    probe.write_text("x", encoding="utf-8")
    if not _atime_is_updated_here(probe):
        pytest.skip("this file system does not update access times: nothing more to check")
    assert {p: v[0] for p, v in after.items()} == {p: v[0] for p, v in before.items()}
