"""Where items are scanned: in this process, in a local process pool, or on Dask.

Every executor runs the same `Scanner.scan_item` on the same items and
yields the same events; only the placement differs, so a Dask run gives the
findings of a local one. Workers build their registry and scanner once (the
spaCy pipelines load once per process) from a picklable `WorkerSpec`.
"""

from __future__ import annotations

import ctypes
import itertools
import logging
import multiprocessing as mp
import os
import queue as queue_mod
import signal
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Iterable, Iterator, Protocol

from .engine import Event, ItemDone, RecordDate, Scanner, ScanOptions
from .model import Item, ItemError, ScanError, Segment
from .redact import Redactor
from .registry import Registry

log = logging.getLogger("piiscan")

CHUNK = 500  # events per message from a worker
# Small files travel in groups, so the engine can batch their segments for
# spaCy across files (a call costs ~2 ms however little it reads). Retries
# after a crash go alone.
SMALL_ITEM = 256 << 10
GROUP_ITEMS = 32
GROUP_BYTES = 1 << 20
ITEM_MEMORY_ENV = "PIISCAN_ITEM_MEMORY"
DEFAULT_ITEM_MEMORY = 4 << 30  # address space of one worker process


def parse_bytes(text: str) -> int:
    """ "4G", "512M", "1.5g", "1000000" → bytes (binary units)."""
    units = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
    t = text.strip().lower().removesuffix("b").removesuffix("i")
    if t and t[-1] in units:
        return int(float(t[:-1]) * units[t[-1]])
    return int(t)


def item_memory_from_env() -> int | None:
    """The per-worker memory budget: $PIISCAN_ITEM_MEMORY, "0" for none, else 4 GiB."""
    text = os.environ.get(ITEM_MEMORY_ENV, "").strip()
    if not text:
        return DEFAULT_ITEM_MEMORY
    try:
        return parse_bytes(text) or None
    except ValueError:
        log.warning("%s=%r is not a size (e.g. 4G); using %d bytes", ITEM_MEMORY_ENV, text,
                    DEFAULT_ITEM_MEMORY)
        return DEFAULT_ITEM_MEMORY


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
    # Address space a local worker may use; an item needing more fails with
    # MemoryError, recorded as "too large" (None: no limit).
    item_memory: int | None = field(default_factory=item_memory_from_env)
    # A module-level function (key, options) → Redactor, for scans that want
    # other findings than the store's (the breach scan: values revealed, lines kept).
    redactor_factory: Callable[[bytes, ScanOptions], Redactor] | None = None

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
    if spec.redactor_factory is not None:
        redactor = spec.redactor_factory(spec.key, spec.options)
    else:
        redactor = Redactor(spec.key, spec.options.reveal, spec.options.as_of)
    return Scanner(registry, redactor, spec.options, language=language, observers=observers,
                   temp_root=spec.temp_root)


def warm_up(spec: WorkerSpec, registry: Registry | None = None) -> None:
    """Load models once, before a pool forks: the workers then share them copy-on-write.

    Each worker would otherwise load every pipeline again on its first text.
    Detectors say what to load through an optional `warm_up()`. The language
    guesser loads on a thread meanwhile: most of its time is file reading and
    NumPy, which release the interpreter while spaCy's loading holds it.
    """
    loader = None
    if spec.guess_language:
        def load_language() -> None:
            try:
                from .language import guess_language
                guess_language("warming up the language guesser before the workers start")
            except Exception as exc:  # the workers load it themselves
                log.debug("language warm-up skipped: %s", type(exc).__name__)
        loader = threading.Thread(target=load_language, name="piiscan-warm-up", daemon=True)
        loader.start()
    try:
        registry = registry or spec.registry()
        for det in registry.detectors.values():
            if spec.options.entities is not None and not (set(det.entities) & spec.options.entities):
                continue
            warm = getattr(det, "warm_up", None)
            if warm is not None:
                warm()
    except Exception as exc:  # the workers load what they need themselves
        log.debug("warm-up skipped: %s", type(exc).__name__)
    finally:
        if loader is not None:
            loader.join()  # before any fork: a thread's half-built state must not be copied


