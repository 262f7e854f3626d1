"""Workbooks: XLSX/XLSM and ODS (streamed XML), XLS (xlrd).

A segment per non-empty cell, pointing at sheet, row and column; the column
is named by its header when the sheet has one. Rows stream: XLSX sheets
and ODS content.xml are parsed incrementally (see xlsx.py for why not
openpyxl's read-only mode; odfpy and pandas would build the whole tree).
Hidden sheets are read.

Cells hold numbers, not what Excel shows: a SIN typed as 046454286 is the
number 46454286 displayed through a "000000000" format. Integral numbers
are written without ".0", and through their format when it is a plain
digit mask, so the SIN reads as Excel shows it. Dates are ISO.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import xml.etree.ElementTree as ET
from typing import IO, Any, Iterable, Iterator, Sequence

from ... import sniff
from ...model import (
    CorruptError,
    EncryptedError,
    Item,
    Pointer,
    ScanError,
    Segment,
    UnsupportedError,
)
from . import xlsx, xmlparts
from .docparts import (
    CHUNK,
    clean_header,
    column_letter,
    header_names,
    is_label,
    local_path,
    looks_like_header,
    opened,
    text_segments,
)
from .word import main_part

LOOKAHEAD = 20  # rows read before deciding whether the first one is a header
MAX_REPEAT = 100  # ODS rows/cells repeated more than this are padding

_MASK = re.compile(r"[0#?]+(?:[ \-./][0#?]+)*")
_QUOTED = re.compile(r'"[^"]*"|\\.')
_SECTION = re.compile(r"\[[^\]]*\]")

Row = tuple[int, Sequence[Any]]  # 1-based row number, cell values from column A


# -- values ----------------------------------------------------------------------------

def _digit_mask(value: int, fmt: str) -> str | None:
    """Render an integer through a plain digit mask ("000 000 000"), as Excel shows it."""
    fmt = _SECTION.sub("", fmt.split(";", 1)[0])
    fmt = _QUOTED.sub(lambda m: m.group()[1:-1] if m.group().startswith('"') else m.group()[1:],
                      fmt)
    if value < 0 or not _MASK.fullmatch(fmt) or "0" not in fmt:
        return None
    digits = str(value)
    slots = sum(c in "0#?" for c in fmt)
    if len(digits) > slots:
        return None
    out: list[str] = []
    pending = list(digits)
    for ch in reversed(fmt):
        if ch in "0#?":
            out.append(pending.pop() if pending else ("0" if ch == "0" else " " if ch == "?" else ""))
        else:
            out.append(ch)
    return "".join(reversed(out)).strip(" -./")


def cell_text(value: Any, number_format: str | None = None) -> str:
    """What a person would read in the cell, for detectors."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, xlsx.Number):
        return cell_text(value.value, value.number_format)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        value = int(value)
    if isinstance(value, int):
        if number_format and number_format != "General":
            masked = _digit_mask(value, number_format)
            if masked is not None:
                return masked
        return str(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value)


# -- one sheet -------------------------------------------------------------------------

def sheet_segments(sheet: str, rows: Iterable[Row], location: str, ctx: Any) -> Iterator[Segment]:
    """Segments of one sheet; `rows` are (row number, values) with typed values.

    The header is looked for in the first row with two filled cells or more
    (a title line often comes first).
    """
    it = iter(rows)
    headers: list[str | None] | None = None
    for number, values in it:  # rows up to the header candidate
        filled = [v for v in values if v not in (None, "")]
        yield from _row_segments(sheet, number, values, None, location)
        if len(filled) >= 2:
            ahead = list(itertools.islice(it, LOOKAHEAD))
            if looks_like_header(values, [v for _, v in ahead], strict=False):
                headers = header_names(values)
            it = itertools.chain(ahead, it)
            break
    for n, (number, values) in enumerate(it):
        if n % 512 == 0:
            ctx.check_time()
        yield from _row_segments(sheet, number, values, headers, location)


