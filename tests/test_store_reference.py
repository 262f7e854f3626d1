"""An unchanged item's findings are referenced, not copied: a rescan of an unchanged share
adds no findings rows, yet every reader sees the run's findings as if they had been copied.

A run copied the old way (`copy_rows`, physical rows) and one made by `copy_items`
(rows that name the run holding the findings) must read the same through every
store API, in the same order; a chain of unchanged rescans refers to the run that
read the item, never to one that referred further.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from piiscan.audit import run_audit
from piiscan.changes import compare_runs
from piiscan.cli import main
from piiscan.model import EntityType, Finding, ItemInfo, Pointer, ScanError
from piiscan.policy import load_policy
from piiscan.runner import prepare_resume
from piiscan.store import Store
from piiscan.triage import AllowList, Mark, Triage
from tests.auditkit import KEY, audit_kit
from tests.test_audit import INLINE, change_share, config, first_share
from tests.test_audit import POLICY as AUDIT_POLICY

EMAIL, SIN = EntityType.EMAIL_ADDRESS, EntityType.CA_SIN
# "a b" sorts between "a" and its members "a!…": the order of a referenced run's rows must
# still be (location, id); "a.zip2" merely starts like "a.zip"
TOPS = ["a", "a b", "a.zip", "a.zip2", "hr/pay.csv", "z.txt"]
TAILS = ["", "!in.txt", "!in.zip!deep.csv", "! sp"]
# test_audit's policy without CA_SIN: the SINs under hr/ are then a category violation too
POLICY = AUDIT_POLICY.replace("[EMAIL_ADDRESS, CA_SIN]", "[EMAIL_ADDRESS]")
assert POLICY != AUDIT_POLICY


def _f(location: str, entity: EntityType, n: int) -> Finding:
    return Finding(entity, location, Pointer(line=n), f"m{n % 5}", f"hmac-sha256:{n % 7:064x}", 0.9,
                   "email" if entity is EMAIL else "sin")


def _first_run(store: Store) -> int:
    run = store.begin_run(["share"], {}, kind="audit")
    n = 0
    for round_ in range(3):  # interleaved by id across items
        for top in TOPS:
            for tail in TAILS:
                n += 1
                store.add_finding(run, _f(top + tail, (EMAIL, SIN)[n % 2], n))
    for top in TOPS:
        for tail in TAILS:
            store.add_item(run, top + tail, ItemInfo(10, 1.0, 1, 0o644), "text/plain", "text", 3, None, None)
        store.add_error(run, ScanError(top, "corrupt", "part"))
    store.finish_run(run, "done")
    return run


def _copied_by_hand(store: Store, prev: int, tops: list[str]) -> int:
    """A run as the copying version wrote it: each item's findings duplicated."""
    run = store.begin_run(["share"], {}, kind="audit")
    for top in tops:
        store.copy_rows(prev, run, top)
    store.finish_run(run, "done")
    return run


def _referenced(store: Store, prev: int, tops: list[str]) -> int:
    run = store.begin_run(["share"], {}, kind="audit")
    store.copy_items(prev, run, tops)
    store.finish_run(run, "done")
    return run


def _reads(store: Store, run: int, other: int) -> dict[str, object]:
    """What each reader of a run's findings gives (ids, which differ between copies, left out)."""
    policy = load_policy_text(store, POLICY)
    triage = Triage([Mark(1, "a*", "test_data")], AllowList.from_config({"locations": ["z.txt"]}))
    return {
        "rows": list(store.finding_rows(run)),
        "findings": [(f, triage.finding(f)) for f in store.findings(run)],
        "at": [list(store.finding_rows(run, loc)) for loc in ("a", "a b! sp", "a.zip!in.zip!deep.csv")],
        "limit": list(store.finding_rows(run, "a.zip", 2)),
        "keys": [k[:3] for k in store.finding_keys(run)],
        "counts": store.counts(run),
        "severity": store.severity_counts(run),
        "locations": list(store.location_counts(run)),
        "identities": store.identity_count(run),
        "count": store.finding_count(run),
        "first_rows": list(store.first_rows_missing(run, None)),
        "missing": list(store.first_rows_missing(run, other)),
        "places": sorted(store.places_besides(run, other, ["a"])),
        "diff": {k: v for k, v in compare_runs(store, run, other, triage).as_dict().items() if k != "run"},
        "violations": policy.evaluate(store, run, date(2026, 11, 2), "en"),
    }


def load_policy_text(store: Store, text: str) -> Any:
    path = store.path.parent / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    return load_policy(str(path))



def test_referenced_findings_read_as_copied_ones_through_every_reader(store):
    prev = _first_run(store)
    copied = _copied_by_hand(store, prev, TOPS)
    before = store.db.execute("SELECT COUNT(*) FROM findings").fetchone()[0]
    referenced = _referenced(store, prev, TOPS)
    assert store.db.execute("SELECT COUNT(*) FROM findings").fetchone()[0] == before  # none written
    got, want = _reads(store, referenced, prev), _reads(store, copied, prev)
    assert got == want
    assert len(got["rows"]) == 3 * len(TOPS) * len(TAILS) and got["violations"]
    # the rows come in (location, id) order although "a b" sorts inside "a"'s range
    assert [r[1] for r in got["rows"]] == sorted(r[1] for r in got["rows"])