class Executor(Protocol):
    def run(self, items: Iterable[Item | ScanError]) -> Iterator[Event | RecordDate]: ...

    def close(self) -> None: ...


def small_groups(items: Iterable[Item | ScanError]) -> Iterator[Item | ScanError | list[Item]]:
    """Consecutive small files (known size up to SMALL_ITEM) as lists; anything else alone."""
    group: list[Item] = []
    size = 0
    for it in items:
        small = isinstance(it, Item) and it.info.size is not None and it.info.size <= SMALL_ITEM
        if group and (not small or len(group) >= GROUP_ITEMS or size + (it.info.size or 0) > GROUP_BYTES):
            yield group
            group, size = [], 0
        if small:
            group.append(it)  # type: ignore[arg-type]
            size += it.info.size or 0  # type: ignore[union-attr]
        else:
            yield it
    if group:
        yield group


def _top(location: str, tops: Iterable[str]) -> str | None:
    """Which of the group's items an event belongs to (itself or one of its members)."""
    for top in tops:
        if location == top or location.startswith(top + "!"):
            return top
    return None


def _interleave(events: Iterable[Event], notes: list[Event]) -> Iterator[Event]:
    """Pass record dates on as soon as the segments that held them were read."""
    for ev in events:
        if notes:
            yield from notes
            notes.clear()
        yield ev
    yield from notes
    notes.clear()


# -- the per-item watchdog ------------------------------------------------------

class ItemTimeout(ItemError):
    """Raised inside an item's reader by the watchdog: the item ran out of time."""

    reason = "timeout"


class _Watchdog:
    """SIGALRM's handler: raises where the item's code is, only while it runs.

    A blocking system call is interrupted, and Python runs the handler before
    retrying it, so a reader waiting inside a library call is stopped too.
    Code that holds the interpreter in C without checking for signals is not
    reached; the local pool's parent kills such a worker (`LocalExecutor`).
    """

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.inside = False  # the item's generator is running, not our consumer
        self.expired = False

    def error(self) -> ItemTimeout:
        return ItemTimeout(f"stopped after {self.seconds:g} s")

    def arm(self) -> None:
        self.expired = False
        signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def alarm(self, signum: int, frame: Any) -> None:
        self.expired = True
        if self.inside:
            raise self.error()


def can_alarm() -> bool:
    """SIGALRM is ours to use: main thread, and no timer already set (pytest-timeout's)."""
    return (hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
            and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0))


def watched(scanner: Scanner, item: Item | list[Item], seconds: float | None,
            on_start: Callable[[Item], None] | None = None) -> Iterator[Event]:
    """`scanner.scan_items(item)`, stopped when nothing finished for `seconds`.

    `item` is one item or a group of small ones. The budget restarts
    whenever an item or a member of a container finishes, as the engine's
    own deadline does per item. A stop raised while our consumer runs is
    thrown into the item at its next step instead; a reader that swallows it
    gets it again at every step until some level records it.
    """
    group = item if isinstance(item, list) else [item]
    started: list[Item] = []
    dog: _Watchdog | None = None

    def start(it: Item) -> None:
        started.append(it)
        if dog is not None and len(started) > 1:
            dog.arm()  # each item of a group gets its own budget
        if on_start is not None:
            on_start(it)

    events = scanner.scan_items(group, on_start=start)
    if not seconds or seconds <= 0 or not can_alarm():
        yield from events
        return
    dog = _Watchdog(seconds)
    previous = signal.signal(signal.SIGALRM, dog.alarm)
    tops = {it.location for it in group}
    done: set[str] = set()
    dog.arm()
    try:
        while True:
            try:
                dog.inside = True
                try:
                    ev = events.throw(dog.error()) if dog.expired else next(events)
                finally:
                    dog.inside = False
            except StopIteration:
                return
            except ItemTimeout:
                # Raised where the engine could not record it (in its own bookkeeping):
                # the items it had started record the stop; the others are read anew.
                events.close()
                for it in group:
                    if it.location in done:
                        continue
                    if any(it is s for s in started):
                        yield ScanError(it.location, "timeout", dog.error().detail)
                        yield ItemDone(it.location, it.info, "", None, 0, None, "timeout")
                    else:
                        yield from watched(scanner, it, seconds, on_start)
                return
            if isinstance(ev, ItemDone):
                if ev.location in tops:
                    done.add(ev.location)
                if len(done) == len(tops):
                    signal.setitimer(signal.ITIMER_REAL, 0)
                    dog.expired = False
                else:
                    dog.arm()  # something finished: the next one gets a fresh budget
            elif isinstance(ev, ScanError) and ev.reason == "timeout":
                dog.expired = False  # recorded by the level it stopped; its ItemDone follows
            yield ev
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        events.close()