def _row_segments(sheet: str, number: int, values: Sequence[Any],
                  headers: list[str | None] | None, location: str) -> Iterator[Segment]:
    record = f"{sheet}!row:{number}"
    caption: str | None = None
    for j, value in enumerate(values):
        text = value if isinstance(value, str) else cell_text(value)
        if not text or text.isspace():
            caption = None
            continue
        name = headers[j] if headers is not None and j < len(headers) else None
        pointer = Pointer(sheet=sheet, row=number, column=name or column_letter(j))
        field = name if name is not None else caption
        if len(text) <= CHUNK:  # the usual cell: skip the chunking generator
            yield Segment(text, location, pointer, field, record)
        else:
            yield from text_segments(text, location, pointer, field=field, record=record)
        # A form in a sheet: "NAS :" in one cell, the number in the next.
        caption = clean_header(text) if headers is None and is_label(text) else None


# -- XLSX ----------------------------------------------------------------------------

def _read_xlsx(fh: IO[bytes], item: Item, ctx: Any) -> Iterator[Segment | Item | ScanError]:
    location = item.location
    with xmlparts.open_zip(fh) as zf:
        if "xl/workbook.bin" in zf.NameToInfo:
            raise UnsupportedError("XLSB (binary workbook) is not read; save it as XLSX")
        main = main_part(zf, "xl/workbook.xml")
        if main not in zf.NameToInfo:
            raise CorruptError("no workbook part in the package")
        book = xlsx.Workbook(zf, ctx, main)
        for sheet in book.sheets:
            try:
                yield from sheet_segments(sheet.name, book.rows(sheet), location, ctx)
                for row, column, text in book.comments(sheet):
                    yield from text_segments(text, location, Pointer(
                        sheet=sheet.name, row=row, column=column_letter(column), part="comment"),
                        record=f"{sheet.name}!row:{row}")
            except CorruptError as exc:  # one damaged sheet; the others are read
                yield ScanError(location, "corrupt", exc.detail)
        yield from xmlparts.embedded(item, zf, "xl/embeddings/", ctx)


# -- XLS -------------------------------------------------------------------------------

class _Discard:
    """xlrd's log: its default is stdout, where the JSONL report goes."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


def _read_xls(path: str, location: str, ctx: Any) -> Iterator[Segment]:
    import xlrd

    try:
        book = xlrd.open_workbook(path, on_demand=True, formatting_info=True, logfile=_Discard())
    except xlrd.XLRDError as exc:
        if "encrypt" in str(exc).lower():
            raise EncryptedError("password-protected workbook") from None
        raise CorruptError("not a readable XLS workbook") from None
    except NotImplementedError:  # formatting_info is not available for every BIFF version
        book = xlrd.open_workbook(path, on_demand=True, logfile=_Discard())
    except (OSError, ValueError, IndexError, KeyError, AssertionError, EOFError):
        raise CorruptError("not a readable XLS workbook (damaged or truncated)") from None
    try:
        for index in range(book.nsheets):
            try:
                sheet = book.sheet_by_index(index)
            except (xlrd.XLRDError, IndexError, ValueError, AssertionError):
                yield ScanError(location, "corrupt", f"sheet {index + 1} unreadable")
                continue
            yield from sheet_segments(sheet.name, _xls_rows(book, sheet), location, ctx)
            book.unload_sheet(index)
    finally:
        book.release_resources()


def _xls_rows(book: Any, sheet: Any) -> Iterator[Row]:
    import xlrd

    formats = book.format_map if book.formatting_info else {}
    for r in range(sheet.nrows):
        values: list[Any] = []
        for c, cell in enumerate(sheet.row(r)):
            kind, value = cell.ctype, cell.value
            if kind == xlrd.XL_CELL_DATE:
                try:
                    value = xlrd.xldate_as_datetime(value, book.datemode)
                except (ValueError, OverflowError, xlrd.xldate.XLDateError):
                    pass
            elif kind == xlrd.XL_CELL_NUMBER:
                fmt = None
                if formats:
                    fmt_obj = formats.get(book.xf_list[sheet.cell_xf_index(r, c)].format_key)
                    fmt = fmt_obj.format_str if fmt_obj is not None else None
                value = cell_text(value, fmt)
            elif kind == xlrd.XL_CELL_BOOLEAN:
                value = bool(value)
            elif kind in (xlrd.XL_CELL_ERROR, xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                value = None
            values.append(value)
        yield r + 1, values


# -- ODS ---------------------------------------------------------------------------------

_T, _O = xmlparts.TABLE, xmlparts.OFFICE
_CELLS = {_T + "table-cell", _T + "covered-table-cell"}


def _ods_value(cell: ET.Element) -> Any:
    """The cell's value: ISO for dates, else the text it displays (leading zeros kept)."""
    kind = cell.get(_O + "value-type")
    if kind == "date":
        return cell.get(_O + "date-value") or None
    shown = "\n".join(xmlparts.odf_text_of(p) for p in cell if p.tag == xmlparts.TEXT + "p")
    if shown:
        return shown
    if kind in ("float", "percentage", "currency"):
        try:
            return cell_text(float(cell.get(_O + "value") or ""))
        except ValueError:
            return None
    if kind == "boolean":
        return (cell.get(_O + "boolean-value") or "").upper() or None
    return None


