"""The scan as a few generator stages: items → segments → matches → findings.

Each stage is a plain function over iterables so it can be tested alone and
run in a worker process. Containers (archives, mail) yield child items that
go back through the same dispatch, to a depth limit.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Iterable, Iterator, Sequence

from . import sniff
from .detectors.base import Detector
from .model import (
    EntityType,
    Finding,
    Item,
    ItemError,
    ItemInfo,
    Match,
    ScanError,
    Segment,
)
from .redact import Redactor
from .registry import Registry

log = logging.getLogger("piiscan")

# Segments per detection batch, across small items: spaCy reads one batch per
# language and call, and a call has a fixed cost (~2 ms) small files never repay.
BATCH = 256
BATCH_CHARS = 1 << 20  # and at most this much text waiting, whatever the segments' size
BATCH_WAIT = 1.0  # seconds a segment may wait for others (ItemDone events wait with it)


@dataclass
class ScanOptions:
    """Everything that changes what a scan reads or reports."""

    entities: frozenset[EntityType] | None = None
    min_score: float = 0.5
    reveal: bool = False
    as_of: date | None = None
    # file system
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    ignore_file: str | None = ".piiscanignore"
    follow_symlinks: bool = False
    hidden: bool = True
    max_file_size: int | None = None
    # containers
    max_depth: int = 5
    max_archive_bytes: int = 4 << 30
    max_ratio: float = 200.0
    # OCR
    ocr: bool = True
    ocr_languages: str = "eng+fra"
    # databases
    sample_rows: int = 1000
    full: bool = False
    include_views: bool = False
    include_blobs: bool = False
    tables: tuple[str, ...] = ()
    exclude_tables: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    exclude_columns: tuple[str, ...] = ()
    statement_timeout_s: int = 60
    # limits per item
    max_segment_chars: int = 100_000
    item_timeout_s: float = 600.0
    hash_contents: bool = True


@dataclass
class ReadContext:
    """What readers may consult: the options, a private temp dir, counters."""

    options: ScanOptions
    temp_dir: str
    counters: dict[str, int] = field(default_factory=dict)
    deadline: float | None = None

    def count(self, key: str, n: int = 1) -> None:
        self.counters[key] = self.counters.get(key, 0) + n

    def check_time(self) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise ItemError(f"stopped after {self.options.item_timeout_s:.0f} s", reason="timeout")


@dataclass(frozen=True, slots=True)
class ItemDone:
    """An item was read (fully or with an error); the store records it."""

    location: str
    info: ItemInfo
    media_type: str
    reader: str | None
    findings: int
    sha256: str | None
    error: str | None = None


Event = Finding | ScanError | ItemDone


@dataclass(frozen=True)
class RecordDate:
    """A date read from a field the policy measures retention from (sent by the
    executors beside the events; the runner stores it for the policy)."""

    location: str
    record: str | None
    field: str
    day: str


# -- errors -----------------------------------------------------------------

_DIGITS = re.compile(r"\d{3,}")
_EMAILISH = re.compile(r"\S+@\S+")


def scrub(text: str) -> str:
    """Remove anything value-like from an error message before it is kept.

    Library messages sometimes quote the data they choked on
    ("invalid literal for int(): '130692544'"); those never reach a log.
    """
    text = _EMAILISH.sub("<redacted>", text)
    text = _DIGITS.sub(lambda m: "#" * len(m.group()), text)
    return text[:300]


def error_for(location: str, exc: BaseException) -> ScanError:
    if isinstance(exc, ItemError):
        return ScanError(location, exc.reason, scrub(exc.detail))
    if isinstance(exc, PermissionError):
        return ScanError(location, "permission denied")
    if isinstance(exc, FileNotFoundError):
        return ScanError(location, "vanished", "the file was removed during the scan")
    if isinstance(exc, MemoryError):
        return ScanError(location, "too large", "ran out of memory")
    if isinstance(exc, UnicodeError):
        return ScanError(location, "undecodable", type(exc).__name__)
    if isinstance(exc, OSError):
        return ScanError(location, "unreadable", scrub(exc.strerror or type(exc).__name__))
    return ScanError(location, "corrupt", f"{type(exc).__name__}: {scrub(str(exc))}")


# -- detection --------------------------------------------------------------

def resolve_overlaps(matches: Sequence[Match]) -> list[Match]:
    """Keep the best of overlapping matches (higher score, then longer span)."""
    if len(matches) < 2:
        return list(matches)
    kept: list[Match] = []
    for m in sorted(matches, key=lambda m: (-m.score, -(m.end - m.start), m.start)):
        if all(m.end <= k.start or m.start >= k.end for k in kept):
            kept.append(m)
    return sorted(kept, key=lambda m: m.start)


class Prefilter:
    """Which detectors a segment needs, decided in one cheap look at its text.

    Most keywords are single characters (a digit, "@", "<"): one pass builds
    the set of characters the text holds and each detector is a set
    intersection away. Longer keywords are looked up in the lower-cased text,
    made once and only when some detector has one. A detector may also
    declare `prefilter`, a compiled regex that must match somewhere (a phone
    number holds seven digits); it runs only after the keywords passed, so
    the expensive detector code (libphonenumber, spaCy) sees only text that
    can hold its entity. An empty `keywords` means "always run".
    """

    def __init__(self, detectors: Sequence[Detector]):
        self.detectors = list(detectors)
        # Most detectors share a gate (ten of them: "a digit"): each distinct one is checked once.
        gates: dict[tuple[Any, ...], int] = {}
        self._which: list[int] = []
        for det in self.detectors:
            kws = [k.lower() for k in det.keywords if k]
            chars = frozenset(c for k in kws if len(k) == 1 for c in (k, k.upper())) if kws else None
            gate = (chars, tuple(sorted({k for k in kws if len(k) > 1})),
                    getattr(det, "prefilter", None))
            self._which.append(gates.setdefault(gate, len(gates)))
        self._gates = list(gates)
        self._any_words = any(words for _, words, _ in self._gates)

    def select(self, text: str) -> list[bool]:
        """For each detector, whether it should read `text`."""
        present = set(text)
        lowered = text.lower() if self._any_words else ""
        passed = []
        for chars, words, pattern in self._gates:
            ok = (chars is None or not present.isdisjoint(chars)
                  or (bool(words) and any(w in lowered for w in words)))
            passed.append(ok and (pattern is None or pattern.search(text) is not None))
        return [passed[g] for g in self._which]


class Detection:
    """Runs the detectors over segments: cheap prefilter, then regex, then batches."""

    def __init__(self, detectors: Iterable[Detector], options: ScanOptions,
                 language: Callable[[str], str | None] | None = None):
        self.options = options
        self.language = language
        entities = options.entities
        self.simple: list[Detector] = []
        self.batched: list[Detector] = []
        for det in detectors:
            if entities is not None and not (set(det.entities) & entities):
                continue
            (self.batched if hasattr(det, "detect_many") else self.simple).append(det)
        self.prefilter = Prefilter(self.simple + self.batched)

    def detect_batch(self, batch: Sequence[Segment]) -> Iterator[tuple[Segment, list[Match]]]:
        """Yield each segment that has matches, with its resolved matches."""
        for _, seg, matches in self.detect_indexed(batch):
            yield seg, matches

    def detect_indexed(self, batch: Sequence[Segment]
                       ) -> Iterator[tuple[int, Segment, list[Match]]]:
        """Like `detect_batch`, with each segment's index in `batch`."""
        if self.language:
            batch = [s if s.language else s.with_language(self.language(s.text)) for s in batch]
        per_seg: list[list[Match]] = [[] for _ in batch]
        wanted = [self.prefilter.select(seg.text) for seg in batch]
        n_simple = len(self.simple)
        for i, seg in enumerate(batch):
            for det, ok in zip(self.simple, wanted[i]):
                if ok:
                    per_seg[i].extend(det.detect(seg))
        for j, det in enumerate(self.batched, n_simple):
            picked = [i for i in range(len(batch)) if wanted[i][j]]
            if not picked:
                continue
            segs = [batch[i] for i in picked] if len(picked) < len(batch) else batch
            if _takes_prior(det):
                prior = [per_seg[i] for i in picked]
                results = det.detect_many(segs, prior)
            else:
                results = det.detect_many(segs)
            for i, matches in zip(picked, results):
                per_seg[i].extend(matches)
        min_score = self.options.min_score
        entities = self.options.entities
        for i, (seg, matches) in enumerate(zip(batch, per_seg)):
            matches = [m for m in matches if m.end > seg.overlap and m.score >= min_score and
                       (entities is None or m.entity_type in entities)]
            if matches:
                yield i, seg, resolve_overlaps(matches)


