"""Where items are scanned: in this process, in a local process pool, or on Dask.

Every executor runs the same `Scanner.scan_item` on the same items and
yields the same events; only the placement differs, so a Dask run gives the
findings of a local one. Workers build their registry and scanner once (the
spaCy pipelines load once per process) from a picklable `WorkerSpec`.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import queue as queue_mod
import uuid
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Iterable, Iterator, Protocol

from .engine import Event, ItemDone, Scanner, ScanOptions
from .model import Item, ScanError, Segment
from .redact import Redactor
from .registry import Registry

log = logging.getLogger("piiscan")

CHUNK = 500  # events per message from a worker


@dataclass(frozen=True)
class RecordDate:
    """A date read from a field the policy measures retention from."""

    location: str
    record: str | None
    field: str
    day: str


@dataclass(frozen=True)
class WorkerSpec:
    """Everything a worker needs to build its own scanner; picklable."""

    options: ScanOptions
    key: bytes
    plugins: tuple[str, ...] | None = None
    guess_language: bool = True
    policy_path: str | None = None
    token: str = field(default_factory=lambda: uuid.uuid4().hex)  # names the spec on workers
    # A module-level function building the registry, for embedders and tests
    # whose plugins are not installed as entry points.
    registry_factory: Callable[[], Registry] | None = None
    temp_root: str | None = None  # the run's private temp dir, removed by the run

    def registry(self) -> Registry:
        if self.registry_factory is not None:
            return self.registry_factory()
        return Registry.from_entry_points(only=self.plugins)


def build_scanner(registry: Registry, spec: WorkerSpec,
                  notes: list[Event] | None = None) -> Scanner:
    language = None
    if spec.guess_language:
        try:
            from .language import guess_language as language
        except ImportError:
            language = None
    observers: list[Callable[[Segment], None]] = []
    if spec.policy_path and notes is not None:
        from .policy import load_policy
        dater = load_policy(spec.policy_path).record_dates

        def observe(seg: Segment) -> None:
            for field_name, day in dater(seg):
                notes.append(RecordDate(seg.location, seg.record, field_name, day))
        observers.append(observe)
    redactor = Redactor(spec.key, spec.options.reveal, spec.options.as_of)
    return Scanner(registry, redactor, spec.options, language=language, observers=observers,
                   temp_root=spec.temp_root)


class Executor(Protocol):
    def run(self, items: Iterable[Item | ScanError]) -> Iterator[Event | RecordDate]: ...

    def close(self) -> None: ...


def _interleave(events: Iterable[Event], notes: list[Event]) -> Iterator[Event]:
    """Pass record dates on as soon as the segments that held them were read."""
    for ev in events:
        if notes:
            yield from notes
            notes.clear()
        yield ev
    yield from notes
    notes.clear()


class InlineExecutor:
    """One process, items one after the other: simplest, and what tests use."""

    def __init__(self, registry: Registry, spec: WorkerSpec):
        self.notes: list[Event] = []
        self.scanner = build_scanner(registry, spec, self.notes)
        self.counters = self.scanner.ctx.counters

    def run(self, items: Iterable[Item | ScanError]) -> Iterator[Event | RecordDate]:
        yield from _interleave(self.scanner.scan_items(items), self.notes)

    def close(self) -> None:
        self.scanner.close()


# -- local process pool -----------------------------------------------------

_worker: dict[str, Any] = {}


def _init_worker(spec: WorkerSpec, out: "mp.Queue[Any]") -> None:
    notes: list[Event] = []
    registry = spec.registry()
    _worker.update(scanner=build_scanner(registry, spec, notes), notes=notes, out=out)


def _scan_in_worker(item: Item) -> None:
    """Scan one item, streaming (location, events, final, counters) messages to the parent."""
    scanner: Scanner = _worker["scanner"]
    out = _worker["out"]
    chunk: list[Any] = []
    for ev in _interleave(scanner.scan_item(item), _worker["notes"]):
        chunk.append(ev)
        if len(chunk) >= CHUNK:
            out.put((item.location, chunk, False, None))
            chunk = []
    counters = dict(scanner.ctx.counters)
    scanner.ctx.counters.clear()
    out.put((item.location, chunk, True, counters))


class LocalExecutor:
    """A process pool sized to the machine; memory bounded by a window of items.

    Results come back through a queue in chunks, so a huge item never sits
    whole in memory. If a worker dies (a library crash, the OOM killer), an
    item that had produced nothing yet is retried once, alone; an item that
    dies twice, or after producing part of its results, is recorded as
    "crashed" (what it produced is kept, nothing twice) and the scan goes on.
    """

    def __init__(self, spec: WorkerSpec, workers: int | None = None):
        self.spec = spec
        self.workers = workers or max(1, os.cpu_count() or 1)
        self.ctx = mp.get_context("fork" if hasattr(os, "fork") else "spawn")
        self.counters: dict[str, int] = {}
        self._start()

    def _start(self) -> None:
        self.queue: Any = self.ctx.Queue(maxsize=self.workers * 8)
        self.pool = ProcessPoolExecutor(self.workers, mp_context=self.ctx,
                                        initializer=_init_worker, initargs=(self.spec, self.queue))

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def run(self, items: Iterable[Item | ScanError]) -> Iterator[Event | RecordDate]:
        window = self.workers * 2
        pending: dict[str, tuple[Future[None], Item]] = {}
        produced: set[str] = set()  # items that sent at least one event
        retry: list[Item] = []
        retried: set[str] = set()
        source = iter(items)
        exhausted = False
        while True:
            while not exhausted and len(pending) < window:
                nxt = retry.pop() if retry else next(source, None)
                if nxt is None:
                    exhausted = not retry
                    if exhausted:
                        break
                    continue
                if isinstance(nxt, ScanError):
                    yield nxt
                    continue
                pending[nxt.location] = (self.pool.submit(_scan_in_worker, nxt), nxt)
            if not pending:
                break
            yield from self._messages(pending, produced, timeout=0.2)
            failed = [(loc, f.exception()) for loc, (f, _) in pending.items()
                      if f.done() and f.exception() is not None]
            if not failed:
                continue
            broken = any(isinstance(e, BrokenProcessPool) for _, e in failed)
            if broken:
                # Whatever the dead pool's workers managed to send is still queued.
                while (yield from self._messages(pending, produced, timeout=0.5)):
                    pass
                lost = list(pending.values())
                pending.clear()
                self.pool.shutdown(wait=False, cancel_futures=True)
                self._start()
                window = 1  # one at a time from now on, so the culprit is known
            else:
                lost = [pending.pop(loc) for loc, _ in failed]
            for _, item in lost:
                if item.location in produced or item.location in retried:
                    detail = ("the worker process died while reading this item"
                              + ("; the results it sent before are kept"
                                 if item.location in produced else ""))
                    yield ScanError(item.location, "crashed", detail)
                    yield ItemDone(item.location, item.info, "", None, 0, None, "crashed")
                else:
                    retried.add(item.location)
                    retry.append(item)

    def _messages(self, pending: dict[str, Any], produced: set[str],
                  timeout: float) -> Iterator[Event | RecordDate]:
        """Yield queued events; return how many messages were read."""
        n = 0
        while True:
            try:
                location, events, final, counters = self.queue.get(timeout=timeout if n == 0 else 0.01)
            except queue_mod.Empty:
                return n
            n += 1
            if events:
                produced.add(location)
            yield from events
            if final:
                pending.pop(location, None)
                for k, v in (counters or {}).items():
                    self.counters[k] = self.counters.get(k, 0) + v


# -- Dask ---------------------------------------------------------------------

_dask_scanners: dict[str, Scanner] = {}
_dask_notes: dict[str, list[Event]] = {}


def _scan_on_dask(spec: WorkerSpec, item: Item) -> tuple[list[Any], dict[str, int]]:
    key = spec.token
    if key not in _dask_scanners:
        notes: list[Event] = []
        registry = spec.registry()
        _dask_scanners[key] = build_scanner(registry, spec, notes)
        _dask_notes[key] = notes
    scanner = _dask_scanners[key]
    events = list(_interleave(scanner.scan_item(item), _dask_notes[key]))
    counters = dict(scanner.ctx.counters)
    scanner.ctx.counters.clear()
    return events, counters


class DaskExecutor:
    """Items as tasks on a Dask distributed cluster whose workers see the same share."""

    def __init__(self, spec: WorkerSpec, scheduler: str):
        try:
            from distributed import Client
        except ImportError as exc:  # pragma: no cover - a declared dependency
            raise RuntimeError("Dask is not installed: pip install 'dask[distributed]'") from exc
        self.spec = spec
        self.client = Client(scheduler, set_as_default=False)
        self.counters: dict[str, int] = {}
        self.workers = max(1, len(self.client.scheduler_info().get("workers", {})))

    def close(self) -> None:
        self.client.close()

    def run(self, items: Iterable[Item | ScanError]) -> Iterator[Event | RecordDate]:
        from distributed import as_completed
        spec_future = self.client.scatter(self.spec, broadcast=True)
        window = self.workers * 4
        futures = as_completed()
        owner: dict[Any, Item] = {}
        source = iter(items)
        early_errors: list[ScanError] = []

        def submit_next() -> bool:
            for nxt in source:
                if isinstance(nxt, ScanError):
                    early_errors.append(nxt)
                    continue
                fut = self.client.submit(_scan_on_dask, spec_future, nxt, pure=False)
                owner[fut] = nxt
                futures.add(fut)
                return True
            return False

        for _ in range(window):
            if not submit_next():
                break
        for fut in futures:
            item = owner.pop(fut)
            try:
                events, counters = fut.result()
            except Exception as exc:
                yield ScanError(item.location, "crashed", type(exc).__name__)
                yield ItemDone(item.location, item.info, "", None, 0, None, "crashed")
            else:
                for k, v in counters.items():
                    self.counters[k] = self.counters.get(k, 0) + v
                yield from events
            submit_next()
        yield from early_errors


def make_executor(kind: str, registry: Registry, spec: WorkerSpec, *, workers: int | None = None,
                  scheduler: str | None = None) -> Any:
    if kind == "inline" or (kind == "local" and (workers or os.cpu_count() or 1) <= 1):
        return InlineExecutor(registry, spec)
    if kind == "local":
        return LocalExecutor(spec, workers)
    if kind == "dask":
        if not scheduler:
            raise ValueError("--executor dask needs --scheduler tcp://host:8786")
        return DaskExecutor(spec, scheduler)
    raise ValueError(f"unknown executor {kind!r}; use local, inline or dask")