def _ods_rows(stream: IO[bytes], ctx: Any) -> Iterator[tuple[str, int, list[Any]]]:
    """(sheet, row number, values) for every row with content, in order.

    A row is read when it ends, then dropped; anything outside rows is
    dropped as soon as it ends, so memory holds one row.
    """
    sheet, number, in_row, seen = "", 0, 0, 0
    stack: list[ET.Element] = []
    try:
        for event, elem in ET.iterparse(stream, events=("start", "end")):
            tag = elem.tag
            if event == "start":
                stack.append(elem)
                if tag == _T + "table" and not in_row:
                    sheet, number = elem.get(_T + "name") or "", 0
                elif tag == _T + "table-row":
                    in_row += 1
                continue
            stack.pop()
            if tag == _T + "table-row":
                in_row -= 1
                if in_row:
                    continue  # a row of a table inside a cell: its text is the cell's
                repeat = _count(elem.get(_T + "number-rows-repeated"))
                values = _ods_cells(elem)
                if values:
                    for _ in range(min(repeat, MAX_REPEAT)):
                        number += 1
                        yield sheet, number, values
                    number += max(repeat - MAX_REPEAT, 0)
                else:
                    number += repeat
                seen += 1
                if seen % 512 == 0:
                    ctx.check_time()
            if in_row:
                continue
            xmlparts.drop_element(elem, stack)
    except ET.ParseError as exc:
        raise CorruptError(f"malformed XML in content.xml (line {exc.position[0]})") from None


def _count(text: str | None) -> int:
    try:
        return max(int(text or 1), 1)
    except ValueError:
        return 1


def _ods_cells(row: ET.Element) -> list[Any]:
    values: list[Any] = []
    for cell in row:
        if cell.tag not in _CELLS:
            continue
        span = _count(cell.get(_T + "number-columns-repeated"))
        value = _ods_value(cell)
        values.extend([value] * min(span, MAX_REPEAT if value is not None else 1024))
    while values and values[-1] is None:
        values.pop()
    return values


def _read_ods(fh: IO[bytes], location: str, ctx: Any) -> Iterator[Segment]:
    with xmlparts.open_zip(fh) as zf:
        if xmlparts.odf_encrypted(zf):
            raise EncryptedError("password-protected spreadsheet")
        with xmlparts.open_member(zf, "content.xml", ctx) as stream:
            rows = _ods_rows(stream, ctx)
            for sheet, group in itertools.groupby(rows, key=lambda r: r[0]):
                yield from sheet_segments(sheet, ((n, v) for _, n, v in group), location, ctx)


# -- the reader ----------------------------------------------------------------------------

class SpreadsheetReader:
    """Every cell of every sheet (hidden ones too) of XLSX, XLSM, XLS and ODS workbooks."""

    name = "spreadsheet"
    media_types = (sniff.XLSX, sniff.XLS, sniff.ODS)

    def read(self, item: Item, ctx: Any) -> Iterator[Segment | Item | ScanError]:
        with opened(item, ctx) as fh:
            head = fh.read(8)
            fh.seek(0)
            if head.startswith(b"PK"):
                with xmlparts.open_zip(fh) as zf:
                    is_ods = "mimetype" in zf.NameToInfo
                fh.seek(0)
                if is_ods:
                    yield from _read_ods(fh, item.location, ctx)
                else:
                    yield from _read_xlsx(fh, item, ctx)
                return
            if not head.startswith(b"\xd0\xcf\x11\xe0"):
                raise CorruptError("not a workbook (unknown signature)")
        with local_path(item, ctx) as path:  # xlrd maps the file rather than reading it
            yield from _read_xls(path, item.location, ctx)
