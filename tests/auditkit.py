"""What the audit, triage and report tests share: a registry that records what it read,
a tiny deterministic detector, and store rows built by hand.

The readers are piiscan's own (text, csv), wrapped so a test can assert which
items were actually read. The detector is test-local on purpose: the diff
tests need exact expectations that must not move when a real detector's
scoring is tuned. The file system source is piiscan's when installed; a
minimal walk stands in for it otherwise (it yields the same Items).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Iterator

from piiscan.detectors.base import RegexDetector
from piiscan.model import EntityType, Finding, Item, ItemInfo, Pointer, ScanError, Severity, Violation
from piiscan.redact import Redactor
from piiscan.registry import Registry
from piiscan.store import Store

KEY = b"k" * 32
REDACTOR = Redactor(KEY)


def value_hash(entity: EntityType, value: str) -> str:
    return REDACTOR.hash(entity, value)


class ExampleEmailDetector(RegexDetector):
    """Addresses at example.org only: exact, so expected diffs are exact."""

    name = "test_email"
    entity = EntityType.EMAIL_ADDRESS
    pattern = re.compile(r"\b[a-z0-9.]+@example\.org\b")
    validated_score = 0.9

    def validate(self, value: str) -> bool | None:
        return True


class GroupedSinDetector(RegexDetector):
    """Nine digits grouped 3-3-3 (no checksum: the test picks its values)."""

    name = "test_sin"
    entity = EntityType.CA_SIN
    pattern = re.compile(r"(?<!\d)\d{3} \d{3} \d{3}(?!\d)")
    validated_score = 0.9

    def validate(self, value: str) -> bool | None:
        return True

    def normalize(self, value: str) -> str:
        return value.replace(" ", "")


class WalkSource:
    """Stand-in for the file system source: sorted walk, stat facts on every item."""

    name = "filesystem"

    def accepts(self, target: str) -> bool:
        return "://" not in target and os.path.isdir(target)

    def items(self, target: str, options: Any) -> Iterator[Item | ScanError]:
        root = Path(target)
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            st = path.stat()
            rel = path.relative_to(root).as_posix()
            yield Item(rel, path.name, partial(open, path, "rb"),
                       ItemInfo(st.st_size, st.st_mtime, st.st_ino, st.st_mode))


@dataclass
class RecordingReader:
    """A real reader, plus the list of locations it was asked to read."""

    inner: Any
    seen: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def media_types(self) -> tuple[str, ...]:
        return self.inner.media_types

    def read(self, item: Item, ctx: Any) -> Iterator[Any]:
        self.seen.append(item.location)
        return self.inner.read(item, ctx)


@dataclass
class Kit:
    registry: Registry
    readers: list[RecordingReader]

    def read(self) -> list[str]:
        """Locations read since the last call, in order."""
        out = [loc for r in self.readers for loc in r.seen]
        for r in self.readers:
            r.seen.clear()
        return sorted(out)


def audit_kit() -> Kit:
    real = Registry.from_entry_points(only=["filesystem", "text", "csv"])
    missing = {"text", "csv"} - set(real.readers)
    assert not missing, f"piiscan's own readers failed to load: {missing}: {real.plugins}"
    reg = Registry()
    reg.add("piiscan.sources", "filesystem", real.sources.get("filesystem") or WalkSource())
    readers = [RecordingReader(real.readers["text"]), RecordingReader(real.readers["csv"])]
    for r in readers:
        reg.add_reader(r)
    reg.add_detector(ExampleEmailDetector())
    reg.add_detector(GroupedSinDetector())
    return Kit(reg, readers)


# -- hand-built runs for report tests ---------------------------------------------

def finding(entity: str, location: str, value: str, *, reveal: bool = False,
            **pointer: Any) -> Finding:
    from piiscan.redact import mask
    et = EntityType(entity)
    return Finding(et, location, Pointer(**pointer), mask(et, value), value_hash(et, value), 0.9,
                   "test", "en", value if reveal else None)


def violation(rule: str, severity: str, location: str, message: str, purpose: str | None = None,
              entities: tuple[str, ...] = ("CA_SIN",), count: int = 1,
              hashes: tuple[str, ...] = ()) -> Violation:
    return Violation(rule, Severity.parse(severity), location, message, purpose,
                     tuple(EntityType(e) for e in entities), count, "", hashes)


def add_run(store: Store, findings: list[Finding], violations: list[Violation] = (),
            errors: list[ScanError] = (), *, kind: str = "audit", targets: tuple[str, ...] = ("/srv/share",),
            counters: dict[str, int] | None = None, revealed: bool = False,
            params: dict[str, Any] | None = None) -> int:
    run = store.begin_run(list(targets), params or {"policy": "policy.yaml", "min_score": 0.5},
                          kind=kind, revealed=revealed)
    for f in findings:
        store.add_finding(run, f)
    for loc in sorted({f.location.split("!")[0] for f in findings}):
        store.add_item(run, loc, ItemInfo(100, 1.0, 1, 0o640), "text/plain", "text", 1, None, None)
    store.add_violations(run, violations)
    for e in errors:
        store.add_error(run, e)
    store.finish_run(run, "done", counters or {})
    return run