def _takes_prior(det: Any) -> bool:
    """Batch detectors may want the other detectors' matches (to avoid overlaps)."""
    return getattr(det, "wants_prior_matches", False)


# -- items ------------------------------------------------------------------

class Scanner:
    """Reads items with the registry's readers and yields events."""

    def __init__(self, registry: Registry, redactor: Redactor, options: ScanOptions,
                 language: Callable[[str], str | None] | None = None,
                 observers: Sequence[Callable[[Segment], None]] = (),
                 temp_root: str | None = None):
        self.registry = registry
        self.observers = list(observers)  # see every segment (policy date fields)
        self.redactor = redactor
        self.options = options
        self.detection = Detection(registry.detectors.values(), options, language)
        # Under the run's private root when there is one, so a killed worker
        # leaves nothing behind once the run removes that root.
        root = temp_root if temp_root and os.path.isdir(temp_root) else None
        self._temp = tempfile.mkdtemp(prefix="piiscan-", dir=root)
        os.chmod(self._temp, 0o700)
        self.ctx = ReadContext(options, self._temp)

    def close(self) -> None:
        shutil.rmtree(self._temp, ignore_errors=True)

    def __enter__(self) -> "Scanner":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def media_type(self, item: Item) -> tuple[str, str | None]:
        """Sniff the item's format; also return a content hash when it is cheap."""
        if item.media_type:
            return item.media_type, None
        if item.open is None:
            return sniff.BINARY, None
        with item.open() as fh:
            return sniff.sniff_item_stream(fh, item.name), None

    def scan_item(self, item: Item) -> Iterator[Event]:
        """All events for one item and, recursively, its children, as they come."""
        yield from self.scan_items((item,))

    def scan_items(self, items: Iterable[Item | ScanError],
                   on_start: Callable[[Item], None] | None = None) -> Iterator[Event]:
        """All events for many items; small ones share detection batches.

        An item's last segments wait for the next item's (or the next archive
        member's) until a batch is full or has waited BATCH_WAIT seconds, so
        spaCy reads batches of a few hundred segments however small the
        files: on a share of letters and memos, a third less detection time.
        Every item's findings still come before its ItemDone, and a
        container's ItemDone after its members'. `on_start` hears of each
        item as its reading begins.
        """
        batch = _Batch()
        for item in items:
            if isinstance(item, ScanError):
                yield item
                continue
            if on_start is not None:
                on_start(item)
            yield from self._read(item, batch)
        yield from self._flush(batch)

    def _read(self, item: Item, batch: "_Batch") -> Iterator[Event]:
        state = _Reading(item)
        outer_deadline = self.ctx.deadline
        try:
            if self.options.max_file_size and (item.info.size or 0) > self.options.max_file_size:
                raise ItemError(f"{item.info.size} bytes, over the limit of "
                                f"{self.options.max_file_size}", reason="too large")
            state.media, _ = self.media_type(item)
            reader = self.registry.reader_for(state.media)
            if reader is None:
                media = state.media
                self.ctx.count("unsupported:" + ("binary" if media == sniff.BINARY else media))
            else:
                state.reader = reader.name
                deadline = time.monotonic() + self.options.item_timeout_s
                self.ctx.deadline = deadline
                for out in reader.read(item, self.ctx):
                    if isinstance(out, Segment):
                        for observe in self.observers:
                            observe(out)
                        if out.text and not out.text.isspace():
                            batch.add(_cap(out, self.options.max_segment_chars), state)
                        if batch.full():
                            yield from self._flush(batch)
                            if time.monotonic() > deadline:
                                raise ItemError(f"stopped after {self.options.item_timeout_s:.0f} s",
                                                reason="timeout")
                    elif isinstance(out, Item):
                        if out.depth > self.options.max_depth:
                            yield ScanError(out.location, "too deep",
                                            f"nested deeper than {self.options.max_depth} containers")
                            continue
                        yield from self._read(out, batch)  # while the container is still open
                        self.ctx.deadline = deadline
                    elif isinstance(out, ScanError):
                        yield out
        except (GeneratorExit, KeyboardInterrupt):
            raise
        except BaseException as exc:  # per-item problems never abort a scan
            error = error_for(item.location, exc)
            log.debug("item failed: %s: %s", item.location, error.reason)
            state.error = error.reason
            yield error
        finally:
            self.ctx.deadline = outer_deadline
        # What it read before an error is still detected, whatever the batching.
        if state.waiting or batch.finished_or_carried:
            batch.finished.append(state)  # after its last findings (and its members' ItemDone)
            if batch.stale():  # a budget restarts at each ItemDone: don't hold them long
                yield from self._flush(batch)
        else:
            yield state.done()

    def _flush(self, batch: "_Batch") -> Iterator[Event]:
        """Detect the waiting segments, then yield their findings and the ItemDone of the
        items that were complete.

        Findings are computed before any is yielded: a stop thrown in at a
        yield (the watchdog's timeout) leaves the rest with the batch, to be
        yielded by the next flush, so no item loses what was found for it.
        """
        segments, owners, finished, events = batch.take()
        if segments:
            events.extend(self._findings(segments, owners))
        for owner in owners:
            owner.waiting -= 1
        events.extend(state.done() for state in finished)
        for k, event in enumerate(events):
            try:
                yield event
            except BaseException:
                batch.carry(events[k + 1:])
                raise

    def _findings(self, segments: list[Segment], owners: list["_Reading"]) -> list[Event]:
        try:
            return self._findings_of(segments, owners)
        except (GeneratorExit, KeyboardInterrupt):
            raise
        except BaseException:
            pass
        # A detector failed: again item by item, so that only the culprit records it.
        out: list[Event] = []
        by_owner: dict[int, list[int]] = {}
        for i, owner in enumerate(owners):
            by_owner.setdefault(id(owner), []).append(i)
        for idx in by_owner.values():
            owner = owners[idx[0]]
            try:
                out.extend(self._findings_of([segments[i] for i in idx], [owner] * len(idx)))
            except (GeneratorExit, KeyboardInterrupt):
                raise
            except BaseException as exc:  # per-item problems never abort a scan
                error = error_for(owner.item.location, exc)
                owner.error = owner.error or error.reason
                out.append(error)
        return out

    def _findings_of(self, segments: list[Segment], owners: list["_Reading"]) -> list[Event]:
        out: list[Event] = []
        counts = [0] * len(owners)
        for i, seg, matches in self.detection.detect_indexed(segments):
            counts[i] += len(matches)
            out.extend(self.redactor.finding(m, seg) for m in matches)
        for owner, n in zip(owners, counts):  # counted once the whole batch went through
            owner.found += n
        return out


