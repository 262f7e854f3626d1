"""Helpers for the file-system and text-format tests.

Tiny local detectors keep these tests independent of the real ones (a SIN
with a Luhn check, any email); `real_registry` adds the real ca_sin and
email detectors where a test wants them, and skips when they are missing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

import pytest

from piiscan.checks import digits_only, luhn_ok
from piiscan.detectors.base import RegexDetector
from piiscan.engine import ItemDone, ReadContext, Scanner, ScanOptions
from piiscan.model import EntityType, Finding, Item, ItemInfo, ScanError, Segment
from piiscan.redact import Redactor
from piiscan.registry import Registry
from piiscan.sources.filesystem import FileOpener
from piiscan.sources.formats.delimited import DelimitedReader
from piiscan.sources.formats.jsondoc import JsonReader
from piiscan.sources.formats.markup import MarkupReader
from piiscan.sources.formats.text import TextReader

SIN = "046 454 286"  # Luhn-valid, made up (the government's own sample)
SIN_FR = "130 692 544"  # Luhn-valid, made up
EMAIL = "marie.tremblay@example.org"


class TinySin(RegexDetector):
    """Nine digits, grouped or not, with a Luhn check: enough to prove text was read."""

    name = "tiny_sin"
    entity = EntityType.CA_SIN
    pattern = re.compile(r"(?<!\d)\d{3}[ -]?\d{3}[ -]?\d{3}(?!\d)")
    pattern_score = 0.0
    validated_score = 0.9

    def validate(self, value: str) -> bool:
        return luhn_ok(digits_only(value))

    def normalize(self, value: str) -> str:
        return digits_only(value)


class TinyEmail(RegexDetector):
    name = "tiny_email"
    entity = EntityType.EMAIL_ADDRESS
    pattern = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
    keywords = ("@",)
    pattern_score = 0.9


def readers() -> list[Any]:
    return [TextReader(), DelimitedReader(), JsonReader(), MarkupReader()]


def tiny_registry() -> Registry:
    reg = Registry()
    for reader in readers():
        reg.add_reader(reader)
    reg.add_detector(TinySin())
    reg.add_detector(TinyEmail())
    return reg


def real_registry() -> Registry:
    """The real ca_sin and email detectors, or a skip when they are not there yet."""
    pytest.importorskip("piiscan.detectors.ca_sin")
    pytest.importorskip("piiscan.detectors.email")
    reg = Registry.from_entry_points(only=["text", "csv", "json", "markup", "ca_sin", "email"])
    missing = {"ca_sin", "email"} - set(reg.detectors)
    if missing:
        pytest.skip(f"detectors not loadable yet: {sorted(missing)}")
    return reg


def file_item(path: Path, location: str | None = None) -> Item:
    st = path.stat()
    return Item(location=location or path.name, name=path.name, open=FileOpener(str(path)),
                info=ItemInfo(size=st.st_size, mtime=st.st_mtime, inode=st.st_ino,
                              mode=st.st_mode))


def context(tmp_path: Path, **options: Any) -> ReadContext:
    return ReadContext(ScanOptions(**options), str(tmp_path))


def read(reader: Any, path: Path, tmp_path: Path) -> list[Segment | ScanError | Item]:
    return list(reader.read(file_item(path), context(tmp_path)))


def segments(outputs: Iterable[Any]) -> list[Segment]:
    return [o for o in outputs if isinstance(o, Segment)]


@dataclass
class Scan:
    findings: list[Finding]
    errors: list[ScanError]
    done: list[ItemDone]

    def of(self, entity: EntityType) -> list[Finding]:
        return [f for f in self.findings if f.entity_type == entity]


def scan(items: Iterable[Item | ScanError], registry: Registry | None = None,
         **options: Any) -> Scan:
    events: Iterator[Any]
    with Scanner(registry or tiny_registry(), Redactor(b"k" * 32), ScanOptions(**options)) as sc:
        events = list(sc.scan_items(items))
    return Scan([e for e in events if isinstance(e, Finding)],
                [e for e in events if isinstance(e, ScanError)],
                [e for e in events if isinstance(e, ItemDone)])


def scan_file(path: Path, registry: Registry | None = None, **options: Any) -> Scan:
    return scan([file_item(path)], registry, **options)
