"""The engine's stages with a tiny reader and detector, so each behaviour is visible."""

from __future__ import annotations

import io
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest

from piiscan.detectors.base import RegexDetector
from piiscan.engine import ItemDone, Scanner, ScanOptions, error_for, resolve_overlaps, scrub
from piiscan.model import (CorruptError, EntityType, Finding, Item, ItemInfo, Match, Pointer,
                           ScanError, Segment)
from piiscan.redact import Redactor
from piiscan.registry import Registry, RegistryError
from piiscan.runner import Placement, prepare_resume, run_scan
from piiscan.store import Store

KEY = b"k" * 32


class CodeDetector(RegexDetector):
    """Test detector: 'ID-' and six digits is a CA_UCI-like code."""

    name = "code"
    entity = EntityType.CA_UCI
    pattern = re.compile(r"ID-\d{6}")
    keywords = ("id-",)
    examples = {"ID-123456": True}
    pattern_score = 0.9


class LinesReader:
    """Test reader: one segment per line; 'CRASH' kills the process; 'BOOM' raises."""

    name = "lines"
    media_types = ("text/plain",)

    def read(self, item: Item, ctx) -> Iterator[Segment | Item]:
        with item.open() as fh:
            for n, raw in enumerate(fh, 1):
                line = raw.decode()
                if line.startswith("CRASH") and os.environ.get("PIISCAN_TEST_IN_WORKER"):
                    os._exit(9)
                if line.startswith("BOOM"):
                    raise ValueError("invalid literal for int(): '046454286'")
                if line.startswith("NEST"):
                    data = line[5:].replace("\\n", "\n").encode()
                    yield item.child(f"inner{n}.txt", lambda d=data: io.BytesIO(d))
                    continue
                yield Segment(line, item.location, Pointer(line=n))


def registry() -> Registry:
    reg = Registry()
    reg.add_detector(CodeDetector())
    reg.add_reader(LinesReader())
    from piiscan.sources.filesystem import FileSystemSource
    reg.add("piiscan.sources", "filesystem", FileSystemSource())
    return reg


def item(text: str, name: str = "a.txt") -> Item:
    data = text.encode()
    return Item(name, name, lambda: io.BytesIO(data), ItemInfo(size=len(data)))


def scan(text: str, **opts) -> list:
    with Scanner(registry(), Redactor(KEY), ScanOptions(**opts)) as sc:
        return list(sc.scan_item(item(text)))


def test_findings_carry_pointer_mask_and_hash_not_the_value() -> None:
    events = scan("nothing\nclient ID-123456 here\n")
    (f,) = [e for e in events if isinstance(e, Finding)]
    assert f.pointer == Pointer(line=2)
    assert f.masked == "**-****56" and f.value is None
    assert f.value_hash.startswith("hmac-sha256:")
    assert isinstance(events[-1], ItemDone) and events[-1].findings == 1


def test_a_reader_failure_is_recorded_scrubbed_and_the_item_is_closed() -> None:
    events = scan("ID-111111\nBOOM\n")
    errors = [e for e in events if isinstance(e, ScanError)]
    assert len(errors) == 1 and errors[0].reason == "corrupt"
    assert "046454286" not in errors[0].detail and "#########" in errors[0].detail
    assert events[-1].error == "corrupt"


def test_nested_items_get_bang_locations_and_a_depth_limit() -> None:
    events = scan("NEST ID-222222\n", max_depth=5)
    assert [e.location for e in events if isinstance(e, Finding)] == ["a.txt!inner1.txt"]
    events = scan("NEST ID-222222\n", max_depth=0)
    assert any(isinstance(e, ScanError) and e.reason == "too deep" for e in events)
    assert not [e for e in events if isinstance(e, Finding)]


def test_overlapping_matches_keep_the_best() -> None:
    a = Match(EntityType.CA_SIN, 0, 11, 0.95, "a", "x")
    b = Match(EntityType.PHONE_NUMBER, 4, 16, 0.6, "b", "y")
    c = Match(EntityType.EMAIL_ADDRESS, 20, 30, 0.5, "c", "z")
    assert resolve_overlaps([b, a, c]) == [a, c]


def test_error_messages_lose_values() -> None:
    assert "marie@example.org" not in scrub("bad address marie@example.org in header")
    assert error_for("x", PermissionError()).reason == "permission denied"
    assert error_for("x", CorruptError("bad xref")).reason == "corrupt"


def test_registry_rejects_duplicates_and_unknown_entities() -> None:
    reg = Registry()
    reg.add_detector(CodeDetector())
    with pytest.raises(RegistryError):
        reg.add_detector(CodeDetector())

    class Bad(CodeDetector):
        name = "bad"
        entity = "SSN"  # type: ignore[assignment]
    with pytest.raises(RegistryError):
        reg.add_detector(Bad())


