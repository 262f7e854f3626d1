"""OpenDocument text (ODT) and presentations (ODP), streamed from their XML.

ODT: paragraphs and headings, lists, tables, text boxes, footnotes and
comments from content.xml; page headers and footers from styles.xml.
ODP: the text and tables of each slide, and its speaker notes.
odfpy would load the whole document as a tree first; an incremental parse
keeps one paragraph in memory.
"""

from __future__ import annotations

import zipfile
from typing import Any, Iterator

from ... import sniff
from ...model import CorruptError, EncryptedError, Item, Pointer, ScanError, Segment
from . import xmlparts
from .docparts import Captions, opened, table_segments, text_segments
from .xmlparts import DRAW, PRESENTATION

STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
# Page-style parts of styles.xml → pointer part.
_PAGE_PARTS = {STYLE + "header": "header", STYLE + "header-left": "header",
               STYLE + "header-first": "header", STYLE + "footer": "footer",
               STYLE + "footer-left": "footer", STYLE + "footer-first": "footer"}


def _mimetype(zf: zipfile.ZipFile) -> str:
    try:
        return zf.read("mimetype")[:100].decode("ascii", "replace").strip()
    except KeyError:
        return ""


class OpenDocumentTextReader:
    """Text, tables, notes and comments of ODT documents; slides and notes of ODP."""

    name = "opendocument"
    media_types = (sniff.ODT, sniff.ODP)

    def read(self, item: Item, ctx: Any) -> Iterator[Segment | ScanError]:
        with opened(item, ctx) as fh, xmlparts.open_zip(fh) as zf:
            if xmlparts.odf_encrypted(zf):
                raise EncryptedError("password-protected document")
            if "content.xml" not in zf.NameToInfo:
                raise CorruptError("no content.xml in the package")
            if _mimetype(zf) == sniff.ODP:
                yield from self._slides(zf, item.location, ctx)
            else:
                yield from self._text(zf, "content.xml", item.location, ctx)
                if "styles.xml" in zf.NameToInfo:
                    yield from self._text(zf, "styles.xml", item.location, ctx)

    def _text(self, zf: zipfile.ZipFile, part: str, location: str, ctx: Any) -> Iterator[Segment]:
        """Paragraphs numbered per part ("body", "footnote", …), tables cell by cell."""
        in_styles = part == "styles.xml"
        page_part: str | None = None
        lines: dict[str, int] = {}
        captions: dict[str, Captions] = {}
        tables = 0
        with xmlparts.open_member(zf, part, ctx) as stream:
            for n, block in enumerate(xmlparts.walk(stream, xmlparts.ODF,
                                                    frozenset(_PAGE_PARTS))):
                if n % 256 == 0:
                    ctx.check_time()
                if isinstance(block, xmlparts.Mark):
                    page_part = _PAGE_PARTS[block.tag] if block.start else None
                    continue
                if in_styles and page_part is None:
                    continue  # styles.xml outside headers/footers holds no text of the document
                where = block.box or page_part or "body"
                if isinstance(block, xmlparts.Para):
                    lines[where] = line = lines.get(where, 0) + 1
                    yield from captions.setdefault(where, Captions()).segments(
                        block.text, location, Pointer(part=where, line=line), record=where)
                else:
                    tables += 1
                    yield from table_segments(block.rows, location, part=where,
                                              record=f"{where}:table:{tables}:")

    def _slides(self, zf: zipfile.ZipFile, location: str, ctx: Any) -> Iterator[Segment]:
        slide = 0
        notes = False
        text: list[str] = []
        note_text: list[str] = []
        tables = 0
        marks = frozenset({DRAW + "page", PRESENTATION + "notes"})
        with xmlparts.open_member(zf, "content.xml", ctx) as stream:
            for block in xmlparts.walk(stream, xmlparts.ODF, marks):
                if isinstance(block, xmlparts.Mark):
                    if block.tag == PRESENTATION + "notes":
                        notes = block.start
                    elif block.start:
                        ctx.check_time()
                        slide, text, note_text, tables = slide + 1, [], [], 0
                    else:
                        record = f"slide:{slide}"
                        yield from text_segments("\n".join(text), location, Pointer(slide=slide),
                                                 record=record)
                        yield from text_segments("\n".join(note_text), location,
                                                 Pointer(slide=slide, part="notes"), record=record)
                elif isinstance(block, xmlparts.Para):
                    if block.text.strip():
                        (note_text if notes else text).append(block.text)
                elif notes:
                    note_text.extend(" | ".join(row) for row in block.rows)
                else:
                    tables += 1
                    yield from table_segments(block.rows, location, slide=slide,
                                              record=f"slide:{slide}:table:{tables}:")
