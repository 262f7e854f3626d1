"""PDF: the text of every page, tables cell by cell, form fields, comments, scans.

PDFium (pypdfium2) reads the text: on a 50-page report it is about 80 times
faster than pdfplumber (benchmarks/readers.py). pdfplumber, which finds
tables from ruling lines, is opened only for pages that have enough drawn
lines to hold a table; there the text outside the tables and each cell are
read by pdfplumber so no value is reported twice. Pages without a text
layer are rendered and read by OCR. Filled-in form fields (intake forms)
and sticky-note comments are not in a page's text and are read apart.
Embedded files are handed back to the engine as child items.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import io
from typing import Any, Callable, Iterator, Sequence

from ... import sniff
from ...lazyimport import lazy_module
from ...model import (
    CorruptError,
    EncryptedError,
    Item,
    ItemError,
    Pointer,
    ScanError,
    Segment,
)

# PDFium is imported at the first PDF read, not with the reader. Checked before
# Pillow (through ocr) so that a missing PDFium is the reason given, as it was.
pdfium = lazy_module("pypdfium2")
pdfium_c = lazy_module("pypdfium2.raw")

from . import ocr  # noqa: E402
from .docparts import opened, table_segments, text_segments  # noqa: E402

OCR_DPI = 300
TABLE_MIN_PATHS = 6  # ruled tables draw at least a few lines; plain text pages none
SCAN_TEXT_CHARS = 50  # a page with less text than this over a big picture is a scan
SCAN_COVER = 0.5  # share of the page a picture must cover to count as a scan


@functools.cache
def _skipped_annots() -> frozenset[int]:
    return frozenset({pdfium_c.FPDF_ANNOT_POPUP, pdfium_c.FPDF_ANNOT_LINK})


@functools.cache
def _state_fields() -> frozenset[int]:
    """Fields whose value is a state ("Off", "Yes"), not something typed."""
    return frozenset({pdfium_c.FPDF_FORMFIELD_CHECKBOX, pdfium_c.FPDF_FORMFIELD_RADIOBUTTON,
                      pdfium_c.FPDF_FORMFIELD_PUSHBUTTON, pdfium_c.FPDF_FORMFIELD_SIGNATURE})


def _open(fh: Any) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(fh)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == pdfium_c.FPDF_ERR_PASSWORD:
            raise EncryptedError("password-protected") from None
        if code == pdfium_c.FPDF_ERR_SECURITY:
            raise EncryptedError("unsupported security handler") from None
        raise CorruptError("not a readable PDF (damaged or truncated structure)") from None


def _wide_text(getter: Callable[..., int], *args: Any) -> str:
    """Call a PDFium function that fills a UTF-16 buffer, sizing the buffer first."""
    size = getter(*args, None, 0)
    if size <= 2:
        return ""
    buffer = ctypes.create_string_buffer(size)
    getter(*args, ctypes.cast(buffer, ctypes.POINTER(pdfium_c.FPDF_WCHAR)), size)
    return buffer.raw[:size - 2].decode("utf-16-le", "replace")


def _page_text(page: pdfium.PdfPage) -> str:
    textpage = page.get_textpage()
    try:
        return textpage.get_text_range().replace("\r\n", "\n").replace("\r", "\n")
    finally:
        textpage.close()


def _count_objects(page: pdfium.PdfPage, kind: int, stop: int) -> int:
    count = 0
    for _ in page.get_objects(filter=(kind,), max_depth=2):
        count += 1
        if count >= stop:
            break
    return count


def _image_cover(page: pdfium.PdfPage) -> float:
    """The share of the page pictures cover: 0 without any (scanners may cut a page in bands)."""
    width, height = page.get_size()
    area = max(width * height, 1.0)
    total = 0.0
    for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=2):
        try:
            left, bottom, right, top = obj.get_bounds()
        except pdfium.PdfiumError:
            total += 1e-6  # a picture all the same
            continue
        total += max((right - left) * (top - bottom), 1e-6) / area
    return min(total, 1.0)


def _inside(obj: dict, boxes: Sequence[tuple[float, float, float, float]]) -> bool:
    x = (obj["x0"] + obj["x1"]) / 2
    y = (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)


class PdfReader:
    """Pages, tables, form fields, comments and attachments of a PDF."""

    name = "pdf"
    media_types = (sniff.PDF,)

    def read(self, item: Item, ctx: Any) -> Iterator[Segment | Item | ScanError]:
        with contextlib.ExitStack() as stack:
            fh = stack.enter_context(opened(item, ctx))
            doc = _open(fh)
            stack.callback(doc.close)
            doc.init_forms()
            plumber: list[Any] = []  # opened at the first page that may hold a table

            def tables_doc() -> Any:
                if not plumber:
                    import pdfplumber

                    plumber.append(stack.enter_context(
                        pdfplumber.open(stack.enter_context(opened(item, ctx)))))
                return plumber[0]

            unread: list[int] = []
            why = ""
            for index in range(len(doc)):
                ctx.check_time()
                number = index + 1
                try:
                    page = doc[index]
                except pdfium.PdfiumError:
                    yield ScanError(item.location, "corrupt", f"page {number}: unreadable")
                    continue
                try:
                    outcome = yield from self._page(item, ctx, page, number, tables_doc)
                    yield from self._annotations(item, doc, page, number)
                finally:
                    page.close()
                if outcome:
                    unread.append(number)
                    why = outcome
            if unread:
                yield ScanError(item.location, "skipped",
                                f"{why}; {len(unread)} page(s) without text not read: "
                                f"{_ranges(unread)}")
            yield from self._attachments(item, doc, ctx)

    def _page(self, item: Item, ctx: Any, page: pdfium.PdfPage, number: int,
              tables_doc: Callable[[], Any]) -> Iterator[Segment | ScanError]:
        """Segments of one page; returns why the page was not read, if it was not."""
        pointer = Pointer(page=number)
        record = f"page:{number}"
        text = _page_text(page)
        if _count_objects(page, pdfium_c.FPDF_PAGEOBJ_PATH, TABLE_MIN_PATHS) >= TABLE_MIN_PATHS:
            done = yield from self._tables(item, ctx, tables_doc, number)
            if done:
                return ""
        yield from text_segments(text, item.location, pointer, record=record)
        stripped = text.strip()
        if len(stripped) >= SCAN_TEXT_CHARS:
            return ""
        cover = _image_cover(page)
        if cover == 0 or (stripped and cover < SCAN_COVER):
            return ""
        # A scanned page, perhaps with a few words of text (a stamp, a page number).
        if not ctx.options.ocr:
            return "OCR disabled"
        try:
            scanned = ocr.recognize(self._render(page), ctx)
        except ocr.OcrUnavailable as exc:
            ctx.count("ocr_skipped")
            return str(exc)
        except ItemError as exc:
            if exc.reason == "timeout":
                raise
            yield ScanError(item.location, exc.reason, f"page {number}: {exc.detail}")
            return ""
        ctx.count("ocr_pages")
        yield from text_segments(scanned, item.location, Pointer(page=number, part="ocr"),
                                 record=record)
        return ""

    @staticmethod
    def _render(page: pdfium.PdfPage) -> Any:
        width, height = page.get_size()
        scale = OCR_DPI / 72
        pixels = width * height * scale * scale
        if pixels > ocr.MAX_OCR_PIXELS:
            scale *= (ocr.MAX_OCR_PIXELS / pixels) ** 0.5
        bitmap = page.render(scale=scale, grayscale=True)
        try:
            return bitmap.to_pil().copy()  # the picture shares the bitmap's memory until copied
        finally:
            bitmap.close()

    def _tables(self, item: Item, ctx: Any, tables_doc: Callable[[], Any],
                number: int) -> Iterator[Segment]:
        """Text and table cells of a ruled page via pdfplumber; False if it found no table."""
        try:
            page = tables_doc().pages[number - 1]
            try:
                found = page.find_tables()
                if not found:
                    return False
                boxes = [t.bbox for t in found]
                rest = page.filter(lambda o: o.get("object_type") != "char" or not _inside(o, boxes))
                text = rest.extract_text() or ""
                tables = [t.extract() for t in found]
            finally:
                page.close()
        except Exception:  # pdfminer trips on what PDFium reads: keep PDFium's text
            ctx.count("pdf_table_fallback")
            return False
        yield from text_segments(text, item.location, Pointer(page=number),
                                 record=f"page:{number}")
        for t, rows in enumerate(tables, 1):
            cells = [[(c or "").strip() for c in row] for row in rows]
            yield from table_segments(cells, item.location, record=f"page:{number}:table:{t}:",
                                      page=number)
        return True

    def _annotations(self, item: Item, doc: pdfium.PdfDocument, page: pdfium.PdfPage,
                     number: int) -> Iterator[Segment]:
        """Form-field values (part "form") and comments (part "comment") of a page."""
        formenv = doc.formenv
        for i in range(pdfium_c.FPDFPage_GetAnnotCount(page)):
            annot = pdfium_c.FPDFPage_GetAnnot(page, i)
            if not annot:
                continue
            try:
                kind = pdfium_c.FPDFAnnot_GetSubtype(annot)
                if kind in _skipped_annots():
                    continue
                if kind == pdfium_c.FPDF_ANNOT_WIDGET:
                    if not formenv or pdfium_c.FPDFAnnot_GetFormFieldType(
                            formenv, annot) in _state_fields():
                        continue
                    name = _wide_text(pdfium_c.FPDFAnnot_GetFormFieldName, formenv, annot)
                    value = _wide_text(pdfium_c.FPDFAnnot_GetFormFieldValue, formenv, annot)
                    yield from text_segments(value, item.location,
                                             Pointer(page=number, part="form", path=name or None),
                                             field=name or None, record=f"page:{number}")
                else:
                    contents = _wide_text(pdfium_c.FPDFAnnot_GetStringValue, annot, b"Contents")
                    yield from text_segments(contents, item.location,
                                             Pointer(page=number, part="comment"),
                                             record=f"page:{number}")
            finally:
                pdfium_c.FPDFPage_CloseAnnot(annot)

    @staticmethod
    def _attachments(item: Item, doc: pdfium.PdfDocument, ctx: Any) -> Iterator[Item | ScanError]:
        try:
            count = doc.count_attachments()
        except pdfium.PdfiumError:
            return
        for i in range(count):
            attachment = doc.get_attachment(i)
            name = attachment.get_name() or f"attachment-{i + 1}"
            try:
                data = bytes(attachment.get_data())
            except pdfium.PdfiumError:
                yield ScanError(f"{item.location}!{name}", "corrupt", "embedded file unreadable")
                continue
            if len(data) > ctx.options.max_archive_bytes:
                yield ScanError(f"{item.location}!{name}", "too large", "embedded file over the limit")
                continue
            yield item.child(name, lambda data=data: io.BytesIO(data), size=len(data))


def _ranges(numbers: list[int]) -> str:
    """1, 2, 3, 7 → "1-3, 7": a page list a person can read."""
    out: list[str] = []
    start = prev = numbers[0]
    for n in numbers[1:] + [0]:
        if n == prev + 1:
            prev = n
            continue
        out.append(str(start) if start == prev else f"{start}-{prev}")
        start = prev = n
    return ", ".join(out)
