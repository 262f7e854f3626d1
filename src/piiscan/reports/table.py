"""The terminal summary: counts first, then where the sensitive data is."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TextIO

from ..model import SENSITIVITY, EntityType, Severity
from . import RunReport

MAX_ROWS = 40


def write_table(report: RunReport, out: TextIO) -> None:
    run = report.run
    total = sum(report.counts.values())
    out.write(f"piiscan run {run.id}: {report.items} items read, {total} findings, "
              f"{len(report.violations)} violations, {len(report.errors)} items with errors\n")
    if report.counts:
        out.write("\nFindings by type\n")
        order = sorted(report.counts.items(),
                       key=lambda kv: (-SENSITIVITY.get(EntityType(kv[0]), Severity.LOW), -kv[1]))
        for entity, n in order:
            sev = SENSITIVITY.get(EntityType(entity), Severity.LOW)
            out.write(f"  {entity:<20} {n:>7}  ({sev})\n")
    per_loc: dict[str, Counter[str]] = defaultdict(Counter)
    for f in report.findings():
        per_loc[f.location][str(f.entity_type)] += 1
    if per_loc:
        out.write("\nWhere\n")
        ranked = sorted(per_loc.items(), key=lambda kv: -sum(kv[1].values()))
        for loc, c in ranked[:MAX_ROWS]:
            kinds = ", ".join(f"{k} {n}" for k, n in c.most_common())
            out.write(f"  {loc}\n      {kinds}\n")
        if len(ranked) > MAX_ROWS:
            out.write(f"  … and {len(ranked) - MAX_ROWS} more locations (use --format jsonl or html)\n")
    if report.violations:
        out.write("\nViolations\n")
        for v in sorted(report.violations, key=lambda v: (-v.severity, v.location)):
            out.write(f"  [{v.severity}] {v.rule}: {v.location}\n      {v.message}\n")
    if report.errors:
        out.write("\nCould not read\n")
        reasons = Counter(e.reason for e in report.errors)
        for reason, n in reasons.most_common():
            out.write(f"  {reason}: {n}\n")
        for e in report.errors[:MAX_ROWS]:
            out.write(f"    {e.location}: {e.reason}{' — ' + e.detail if e.detail else ''}\n")
