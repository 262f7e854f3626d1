"""CSV: one row per finding or violation, for spreadsheets and ticketing tools."""

from __future__ import annotations

import csv
import json
from typing import TextIO

from . import RunReport

COLUMNS = ("kind", "entity_type", "severity", "location", "pointer", "masked", "value_hash",
           "score", "detector", "language", "rule", "purpose", "count", "message", "value")


def _safe(text: object) -> str:
    """Neutralise spreadsheet formulas: a cell starting with = + - @ is text."""
    s = "" if text is None else str(text)
    return "'" + s if s[:1] in ("=", "+", "-", "@", "\t", "\r") else s


def write_csv(report: RunReport, out: TextIO) -> None:
    w = csv.writer(out, lineterminator="\n")
    w.writerow(COLUMNS)
    for f in report.findings():
        d = f.as_dict()
        w.writerow([_safe(x) for x in ("finding", d["entity_type"], d["severity"], d["location"],
                    json.dumps(d["pointer"], ensure_ascii=False), d["masked"], d["value_hash"],
                    d["score"], d["detector"], d["language"], "", "", "", "", d.get("value", ""))])
    for v in report.violations:
        w.writerow([_safe(x) for x in ("violation", " ".join(str(e) for e in v.entity_types),
                    str(v.severity), v.location, "", "", "", "", "", "", v.rule, v.purpose or "",
                    v.count, v.message, "")])
    for e in report.errors:
        w.writerow([_safe(x) for x in ("error", "", "", e.location, "", "", "", "", "", "",
                    e.reason, "", "", e.detail, "")])
