"""Scheduled audits: incremental rescans, the diff between runs, triage, exit codes.

The share changes between two runs the way real shares do (a file added, one
edited, one deleted, a copy made, a file restored with its old mtime) and a
finding is triaged in between; the second run must read only what changed
and report exactly what changed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from piiscan.audit import AuditConfig, ConfigError, audit, load_config, run_audit
from piiscan.model import EntityType
from piiscan.runner import Placement
from piiscan.store import Store
from tests.auditkit import KEY, audit_kit, value_hash

EMAIL, SIN = EntityType.EMAIL_ADDRESS, EntityType.CA_SIN
INLINE = Placement("inline")

POLICY = """\
version: 1
organisation: Test
language: en
purposes:
  - name: payroll
    locations: [hr/**]
    categories: [EMAIL_ADDRESS, CA_SIN]
rules:
  undeclared_locations: true
"""


def write(root: Path, rel: str, text: str) -> Path:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
    return p


def first_share(root: Path) -> None:
    write(root, "hr/payroll.csv", "id,name,NAS,courriel\n"
          "1,A,046 454 286,ana@example.org\n2,B,130 692 544,bob@example.org\n")
    write(root, "notes/a.txt", "Contact: cat@example.org\n")
    write(root, "notes/copy-of-a.txt", "Contact: cat@example.org\n")
    write(root, "notes/b.txt", "Reference 046 454 286, then dan@example.org\n")
    write(root, "old/gone.txt", "Former volunteer eve@example.org\n")
    write(root, "clean/menu.txt", "Soupe du jour\n")


def change_share(root: Path) -> None:
    a = root / "notes/a.txt"
    before = a.stat()
    a.write_text("Contact: fay@example.org\n", encoding="utf-8")  # same size: only the time tells
    os.utime(a, (before.st_atime, before.st_mtime + 60))
    write(root, "new/c.txt", "Applicant gus@example.org\n")
    shutil.copyfile(root / "new/c.txt", root / "new/c-copy.txt")
    (root / "old/gone.txt").unlink()
    # restored from a backup: same content, size and mtime, but a new inode
    menu = root / "clean/menu.txt"
    st = menu.stat()
    tmp = root / "clean/.restore"
    shutil.copyfile(menu, tmp)
    menu.unlink()
    tmp.rename(menu)
    os.utime(menu, ns=(st.st_atime_ns, st.st_mtime_ns))


def config(tmp: Path, share: Path, **extra: object) -> AuditConfig:
    policy = tmp / "policy.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    text = {"sources": [str(share)], "policy": "policy.yaml", "history": "history/piiscan.db",
            "formats": ["html", "jsonl", "csv", "sarif"], "as_of": "2026-11-02", **extra}
    path = tmp / "audit.yaml"
    path.write_text(json.dumps(text), encoding="utf-8")  # JSON is YAML
    return load_config(path)


def identities(rows: list[dict]) -> set[tuple[str, str, str]]:
    return {(r["location"], r["entity_type"], r["value_hash"]) for r in rows}


@pytest.fixture()
def two_runs(tmp_path: Path):
    share = tmp_path / "share"
    first_share(share)
    cfg = config(tmp_path, share)
    kit = audit_kit()
    first = run_audit(cfg, registry=kit.registry, key=KEY, placement=INLINE, guess_language=False)
    read_first = kit.read()
    # between the runs: a person decides the SIN in notes/b.txt is a reference number
    with Store(cfg.history) as store:
        store.add_mark("notes/b.txt", "false_positive", value_hash=value_hash(SIN, "046 454 286"),
                       note="a file reference, not a SIN")
    change_share(share)
    second = run_audit(cfg, registry=kit.registry, key=KEY, placement=INLINE, guess_language=False)
    return cfg, first, second, read_first, kit.read()


def test_the_first_run_reads_everything_once(two_runs) -> None:
    cfg, first, _, read_first, _ = two_runs
    assert first.exit_code == 0
    # notes/copy-of-a.txt is a byte-identical copy of notes/a.txt: read once
    assert read_first == ["clean/menu.txt", "hr/payroll.csv", "notes/a.txt", "notes/b.txt",
                          "old/gone.txt"]
    with Store(cfg.history) as store:
        copied = {f.value_hash for f in store.findings(first.run_id, "notes/copy-of-a.txt")}
        assert copied == {value_hash(EMAIL, "cat@example.org")}
        assert store.reused_locations(first.run_id) == {"notes/copy-of-a.txt"}


def test_the_second_run_reads_only_what_changed(two_runs) -> None:
    cfg, _, second, _, read_second = two_runs
    # notes/a.txt was edited; new/c.txt and new/c-copy.txt are identical: one of them is read
    new = [loc for loc in read_second if loc.startswith("new/")]
    assert len(new) == 1 and sorted(set(read_second) - set(new)) == ["notes/a.txt"]
    assert len(read_second) == 2
    with Store(cfg.history) as store:
        reused = store.reused_locations(second.run_id)
        run = store.run(second.run_id)
    duplicate = ({"new/c-copy.txt", "new/c.txt"} - set(new)).pop()
    assert reused == {"hr/payroll.csv", "notes/b.txt", "notes/copy-of-a.txt", "clean/menu.txt",
                      duplicate}
    assert run.counters["reused_items"] == 4 and run.counters["duplicate_items"] == 1
    assert run.counters["hashed_in_doubt"] == 1  # clean/menu.txt: same mtime, new inode
    assert run.params["incremental"] == "yes"


def test_a_reused_item_keeps_todays_facts(tmp_path: Path) -> None:
    """Unchanged files are not read again, but their rows say what the share is now: a file
    made private since (exposure rules read the mode) or restored under a new inode."""
    share = tmp_path / "share"
    first_share(share)
    cfg = config(tmp_path, share)
    kit = audit_kit()
    first = run_audit(cfg, registry=kit.registry, key=KEY, placement=INLINE, guess_language=False)
    kit.read()
    payroll = share / "hr/payroll.csv"
    payroll.chmod(0o600)  # the mtime stays: the item is reused
    change_share(share)
    second = run_audit(cfg, registry=kit.registry, key=KEY, placement=INLINE, guess_language=False)
    assert "hr/payroll.csv" not in kit.read()
    with Store(cfg.history) as store:
        was = {r.location: r for r in store.items(first.run_id)}
        now = {r.location: r for r in store.items(second.run_id)}
    assert stat.S_IMODE(now["hr/payroll.csv"].info.mode) == 0o600 != stat.S_IMODE(was["hr/payroll.csv"].info.mode)
    assert now["clean/menu.txt"].info.inode == (share / "clean/menu.txt").stat().st_ino
    assert now["clean/menu.txt"].info.inode != was["clean/menu.txt"].info.inode
    assert now["notes/b.txt"] == was["notes/b.txt"]  # untouched: the same row
    for loc in ("hr/payroll.csv", "clean/menu.txt"):  # the rest of the row is the previous run's
        assert (now[loc].sha256, now[loc].findings, now[loc].reader) == (was[loc].sha256, was[loc].findings,
                                                                        was[loc].reader)


def test_the_diff_is_exactly_what_changed(two_runs) -> None:
    cfg, first, second, _, _ = two_runs
    changes = json.loads((cfg.reports / "changes.json").read_text(encoding="utf-8"))
    assert changes["run"] == second.run_id and changes["previous_run"] == first.run_id
    assert identities(changes["findings"]["new"]) == {
        ("notes/a.txt", "EMAIL_ADDRESS", value_hash(EMAIL, "fay@example.org")),
        ("new/c.txt", "EMAIL_ADDRESS", value_hash(EMAIL, "gus@example.org")),
        ("new/c-copy.txt", "EMAIL_ADDRESS", value_hash(EMAIL, "gus@example.org")),
    }
    assert identities(changes["findings"]["resolved"]) == {
        ("notes/a.txt", "EMAIL_ADDRESS", value_hash(EMAIL, "cat@example.org")),
        ("old/gone.txt", "EMAIL_ADDRESS", value_hash(EMAIL, "eve@example.org")),
    }
    assert identities(changes["findings"]["triaged"]) == {
        ("notes/b.txt", "CA_SIN", value_hash(SIN, "046 454 286"))}
    assert changes["findings"]["triaged"][0]["triage"] == "false_positive"
    # payroll: 2 SINs + 2 emails; notes/b.txt: 1 email; notes/copy-of-a.txt: 1 email
    assert changes["summary"] == {
        "new": 3, "resolved": 2, "unchanged": 6, "triaged": 1,
        "new_violations": 2, "resolved_violations": 1, "unchanged_violations": 3}
    key = lambda rows: {(r["rule"], r["location"]) for r in rows}  # noqa: E731
    assert key(changes["violations"]["new"]) == {("undeclared_location", "new/c.txt"),
                                                 ("undeclared_location", "new/c-copy.txt")}
    assert key(changes["violations"]["resolved"]) == {("undeclared_location", "old/gone.txt")}
    assert key(changes["violations"]["unchanged"]) == {
        ("undeclared_location", "notes/a.txt"), ("undeclared_location", "notes/b.txt"),
        ("undeclared_location", "notes/copy-of-a.txt")}
    # the per-run copy is the same diff
    stem = f"audit-run{second.run_id}-"
    per_run = next(p for p in cfg.reports.iterdir() if p.name.startswith(stem) and p.name.endswith(".changes.json"))
    assert json.loads(per_run.read_text(encoding="utf-8"))["summary"] == changes["summary"]


def test_reports_of_every_format_are_written_owner_only(two_runs) -> None:
    cfg, _, second, _, _ = two_runs
    names = {p.suffix for p in second.files}
    assert {".html", ".jsonl", ".csv", ".sarif", ".json"} <= names
    for p in second.files:
        assert stat.S_IMODE(p.stat().st_mode) == 0o600
    html = next(p for p in second.files if p.suffix == ".html").read_text(encoding="utf-8")
    assert "Changes since the last run" in html
    assert "Compared with run" in html
    # the triaged SIN is not in the drill-down of notes/b.txt; its email is
    block = re.search(r'<details class="place" data-location="notes/b.txt">.*?</details>', html, re.S)
    assert block is not None
    assert value_hash(SIN, "046 454 286") not in block.group()
    assert value_hash(EMAIL, "dan@example.org") in block.group()


def test_full_rescans_everything_and_finds_no_change(two_runs, tmp_path: Path) -> None:
    cfg, _, second, _, _ = two_runs
    kit = audit_kit()
    third = run_audit(cfg, full=True, registry=kit.registry, key=KEY, placement=INLINE,
                      guess_language=False)
    assert kit.read() == ["clean/menu.txt", "hr/payroll.csv", "new/c-copy.txt", "new/c.txt",
                          "notes/a.txt", "notes/b.txt", "notes/copy-of-a.txt"]
    assert third.changes.as_dict()["summary"] == {
        "new": 0, "resolved": 0, "unchanged": 9, "triaged": 1,
        "new_violations": 0, "resolved_violations": 0, "unchanged_violations": 5}
    with Store(cfg.history) as store:
        assert store.reused_locations(third.run_id) == set()
        assert store.run(third.run_id).params["incremental"] == "no (--full)"


def test_changed_options_turn_reuse_off(two_runs) -> None:
    cfg, _, _, _, _ = two_runs
    kit = audit_kit()
    changed = AuditConfig(**{**cfg.__dict__, "scan": {"min_score": 0.7}})
    run = run_audit(changed, registry=kit.registry, key=KEY, placement=INLINE, guess_language=False)
    assert len(kit.read()) == 6  # all but one of the identical new/c pair
    with Store(cfg.history) as store:
        assert store.run(run.run_id).params["incremental"].startswith("no (options")


@pytest.mark.parametrize("mark, fail_on, code", [
    (None, "high", 1),               # a SIN is found: high
    ("false_positive", "high", 0),   # hidden by triage: does not count
    ("confirmed", "high", 1),        # confirmed: flagged, still counts
    ("false_positive", "low", 1),    # the email still counts at low
    (None, "never", 0),
])
def test_fail_on_counts_what_triage_leaves(tmp_path: Path, mark: str | None, fail_on: str,
                                           code: int) -> None:
    share = tmp_path / "share"
    write(share, "notes/b.txt", "Reference 046 454 286, then dan@example.org\n")
    cfg = config(tmp_path, share, policy=None)
    cfg = AuditConfig(**{**cfg.__dict__, "policy": None})
    if mark:
        with Store(cfg.history) as store:
            store.add_mark("notes/*", mark, entity_type="CA_SIN")
    result = run_audit(cfg, fail_on=fail_on, registry=audit_kit().registry, key=KEY,
                       placement=INLINE, guess_language=False)
    assert result.exit_code == code


def test_allow_lists_in_the_config_hide_values_and_locations(tmp_path: Path) -> None:
    share = tmp_path / "share"
    write(share, "notes/b.txt", "Reference 046 454 286, then dan@example.org\n")
    write(share, "fixtures/sample.txt", "Test 130 692 544\n")
    cfg = config(tmp_path, share, allow={"values": [value_hash(SIN, "046 454 286")],
                                         "locations": ["fixtures/*"]})
    cfg = AuditConfig(**{**cfg.__dict__, "policy": None})
    result = run_audit(cfg, fail_on="high", registry=audit_kit().registry, key=KEY,
                       placement=INLINE, guess_language=False)
    assert result.exit_code == 0
    assert result.changes.as_dict()["summary"]["triaged"] == 2
    assert {r["triage"] for r in result.changes.as_dict()["findings"]["triaged"]} == {"allowed"}


@pytest.mark.parametrize("text, message", [
    ("sources: []", "`sources` must list"),
    ("sources: [x]\nformats: [pdf]", "unknown format(s) pdf"),
    ("sources: [x]\nlanguage: de", "language must be en or fr"),
    ("sources: [x]\nfail_on: sometimes", "fail_on must be one of"),
    ("sources: [x]\nentities: [SSN]", "entities"),
    ("sources: [x]\nscan: {colour: red}", "unknown option(s) colour"),
    ("sources: [x]\nsauces: [y]", "unknown setting(s) sauces"),
    ("sources: [x]\npolicy: missing.yaml", "policy file"),
    ("sources: [x]\nallow: {values: [abc]}", "not a value hash"),
    ("sources: [x\n", "not valid YAML"),
])
def test_config_mistakes_are_named(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "audit.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_config(path)
    result = CliRunner().invoke(audit, ["--config", str(path)])
    assert result.exit_code == 2
    assert message in result.output


def test_relative_paths_are_taken_from_the_config_file(tmp_path: Path) -> None:
    (tmp_path / "share").mkdir()
    path = tmp_path / "audit.yaml"
    path.write_text("sources: [share]\nhistory: h/p.db\n", encoding="utf-8")
    cfg = load_config(path)
    assert cfg.sources == (str((tmp_path / "share").resolve()),)
    assert cfg.history == tmp_path.resolve() / "h/p.db"
    assert cfg.reports == tmp_path.resolve() / "reports"
    assert cfg.formats == ("html",)


def _has_filesystem_source() -> bool:
    from piiscan.registry import Registry
    return "filesystem" in Registry.from_entry_points(only=["filesystem"]).sources


@pytest.mark.skipif(not _has_filesystem_source(), reason="piiscan.sources.filesystem not built yet")
def test_the_command_line_runs_an_audit_and_says_what_changed(tmp_path: Path) -> None:
    share = tmp_path / "share"
    first_share(share)
    cfg = tmp_path / "audit.yaml"
    cfg.write_text(f"sources: [{share}]\nhistory: history.db\nformats: [html, jsonl]\n", encoding="utf-8")
    # only what this share needs: the name detector's language models load slowly
    env = os.environ | {"PIISCAN_HOME": str(tmp_path / "home"),
                        "PIISCAN_PLUGINS": "filesystem,text,csv,ca_sin,email"}

    def run(*extra: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "piiscan", "audit", "--config", str(cfg),
                               *extra], capture_output=True, text=True, env=env, timeout=600)

    first = run("--fail-on", "high")
    assert first.returncode == 1, first.stderr  # payroll SINs
    write(share, "new/c.txt", "Applicant gus@example.org\n")
    second = run()
    assert second.returncode == 0, second.stderr
    assert "unchanged" in second.stdout and "new" in second.stdout
    changes = json.loads((tmp_path / "reports" / "changes.json").read_text(encoding="utf-8"))
    assert any(r["location"] == "new/c.txt" for r in changes["findings"]["new"])
    assert changes["summary"]["resolved"] == 0


def test_copying_an_item_takes_its_members_and_nothing_else(tmp_path: Path) -> None:
    from piiscan.model import ItemInfo, ScanError
    from tests.auditkit import finding
    with Store(tmp_path / "s.db") as store:
        src = store.begin_run(["x"], {}, kind="audit")
        for loc in ("a.zip", "a.zip!in/x.csv", "a.zip!b.zip!y.csv", "a.zip.bak", "a.zipper"):
            store.add_finding(src, finding("EMAIL_ADDRESS", loc, "ana@example.org", line=1))
            store.add_item(src, loc, ItemInfo(1, 1.0, 1), "text/plain", "text", 1, None, None)
        store.add_error(src, ScanError("a.zip!broken.pdf", "corrupt"))
        store.add_record_date(src, "a.zip!in/x.csv", "row:2", "date", "2020-01-01")
        dst = store.begin_run(["x"], {}, kind="audit")
        assert store.copy_rows(src, dst, "a.zip") == 3
        assert store.copy_rows(src, dst, "a.zip", as_location="copies/a2.zip") == 3
        locations = sorted(f.location for f in store.findings(dst))
        assert locations == ["a.zip", "a.zip!b.zip!y.csv", "a.zip!in/x.csv",
                             "copies/a2.zip", "copies/a2.zip!b.zip!y.csv", "copies/a2.zip!in/x.csv"]
        assert [e.location for e in store.errors(dst)] == ["a.zip!broken.pdf", "copies/a2.zip!broken.pdf"]
        assert sorted(r[0] for r in store.record_dates(dst)) == ["a.zip!in/x.csv", "copies/a2.zip!in/x.csv"]
        assert store.reused_locations(dst) == {"a.zip", "a.zip!in/x.csv", "a.zip!b.zip!y.csv",
                                               "copies/a2.zip", "copies/a2.zip!in/x.csv",
                                               "copies/a2.zip!b.zip!y.csv"}