class InlineExecutor:
    """One process, items one after the other: simplest, and what tests use.

    The watchdog runs here too when SIGALRM is free (the CLI's main thread).
    """

    def __init__(self, registry: Registry, spec: WorkerSpec):
        self.notes: list[Event] = []
        self.scanner = build_scanner(registry, spec, self.notes)
        self.counters = self.scanner.ctx.counters

    def run(self, items: Iterable[Item | ScanError]) -> Iterator[Event | RecordDate]:
        seconds = self.scanner.options.item_timeout_s
        for item in small_groups(items):
            if isinstance(item, ScanError):
                yield item
                continue
            yield from _interleave(watched(self.scanner, item, seconds), self.notes)

    def close(self) -> None:
        self.scanner.close()


# -- local process pool -----------------------------------------------------

_worker: dict[str, Any] = {}


def _die_with_parent(parent: int) -> None:
    """A worker outlives a killed scan otherwise (SIGKILL, the OOM killer), blocked forever."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # it died before the line above
        os._exit(1)


def _limit_memory(limit: int | None) -> None:
    """Cap the worker's address space: an item needing more fails with MemoryError."""
    if not limit:
        return
    try:
        import resource
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError) as exc:  # not on this OS
        log.debug("no memory limit for workers: %s", exc)


def _init_worker(spec: WorkerSpec, out: "mp.Queue[Any]", notices: Any = None,
                 parent: int | None = None) -> None:
    if parent is not None:
        _die_with_parent(parent)
    # Ctrl-C reaches the whole process group: the parent stops the scan, not each worker.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The report may be going to stdout: what a library prints must not end up in it.
    try:
        os.dup2(2, 1)
    except OSError:
        pass
    _limit_memory(spec.item_memory)
    if spec.temp_root and os.path.isdir(spec.temp_root):
        # Libraries' own temp files (Tesseract's copy of a scanned page) go
        # into the run's private folder too, removed even if this worker is killed.
        tempfile.tempdir = spec.temp_root
    notes: list[Event] = []
    registry = spec.registry()
    _worker.update(scanner=build_scanner(registry, spec, notes), notes=notes, out=out,
                   notices=notices)


