"""JSON Lines: findings, violations and errors in one stream, told apart by "kind"."""

from __future__ import annotations

import json
from typing import TextIO

from . import RunReport


def write_jsonl(report: RunReport, out: TextIO) -> None:
    for f in report.findings():
        out.write(json.dumps(f.as_dict(), ensure_ascii=False) + "\n")
    for v in report.violations:
        out.write(json.dumps(v.as_dict(), ensure_ascii=False) + "\n")
    for e in report.errors:
        out.write(json.dumps(e.as_dict(), ensure_ascii=False) + "\n")
