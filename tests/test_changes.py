"""The diff between two runs, read from identities in the store, against the plain reading:
every finding built, compared by `finding_key`, triage asked about each."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

import pytest

import piiscan.changes as changes_mod
from piiscan.changes import Changes, compare_runs, finding_key, violation_key
from piiscan.model import EntityType, Finding, Pointer, Severity, Violation
from piiscan.store import Store
from piiscan.triage import AllowList, Mark, Triage

SIN, EMAIL, PERSON = EntityType.CA_SIN, EntityType.EMAIL_ADDRESS, EntityType.PERSON


def _f(location: str, entity: EntityType, n: int, line: int, masked: str = "***") -> Finding:
    return Finding(entity, location, Pointer(line=line, sheet="été" if n % 2 else None), masked,
                   f"hmac-sha256:{n:064x}", 0.9, "d", value="raw value")


BEFORE = [
    _f("hr/a.csv", SIN, 1, 1), _f("hr/a.csv", SIN, 1, 9, "first-masked-wins?"),  # same key twice
    _f("hr/a.csv", EMAIL, 2, 2), _f("hr/b.csv", SIN, 3, 1), _f("gone.txt", PERSON, 4, 1),
    _f("gone.txt", PERSON, 4, 2), _f("x.zip!in.txt", EMAIL, 5, 3), _f("tests/t.txt", SIN, 6, 1),
]
AFTER = [
    _f("hr/a.csv", SIN, 1, 5, "moved line"), _f("hr/a.csv", EMAIL, 2, 2),
    _f("hr/b.csv", SIN, 7, 1), _f("hr/b.csv", SIN, 7, 4), _f("new.txt", EMAIL, 8, 1),
    _f("x.zip!in.txt", EMAIL, 5, 3), _f("tests/t.txt", SIN, 6, 1), _f("tests/t.txt", SIN, 9, 2),
    _f("allowed/z.txt", PERSON, 10, 1),
]
VIOLATIONS_BEFORE = [Violation("r1", Severity.HIGH, "hr/a.csv", "m", "pay", (SIN,), 1, "",
                               ("hmac-sha256:" + f"{1:064x}",)),
                     Violation("r2", Severity.LOW, "gone.txt", "m", None, (PERSON,), 2)]
VIOLATIONS_AFTER = [Violation("r1", Severity.HIGH, "hr/a.csv", "m", "pay", (SIN,), 1),
                    Violation("r3", Severity.HIGH, "tests/t.txt", "m", None, (SIN,), 2, "",
                              tuple("hmac-sha256:" + f"{n:064x}" for n in (6, 9)))]


def _runs(store: Store) -> tuple[int, int]:
    ids = []
    for findings, violations in ((BEFORE, VIOLATIONS_BEFORE), (AFTER, VIOLATIONS_AFTER)):
        run = store.begin_run(["share"], {}, kind="audit")
        for f in findings:
            store.add_finding(run, f)
        store.add_violations(run, violations)
        store.finish_run(run, "done")
        ids.append(run)
    return ids[0], ids[1]


def _row(f: Finding) -> dict[str, Any]:
    return {"location": f.location, "entity_type": str(f.entity_type), "value_hash": f.value_hash,
            "masked": f.masked, "severity": str(f.severity), "pointer": f.pointer.as_dict()}


def _plain_diff(store: Store, run: int, previous: int | None, triage: Triage) -> Changes:
    """What the diff means, written the obvious way (it built every finding three times)."""
    out = Changes(run, previous)
    before = {finding_key(f) for f in store.findings(previous)} if previous else set()
    current, hidden = set(), set()
    for f in store.findings(run):
        key = finding_key(f)
        if key in current:
            continue
        current.add(key)
        verdict = triage.finding(f)
        if verdict is not None and verdict.hidden:
            hidden.add((f.location, f.value_hash))
            out.triaged[key] = _row(f) | {"triage": verdict.status}
        elif key in before:
            out.unchanged += 1
        else:
            out.new[key] = _row(f)
    for f in (store.findings(previous) if previous else ()):
        key = finding_key(f)
        if key not in current and key not in out.resolved:
            out.resolved[key] = _row(f)
    now_v = {violation_key(v): v for v in store.violations(run)}
    was_v = {violation_key(v): v for v in store.violations(previous)} if previous else {}
    for key, v in now_v.items():
        verdict = triage.violation(v, hidden)
        if verdict is not None and verdict.hidden:
            continue
        (out.unchanged_violations if key in was_v else out.new_violations)[key] = \
            changes_mod._violation_row(v)
    for key, v in was_v.items():
        if key not in now_v:
            out.resolved_violations[key] = changes_mod._violation_row(v)
    return out


def _triages() -> dict[str, Triage]:
    today = date(2026, 11, 1)
    return {
        "none": Triage(today=today),
        "marks": Triage([Mark(1, "tests/*", "test_data"),
                         Mark(2, "hr/*", "false_positive", "hmac-sha256:" + f"{7:064x}"),
                         Mark(3, "hr/a.csv", "accepted", entity_type="EMAIL_ADDRESS",
                              until=date(2026, 1, 1))], today=today),
        "allow": Triage(allow=AllowList(frozenset({"hmac-sha256:" + f"{8:064x}"}), ("allowed/*",)),
                        today=today),
    }


@pytest.mark.parametrize("name", ["none", "marks", "allow"])
@pytest.mark.parametrize("first_run", [False, True])
def test_the_diff_is_the_plain_one(tmp_path, name, first_run):
    with Store(tmp_path / "p.db") as store:
        before, after = _runs(store)
        previous = None if first_run else before
        got = compare_runs(store, after, previous, _triages()[name])
        want = _plain_diff(store, after, previous, _triages()[name])
    assert got.as_dict() == want.as_dict()
    assert got.new == want.new and got.resolved == want.resolved  # the same first finding listed
    assert list(got.new) == list(want.new) and list(got.resolved) == list(want.resolved)  # in order
    if name == "marks" and not first_run:
        assert got.as_dict()["summary"] == {"new": 2, "resolved": 2, "unchanged": 3, "triaged": 3,
                                           "new_violations": 0, "resolved_violations": 1,
                                           "unchanged_violations": 1}


def test_triage_is_asked_only_when_it_has_something_to_say(tmp_path, monkeypatch):
    asked: list[str] = []
    monkeypatch.setattr(Triage, "finding", lambda self, f: asked.append(f.location))
    with Store(tmp_path / "p.db") as store:
        before, after = _runs(store)
        compare_runs(store, after, before, Triage())
        assert asked == []
        compare_runs(store, after, before, Triage([Mark(1, "nowhere/*", "test_data")]))
        assert len(asked) == len({finding_key(f) for f in AFTER})


def _random_runs(store: Store, seed: int) -> tuple[int, int]:
    """Two runs sharing part of their findings: places that sort oddly (case, accents, archive
    members, a space before '!'), the same identity several times, types crossing places."""
    rng = random.Random(seed)
    places = ["a.txt", "A.txt", "a b.txt", "a.zip", "a.zip!in.txt", "a.zip!in.zip!deep.csv",
              "été/é.txt", "ete/e.txt", "z/ü.csv", "Z/u.csv"]
    types = [SIN, EMAIL, PERSON]
    pool = [(rng.choice(places), rng.choice(types), rng.randrange(40)) for _ in range(120)]
    ids = []
    for kept in (pool[:90], pool[30:]):
        run = store.begin_run(["share"], {}, kind="audit")
        rows = [rng.choice(kept) for _ in range(300)]
        store.add_findings(run, (_f(loc, e, n, rng.randrange(1, 50), masked=f"m{rng.randrange(9)}")
                                 for loc, e, n in rows))
        store.finish_run(run, "done")
        ids.append(run)
    return ids[0], ids[1]


@pytest.mark.parametrize("seed", range(4))
def test_the_diff_in_sql_lists_what_the_plain_one_lists_in_its_order(tmp_path, seed):
    with Store(tmp_path / "p.db") as store:
        before, after = _random_runs(store, seed)
        for run, previous in ((after, before), (before, after), (after, None)):
            got = compare_runs(store, run, previous, Triage())
            want = _plain_diff(store, run, previous, Triage())
            assert got.as_dict() == want.as_dict()
            assert list(got.new.items()) == list(want.new.items())
            assert list(got.resolved.items()) == list(want.resolved.items())
            assert got.unchanged == want.unchanged and got.new  # the data exercise every part
            assert previous is None or (got.unchanged and got.resolved)


def test_without_triage_rules_no_finding_is_streamed_through_python(tmp_path, monkeypatch):
    with Store(tmp_path / "p.db") as store:
        before, after = _runs(store)
        for name in ("finding_rows", "finding_keys", "findings"):
            monkeypatch.setattr(Store, name, lambda *a, **k: pytest.fail("streamed every finding"))
        got = compare_runs(store, after, before, Triage())
    assert got.as_dict()["summary"]["new"] == 4


# -- rescans that copied most items from the previous run ---------------------------
# Top-level places that a prefix or range test would mix up with one another or with their
# members: an item and its members (nested too), names that extend another with a space ("a b"
# sorts between "a" and "a!x") or with '"' (right after "!"), accents, the last code point.
TOPS = ["a", "a b", 'a"', "a.zip", "a.zip.bak", "ab", "A", "été/é.txt", "z/ü.csv",
        "\U0010ffff", "\U0010ffff\U0010ffff"]
TAILS = ["", "", "!in.txt", "!in.zip!deep.csv", "! space", '!"q']


def _random_findings(rng: random.Random, tops: list[str], n: int, salt: int) -> list[Finding]:
    """Findings under these items (members too); values shared across runs, with repeats."""
    types = [SIN, EMAIL, PERSON]
    return [_f(rng.choice(tops) + rng.choice(TAILS), rng.choice(types), rng.randrange(salt, salt + 25),
               rng.randrange(1, 50), masked=f"m{rng.randrange(9)}") for _ in range(n)]


def _rescan(store: Store, previous: int, rng: random.Random) -> tuple[int, set[str]]:
    """A run as an audit rescan writes it: some items' rows copied from `previous` (in
    batches, as the walk finds them), the others read afresh, and copies of this run's
    items under other names. Returns the run and the items copied from `previous`."""
    run = store.begin_run(["share"], {}, kind="audit")
    copied = set(rng.sample(TOPS, rng.randrange(len(TOPS) + 1)))
    ordered = sorted(copied)
    for i in range(0, len(ordered), 3):
        store.copy_items(previous, run, ordered[i:i + 3])
    rest = [t for t in TOPS if t not in copied]
    if rest:
        read, dups = rest[:max(1, len(rest) - 2)], rest[max(1, len(rest) - 2):]
        store.add_findings(run, _random_findings(rng, read, rng.randrange(0, 60), rng.randrange(20)))
        for dup in dups:  # what this run found elsewhere, not what the previous run had here
            store.copy_rows(run, run, rng.choice(TOPS), as_location=dup)
    store.finish_run(run, "done")
    return run, copied


@pytest.mark.parametrize("seed", range(12))
def test_the_diff_of_a_rescan_compares_only_what_was_not_copied(tmp_path, seed):
    rng = random.Random(seed)
    with Store(tmp_path / "p.db") as store:
        run = store.begin_run(["share"], {}, kind="audit")
        store.add_findings(run, _random_findings(rng, TOPS, 200, 0))
        store.finish_run(run, "done")
        compare_runs(store, run, None, Triage())  # records the first run's count
        for step in range(4):
            previous = run
            run, copied = _rescan(store, previous, rng)
            if step == 2:  # a store from before counts were recorded: counted in full
                store.db.execute("DELETE FROM identity_counts WHERE run_id = ?", (previous,))
            got = compare_runs(store, run, previous, Triage(), copied=copied)
            want = _plain_diff(store, run, previous, Triage())
            assert got.as_dict() == want.as_dict()
            assert list(got.new.items()) == list(want.new.items())
            assert list(got.resolved.items()) == list(want.resolved.items())
            # what the next diff derives its count from is the run's true count
            assert store.recorded_identity_count(run) == store.identity_count(run)
            whole = compare_runs(store, run, previous, Triage())  # every place compared
            assert whole.as_dict() == got.as_dict()
            # and only what was not copied was compared
            assert store.places_besides(run, previous, copied) == {
                f.location for r in (run, previous) for f in store.findings(r)
                if f.location.split("!")[0] not in copied}


def test_a_rescan_that_copied_everything_reads_no_finding_of_either_run(tmp_path, monkeypatch):
    rng = random.Random(7)
    with Store(tmp_path / "p.db") as store:
        first = store.begin_run(["share"], {}, kind="audit")
        store.add_findings(first, _random_findings(rng, TOPS, 200, 0))
        store.finish_run(first, "done")
        compare_runs(store, first, None, Triage())
        second = store.begin_run(["share"], {}, kind="audit")
        store.copy_items(first, second, TOPS)
        store.finish_run(second, "done")
        asked: list[str] = []
        real = store.db

        class Spy:
            def execute(self, sql: str, *args: Any) -> Any:
                asked.append(sql)
                return real.execute(sql, *args)

            def __getattr__(self, name: str) -> Any:
                return getattr(real, name)
        store.db = Spy()
        for name in ("finding_rows", "finding_keys", "findings", "identity_count"):
            monkeypatch.setattr(Store, name, lambda *a, **k: pytest.fail("read every finding"))
        got = compare_runs(store, second, first, Triage(), copied=TOPS)
        monkeypatch.undo()
        store.db = real
        # the places of each run's own rows, from the index; counts of rows; nothing compared,
        # and no referenced finding read for its place
        assert not [sql for sql in asked if "FROM findings" in sql and "DISTINCT location" not in sql
                    and not sql.startswith("SELECT COUNT(*) FROM (SELECT location FROM findings WHERE run_id = ?1")]
        assert any("DISTINCT location" in sql for sql in asked)
        assert not [sql for sql in asked if "DISTINCT location" in sql and "JOIN" in sql]
        assert got.as_dict() == _plain_diff(store, second, first, Triage()).as_dict()
        assert got.unchanged == store.identity_count(first) and not got.new and not got.resolved


def test_a_count_is_not_used_once_the_run_has_other_findings(tmp_path):
    with Store(tmp_path / "p.db") as store:
        first = store.begin_run(["share"], {}, kind="audit")
        store.add_findings(first, [_f("a.txt", SIN, 1, 1), _f("b.txt", EMAIL, 2, 1)])
        store.finish_run(first, "done")
        compare_runs(store, first, None, Triage())
        assert store.recorded_identity_count(first) == 2
        store.add_findings(first, [_f("c.txt", PERSON, 3, 1)])  # written since
        assert store.recorded_identity_count(first) is None
        compare_runs(store, first, None, Triage())
        assert store.recorded_identity_count(first) == 3
        store.finish_run(first, "done")  # finished again (resumed): the count is dropped
        assert store.db.execute("SELECT COUNT(*) FROM identity_counts").fetchone()[0] == 0
        second = store.begin_run(["share"], {}, kind="audit")
        store.copy_items(first, second, ["a.txt", "c.txt"])
        store.add_findings(second, [_f("b.txt", EMAIL, 4, 1)])
        store.finish_run(second, "done")
        got = compare_runs(store, second, first, Triage(), copied=["a.txt", "c.txt"])
        assert got.as_dict() == _plain_diff(store, second, first, Triage()).as_dict()
        assert (got.unchanged, len(got.new), len(got.resolved)) == (2, 1, 1)
        assert store.recorded_identity_count(second) == 3
