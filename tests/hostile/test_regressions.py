"""Bugs the hostile corpus found, each pinned by the smallest input that showed it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from piiscan.engine import ItemDone, ReadContext, Scanner, ScanOptions
from piiscan.model import CorruptError, Item, ScanError
from piiscan.redact import Redactor
from piiscan.registry import Registry
from tests.hostile.corpus import image_bytes, xls_bytes


def test_an_image_damaged_in_its_header_is_corrupt_not_unreadable(tmp_path: Path) -> None:
    """PIL raises a bare OSError ("Truncated File Read") from Image.open on a cut header;
    it was recorded as "unreadable", the reason for an I/O error of the share."""
    from piiscan.sources.formats.image import ImageReader
    data = image_bytes("PNG")[:20]  # the signature and half of IHDR
    item = Item("scan.png", "scan.png", lambda: io.BytesIO(data), media_type="image/png")
    with pytest.raises(CorruptError):
        list(ImageReader().read(item, ReadContext(ScanOptions(), str(tmp_path))))


def test_a_damaged_xls_prints_nothing_on_stdout(tmp_path: Path,
                                                capfd: pytest.CaptureFixture[str]) -> None:
    """xlrd logs warnings to stdout by default, where `--format jsonl` writes its report."""
    data = xls_bytes()
    cut = data[:563]  # "file size (563) not 512 + multiple of sector size (512)"
    reg = Registry.from_entry_points(only=["spreadsheet"])
    item = Item("cut.xls", "cut.xls", lambda: io.BytesIO(cut))
    with Scanner(reg, Redactor(b"k" * 32), ScanOptions()) as sc:
        events = list(sc.scan_item(item))
    assert isinstance(events[-1], ItemDone)
    assert [e.reason for e in events if isinstance(e, ScanError)] == ["corrupt"]
    assert capfd.readouterr().out == ""
