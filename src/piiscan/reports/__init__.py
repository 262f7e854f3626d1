"""Reports: one writer per format, all fed the same `RunReport`.

Writers take an open text stream; the CLI opens it owner-only. Formats:
table (terminal), jsonl, csv, sarif, html.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Callable, Iterator, TextIO

from ..model import Finding, ScanError, Violation
from ..store import RunInfo, Store

# format name → "module:function"; imported on use so a missing optional
# dependency of one format never breaks the others.
FORMATS: dict[str, str] = {
    "table": "piiscan.reports.table:write_table",
    "jsonl": "piiscan.reports.jsonl:write_jsonl",
    "csv": "piiscan.reports.csvfile:write_csv",
    "sarif": "piiscan.reports.sarif:write_sarif",
    "html": "piiscan.reports.html:write_html",
}


@dataclass
class RunReport:
    """What a report shows about one run; findings are re-read from the store on demand."""

    run: RunInfo
    store: Store
    violations: list[Violation]
    errors: list[ScanError]
    counts: dict[str, int]
    items: int
    previous: RunInfo | None = None
    language: str = "en"
    extra: dict = field(default_factory=dict)

    @classmethod
    def load(cls, store: Store, run_id: int, language: str = "en") -> "RunReport":
        run = store.run(run_id)
        if run is None:
            raise LookupError(f"no run {run_id} in {store.path}")
        items = store.db.execute("SELECT COUNT(*) FROM items WHERE run_id = ?", (run_id,)).fetchone()[0]
        return cls(run, store, store.violations(run_id), store.errors(run_id), store.counts(run_id),
                   items, store.previous_run(run_id), language)

    def findings(self) -> Iterator[Finding]:
        return self.store.findings(self.run.id)


def writer(fmt: str) -> Callable[[RunReport, TextIO], None]:
    try:
        module, func = FORMATS[fmt].split(":")
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}; use one of: {', '.join(FORMATS)}") from None
    return getattr(importlib.import_module(module), func)