def _scan_in_worker(item: Item | list[Item]) -> None:
    """Scan one item (or a group of small ones), streaming (location, events, final,
    counters) messages to the parent, per item.

    As each item starts, a (location, pid) notice says which process took it,
    so the parent can stop it if the watchdog cannot. It goes through a queue
    written by this thread: `out`'s feeder thread would not get to send it
    while a reader holds the interpreter in C.
    """
    scanner: Scanner = _worker["scanner"]
    out = _worker["out"]
    notices = _worker.get("notices")
    group = item if isinstance(item, list) else [item]
    tops = [it.location for it in group]

    def notice(it: Item) -> None:
        if notices is not None:
            notices.put((it.location, os.getpid()))

    chunks: dict[str, list[Any]] = {top: [] for top in tops}
    for ev in _interleave(watched(scanner, item, scanner.options.item_timeout_s, on_start=notice),
                          _worker["notes"]):
        top = _top(ev.location, chunks) or tops[0]
        chunk = chunks[top]
        chunk.append(ev)
        if isinstance(ev, ItemDone) and ev.location == top:
            del chunks[top]
            counters = None
            if not chunks:  # the scanner's counters go with the group's last message
                counters = dict(scanner.ctx.counters)
                scanner.ctx.counters.clear()
            out.put((top, chunk, True, counters))
        elif len(chunk) >= CHUNK:
            out.put((top, chunk, False, None))
            chunks[top] = []
    for top, chunk in chunks.items():  # not expected: the engine ends each item with its ItemDone
        counters = dict(scanner.ctx.counters)
        scanner.ctx.counters.clear()
        out.put((top, chunk, True, counters))


