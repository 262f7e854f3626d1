"""Scanning helpers shared by the document reader tests (PDF, Word, sheets, slides …).

Two tiny test-local detectors (a SIN-shaped number, an e-mail) keep these
tests independent of the real detectors written elsewhere.
"""

from __future__ import annotations

import io
import re
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from piiscan.detectors.base import RegexDetector
from piiscan.engine import ItemDone, ReadContext, Scanner, ScanOptions
from piiscan.model import EntityType, Finding, Item, ItemInfo, Pointer, ScanError, Segment
from piiscan.redact import Redactor
from piiscan.registry import Registry

SIN = "046 454 286"  # valid check digit, made up
SIN_DIGITS = SIN.replace(" ", "")
EMAIL = "marie.tremblay@example.org"
EMAIL2 = "jean.dupont@example.com"


class SinShaped(RegexDetector):
    """Nine digits, grouped by three or not: enough to prove a value was read."""

    name = "test_sin"
    entity = EntityType.CA_SIN
    pattern = re.compile(r"(?<!\d)\d{3} ?\d{3} ?\d{3}(?!\d)")
    pattern_score = 0.9


class EmailShaped(RegexDetector):
    name = "test_email"
    entity = EntityType.EMAIL_ADDRESS
    pattern = re.compile(r"[\w.+-]+@[\w-]+\.\w+(?:\.\w+)*")
    pattern_score = 0.9


def registry(*readers: Any) -> Registry:
    reg = Registry()
    for reader in readers:
        reg.add_reader(reader)
    reg.add_detector(SinShaped())
    reg.add_detector(EmailShaped())
    return reg


@dataclass
class Result:
    findings: list[Finding]
    errors: list[ScanError]
    done: list[ItemDone]
    counters: dict[str, int]

    def where(self, entity: EntityType | str) -> list[tuple[Pointer, str | None]]:
        return [(f.pointer, f.field) for f in self.findings if f.entity_type == entity]

    def reasons(self) -> list[str]:
        return [e.reason for e in self.errors]


def item_for(path: Path, location: str | None = None, media_type: str | None = None) -> Item:
    return Item(location=location or path.name, name=path.name, open=lambda: open(path, "rb"),
                info=ItemInfo(size=path.stat().st_size, mtime=path.stat().st_mtime),
                media_type=media_type)


class _Unseekable(io.RawIOBase):
    """A stream that only reads forward, like an archive member or a mail attachment."""

    def __init__(self, data: bytes):
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        chunk = self._data.read(len(buffer))
        buffer[:len(chunk)] = chunk
        return len(chunk)


def unseekable_item(path: Path) -> Item:
    data = path.read_bytes()
    return Item(location=path.name, name=path.name,
                open=lambda: io.BufferedReader(_Unseekable(data)))


def read_item(reader: Any, item: Item, tmp_path: Path, **options: Any) -> list[Segment]:
    ctx = ReadContext(ScanOptions(**options), str(tmp_path))
    return [s for s in reader.read(item, ctx) if isinstance(s, Segment)]


def scan(path: Path, *readers: Any, location: str | None = None, reg: Registry | None = None,
         media_type: str | None = None, **options: Any) -> Result:
    """A real scan of one file through the engine (sniffing included unless `media_type`)."""
    with Scanner(reg or registry(*readers), Redactor(b"k" * 32), ScanOptions(**options)) as sc:
        events = list(sc.scan_item(item_for(path, location, media_type)))
        counters = dict(sc.ctx.counters)
    return Result([e for e in events if isinstance(e, Finding)],
                  [e for e in events if isinstance(e, ScanError)],
                  [e for e in events if isinstance(e, ItemDone)], counters)


def segments(reader: Any, path: Path, tmp_path: Path, **options: Any) -> list[Segment]:
    """What the reader yields for a file, read directly (no engine, no detectors)."""
    return read_item(reader, item_for(path), tmp_path, **options)


def texts(segs: Iterable[Segment]) -> str:
    return "\n".join(s.text for s in segs)


def ole_file(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE2 compound file (MS-CFB v3) holding `streams`, each padded to
    4096 bytes or more so no mini stream is needed. Enough for .doc fixtures without Word."""
    sector = 512
    names = sorted(streams, key=lambda n: (len(n), n.upper()))
    data = [streams[n].ljust(max(len(streams[n]), 4096), b"\0") for n in names]
    fat: list[int] = [0xFFFFFFFD, 0xFFFFFFFE]  # sector 0: the FAT, sector 1: the directory
    starts = []
    for blob in data:
        count = -(-len(blob) // sector)
        starts.append(len(fat))
        fat.extend(range(len(fat) + 1, len(fat) + count))
        fat.append(0xFFFFFFFE)
    assert len(fat) <= 128
    fat += [0xFFFFFFFF] * (128 - len(fat))
    header = bytearray(sector)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 44, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0, 0)
    header[76:512] = struct.pack("<I", 0) + b"\xff" * 432

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        raw = bytearray(128)
        encoded = (name + "\0").encode("utf-16-le")
        raw[:len(encoded)] = encoded
        struct.pack_into("<HBB", raw, 64, len(encoded), kind, 1)
        struct.pack_into("<III", raw, 68, 0xFFFFFFFF, right, child)
        struct.pack_into("<II", raw, 116, start, size)
        return bytes(raw)

    directory = entry("Root Entry", 5, 1, 0xFFFFFFFF, 0xFFFFFFFE, 0)
    for i, (name, blob) in enumerate(zip(names, data), 1):
        right = i + 1 if i < len(names) else 0xFFFFFFFF
        directory += entry(name, 2, 0xFFFFFFFF, right, starts[i - 1], len(blob))
    assert len(names) < 4
    for _ in range(len(names) + 1, 4):  # free slots of the directory sector point nowhere
        directory += entry("", 0, 0xFFFFFFFF, 0xFFFFFFFF, 0, 0)
    body = b"".join(blob.ljust(-(-len(blob) // sector) * sector, b"\0") for blob in data)
    return bytes(header) + struct.pack("<128I", *fat) + directory + body