@dataclass(eq=False)
class _Reading:
    """An item being read: what its ItemDone will say once its segments are detected."""

    item: Item
    media: str = sniff.BINARY
    reader: str | None = None
    found: int = 0
    error: str | None = None
    waiting: int = 0  # its segments in the batch

    def done(self) -> ItemDone:
        return ItemDone(self.item.location, self.item.info, self.media, self.reader, self.found,
                        None, self.error)


class _Batch:
    """Segments waiting for detection, each with the item it came from; the items
    whose reading ended while some of their segments were waiting; and events
    computed but not yet yielded (a flush that was interrupted)."""

    def __init__(self) -> None:
        self.segments: list[Segment] = []
        self.owners: list[_Reading] = []
        self.finished: list[_Reading] = []
        self.events: list[Event] = []
        self.chars = 0
        self.since = 0.0

    def add(self, seg: Segment, owner: _Reading) -> None:
        if not self.segments:
            self.since = time.monotonic()
        self.segments.append(seg)
        self.owners.append(owner)
        owner.waiting += 1
        self.chars += len(seg.text)

    def full(self) -> bool:
        return len(self.segments) >= BATCH or self.chars >= BATCH_CHARS or self.stale()

    def stale(self) -> bool:
        return bool(self.segments) and time.monotonic() - self.since > BATCH_WAIT

    @property
    def finished_or_carried(self) -> bool:
        return bool(self.finished or self.events)

    def take(self) -> tuple[list[Segment], list[_Reading], list[_Reading], list[Event]]:
        out = self.segments, self.owners, self.finished, self.events
        self.segments, self.owners, self.finished, self.events, self.chars = [], [], [], [], 0
        return out

    def carry(self, events: list[Event]) -> None:
        self.events = events + self.events


def _cap(seg: Segment, limit: int) -> Segment:
    if len(seg.text) <= limit:
        return seg
    # Readers should chunk long text themselves; this is the safety net.
    return Segment(seg.text[:limit], seg.location, seg.pointer, seg.field, seg.record, seg.language,
                   seg.overlap)


def sha256_of(item: Item, chunk: int = 1 << 20) -> str | None:
    if item.open is None:
        return None
    h = hashlib.sha256()
    with item.open() as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()