class LocalExecutor:
    """A process pool sized to the machine; memory bounded by a window of items.

    Results come back through a queue in chunks, so a huge item never sits
    whole in memory. If a worker dies (a library crash, the OOM killer), an
    item that had produced nothing yet is retried once, alone; an item that
    dies twice, or after producing part of its results, is recorded as
    "crashed" (what it produced is kept, nothing twice) and the scan goes on.

    Each item has a time budget (`item_timeout_s`, the watchdog in the
    worker) and each worker an address-space budget (`item_memory`). A
    worker still busy with one item a grace period after its budget ran out
    is stuck where no signal reaches: it is killed and the item recorded as
    "timeout". An interrupted scan kills its workers rather than wait.
    """

    def __init__(self, spec: WorkerSpec, workers: int | None = None,
                 registry: Registry | None = None):
        self.spec = spec
        self.registry = registry  # the caller's, for the warm-up (a second one costs ~0.3 s)
        self.workers = workers or max(1, os.cpu_count() or 1)
        self.ctx = mp.get_context("fork" if hasattr(os, "fork") else "spawn")
        self.counters: dict[str, int] = {}
        self.busy = False  # items are out: close() stops the workers instead of waiting
        self.started: dict[str, tuple[int, float]] = {}  # location → (worker pid, since)
        self.killed: set[str] = set()  # items whose worker was killed for running too long
        # Forked workers share what the parent loaded; loaded at the first item,
        # so a run with nothing to read (an unchanged rescan) loads nothing.
        self.cold = self.ctx.get_start_method() == "fork"
        self._start()

    def _start(self) -> None:
        self.queue: Any = self.ctx.Queue(maxsize=self.workers * 8)
        self.notices: Any = self.ctx.SimpleQueue()
        self.started.clear()
        self.pool = ProcessPoolExecutor(self.workers, mp_context=self.ctx, initializer=_init_worker,
                                        initargs=(self.spec, self.queue, self.notices, os.getpid()))

    def close(self) -> None:
        if self.busy:
            self._kill_workers()
        self.pool.shutdown(wait=True, cancel_futures=True)

    def _kill_workers(self) -> None:
        for proc in list((getattr(self.pool, "_processes", None) or {}).values()):
            try:
                proc.kill()
            except (OSError, AttributeError):
                pass

    def hard_limit(self) -> float | None:
        """Seconds after which a busy worker is killed: the budget plus a grace period."""
        seconds = self.spec.options.item_timeout_s
        if not seconds or seconds <= 0:
            return None
        return seconds + min(60.0, max(5.0, seconds / 2))

    def _stop_stuck(self, pending: dict[str, Any]) -> None:
        while not self.notices.empty():
            location, pid = self.notices.get()
            # A worker reads one item at a time: the one it started last is the
            # one it is on (those before may wait for their findings in its batch).
            for other in [loc for loc, (p, _) in self.started.items() if p == pid]:
                del self.started[other]
            if location in pending:
                self.started[location] = (pid, time.monotonic())
        limit = self.hard_limit()
        if limit is None:
            return
        now = time.monotonic()
        for location, (pid, since) in list(self.started.items()):
            if location in pending and location not in self.killed and now - since > limit:
                log.warning("stopping a worker stuck on %s for %.0f s", location, now - since)
                self.killed.add(location)
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    def _submit(self, item: Item | list[Item]) -> Future[None] | None:
        if self.cold:  # before the pool forks its workers (at its first task)
            self.cold = False
            warm_up(self.spec, self.registry)
        try:
            return self.pool.submit(_scan_in_worker, item)
        except (BrokenProcessPool, RuntimeError):  # the pool broke since we last looked
            return None

    def run(self, items: Iterable[Item | ScanError]) -> Iterator[Event | RecordDate]:
        self.busy = True
        window = self.workers * 2
        pending: dict[str, tuple[Future[None], Item]] = {}
        produced: set[str] = set()  # items that sent at least one event
        retry: list[Item] = []
        retried: set[str] = set()
        source = small_groups(items)
        exhausted = restarted = False
        while True:
            # Retries first: they come back after the source may be exhausted.
            while (retry or not exhausted) and len({id(f) for f, _ in pending.values()}) < window:
                nxt: Any = retry.pop() if retry else next(source, None)
                if nxt is None:
                    exhausted = True
                    break
                if isinstance(nxt, ScanError):
                    yield nxt
                    continue
                if isinstance(nxt, list) and window == 1:  # after a crash: one item at a time
                    retry.extend(reversed(nxt))
                    continue
                future = self._submit(nxt)
                if future is None:
                    retry.extend(reversed(nxt) if isinstance(nxt, list) else [nxt])
                    if not pending:  # nothing left to report the break: restart now
                        if restarted:
                            raise BrokenProcessPool("cannot start worker processes")
                        self.pool.shutdown(wait=False, cancel_futures=True)
                        self._start()
                        restarted = True
                        continue
                    break
                restarted = False
                for it in (nxt if isinstance(nxt, list) else [nxt]):
                    pending[it.location] = (future, it)
            if not pending:
                break
            yield from self._messages(pending, produced, timeout=0.2)
            self._stop_stuck(pending)
            failed = [(loc, f.exception()) for loc, (f, _) in pending.items()
                      if f.done() and f.exception() is not None]
            if not failed:
                continue
            broken = any(isinstance(e, BrokenProcessPool) for _, e in failed)
            if broken:
                # Whatever the dead pool's workers managed to send is still queued.
                for message in self._salvage():
                    yield from self._handle(message, pending, produced)
                lost = list(pending.values())
                pending.clear()
                self.pool.shutdown(wait=False, cancel_futures=True)
                self._start()
                if not any(item.location in self.killed for _, item in lost):
                    window = 1  # one at a time from now on, so the culprit is known
            else:
                lost = [pending.pop(loc) for loc, _ in failed]
            for _, item in lost:
                if item.location in self.killed:
                    limit = self.spec.options.item_timeout_s
                    yield ScanError(item.location, "timeout",
                                    f"stopped after {limit:g} s; the reader did not respond, "
                                    "its worker process was ended")
                    yield ItemDone(item.location, item.info, "", None, 0, None, "timeout")
                elif item.location in produced or item.location in retried:
                    detail = ("the worker process died while reading this item"
                              + ("; the results it sent before are kept"
                                 if item.location in produced else ""))
                    yield ScanError(item.location, "crashed", detail)
                    yield ItemDone(item.location, item.info, "", None, 0, None, "crashed")
                else:
                    retried.add(item.location)
                    retry.append(item)
        self.busy = False

    def _messages(self, pending: dict[str, Any], produced: set[str],
                  timeout: float) -> Iterator[Event | RecordDate]:
        """Yield queued events; return how many messages were read."""
        n = 0
        while True:
            try:
                message = self.queue.get(timeout=timeout if n == 0 else 0.01)
            except queue_mod.Empty:
                return n
            n += 1
            yield from self._handle(message, pending, produced)

    def _handle(self, message: tuple[Any, ...], pending: dict[str, Any],
                produced: set[str]) -> Iterator[Event | RecordDate]:
        location, events, final, counters = message
        if events:
            produced.add(location)
        yield from events
        if final:
            pending.pop(location, None)
            self.started.pop(location, None)
            for k, v in (counters or {}).items():
                self.counters[k] = self.counters.get(k, 0) + v

    def _salvage(self, wait: float = 10.0) -> list[tuple[Any, ...]]:
        """The messages left in a dead pool's queue.

        Read on a helper thread: a worker killed in the middle of writing a
        message leaves half of it, and reading that would block for ever.
        """
        got: list[tuple[Any, ...]] = []

        def read() -> None:
            try:
                while True:
                    got.append(self.queue.get(timeout=0.5))
            except Exception:  # Empty, or a message cut short
                pass

        reader = threading.Thread(target=read, name="piiscan-salvage", daemon=True)
        reader.start()
        reader.join(wait)
        return list(got)


