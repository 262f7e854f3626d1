"""Scanning helpers shared by the container reader tests (mail, outlook, archive).

A tiny SIN-shaped detector keeps these tests independent of the real
detectors; the real text and CSV readers read the members.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from piiscan.detectors.base import RegexDetector
from piiscan.engine import ItemDone, Scanner, ScanOptions
from piiscan.model import EntityType, Finding, Item, ItemInfo, ScanError
from piiscan.redact import Redactor
from piiscan.registry import Registry
from piiscan.sources.formats.archive import ArchiveReader
from piiscan.sources.formats.delimited import DelimitedReader
from piiscan.sources.formats.mail import MailReader
from piiscan.sources.formats.outlook import OutlookMsgReader
from piiscan.sources.formats.text import TextReader

SIN = "046 454 286"  # valid check digit, made up
SIN_FR = "130 692 544"
DONORS_CSV = f"nom,NAS\nMarie Tremblay,{SIN}\n".encode()


class SinShaped(RegexDetector):
    """Nine digits in groups of three: enough to prove a member was read."""

    name = "test_sin"
    entity = EntityType.CA_SIN
    pattern = re.compile(r"(?<!\d)\d{3} \d{3} \d{3}(?!\d)")
    pattern_score = 0.9


def registry() -> Registry:
    reg = Registry()
    for reader in (MailReader(), OutlookMsgReader(), ArchiveReader(), TextReader(),
                   DelimitedReader()):
        reg.add_reader(reader)
    reg.add_detector(SinShaped())
    return reg


@dataclass
class Result:
    findings: list[Finding]
    errors: list[ScanError]
    done: list[ItemDone]

    def locations(self) -> set[str]:
        return {f.location for f in self.findings}

    def error_reasons(self) -> dict[str, str]:
        return {e.location: e.reason for e in self.errors}

    def error_details(self) -> dict[str, str]:
        return {e.location: e.detail for e in self.errors}


def scan(path: Path, location: str | None = None, **options: object) -> Result:
    item = Item(location=location or path.name, name=path.name,
                open=lambda: open(path, "rb"),
                info=ItemInfo(size=path.stat().st_size, mtime=path.stat().st_mtime))
    opts = ScanOptions(**options)  # type: ignore[arg-type]
    with Scanner(registry(), Redactor(b"k" * 32), opts) as scanner:
        events = list(scanner.scan_item(item))
    return split(events)


def split(events: Iterable[object]) -> Result:
    events = list(events)
    return Result([e for e in events if isinstance(e, Finding)],
                  [e for e in events if isinstance(e, ScanError)],
                  [e for e in events if isinstance(e, ItemDone)])