def test_a_run_with_its_own_rows_and_references_merges_them_in_order(store):
    prev = _first_run(store)
    copied = _copied_by_hand(store, prev, TOPS[:3])
    referenced = _referenced(store, prev, TOPS[:3])
    for run in (copied, referenced):  # the rest read again this run
        store.add_findings(run, [_f(top + tail, EMAIL, 100 + i) for i, top in enumerate(TOPS[3:])
                                 for tail in TAILS])
        store.finish_run(run, "done")
    assert _reads(store, referenced, prev) == _reads(store, copied, prev)
    assert store.db.execute("SELECT COUNT(*) FROM findings WHERE run_id = ?",
                            (referenced,)).fetchone()[0] == 3 * len(TAILS)


def test_a_chain_of_rescans_refers_to_the_run_that_read_the_item(store):
    prev = _first_run(store)
    second = _referenced(store, prev, TOPS)
    third = _referenced(store, second, TOPS[:4])
    sources = set(store.db.execute("SELECT source_run FROM items WHERE run_id = ?", (third,)))
    assert sources == {(prev,)}
    assert _reads(store, third, second) == _reads(store, _copied_by_hand(store, prev, TOPS[:4]), second)
    # a copy of a referenced item under another name is written out: it refers to nothing
    store.copy_rows(third, third, "a.zip", as_location="b.zip")
    own = store.db.execute("SELECT COUNT(*) FROM findings WHERE run_id = ? AND location LIKE 'b.zip%'",
                           (third,)).fetchone()[0]
    assert own == 3 * len(TAILS) and store.item(third, "b.zip!in.txt") is not None
    assert [(r[0], *r[2:]) for r in store.finding_rows(third, "b.zip!in.txt")] == \
        [(r[0], *r[2:]) for r in store.finding_rows(prev, "a.zip!in.txt")] != []


def test_resuming_a_run_keeps_the_references_of_its_finished_items(store):
    prev = _first_run(store)
    run = store.begin_run(["share"], {}, kind="audit")
    store.copy_items(prev, run, TOPS[:2])
    store.add_item(run, "a", ItemInfo(10, 1.0, 1, 0o644), "text/plain", "text", 3, None, None, reused=True)
    store.add_findings(run, [_f("z.txt", EMAIL, 1)])  # read, but killed before its row
    store.db.execute("DELETE FROM items WHERE run_id = ? AND location = 'a b'", (run,))  # not done
    store.commit()
    assert prepare_resume(store, run) == {"a"}
    assert {r[1] for r in store.finding_rows(run)} == {"a" + t for t in TAILS}


def test_a_store_from_before_gets_the_column_and_its_copies_stay_valid(tmp_path):
    path = tmp_path / "old.db"
    with Store(path) as s:
        prev = _first_run(s)
        copied = _copied_by_hand(s, prev, TOPS)
        want = list(s.finding_rows(copied))
    db = sqlite3.connect(path)
    db.execute("ALTER TABLE items DROP COLUMN source_run")  # as the copying versions left it
    db.commit()
    db.close()
    with Store(path) as s:
        assert "source_run" in {r[1] for r in s.db.execute("PRAGMA table_info(items)")}
        assert list(s.finding_rows(copied)) == want
        third = _referenced(s, copied, TOPS)  # refers to the old run's own copies
        assert list(s.finding_rows(third)) == want
        assert set(s.db.execute("SELECT source_run FROM items WHERE run_id = ?", (third,))) == {(copied,)}


def test_unchanged_audits_add_no_findings_and_report_them_all(tmp_path: Path) -> None:
    share = tmp_path / "share"
    first_share(share)
    cfg = config(tmp_path, share)
    kit = audit_kit()
    args = dict(registry=kit.registry, key=KEY, placement=INLINE, guess_language=False)
    runs = [run_audit(cfg, **args)]
    change_share(share)
    runs += [run_audit(cfg, **args) for _ in range(3)]  # changed, unchanged, unchanged
    with Store(cfg.history) as store:
        rows = [store.db.execute("SELECT COUNT(*) FROM findings WHERE run_id = ?", (r.run_id,)).fetchone()[0]
                for r in runs]
        assert rows[0] > 0 and rows[2] == rows[3] == 0  # unchanged: nothing written
        counts = [store.finding_count(r.run_id) for r in runs]
        assert counts[1] == counts[2] == counts[3] > 0
        assert [store.run(r.run_id).counters["findings"] for r in runs] == counts
        assert store.violations(runs[3].run_id) == store.violations(runs[1].run_id) != []
        last = runs[3].run_id
        never_chained = {s for (s,) in store.db.execute(
            "SELECT DISTINCT source_run FROM items WHERE run_id = ?", (last,))}
        assert never_chained <= {runs[0].run_id, runs[1].run_id}
    lines = {}
    for r in runs[1:]:
        out = CliRunner().invoke(main, ["report", str(r.run_id), "--format", "jsonl",
                                        "--db", str(cfg.history)])
        assert out.exit_code == 0, out.output
        lines[r.run_id] = [ln for ln in out.output.splitlines() if '"kind": "finding"' in ln]
    got = list(lines.values())
    assert len(got[0]) == counts[1] and got[0] == got[1] == got[2]
    assert all(json.loads(ln)["location"] for ln in got[2])
