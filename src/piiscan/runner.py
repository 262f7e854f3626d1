"""One scan run from targets to a finished row in the store.

The CLI's `scan`, `audit` and `breach` commands all go through `run_scan`,
so every entry point records the same things the same way.
"""

from __future__ import annotations

import logging
import os
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Iterable, Iterator, Sequence

from .engine import Event, ItemDone, Scanner, ScanOptions
from .model import Finding, Item, ScanError, Segment
from .redact import Redactor
from .registry import Registry
from .store import Store

log = logging.getLogger("piiscan")


class UsageError(Exception):
    """The user asked for something that cannot work; exit code 2."""


class ScanAborted(Exception):
    """The scan as a whole could not go on (a database unreachable); exit code 3."""


@dataclass
class Progress:
    """Counts as the scan goes, for a progress line and the run's counters."""

    items: int = 0
    findings: int = 0
    errors: int = 0
    callback: Callable[["Progress", str], None] | None = None

    def update(self, event: Event) -> None:
        if isinstance(event, ItemDone):
            self.items += 1
            if self.callback:
                self.callback(self, event.location)
        elif isinstance(event, Finding):
            self.findings += 1
        elif isinstance(event, ScanError):
            self.errors += 1


def display_target(target: str) -> str:
    """A target as it may be shown and stored: a URL loses its password."""
    if "://" in target:
        try:
            from sqlalchemy.engine import make_url
            return make_url(target).render_as_string(hide_password=True)
        except Exception:
            return target.split("://", 1)[0] + "://<url hidden>"
    return target


def prefixed(items: Iterable[Item | ScanError], prefix: str) -> Iterator[Item | ScanError]:
    """With several roots, locations start with the root's name so they stay apart."""
    for it in items:
        if isinstance(it, ScanError):
            yield ScanError(f"{prefix}/{it.location}", it.reason, it.detail)
        else:
            yield Item(f"{prefix}/{it.location}", it.name, it.open, it.info, it.media_type,
                       it.payload, it.depth)


def resolve_sources(registry: Registry, targets: Sequence[str]) -> list[tuple[str, Any]]:
    pairs = []
    for t in targets:
        source = registry.source_for(t)
        if source is None:
            if "://" in t:
                raise UsageError(f"no source can read {display_target(t)!r}: is its database driver "
                                 "installed? (`piiscan sources` lists what is available)")
            raise UsageError(f"{t!r} does not exist (give a folder, a file or a database URL)")
        pairs.append((t, source))
    return pairs


def run_scan(store: Store, registry: Registry, redactor: Redactor, options: ScanOptions,
             targets: Sequence[str], *, params: dict[str, Any] | None = None, kind: str = "scan",
             observe: Callable[[int, Segment], None] | None = None,
             language: Callable[[str], str | None] | None = None,
             progress: Progress | None = None,
             on_event: Callable[[int, Event], None] | None = None,
             items_filter: Callable[[int, Iterable[Item | ScanError]], Iterable[Item | ScanError]] | None = None,
             ) -> int:
    """Scan `targets` into a new run of `store`; return the run id.

    `items_filter` lets an incremental audit drop unchanged items (and copy
    their earlier findings) before anything is read.
    """
    pairs = resolve_sources(registry, targets)
    shown = [display_target(t) for t in targets]
    run_id = store.begin_run(shown, params or {}, kind=kind,
                             as_of=options.as_of.isoformat() if options.as_of else None,
                             revealed=options.reveal)
    progress = progress or Progress()
    status = "failed"
    observers = [lambda seg: observe(run_id, seg)] if observe else []
    scanner = Scanner(registry, redactor, options, language=language, observers=observers)
    try:
        for target, source in pairs:
            items: Iterable[Item | ScanError] = source.items(target, options)
            if len(pairs) > 1 and "://" not in target:
                items = prefixed(items, os.path.basename(os.path.normpath(target)) or target)
            if items_filter is not None:
                items = items_filter(run_id, items)
            for event in scanner.scan_items(items):
                record(store, run_id, event)
                progress.update(event)
                if on_event:
                    on_event(run_id, event)
        status = "done"
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        counters = dict(scanner.ctx.counters)
        counters.update(items=progress.items, findings=progress.findings, errors=progress.errors)
        scanner.close()
        store.finish_run(run_id, status, counters)
    return run_id


def record(store: Store, run_id: int, event: Event) -> None:
    if isinstance(event, Finding):
        store.add_finding(run_id, event)
    elif isinstance(event, ScanError):
        store.add_error(run_id, event)
    elif isinstance(event, ItemDone):
        store.add_item(run_id, event.location, event.info, event.media_type, event.reader,
                       event.findings, event.sha256, event.error)


def options_params(options: ScanOptions) -> dict[str, Any]:
    """The run's parameters as recorded (and shown in reports)."""
    d = asdict(options)
    d["entities"] = sorted(options.entities) if options.entities else None
    d["as_of"] = options.as_of.isoformat() if options.as_of else None
    return d
