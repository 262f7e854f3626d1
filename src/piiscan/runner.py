"""One scan run from targets to a finished row in the store.

The CLI's `scan`, `audit` and `breach` commands all go through `run_scan`,
so every entry point records the same things the same way.
"""

from __future__ import annotations

import itertools
import logging
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Iterable, Iterator, Sequence

from .engine import Event, ItemDone, RecordDate, ScanOptions
from .model import Finding, Item, ScanError
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


@dataclass(frozen=True)
class Placement:
    """Where the scan runs: `local` process pool (default), `inline`, or `dask`."""

    executor: str = "local"
    workers: int | None = None
    scheduler: str | None = None
    plaintext: bool = False  # a Dask scheduler on another host may be reached without TLS


def run_scan(store: Store, registry: Registry, key: bytes, options: ScanOptions,
             targets: Sequence[str], *, params: dict[str, Any] | None = None, kind: str = "scan",
             policy_path: str | None = None, placement: Placement = Placement(),
             guess_language: bool = True, progress: Progress | None = None,
             on_event: Callable[[int, Event], None] | None = None,
             items_filter: Callable[[int, Iterable[Item | ScanError]], Iterable[Item | ScanError]] | None = None,
             resume: int | None = None,
             registry_factory: Callable[[], Registry] | None = None) -> int:
    """Scan `targets` into a new run of `store` (or finish run `resume`); return the run id.

    `items_filter` lets an incremental audit drop unchanged items (and copy
    their earlier findings) before anything is read.
    """
    pairs = resolve_sources(registry, targets)
    if placement.executor == "dask" and placement.scheduler:
        from .cluster import ClusterRefused, check_scheduler
        try:
            check_scheduler(placement.scheduler, reveal=options.reveal, plaintext=placement.plaintext)
        except ClusterRefused as exc:
            raise UsageError(str(exc)) from None
    shown = [display_target(t) for t in targets]
    if resume is not None:
        run_id = resume
        done = prepare_resume(store, run_id)
        items_filter = _chain(items_filter, lambda _rid, items: (
            it for it in items if isinstance(it, ScanError) or it.location not in done))
    else:
        run_id = store.begin_run(shown, params or {}, kind=kind,
                                 as_of=options.as_of.isoformat() if options.as_of else None,
                                 revealed=options.reveal)
    progress = progress or Progress()
    status = "failed"
    sweep_dead_runs()
    temp_root = tempfile.mkdtemp(prefix=f"piiscan-run-{os.getpid()}-")  # 0700 by construction
    spec_args = dict(temp_root=temp_root, plugins=_plugins_env(), guess_language=guess_language,
                     policy_path=os.path.abspath(policy_path) if policy_path else None,
                     registry_factory=registry_factory)
    executor: Any = None

    def start() -> Any:
        from .executors import WorkerSpec, make_executor
        try:
            return make_executor(placement.executor, registry, WorkerSpec(options, key, **spec_args),
                                 workers=placement.workers, scheduler=placement.scheduler)
        except (OSError, TimeoutError) as exc:
            raise ScanAborted(f"cannot reach the {placement.executor} executor: {exc}") from exc

    try:
        if placement.executor == "dask":  # a cluster out of reach fails the run even with nothing to read
            executor = start()
        for target, source in pairs:
            items: Iterable[Item | ScanError] = source.items(target, options)
            if len(pairs) > 1 and "://" not in target:
                items = prefixed(items, os.path.basename(os.path.normpath(target)) or target)
            if items_filter is not None:
                items = items_filter(run_id, items)
            first = next(iter_items := iter(items), None)
            if first is None:  # nothing to read, no error to record: no executor either
                continue
            if executor is None:
                executor = start()
            recorder = Recorder(store, run_id)
            try:
                for event in executor.run(itertools.chain((first,), iter_items)):
                    recorder.add(event)
                    if isinstance(event, RecordDate):
                        continue
                    progress.update(event)
                    if on_event:
                        on_event(run_id, event)
            finally:
                recorder.flush()
        status = "done"
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        counters = dict(executor.counters) if executor else {}
        counters.update(items=progress.items, findings=progress.findings, errors=progress.errors)
        if resume is not None:
            before = store.run(run_id)
            for k, v in (before.counters if before else {}).items():
                if k in ("items", "findings", "errors"):
                    continue
                counters[k] = counters.get(k, 0) + v
            counters.update(_counts_from_store(store, run_id))
        if executor:
            executor.close()
        shutil.rmtree(temp_root, ignore_errors=True)
        store.finish_run(run_id, status, counters)
    return run_id


