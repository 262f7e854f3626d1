"""The HTML report: one self-contained file for people, readable offline and on paper.

Everything is inline (CSS, a little script, SVG charts drawn here) and a
Content-Security-Policy forbids the page any network access, so opening a
report can never call out. Jinja autoescaping is on: file names and
messages from the share are data, not markup. Raw values appear only when
the run itself was made with --reveal.

Big runs stay readable: locations are aggregated in a first pass and only
the most sensitive ones get a drill-down, each capped at `MAX_ROWS` rows.
"""

from __future__ import annotations

import json
import os
import shlex
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TextIO

from jinja2 import Environment, PackageLoader

from .. import __version__
from ..changes import has_rules
from ..model import SENSITIVITY, EntityType, Severity
from ..store import ROW_POINTER, entity_of, finding_from_row, pointer_dict
from ..triage import Triage, Verdict
from . import RunReport
from .charts import Bar, Part, RunPoint, horizontal_bars, trend
from .i18n import Strings

MAX_ROWS = 200  # findings shown per location
MAX_LOCATIONS = 1000  # locations with a drill-down
MAX_CHANGE_ROWS = 200
MAX_ERROR_ROWS = 100  # locations listed per error reason
MAX_VIOLATIONS = 5000
TREND_RUNS = 12
TOP_FOLDERS = 12
SEVERITIES = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW)

CSP = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
       "img-src data:; base-uri 'none'; form-action 'none'")


