"""SARIF 2.1.0, for code-scanning dashboards and ticketing tools that read it.

One rule per entity type (`pii/CA_SIN`) and per policy rule
(`policy/retention_exceeded`). A result's artifact URI is its location:
relative to the scanned folder, archive members kept whole
(`mail/2023.zip!exports/donors.csv`), percent-encoded only where a URI
needs it. Line (or text-file row) goes into the region; the full pointer,
the masked value and the keyed hash go into the result's properties, and
the hash is also the partial fingerprint, so tools track a finding across
runs as piiscan does. Findings hidden by triage are kept with a suppression.
"""

from __future__ import annotations

import json
from typing import Any, TextIO
from urllib.parse import quote

from .. import __version__
from ..model import SENSITIVITY, EntityType, Finding, Severity, Violation
from ..triage import Triage, Verdict
from . import RunReport
from .i18n import Strings

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"

LEVEL = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning",
         Severity.LOW: "note"}
# GitHub code scanning ranks results by this 0–10 score
SECURITY_SEVERITY = {Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.5",
                     Severity.LOW: "3.0"}
# RFC 3986 sub-delims and pchar stay as they are; spaces and non-ASCII are encoded
URI_SAFE = "/!$&'()*+,;=:@-._~"


def artifact_uri(location: str) -> str:
    if "://" in location:  # a database table: the URL (already without credentials)
        head, sep, table = location.partition("#")
        return head + sep + quote(table, safe=URI_SAFE)
    return quote(location, safe=URI_SAFE)


def _rule(rule_id: str, name: str, text: str, severity: Severity, tags: list[str]) -> dict[str, Any]:
    return {
        "id": rule_id,
        "name": name,
        "shortDescription": {"text": text},
        "defaultConfiguration": {"level": LEVEL[severity]},
        "properties": {"tags": tags, "security-severity": SECURITY_SEVERITY[severity],
                       "severity": str(severity)},
    }


def _region(pointer: dict[str, Any]) -> dict[str, Any] | None:
    line = pointer.get("line")
    if line is None and pointer.get("row") is not None and not pointer.get("sheet") \
            and not pointer.get("table"):
        line = pointer["row"]  # a row of a delimited text file is a line of it
    if isinstance(line, int) and line >= 1:
        return {"startLine": line}
    offset = pointer.get("offset")
    if isinstance(offset, int) and offset >= 0:
        return {"charOffset": offset}
    return None


def _location(location: str, pointer: dict[str, Any] | None = None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": artifact_uri(location)}}
    region = _region(pointer or {})
    if region:
        physical["region"] = region
    out: dict[str, Any] = {"physicalLocation": physical}
    if pointer and pointer.get("page") is not None:
        # SARIF regions have no page; keep it where a reader of the result sees it
        out["message"] = {"text": f"page {pointer['page']}"}
    return out


def _suppression(v: Verdict) -> dict[str, Any]:
    # "accepted": a person reviewed it and decided it is not to be acted on
    return {"kind": "external", "status": "accepted",
            "justification": f"piiscan triage: {v.status}" + (f" — {v.note}" if v.note else "")}


def _finding_result(f: Finding, index: int, s: Strings, verdict: Verdict | None) -> dict[str, Any]:
    pointer = f.pointer.as_dict()
    props: dict[str, Any] = {"entity_type": str(f.entity_type), "location": f.location,
                             "masked": f.masked, "value_hash": f.value_hash, "pointer": pointer,
                             "score": round(f.score, 2), "detector": f.detector,
                             "severity": str(f.severity)}
    if f.language:
        props["language"] = f.language
    if f.value is not None:
        props["value"] = f.value  # only a --reveal run stores it
    if verdict is not None:
        props["triage"] = verdict.status + (" (expired)" if verdict.expired else "")
    result: dict[str, Any] = {
        "ruleId": f"pii/{f.entity_type}",
        "ruleIndex": index,
        "level": LEVEL[f.severity],
        "message": {"text": f"{s.entity(str(f.entity_type))} {f.masked}"},
        "locations": [_location(f.location, pointer)],
        "partialFingerprints": {"piiscanValueHash/v1": f.value_hash},
        "properties": props,
    }
    if verdict is not None and verdict.hidden:
        result["suppressions"] = [_suppression(verdict)]
    return result


def _violation_result(v: Violation, index: int, verdict: Verdict | None) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": f"policy/{v.rule}",
        "ruleIndex": index,
        "level": LEVEL[v.severity],
        "message": {"text": v.message or v.rule},
        "locations": [_location(v.location)],
        "partialFingerprints": {"piiscanViolation/v1": f"{v.rule}|{v.location}|{v.purpose or ''}"},
        "properties": {"rule": v.rule, "location": v.location, "purpose": v.purpose,
                       "entity_types": [str(e) for e in v.entity_types], "count": v.count,
                       "severity": str(v.severity), "action": v.action},
    }
    if verdict is not None and verdict.hidden:
        result["suppressions"] = [_suppression(verdict)]
    return result


def build_sarif(report: RunReport) -> dict[str, Any]:
    s = Strings(report.language)
    triage: Triage = report.extra.get("triage") or Triage.load(report.store, report.run)
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}

    def rule_index(rule_id: str, make: Any) -> int:
        if rule_id not in index:
            index[rule_id] = len(rules)
            rules.append(make())
        return index[rule_id]

    results = []
    hidden: set[tuple[str, str]] = set()
    for f in report.findings():
        et = str(f.entity_type)
        sev = SENSITIVITY.get(EntityType(et), Severity.LOW)
        i = rule_index(f"pii/{et}", lambda: _rule(f"pii/{et}", et, s.entity(et), sev,
                                                  ["privacy", "pii", et]))
        verdict = triage.finding(f)
        if verdict is not None and verdict.hidden:
            hidden.add((f.location, f.value_hash))
        results.append(_finding_result(f, i, s, verdict))
    worst: dict[str, Severity] = {}
    for v in report.violations:
        worst[v.rule] = max(worst.get(v.rule, v.severity), v.severity)
    for v in report.violations:
        i = rule_index(f"policy/{v.rule}", lambda: _rule(f"policy/{v.rule}", v.rule, s.rule(v.rule),
                                                         worst[v.rule], ["privacy", "policy"]))
        results.append(_violation_result(v, i, triage.violation(v, hidden)))
    run = report.run
    notifications = [{"level": "warning", "message": {"text": f"{e.reason}: {e.detail}" if e.detail else e.reason},
                      "locations": [_location(e.location)], "descriptor": {"id": e.reason}}
                     for e in report.errors]
    invocation: dict[str, Any] = {
        "executionSuccessful": run.status == "done",
        "startTimeUtc": _utc(run.started),
        "toolExecutionNotifications": notifications,
        "properties": {"run_id": run.id, "kind": run.kind, "targets": list(run.targets),
                       "counters": run.counters, "revealed": run.revealed},
    }
    if run.finished:
        invocation["endTimeUtc"] = _utc(run.finished)
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "piiscan", "version": __version__,
                                "semanticVersion": __version__, "rules": rules}},
            "invocations": [invocation],
            "automationDetails": {"id": f"piiscan/{run.kind}/{run.id}"},
            "language": report.language,
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }


def _utc(iso: str) -> str:
    # SARIF wants RFC 3339 in UTC with a Z
    return iso.replace("+00:00", "Z")


def write_sarif(report: RunReport, out: TextIO) -> None:
    json.dump(build_sarif(report), out, ensure_ascii=False, separators=(",", ":"))
    out.write("\n")
