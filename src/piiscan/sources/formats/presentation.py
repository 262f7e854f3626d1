"""PowerPoint (PPTX): text of each slide, its tables, SmartArt, speaker notes and comments.

Slides are read from their XML in presentation order, one part at a time;
python-pptx would load every part of the package, pictures and videos
included, into memory first. Grouped shapes need no special case: their
paragraphs are in the slide's XML like any other. Hidden slides are read.
Embedded files (a spreadsheet behind a chart or an icon) become child items.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from typing import Any, Iterator

from ... import sniff
from ...model import CorruptError, Item, Pointer, ScanError, Segment
from . import xmlparts
from .docparts import opened, table_segments, text_segments
from .word import main_part

_CM = "{http://schemas.openxmlformats.org/presentationml/2006/main}"


def slide_parts(zf: zipfile.ZipFile, main: str) -> list[str]:
    """Slide part names in presentation order (the order of p:sldIdLst)."""
    targets = {rid: target for kind, target, rid in xmlparts.relationships(zf, main)
               if kind == "slide"}
    try:
        root = ET.fromstring(zf.read(main))
    except ET.ParseError:
        raise CorruptError(f"malformed XML in {main}") from None
    order = [el.get(xmlparts.R + "id") for el in root.iter(xmlparts.P + "sldId")]
    slides = [targets[rid] for rid in order if rid in targets]
    return [s for s in slides if s in zf.NameToInfo]


class PresentationReader:
    """Slides, tables, SmartArt, notes and comments of a PPTX presentation."""

    name = "presentation"
    media_types = (sniff.PPTX,)

    def read(self, item: Item, ctx: Any) -> Iterator[Segment | Item | ScanError]:
        with opened(item, ctx) as fh, xmlparts.open_zip(fh) as zf:
            main = main_part(zf, "ppt/presentation.xml")
            if main not in zf.NameToInfo:
                raise CorruptError("no presentation part in the package")
            for number, part in enumerate(slide_parts(zf, main), 1):
                ctx.check_time()
                try:
                    yield from self._slide(zf, part, number, item.location, ctx)
                except CorruptError as exc:  # one damaged slide; the others are read
                    yield ScanError(item.location, "corrupt", f"slide {number}: {exc.detail}")
            yield from xmlparts.embedded(item, zf, "ppt/embeddings/", ctx)

    def _slide(self, zf: zipfile.ZipFile, part: str, number: int, location: str,
               ctx: Any) -> Iterator[Segment]:
        record = f"slide:{number}"
        links = xmlparts.relationships(zf, part)
        lines, tables = self._text(zf, part, ctx)
        for kind, target, _ in links:
            if kind == "diagramData" and target in zf.NameToInfo:  # SmartArt
                more, _ = self._text(zf, target, ctx)
                lines += more
        yield from text_segments("\n".join(lines), location, Pointer(slide=number), record=record)
        for t, rows in enumerate(tables, 1):
            yield from table_segments(rows, location, slide=number,
                                      record=f"{record}:table:{t}:")
        for kind, target, _ in links:
            if target not in zf.NameToInfo:
                continue
            if kind == "notesSlide":
                notes, note_tables = self._text(zf, target, ctx)
                notes += ["\n".join(" | ".join(r) for r in rows) for rows in note_tables]
                yield from text_segments("\n".join(notes), location,
                                         Pointer(slide=number, part="notes"), record=record)
            elif kind == "comments":
                yield from text_segments(self._comments(zf, target, ctx), location,
                                         Pointer(slide=number, part="comment"), record=record)

    @staticmethod
    def _text(zf: zipfile.ZipFile, part: str, ctx: Any) -> tuple[list[str], list[list[list[str]]]]:
        lines: list[str] = []
        tables: list[list[list[str]]] = []
        with xmlparts.open_member(zf, part, ctx) as stream:
            for block in xmlparts.walk(stream, xmlparts.DRAWING):
                if isinstance(block, xmlparts.Para):
                    if block.text.strip():
                        lines.append(block.text)
                elif isinstance(block, xmlparts.Table):
                    tables.append(block.rows)
        return lines, tables

    @staticmethod
    def _comments(zf: zipfile.ZipFile, part: str, ctx: Any) -> str:
        """Legacy comments: p:cm/p:text, one per line."""
        with xmlparts.open_member(zf, part, ctx) as stream:
            try:
                root = ET.parse(stream).getroot()
            except ET.ParseError:
                raise CorruptError(f"malformed XML in {part}") from None
        return "\n".join(el.text or "" for el in root.iter(_CM + "text"))
