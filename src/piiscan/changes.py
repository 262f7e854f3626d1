"""What changed between two runs: new, resolved and unchanged findings and violations.

A finding's identity is (location, entity type, keyed hash) — never the raw
value — so an edit elsewhere in a file or a moved line does not make it
"new". A violation's identity is (rule, location, purpose). Findings hidden
by triage are not new or unchanged: they are listed apart as triaged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Collection, Iterable

from .model import Finding, Violation
from .store import (ROW_ENTITY, ROW_HASH, ROW_LOCATION, ROW_MASKED, ROW_POINTER, Store, entity_of,
                    finding_from_row, pointer_dict, severity_of)
from .triage import Triage

FindingKey = tuple[str, str, str]  # location, entity_type, value_hash
ViolationKey = tuple[str, str, str]  # rule, location, purpose


def finding_key(f: Finding) -> FindingKey:
    return (f.location, str(f.entity_type), f.value_hash)


def violation_key(v: Violation) -> ViolationKey:
    return (v.rule, v.location, v.purpose or "")


@dataclass
class Changes:
    """The diff of run `run_id` against `previous_id` (None: the first run)."""

    run_id: int
    previous_id: int | None
    new: dict[FindingKey, dict[str, Any]] = field(default_factory=dict)
    resolved: dict[FindingKey, dict[str, Any]] = field(default_factory=dict)
    unchanged: int = 0
    triaged: dict[FindingKey, dict[str, Any]] = field(default_factory=dict)
    new_violations: dict[ViolationKey, dict[str, Any]] = field(default_factory=dict)
    resolved_violations: dict[ViolationKey, dict[str, Any]] = field(default_factory=dict)
    unchanged_violations: dict[ViolationKey, dict[str, Any]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        def rows(d: dict[Any, dict[str, Any]]) -> list[dict[str, Any]]:
            return [d[k] for k in sorted(d)]
        return {
            "run": self.run_id,
            "previous_run": self.previous_id,
            "summary": {
                "new": len(self.new), "resolved": len(self.resolved),
                "unchanged": self.unchanged, "triaged": len(self.triaged),
                "new_violations": len(self.new_violations),
                "resolved_violations": len(self.resolved_violations),
                "unchanged_violations": len(self.unchanged_violations),
            },
            "findings": {"new": rows(self.new), "resolved": rows(self.resolved),
                         "triaged": rows(self.triaged)},
            "violations": {"new": rows(self.new_violations),
                           "resolved": rows(self.resolved_violations),
                           "unchanged": rows(self.unchanged_violations)},
        }


def _stored_row(r: tuple[Any, ...]) -> dict[str, Any]:
    """A finding as the diff lists it, straight from its stored row.

    Deliberately without `value`: the diff file is kept beside reports and polled by tools.
    """
    return {"location": r[ROW_LOCATION], "entity_type": str(entity_of(r[ROW_ENTITY])),
            "value_hash": r[ROW_HASH], "masked": r[ROW_MASKED], "severity": severity_of(r[ROW_ENTITY]),
            "pointer": pointer_dict(r[ROW_POINTER])}


def _rows_of(store: Store, first: dict[FindingKey, int]) -> dict[FindingKey, dict[str, Any]]:
    """The listed row of each key, from the id of its first finding."""
    keys = list(first)
    out: dict[FindingKey, dict[str, Any]] = {}
    for i in range(0, len(keys), 500):
        chunk = keys[i:i + 500]
        rows = store.finding_rows_by_id([first[k] for k in chunk])
        out.update((k, _stored_row(rows[first[k]])) for k in chunk)
    return out


def _first_rows(rows: Iterable[tuple[Any, ...]]) -> dict[FindingKey, dict[str, Any]]:
    """The listed row of each key, from the rows of the first finding of each, in their order."""
    return {(r[ROW_LOCATION], r[ROW_ENTITY], r[ROW_HASH]): _stored_row(r) for r in rows}


def _judge(store: Store, run_id: int, previous_id: int | None, triage: Triage, changes: Changes,
           hidden: set[tuple[str, str]]) -> int:
    """The findings part of the diff when triage may hide some: fills `changes` and `hidden`;
    returns how many identities the run has."""
    # key → id of its first finding (by location, then id): that one is listed if resolved
    before: dict[FindingKey, int] = {}
    if previous_id is not None:
        for location, entity, value_hash, fid in store.finding_keys(previous_id):
            before.setdefault((location, entity, value_hash), fid)
    current: set[FindingKey] = set()
    for r in store.finding_rows(run_id):
        key = (r[ROW_LOCATION], r[ROW_ENTITY], r[ROW_HASH])  # finding_key, from the row
        if key in current:
            continue
        current.add(key)
        verdict = triage.finding(finding_from_row(r))
        if verdict is not None and verdict.hidden:
            hidden.add((r[ROW_LOCATION], r[ROW_HASH]))
            changes.triaged[key] = _stored_row(r) | {"triage": verdict.status}
        elif key in before:
            changes.unchanged += 1
        else:
            changes.new[key] = _stored_row(r)
    changes.resolved = _rows_of(store, {k: fid for k, fid in before.items() if k not in current})
    return len(current)


def has_rules(triage: Triage) -> bool:
    """Whether triage can say anything at all (marks or allow-lists); most stores have none."""
    return bool(triage.marks or triage.allow.values or triage.allow.locations)


def _violation_row(v: Violation) -> dict[str, Any]:
    return {"rule": v.rule, "location": v.location, "purpose": v.purpose,
            "severity": str(v.severity), "entity_types": [str(e) for e in v.entity_types],
            "count": v.count}


def compare_runs(store: Store, run_id: int, previous_id: int | None,
                 triage: Triage | None = None, copied: Collection[str] = ()) -> Changes:
    """Diff two runs of the store; `triage` decides what is hidden in the current one.

    Without triage rules (most stores) the diff is done by SQLite: an
    EXCEPT each way over the two runs' identities, taken in the location
    order of their index, and a count; only the rows of what is new or
    resolved come back to Python. With rules, the current run is streamed
    and a finding is built for triage to judge (the first of each
    identity); only identities are kept in memory.

    `copied` are top-level items whose rows, members' included, the current
    run copied from the previous one and wrote nothing else under (an
    audit's unchanged files). Identities belong to one location, so theirs
    are all unchanged: only the rest is compared. Each run's identity count
    is recorded, so the next diff need not count its own.
    """
    triage = triage or Triage()
    changes = Changes(run_id, previous_id)
    hidden: set[tuple[str, str]] = set()
    rules = has_rules(triage)
    if rules:
        store.record_identity_count(run_id, _judge(store, run_id, previous_id, triage, changes, hidden))
    elif previous_id is None:  # every identity is new: its first finding is listed once
        changes.new = _first_rows(store.first_rows_missing(run_id, None))
        store.record_identity_count(run_id, len(changes.new))
    else:
        places = store.places_besides(run_id, previous_id, copied) if copied else None
        changes.new = _first_rows(store.first_rows_missing(run_id, previous_id, places))
        changes.resolved = _first_rows(store.first_rows_missing(previous_id, run_id, places))
        before = store.recorded_identity_count(previous_id)
        if before is None:
            total = store.identity_count(run_id)
            changes.unchanged = total - len(changes.new)
        else:  # what the previous run had, less what is gone
            changes.unchanged = before - len(changes.resolved)
            total = changes.unchanged + len(changes.new)
        store.record_identity_count(run_id, total)
    now_v = {violation_key(v): v for v in store.violations(run_id)}
    was_v = {violation_key(v): v for v in store.violations(previous_id)} if previous_id else {}
    for key, v in now_v.items():
        verdict = triage.violation(v, hidden) if rules else None
        if verdict is not None and verdict.hidden:
            continue
        target = changes.unchanged_violations if key in was_v else changes.new_violations
        target[key] = _violation_row(v)
    for key, v in was_v.items():
        if key not in now_v:
            changes.resolved_violations[key] = _violation_row(v)
    return changes