def _make_tree(root: Path, n: int) -> None:
    for i in range(n):
        (root / f"f{i:03}.txt").write_text(f"line\nID-{100000 + i}\n")


def _rows(db: Path, run: int) -> list[tuple]:
    con = sqlite3.connect(db)
    return sorted(con.execute("SELECT location, entity_type, value_hash FROM findings WHERE run_id=?",
                              (run,)).fetchall())


def test_local_pool_gives_the_inline_findings(tmp_path: Path) -> None:
    (tmp_path / "t").mkdir()
    _make_tree(tmp_path / "t", 30)
    db = tmp_path / "s.db"
    with Store(db) as store:
        a = run_scan(store, registry(), KEY, ScanOptions(), [str(tmp_path / "t")],
                     placement=Placement("inline"))
        b = run_scan(store, registry(), KEY, ScanOptions(), [str(tmp_path / "t")],
                     placement=Placement("local", workers=2), registry_factory=registry)
    assert len(_rows(db, a)) == 30
    assert _rows(db, a) == _rows(db, b)


def test_a_crashing_worker_is_recorded_and_the_scan_goes_on(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "t").mkdir()
    _make_tree(tmp_path / "t", 6)
    (tmp_path / "t" / "f002.txt").write_text("CRASH\n")
    monkeypatch.setenv("PIISCAN_TEST_IN_WORKER", "1")
    with Store(tmp_path / "s.db") as store:
        run = run_scan(store, registry(), KEY, ScanOptions(), [str(tmp_path / "t")],
                       placement=Placement("local", workers=2), registry_factory=registry)
        errors = store.errors(run)
        assert [(e.location, e.reason) for e in errors] == [("f002.txt", "crashed")]
        assert len(list(store.findings(run))) == 5


def test_resume_after_a_kill_gives_exactly_the_uninterrupted_findings(tmp_path: Path) -> None:
    """Kill a real scan with SIGKILL part-way, resume it, compare with a clean run."""
    tree = tmp_path / "t"
    tree.mkdir()
    for i in range(400):
        (tree / f"f{i:03}.txt").write_text("\n".join(f"ID-{i:03}{j:03}" for j in range(40)))
    clean_db, killed_db = tmp_path / "clean.db", tmp_path / "killed.db"
    with Store(clean_db) as store:
        clean = run_scan(store, registry(), KEY, ScanOptions(), [str(tree)], placement=Placement("inline"))
    script = (
        "import sys, time; sys.path.insert(0, %r)\n"
        "from tests.test_engine import registry, KEY\n"
        "from piiscan.engine import ScanOptions\n"
        "from piiscan.runner import run_scan, Placement\n"
        "from piiscan.store import Store\n"
        "import piiscan.store as st\n"
        "add_item, add_finding = st.Store.add_item, st.Store.add_finding\n"
        "def item(self, *a, **k):\n"
        "    add_item(self, *a, **k); self.commit(); time.sleep(0.005)\n"
        "def finding(self, *a, **k):\n"
        "    add_finding(self, *a, **k); self.commit()  # partial items reach the disk\n"
        "st.Store.add_item, st.Store.add_finding = item, finding\n"
        "run_scan(Store(%r), registry(), KEY, ScanOptions(), [%r], placement=Placement('inline'))\n"
    ) % (str(Path(__file__).parent.parent), str(killed_db), str(tree))
    proc = subprocess.Popen([sys.executable, "-c", script])
    deadline = time.time() + 120
    while time.time() < deadline:
        time.sleep(0.2)
        if killed_db.exists():
            try:
                n = sqlite3.connect(killed_db).execute("SELECT COUNT(*) FROM items").fetchone()[0]
            except sqlite3.OperationalError:
                continue
            if n >= 50:
                break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with Store(killed_db) as store:
        partial = store.db.execute("SELECT COUNT(*) FROM items").fetchone()[0]
        assert 0 < partial < 400, "the kill must land part-way"
        assert store.run(1).status == "running"
        run_scan(store, registry(), KEY, ScanOptions(), [str(tree)], placement=Placement("inline"),
                 resume=1)
        assert store.run(1).status == "done"
    assert _rows(killed_db, 1) == _rows(clean_db, clean)
    assert len(_rows(clean_db, clean)) == 400 * 40


def test_a_value_inside_a_chunk_overlap_is_reported_once() -> None:
    """Forced cuts repeat the tail of the previous piece; a value there was already found."""
    from piiscan.engine import Detection
    det = Detection([CodeDetector()], ScanOptions())
    first = Segment("xx ID-123456 yy", "a.txt", Pointer(line=1))
    second = Segment("ID-123456 yy ID-654321", "a.txt", Pointer(line=1, offset=3), overlap=12)
    found = [m.text for _, ms in det.detect_batch([first, second]) for m in ms]
    assert found == ["ID-123456", "ID-654321"]