def sweep_dead_runs() -> None:
    """Remove private temp dirs that runs killed with SIGKILL left behind."""
    base = tempfile.gettempdir()
    try:
        names = os.listdir(base)
    except OSError:
        return
    for name in names:
        parts = name.split("-")
        if not name.startswith("piiscan-run-") or len(parts) < 4 or not parts[2].isdigit():
            continue
        path = os.path.join(base, name)
        try:
            if os.stat(path).st_uid != os.getuid():
                continue
            os.kill(int(parts[2]), 0)
        except ProcessLookupError:
            shutil.rmtree(path, ignore_errors=True)
        except OSError:
            continue


def _chain(first: Any, second: Any) -> Any:
    if first is None:
        return second
    return lambda rid, items: second(rid, first(rid, items))


def _plugins_env() -> tuple[str, ...] | None:
    env = os.environ.get("PIISCAN_PLUGINS")
    return tuple(n.strip() for n in env.split(",") if n.strip()) if env else None


def top_level(location: str) -> str:
    return location.split("!", 1)[0]


def prepare_resume(store: Store, run_id: int) -> set[str]:
    """Keep what an interrupted run finished; drop the partial rest.

    An item's own row is written after all of its findings and its
    children's, so a top-level item with a row is complete. Everything
    under an item without one is deleted and that item is read again:
    none lost, none twice.
    """
    db = store.db
    done = {loc for (loc,) in db.execute(
        "SELECT location FROM items WHERE run_id = ? AND instr(location, '!') = 0", (run_id,))}
    for table in ("findings", "errors", "record_dates", "items"):
        rows = db.execute(f"SELECT rowid, location FROM {table} WHERE run_id = ?", (run_id,)).fetchall()
        stale = [(rid,) for rid, loc in rows if top_level(loc) not in done]
        db.executemany(f"DELETE FROM {table} WHERE rowid = ?", stale)
    db.execute("UPDATE runs SET status = 'running' WHERE id = ?", (run_id,))
    db.commit()
    return done


def _counts_from_store(store: Store, run_id: int) -> dict[str, int]:
    q = lambda sql: store.db.execute(sql, (run_id,)).fetchone()[0]
    return {"items": q("SELECT COUNT(*) FROM items WHERE run_id = ?"),
            "findings": store.finding_count(run_id),
            "errors": q("SELECT COUNT(*) FROM errors WHERE run_id = ?")}


def resumable_run(store: Store) -> int | None:
    """The latest run that did not finish (killed or interrupted)."""
    row = store.db.execute("SELECT id FROM runs WHERE status IN ('running', 'interrupted', 'failed')"
                           " ORDER BY id DESC LIMIT 1").fetchone()
    return int(row[0]) if row else None


class Recorder:
    """Writes events to the store in their order, consecutive findings in one statement.

    Findings wait at most until the next event of another kind, so an
    item's row is still written after all of its findings (what `--resume`
    relies on), or until FINDINGS_BATCH of them are waiting.
    """

    FINDINGS_BATCH = 1000

    def __init__(self, store: Store, run_id: int):
        self.store = store
        self.run_id = run_id
        self.findings: list[Finding] = []

    def add(self, event: Event | RecordDate) -> None:
        if isinstance(event, Finding):
            self.findings.append(event)
            if len(self.findings) >= self.FINDINGS_BATCH:
                self.flush()
            return
        self.flush()
        record(self.store, self.run_id, event)

    def flush(self) -> None:
        if self.findings:
            self.store.add_findings(self.run_id, self.findings)
            self.findings = []


def record(store: Store, run_id: int, event: Event | RecordDate) -> None:
    if isinstance(event, Finding):
        store.add_finding(run_id, event)
    elif isinstance(event, ScanError):
        store.add_error(run_id, event)
    elif isinstance(event, ItemDone):
        store.add_item(run_id, event.location, event.info, event.media_type, event.reader,
                       event.findings, event.sha256, event.error)
    elif isinstance(event, RecordDate):
        store.add_record_date(run_id, event.location, event.record, event.field, event.day)


def options_params(options: ScanOptions) -> dict[str, Any]:
    """The run's parameters as recorded (and shown in reports)."""
    d = asdict(options)
    d["entities"] = sorted(options.entities) if options.entities else None
    d["as_of"] = options.as_of.isoformat() if options.as_of else None
    return d
