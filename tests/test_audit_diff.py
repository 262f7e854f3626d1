"""The diff of an audit rescan compares only what was not copied from the run before, and says
exactly what the full comparison of the two runs says.

The share changes between runs the way that can fool a shortcut: a file overwritten by a copy
of another (a copy is marked reused, yet its rows are not the previous run's), a file named
like an archive member of an unchanged file, an archive with one member changed, a file only
touched, one whose read failed. No triage rules: that is the path the shortcut takes.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest

import piiscan.audit as audit_mod
from piiscan.audit import load_config, run_audit
from piiscan.changes import compare_runs
from piiscan.model import EntityType
from piiscan.registry import Registry
from piiscan.runner import Placement
from piiscan.store import Store
from piiscan.triage import Triage
from tests.auditkit import KEY, RecordingReader, audit_kit, value_hash
from tests.test_changes import _plain_diff

EMAIL = EntityType.EMAIL_ADDRESS
INLINE = Placement("inline")


def write(root: Path, rel: str, data: str | bytes) -> Path:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    p.write_bytes(data)
    return p


def zipped(members: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, text in members.items():
            z.writestr(name, text)
    return buf.getvalue()


def first_share(root: Path) -> None:
    write(root, "hr/payroll.csv", "id,name,NAS,courriel\n1,A,046 454 286,ana@example.org\n")
    write(root, "notes/a.txt", "Contact: cat@example.org\n")
    write(root, "notes/copy-of-a.txt", "Contact: cat@example.org\n")
    write(root, "notes/touched.txt", "Ask dan@example.org\n")
    write(root, "notes/over.txt", "Former eve@example.org\n")
    write(root, "old/gone.txt", "Former volunteer fay@example.org\n")
    write(root, "odd/c.txt", "Office gus@example.org\n")
    write(root, "odd/c.txt!d.txt", "Desk hal@example.org\n")  # a file, named like a member
    write(root, "arch/bundle.zip", zipped({"in.txt": "Mail ivy@example.org\n",
                                           "sub/x.csv": "id,NAS\n1,130 692 544\n"}))
    write(root, "arch/static.zip", zipped({"keep.txt": "Mail jon@example.org\n"}))
    write(root, "arch/broken.zip", b"PK\x03\x04 this is not an archive")


def change_share(root: Path) -> None:
    write(root, "notes/a.txt", "Contact: kim@example.org\n")
    (root / "old/gone.txt").unlink()
    write(root, "new/n.txt", "Applicant lea@example.org\n")
    shutil.copyfile(root / "new/n.txt", root / "new/n-copy.txt")
    shutil.copyfile(root / "new/n.txt", root / "notes/over.txt")  # a copy, where eve was
    touched = root / "notes/touched.txt"
    st = touched.stat()
    os.utime(touched, (st.st_atime, st.st_mtime + 60))  # same bytes, new time
    write(root, "odd/c.txt!d.txt", "Desk max@example.org\n")
    write(root, "arch/bundle.zip", zipped({"in.txt": "Mail ned@example.org\n",
                                           "sub/x.csv": "id,NAS\n1,130 692 544\n"}))


@pytest.fixture()
def audit(tmp_path: Path):
    share = tmp_path / "share"
    first_share(share)
    (tmp_path / "audit.yaml").write_text(json.dumps({
        "sources": [str(share)], "history": "piiscan.db", "formats": ["jsonl"]}), encoding="utf-8")
    cfg = load_config(tmp_path / "audit.yaml")
    kit = audit_kit()
    kit.registry.add_reader(RecordingReader(Registry.from_entry_points(only=["archive"]).readers["archive"]))

    def run(full: bool = False):
        return run_audit(cfg, full=full, registry=kit.registry, key=KEY, placement=INLINE,
                         guess_language=False)
    return share, cfg, run


def check_against_full_diff(cfg, result, previous_id: int | None) -> None:
    """The audit's diff is what comparing every finding of both runs gives, rows and order."""
    with Store(cfg.history) as store:
        # the count the next diff starts from is the run's own
        assert store.recorded_identity_count(result.run_id) == store.identity_count(result.run_id)
        plain = _plain_diff(store, result.run_id, previous_id, Triage())
        whole = compare_runs(store, result.run_id, previous_id, Triage())  # every place compared
    got = result.changes
    for want in (plain, whole):
        assert got.as_dict() == want.as_dict()
        assert list(got.new.items()) == list(want.new.items())
        assert list(got.resolved.items()) == list(want.resolved.items())


def test_rescans_say_what_the_full_diff_says(audit, monkeypatch) -> None:
    share, cfg, run = audit
    first = run()
    assert first.exit_code == 0 and first.changes.new
    check_against_full_diff(cfg, first, None)

    change_share(share)
    asked: list[set[str]] = []
    with monkeypatch.context() as m:
        m.setattr(audit_mod, "compare_runs", lambda *a, copied, **k: (
            asked.append(copied), compare_runs(*a, copied=copied, **k))[1])
        second = run()
    check_against_full_diff(cfg, second, first.run_id)
    # left out: over.txt (a copy of new/n.txt now), c.txt (c.txt!d.txt was read), broken.zip
    assert asked == [{"hr/payroll.csv", "notes/copy-of-a.txt", "arch/static.zip"}]
    counters = second.counters
    assert counters["reused_items"] == 4  # payroll, copy-of-a, c.txt, static.zip
    assert counters["duplicate_items"] == 2  # n-copy.txt, over.txt
    new, resolved = set(second.changes.new), set(second.changes.resolved)
    h = lambda v: value_hash(EMAIL, v)  # noqa: E731
    assert {("notes/over.txt", "EMAIL_ADDRESS", h("lea@example.org")),
            ("odd/c.txt!d.txt", "EMAIL_ADDRESS", h("max@example.org")),
            ("arch/bundle.zip!in.txt", "EMAIL_ADDRESS", h("ned@example.org")),
            ("notes/a.txt", "EMAIL_ADDRESS", h("kim@example.org"))} <= new
    assert {("notes/over.txt", "EMAIL_ADDRESS", h("eve@example.org")),
            ("old/gone.txt", "EMAIL_ADDRESS", h("fay@example.org")),
            ("arch/bundle.zip!in.txt", "EMAIL_ADDRESS", h("ivy@example.org")),
            ("notes/a.txt", "EMAIL_ADDRESS", h("cat@example.org"))} == resolved
    assert not any(loc.startswith("notes/touched.txt") for loc, _, _ in new | resolved)

    # nothing changed: the diff compares only what was read again, and derives its count
    places: list[set[str] | None] = []
    first_rows_missing = Store.first_rows_missing
    with monkeypatch.context() as m:
        m.setattr(Store, "identity_count", lambda *a: pytest.fail("counted every identity"))
        m.setattr(Store, "first_rows_missing", lambda self, run, other, where=None: (
            places.append(where), first_rows_missing(self, run, other, where))[1])
        third = run()
    assert places == [{"odd/c.txt", "odd/c.txt!d.txt"}] * 2  # broken.zip has no findings
    check_against_full_diff(cfg, third, second.run_id)
    summary = third.changes.as_dict()["summary"]
    assert summary["new"] == 0 and summary["resolved"] == 0 and summary["unchanged"] > 10

    fourth = run(full=True)
    check_against_full_diff(cfg, fourth, third.run_id)
    fifth = run()
    check_against_full_diff(cfg, fifth, fourth.run_id)
    # read again every time: the archive whose read failed, the file named like a member
    assert (fifth.counters["reused_items"], fifth.counters["read_items"]) == (10, 2)
