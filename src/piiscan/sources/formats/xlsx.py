"""Rows of an XLSX/XLSM workbook, parsed as a stream from the sheet XML.

openpyxl's read-only mode streams too, but it parses with defusedxml's
pure-Python parser when defusedxml is installed (it is, here), and it
trusts the size a sheet declares: a wrong one cuts rows off, and resetting
it makes openpyxl parse the sheet twice. Read here with the standard
library's C parser, a 200 000-cell sheet takes about a tenth of the time
(benchmarks/readers.py). openpyxl's helpers still decide which number
formats are dates and convert Excel serial dates.
"""

from __future__ import annotations

import re
import zipfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import IO, Any, Iterator

from ...lazyimport import lazy_module
from ...model import CorruptError
from . import xmlparts

# openpyxl (and numpy with it) is imported at the first workbook read, not with the reader
numbers = lazy_module("openpyxl.styles.numbers")
excel_dates = lazy_module("openpyxl.utils.datetime")

S = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
MAX_COLUMNS = 16_384  # Excel's last column, XFD
_REF = re.compile(r"([A-Z]{1,3})(\d+)")


@dataclass(frozen=True, slots=True)
class Sheet:
    name: str
    part: str


@dataclass(frozen=True, slots=True)
class Number:
    """A numeric cell with the format it is shown through."""

    value: float
    number_format: str | None


def column_index(letters: str) -> int:
    """'A' → 0, 'AA' → 26."""
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index - 1


class Workbook:
    """The parts of a workbook that give cells their meaning: sheets, strings, styles."""

    def __init__(self, zf: zipfile.ZipFile, ctx: Any, main: str = "xl/workbook.xml"):
        self.zf, self.ctx, self.main = zf, ctx, main
        root = self._tree(main)
        pr = root.find(S + "workbookPr")
        self.epoch = excel_dates.CALENDAR_MAC_1904 if pr is not None and pr.get("date1904") in (
            "1", "true") else excel_dates.CALENDAR_WINDOWS_1900
        links = {rid: (kind, target) for kind, target, rid in xmlparts.relationships(zf, main)}
        self.sheets: list[Sheet] = []
        for el in root.iter(S + "sheet"):
            kind, target = links.get(el.get(xmlparts.R + "id") or "", ("", ""))
            if kind == "worksheet" and target in zf.NameToInfo:
                self.sheets.append(Sheet(el.get("name") or target, target))  # hidden ones too
        parts = {kind: target for kind, target in links.values()}
        self.strings = self._shared_strings(parts.get("sharedStrings"))
        self.formats = self._cell_formats(parts.get("styles"))

    def _tree(self, part: str) -> ET.Element:
        with xmlparts.open_member(self.zf, part, self.ctx) as stream:
            try:
                return ET.parse(stream).getroot()
            except ET.ParseError:
                raise CorruptError(f"malformed XML in {part}") from None

    def _shared_strings(self, part: str | None) -> list[str]:
        """Every shared string, phonetic guides left out."""
        if not part or part not in self.zf.NameToInfo:
            return []
        out: list[str] = []
        table = None
        with xmlparts.open_member(self.zf, part, self.ctx) as stream:
            try:
                for event, el in ET.iterparse(stream, events=("start", "end")):
                    if event == "start":
                        if table is None:
                            table = el  # <sst>: emptied as it goes, so only the strings stay
                    elif el.tag == S + "si":
                        out.append(_inline_text(el))
                        table.clear()
            except ET.ParseError:
                raise CorruptError(f"malformed XML in {part}") from None
        return out

    def _cell_formats(self, part: str | None) -> list[str | None]:
        """The number format of each cell style (cellXfs), by style index."""
        if not part or part not in self.zf.NameToInfo:
            return []
        root = self._tree(part)
        custom = {int(el.get("numFmtId") or -1): el.get("formatCode") or ""
                  for el in root.iter(S + "numFmt")}
        xfs = root.find(S + "cellXfs")
        formats: list[str | None] = []
        for xf in (xfs if xfs is not None else []):
            try:
                number = int(xf.get("numFmtId") or 0)
            except ValueError:
                number = 0
            formats.append(custom.get(number) or numbers.BUILTIN_FORMATS.get(number))
        return formats

    def rows(self, sheet: Sheet) -> Iterator[tuple[int, list[Any]]]:
        """(row number, values from column A) for rows with content, in order."""
        with xmlparts.open_member(self.zf, sheet.part, self.ctx) as stream:
            try:
                yield from self._rows(stream)
            except ET.ParseError as exc:
                raise CorruptError(f"malformed XML in sheet {sheet.name!r} "
                                   f"(line {exc.position[0]})") from None

    def _rows(self, stream: IO[bytes]) -> Iterator[tuple[int, list[Any]]]:
        number = 0
        sheet_data = None
        for event, el in ET.iterparse(stream, events=("start", "end")):
            if event == "start":
                if el.tag == S + "sheetData":
                    sheet_data = el
                continue
            if el.tag != S + "row":
                continue
            try:
                number = int(el.get("r") or number + 1)
            except ValueError:
                number += 1
            values: list[Any] = []
            for cell in el.iter(S + "c"):
                index = len(values)
                m = _REF.match(cell.get("r") or "")
                if m:
                    index = column_index(m.group(1))
                if index >= MAX_COLUMNS:
                    continue
                value = self._value(cell)
                if value is None:
                    continue
                if index >= len(values):
                    values.extend([None] * (index + 1 - len(values)))
                values[index] = value
            if sheet_data is not None:
                sheet_data.clear()  # drop the rows read so far: memory holds one row
            if values:
                yield number, values

    def comments(self, sheet: Sheet) -> Iterator[tuple[int, int, str]]:
        """(row number, column index, text) of each cell comment (note) of a sheet."""
        for kind, target, _ in xmlparts.relationships(self.zf, sheet.part):
            if kind != "comments" or target not in self.zf.NameToInfo:
                continue
            for el in self._tree(target).iter(S + "comment"):
                m = _REF.match(el.get("ref") or "")
                text = el.find(S + "text")
                if m and text is not None:
                    yield int(m.group(2)), column_index(m.group(1)), _inline_text(text)

    def _value(self, cell: ET.Element) -> Any:
        kind = cell.get("t", "n")
        if kind == "inlineStr":
            inline = cell.find(S + "is")
            return _inline_text(inline) if inline is not None else None
        v = cell.find(S + "v")
        raw = v.text if v is not None else None
        if raw is None:
            return None
        if kind == "s":
            try:
                return self.strings[int(raw)]
            except (ValueError, IndexError):
                return None
        if kind in ("str", "d"):
            return raw
        if kind == "b":
            return raw.strip() in ("1", "true")
        if kind == "e":
            return None  # #N/A, #REF!: nothing a person wrote
        try:
            number = float(raw)
        except ValueError:
            return raw
        fmt = None
        style = cell.get("s")
        if style and self.formats:
            try:
                fmt = self.formats[int(style)]
            except (ValueError, IndexError):
                fmt = None
        if fmt and numbers.is_date_format(fmt):
            try:
                return excel_dates.from_excel(number, self.epoch)
            except (ValueError, OverflowError, TypeError):
                return number
        return Number(number, fmt)


def _inline_text(el: ET.Element) -> str:
    """Text of a string item: plain <t>, or rich-text runs; phonetic runs (rPh) skipped."""
    parts: list[str] = []
    for child in el:
        if child.tag == S + "t":
            parts.append(child.text or "")
        elif child.tag == S + "r":
            t = child.find(S + "t")
            if t is not None:
                parts.append(t.text or "")
    return "".join(parts)
