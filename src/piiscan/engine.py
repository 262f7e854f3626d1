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

BATCH = 64  # segments per detect_many call (spaCy's nlp.pipe batch)


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

    @staticmethod
    def _wanted(det: Detector, lowered: str) -> bool:
        kws = det.keywords
        return not kws or any(k in lowered for k in kws)

    def detect_batch(self, batch: Sequence[Segment]) -> Iterator[tuple[Segment, list[Match]]]:
        """Yield each segment that has matches, with its resolved matches."""
        if self.language:
            batch = [s if s.language else s.with_language(self.language(s.text)) for s in batch]
        per_seg: list[list[Match]] = [[] for _ in batch]
        for i, seg in enumerate(batch):
            lowered = seg.text.lower()
            for det in self.simple:
                if self._wanted(det, lowered):
                    per_seg[i].extend(det.detect(seg))
        for det in self.batched:
            for i, matches in enumerate(det.detect_many(batch, per_seg) if _takes_prior(det)
                                        else det.detect_many(batch)):
                per_seg[i].extend(matches)
        min_score = self.options.min_score
        entities = self.options.entities
        for seg, matches in zip(batch, per_seg):
            matches = [m for m in matches if m.end > seg.overlap and m.score >= min_score and
                       (entities is None or m.entity_type in entities)]
            if matches:
                yield seg, resolve_overlaps(matches)


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
        reader_name: str | None = None
        media = sniff.BINARY
        found = 0
        error: ScanError | None = None
        try:
            if self.options.max_file_size and (item.info.size or 0) > self.options.max_file_size:
                raise ItemError(f"{item.info.size} bytes, over the limit of "
                                f"{self.options.max_file_size}", reason="too large")
            media, _ = self.media_type(item)
            reader = self.registry.reader_for(media)
            if reader is None:
                self.ctx.count("unsupported:" + ("binary" if media == sniff.BINARY else media))
                yield ItemDone(item.location, item.info, media, None, 0, None)
                return
            reader_name = reader.name
            deadline = time.monotonic() + self.options.item_timeout_s
            self.ctx.deadline = deadline
            batch: list[Segment] = []
            for out in reader.read(item, self.ctx):
                if isinstance(out, Segment):
                    for observe in self.observers:
                        observe(out)
                    if out.text and not out.text.isspace():
                        batch.append(_cap(out, self.options.max_segment_chars))
                    if len(batch) >= BATCH:
                        found += yield from self._detect(batch)
                        batch = []
                        if time.monotonic() > deadline:
                            raise ItemError(f"stopped after {self.options.item_timeout_s:.0f} s",
                                            reason="timeout")
                elif isinstance(out, Item):
                    if out.depth > self.options.max_depth:
                        yield ScanError(out.location, "too deep",
                                        f"nested deeper than {self.options.max_depth} containers")
                        continue
                    yield from self.scan_item(out)  # while the container is still open
                elif isinstance(out, ScanError):
                    yield out
            if batch:
                found += yield from self._detect(batch)
        except (GeneratorExit, KeyboardInterrupt):
            raise
        except BaseException as exc:  # per-item problems never abort a scan
            error = error_for(item.location, exc)
            log.debug("item failed: %s: %s", item.location, error.reason)
            yield error
        yield ItemDone(item.location, item.info, media, reader_name, found, None,
                       error.reason if error else None)

    def _detect(self, batch: list[Segment]) -> Iterator[Event]:
        found = 0
        for seg, matches in self.detection.detect_batch(batch):
            for m in matches:
                found += 1
                yield self.redactor.finding(m, seg)
        return found

    def scan_items(self, items: Iterable[Item | ScanError]) -> Iterator[Event]:
        for item in items:
            if isinstance(item, ScanError):
                yield item
                continue
            yield from self.scan_item(item)


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