# -- Dask ---------------------------------------------------------------------

_dask_scanners: dict[str, Scanner] = {}
_dask_notes: dict[str, list[Event]] = {}


def _scan_on_dask(spec: WorkerSpec, item: Item | list[Item]) -> tuple[list[Any], dict[str, int]]:
    key = spec.token
    if key not in _dask_scanners:
        notes: list[Event] = []
        registry = spec.registry()
        _dask_scanners[key] = build_scanner(registry, spec, notes)
        _dask_notes[key] = notes
    scanner = _dask_scanners[key]
    group = item if isinstance(item, list) else [item]
    events = list(_interleave(scanner.scan_items(group), _dask_notes[key]))
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
        futures: Any = None  # as_completed needs its first futures to know the client
        owner: dict[Any, Item | list[Item]] = {}
        source = small_groups(items)
        alone: list[Item] = []  # the items of a group whose task failed, each tried again
        early_errors: list[ScanError] = []

        def submit_next() -> bool:
            for nxt in itertools.chain(_drain(alone), source):
                if isinstance(nxt, ScanError):
                    early_errors.append(nxt)
                    continue
                fut = self.client.submit(_scan_on_dask, spec_future, nxt, pure=False)
                owner[fut] = nxt
                if futures is not None:
                    futures.add(fut)
                return True
            return False

        for _ in range(window):
            if not submit_next():
                break
        if not owner:
            yield from early_errors
            return
        futures = as_completed(list(owner), loop=self.client.loop)
        for fut in futures:
            item = owner.pop(fut)
            try:
                events, counters = fut.result()
            except Exception as exc:
                if isinstance(item, list):
                    alone.extend(item)
                    for _ in item:
                        submit_next()
                    continue
                yield ScanError(item.location, "crashed", type(exc).__name__)
                yield ItemDone(item.location, item.info, "", None, 0, None, "crashed")
            else:
                for k, v in counters.items():
                    self.counters[k] = self.counters.get(k, 0) + v
                yield from events
            submit_next()
        yield from early_errors


def _drain(items: list[Item]) -> Iterator[Item]:
    while items:
        yield items.pop(0)


def make_executor(kind: str, registry: Registry, spec: WorkerSpec, *, workers: int | None = None,
                  scheduler: str | None = None) -> Any:
    if kind == "inline" or (kind == "local" and (workers or os.cpu_count() or 1) <= 1):
        return InlineExecutor(registry, spec)
    if kind == "local":
        return LocalExecutor(spec, workers, registry)
    if kind == "dask":
        if not scheduler:
            raise ValueError("--executor dask needs --scheduler tls://host:8786")
        return DaskExecutor(spec, scheduler)
    raise ValueError(f"unknown executor {kind!r}; use local, inline or dask")
