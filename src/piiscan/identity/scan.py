"""Scanning a breach scope in memory, with values revealed and prose lines known.

The store is not used: a breach assessment needs the raw values (to tell
people which SIN, to match a reference list), and those must not end up
in the shared store. Findings stay in this process and are dropped when
the command ends.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Callable, Iterable, Sequence

from ..engine import ItemDone, ScanOptions
from ..model import Finding, Item, Match, ScanError, Segment
from ..redact import Redactor
from ..registry import Registry
from ..runner import display_target, prefixed, resolve_sources
from .link import is_structured


class LineRedactor(Redactor):
    """Reveals values, and notes on which line of a prose segment each one sits.

    A finding only knows its segment (up to ~32 KB of text); people in one
    document are told apart by line, so the line within the segment is
    kept as a (non-raw) attribute.
    """

    def __init__(self, key: bytes, as_of: date | None = None):
        super().__init__(key, reveal=True, as_of=as_of)

    def finding(self, match: Match, segment: Segment) -> Finding:
        f = super().finding(match, segment)
        if is_structured(f):
            return f
        line = segment.text.count("\n", 0, match.start)
        return replace(f, attributes={**f.attributes, "line_in_segment": str(line)})


@dataclass
class ScopeScan:
    """What a breach scan saw: findings (raw, in memory), items read, what could not be."""

    targets: list[str]
    findings: list[Finding] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)
    items: int = 0
    counters: dict[str, int] = field(default_factory=dict)


def breach_options(**overrides: object) -> ScanOptions:
    """Every row of a table, not a sample: each affected person counts."""
    base = dict(reveal=True, full=True, min_score=0.5)
    base.update(overrides)
    return ScanOptions(**base)  # type: ignore[arg-type]


def line_redactor(key: bytes, options: ScanOptions) -> LineRedactor:
    """The breach scan's redactor, built in each worker (a module-level function pickles)."""
    return LineRedactor(key, options.as_of)


def scan_scope(registry: Registry, key: bytes, options: ScanOptions, targets: Sequence[str],
               *, on_item: Callable[[ScopeScan], None] | None = None,
               workers: int | None = None) -> ScopeScan:
    """Scan every target on this machine; raises runner.UsageError for an unknown target.

    A local process pool by default (`workers`: its size, 1 for this process
    alone), as a scan does. Revealed values travel from the workers to this
    process through in-memory pipes only, and stay in memory here: never on
    a cluster, never in the store.
    """
    from ..executors import WorkerSpec, make_executor
    from ..runner import _plugins_env

    pairs = resolve_sources(registry, targets)
    result = ScopeScan([display_target(t) for t in targets])
    temp_root = tempfile.mkdtemp(prefix=f"piiscan-run-{os.getpid()}-")  # 0700, swept if killed
    spec = WorkerSpec(options, key, plugins=_plugins_env(), temp_root=temp_root,
                      redactor_factory=line_redactor)
    executor = make_executor("local", registry, spec, workers=workers)
    try:
        for target, source in pairs:
            items: Iterable[Item | ScanError] = source.items(target, options)
            if len(pairs) > 1 and "://" not in target:
                items = prefixed(items, os.path.basename(os.path.normpath(target)) or target)
            for event in executor.run(items):
                if isinstance(event, Finding):
                    result.findings.append(event)
                elif isinstance(event, ScanError):
                    result.errors.append(event)
                elif isinstance(event, ItemDone):
                    result.items += 1
                    if on_item:
                        on_item(result)
        result.counters = dict(executor.counters)
    finally:
        executor.close()
        shutil.rmtree(temp_root, ignore_errors=True)
    return result