def _env() -> Environment:
    env = Environment(loader=PackageLoader("piiscan.reports", "templates"), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["shellquote"] = shlex.quote
    env.filters["when"] = when
    return env


def when(iso: str) -> str:
    """A stored UTC timestamp as people read it: 2026-11-02 03:15 UTC."""
    try:
        t = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return str(iso)
    return t.strftime("%Y-%m-%d %H:%M") + (" UTC" if t.utcoffset() is not None and not t.utcoffset() else "")


def folder_of(location: str) -> str:
    """The folder a finding counts toward: the top-level file's directory, or the database."""
    if "://" in location:
        return location.split("#", 1)[0]
    outer = location.split("!", 1)[0]
    return os.path.dirname(outer)


def pointer_text(pointer: dict[str, Any], s: Strings) -> str:
    return " · ".join(f"{s('ptr.' + k)} {v}" for k, v in pointer.items())


@dataclass
class Row:
    entity: str
    severity: Severity
    masked: str
    value: str | None
    value_hash: str
    pointer: str
    score: float
    detector: str
    verdict: Verdict | None


@dataclass
class Place:
    location: str
    counts: Counter[str] = field(default_factory=Counter)
    weight: int = 0
    top: Severity = Severity.LOW
    rows: list[Row] = field(default_factory=list)
    more: int = 0
    confirmed: int = 0


_SEVERITY = {str(e): SENSITIVITY.get(e, Severity.LOW) for e in EntityType}


def _severity(entity: str) -> Severity:
    severity = _SEVERITY.get(entity)
    return severity if severity is not None else SENSITIVITY.get(EntityType(entity), Severity.LOW)


def build_view(report: RunReport) -> dict[str, Any]:
    """Everything the template shows, computed in two passes over the run's findings."""
    s = Strings(report.language)
    run, store = report.run, report.store
    triage: Triage = report.extra.get("triage") or Triage.load(store, run)

    # pass 1: counts per location after triage
    places: dict[str, Place] = {}
    by_entity: Counter[str] = Counter()
    hidden: Counter[str] = Counter()
    hidden_keys: set[tuple[str, str]] = set()
    flagged = expired = 0
    rules = has_rules(triage)
    # without marks or allow-lists nothing is hidden: the store counts for us
    for location, et, n in (() if rules else store.location_counts(run.id)):
        place = places.get(location) or places.setdefault(location, Place(location))
        severity = _severity(et)
        place.counts[et] += n
        place.weight += int(severity) * n
        place.top = max(place.top, severity)
        by_entity[et] += n
    for f in (report.findings() if rules else ()):
        verdict = triage.finding(f)
        if verdict is not None and verdict.hidden:
            hidden[verdict.status] += 1
            hidden_keys.add((f.location, f.value_hash))
            continue
        place = places.get(f.location) or places.setdefault(f.location, Place(f.location))
        et = str(f.entity_type)
        place.counts[et] += 1
        place.weight += int(f.severity)
        place.top = max(place.top, f.severity)
        by_entity[et] += 1
        if verdict is not None:
            flagged += verdict.status == "confirmed"
            expired += verdict.expired
            place.confirmed += verdict.status == "confirmed"
    ranked = sorted(places.values(), key=lambda p: (-p.weight, p.location))
    shown, rest = ranked[:MAX_LOCATIONS], len(ranked) - MAX_LOCATIONS

    # pass 2: rows for the locations that get a drill-down
    row = _RowMaker(s)
    for place in shown:
        if not rules:
            place.rows = [row(r, None) for r in store.finding_rows(run.id, place.location, MAX_ROWS)]
            place.more = max(0, sum(place.counts.values()) - MAX_ROWS)
        for r in (store.finding_rows(run.id, place.location) if rules else ()):
            verdict = triage.finding(finding_from_row(r))
            if verdict is not None and verdict.hidden:
                continue
            if len(place.rows) >= MAX_ROWS:
                place.more += 1
                continue
            place.rows.append(row(r, verdict))
        place.rows.sort(key=lambda r: -r.severity)  # stable: reading order within a severity

    by_severity: Counter[Severity] = Counter()
    for et, n in by_entity.items():
        by_severity[_severity(et)] += n
    entity_rows = sorted(by_entity.items(), key=lambda kv: (-_severity(kv[0]), -kv[1], kv[0]))

    violations, hidden_violations = [], Counter()
    for v in report.violations:
        verdict = triage.violation(v, hidden_keys)
        if verdict is not None and verdict.hidden:
            hidden_violations[verdict.status] += 1
            continue
        violations.append((v, verdict))
    violations.sort(key=lambda pair: (-pair[0].severity, pair[0].rule, pair[0].location))
    rules: dict[str, list[Any]] = {}
    for v, _ in violations:
        entry = rules.setdefault(v.rule, [0, v.severity])
        entry[0] += 1
        entry[1] = max(entry[1], v.severity)

    changes = report.extra.get("changes")
    if changes is None and report.previous is not None:
        from ..changes import compare_runs
        changes = compare_runs(store, run.id, report.previous.id, triage)

    stale = triage.stale()
    reused = store.db.execute("SELECT COUNT(*) FROM items WHERE run_id = ? AND reused = 1 "
                              "AND instr(location, '!') = 0", (run.id,)).fetchone()[0]
    return {
        "s": s, "run": run, "report": report, "csp": CSP, "version": __version__,
        "lang": s.language, "revealed": run.revealed,
        "total": sum(by_entity.values()), "entity_rows": entity_rows,
        "by_severity": [(sev, by_severity[sev]) for sev in SEVERITIES],
        "severity": _severity,
        "places": shown, "more_places": max(0, rest), "place_count": len(places),
        "violations": violations[:MAX_VIOLATIONS], "more_violations": max(0, len(violations) - MAX_VIOLATIONS),
        "rules": sorted(rules.items(), key=lambda kv: (-kv[1][1], -kv[1][0], kv[0])),
        "violation_severities": [sev for sev in SEVERITIES if any(v.severity == sev for v, _ in violations)],
        "hidden": hidden, "hidden_total": sum(hidden.values()) + sum(hidden_violations.values()),
        "hidden_violations": hidden_violations, "flagged": flagged, "expired": expired,
        "stale": stale, "marks": triage.marks,
        "changes": changes, "change_cap": MAX_CHANGE_ROWS, "previous": report.previous,
        "trend_chart": _trend(report, s), "trend_runs": _trend_runs(report),
        "folder_chart": _folders(ranked, s),
        "errors": _errors(report), "error_cap": MAX_ERROR_ROWS,
        "counters": sorted(run.counters.items()), "reused": reused,
        "params": _params(run.params),
        "policy_checked": bool(run.params.get("policy")),
        "pointer_text": lambda p: pointer_text(p, s),
    }


class _RowMaker:
    """A table row from a stored finding row; pointers repeat, so each is worded once."""

    def __init__(self, s: Strings):
        self.s = s
        self.pointers: dict[str, str] = {}

    def __call__(self, r: tuple[Any, ...], verdict: Verdict | None) -> Row:
        text = self.pointers.get(r[ROW_POINTER])
        if text is None:
            text = self.pointers[r[ROW_POINTER]] = pointer_text(pointer_dict(r[ROW_POINTER]), self.s)
        entity, _, _, masked, value_hash, score, detector, _, value, *_ = r
        return Row(str(entity_of(entity)), _severity(entity), masked, value, value_hash, text, score,
                   detector, verdict)


def _trend_runs(report: RunReport) -> list[Any]:
    run = report.run
    same = [r for r in report.store.runs(run.kind)
            if r.targets == run.targets and r.id <= run.id and (r.status == "done" or r.id == run.id)]
    return same[-TREND_RUNS:]


def _trend(report: RunReport, s: Strings) -> Any:
    runs = _trend_runs(report)
    if len(runs) < 2:
        return None
    db = report.store.db
    points = []
    for r in runs:
        sev = report.store.severity_counts(r.id)
        nviol = db.execute("SELECT COUNT(*) FROM violations WHERE run_id = ?", (r.id,)).fetchone()[0]
        parts = tuple(Part(sev.get(str(x), 0), f"sev-{x}",
                           f"{s('chart.run', id=r.id)}: {sev.get(str(x), 0)} · {s.severity(str(x))}")
                      for x in reversed(SEVERITIES))
        points.append(RunPoint(f"{s('chart.run', id=r.id)} · {r.started[5:10]}", parts, nviol,
                               r.id == report.run.id))
    return trend(points, s("trend"), s("chart.violations"))


def _folders(ranked: list[Place], s: Strings) -> Any:
    weights: dict[str, Counter[Severity]] = defaultdict(Counter)
    for p in ranked:
        for et, n in p.counts.items():
            weights[folder_of(p.location)][_severity(et)] += n
    top = sorted(weights.items(),
                 key=lambda kv: (-sum(int(sev) * n for sev, n in kv[1].items()), kv[0]))[:TOP_FOLDERS]
    bars = []
    for folder, per_sev in top:
        score = sum(int(sev) * n for sev, n in per_sev.items())
        parts = tuple(Part(int(sev) * per_sev[sev], f"sev-{sev}",
                           f"{per_sev[sev]} × {s.severity(str(sev))}")
                      for sev in SEVERITIES if per_sev[sev])
        bars.append(Bar(folder or s("top_level"), parts, s.number(score)))
    return horizontal_bars(bars, s("folders"))


def _errors(report: RunReport) -> list[tuple[str, int, list[Any]]]:
    groups: dict[str, list[Any]] = defaultdict(list)
    for e in report.errors:
        groups[e.reason].append(e)
    return sorted(((reason, len(errs), errs[:MAX_ERROR_ROWS]) for reason, errs in groups.items()),
                  key=lambda g: (-g[1], g[0]))


def _params(params: dict[str, Any]) -> list[tuple[str, str]]:
    out = []
    for k in sorted(params):
        v = params[k]
        if v in (None, (), [], {}, ""):
            continue
        out.append((k, v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, default=str)))
    return out


def render_html(report: RunReport) -> str:
    return _env().get_template("report.html.j2").render(**build_view(report))


def write_html(report: RunReport, out: TextIO) -> None:
    out.write(render_html(report))
