"""What changed between two runs: new, resolved and unchanged findings and violations.

A finding's identity is (location, entity type, keyed hash) — never the raw
value — so an edit elsewhere in a file or a moved line does not make it
"new". A violation's identity is (rule, location, purpose). Findings hidden
by triage are not new or unchanged: they are listed apart as triaged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .model import Finding, Violation
from .store import Store
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


def _finding_row(f: Finding) -> dict[str, Any]:
    # deliberately without `value`: the diff file is kept beside reports and polled by tools
    return {"location": f.location, "entity_type": str(f.entity_type), "value_hash": f.value_hash,
            "masked": f.masked, "severity": str(f.severity), "pointer": f.pointer.as_dict()}


def _violation_row(v: Violation) -> dict[str, Any]:
    return {"rule": v.rule, "location": v.location, "purpose": v.purpose,
            "severity": str(v.severity), "entity_types": [str(e) for e in v.entity_types],
            "count": v.count}


def compare_runs(store: Store, run_id: int, previous_id: int | None,
                 triage: Triage | None = None) -> Changes:
    """Diff two runs of the store; `triage` decides what is hidden in the current one.

    Streams both runs and keeps only identities in memory, so a run with
    millions of findings is compared without holding them.
    """
    triage = triage or Triage()
    changes = Changes(run_id, previous_id)
    before: set[FindingKey] = set()
    if previous_id is not None:
        before = {finding_key(f) for f in store.findings(previous_id)}
    current: set[FindingKey] = set()
    hidden: set[tuple[str, str]] = set()
    for f in store.findings(run_id):
        key = finding_key(f)
        if key in current:
            continue
        current.add(key)
        verdict = triage.finding(f)
        if verdict is not None and verdict.hidden:
            hidden.add((f.location, f.value_hash))
            changes.triaged[key] = _finding_row(f) | {"triage": verdict.status}
        elif key in before:
            changes.unchanged += 1
        else:
            changes.new[key] = _finding_row(f)
    if previous_id is not None:
        for f in store.findings(previous_id):
            key = finding_key(f)
            if key not in current and key not in changes.resolved:
                changes.resolved[key] = _finding_row(f)
    now_v = {violation_key(v): v for v in store.violations(run_id)}
    was_v = {violation_key(v): v for v in store.violations(previous_id)} if previous_id else {}
    for key, v in now_v.items():
        verdict = triage.violation(v, hidden)
        if verdict is not None and verdict.hidden:
            continue
        target = changes.unchanged_violations if key in was_v else changes.new_violations
        target[key] = _violation_row(v)
    for key, v in was_v.items():
        if key not in now_v:
            changes.resolved_violations[key] = _violation_row(v)
    return changes
