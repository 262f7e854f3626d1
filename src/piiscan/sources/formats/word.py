"""Word documents: DOCX read part by part from its XML, legacy DOC from its piece table.

DOCX is read with a streaming XML walk rather than python-docx, which holds
the whole tree and skips content controls, tracked insertions and deletions
(a deleted SIN is still in the file) and text boxes. Read: the body, text
boxes, tables, headers, footers, footnotes, endnotes and comments; files
embedded in the document (a workbook pasted in a report) go back to the
engine as child items.

Password-protected Office files (DOCX, XLSX, PPTX alike) are an OLE file
holding an "EncryptedPackage": this reader claims that type and reports it.
"""

from __future__ import annotations

import zipfile
from typing import Any, Iterator

from ... import sniff
from ...model import CorruptError, EncryptedError, Item, Pointer, ScanError, Segment
from . import msdoc, xmlparts
from .docparts import Captions, opened, table_segments

_OFFICE_DOCUMENT = "officeDocument"
# Relationship type → pointer part, in the order a reader of the document meets them.
_PARTS = (("header", "header"), ("footer", "footer"), ("footnotes", "footnote"),
          ("endnotes", "endnote"), ("comments", "comment"))


def main_part(zf: zipfile.ZipFile, default: str) -> str:
    """The package's main part, from its root relationships (rarely not the default)."""
    for kind, target, _ in xmlparts.relationships(zf, ""):
        if kind == _OFFICE_DOCUMENT and target in zf.NameToInfo:
            return target
    return default


class WordReader:
    """Body, tables, text boxes, headers, footers, notes and comments of DOCX and DOC."""

    name = "word"
    media_types = (sniff.DOCX, sniff.DOC, sniff.OOXML_ENCRYPTED)

    def read(self, item: Item, ctx: Any) -> Iterator[Segment | Item | ScanError]:
        media = item.media_type
        with opened(item, ctx) as fh:
            head = fh.read(8)
            fh.seek(0)
            if head.startswith(b"\xd0\xcf\x11\xe0"):
                if media == sniff.OOXML_ENCRYPTED or msdoc.is_encrypted_package(fh):
                    raise EncryptedError("password-protected Office document")
                yield from msdoc.read_doc(fh, item.location, ctx)
                return
            with xmlparts.open_zip(fh) as zf:
                yield from self._docx(zf, item.location, ctx)
                yield from xmlparts.embedded(item, zf, "word/embeddings/", ctx)

    def _docx(self, zf: zipfile.ZipFile, location: str, ctx: Any) -> Iterator[Segment]:
        main = main_part(zf, "word/document.xml")
        if main not in zf.NameToInfo:
            raise CorruptError("no document part in the package")
        yield from self._part(zf, main, "body", location, ctx)
        links = xmlparts.relationships(zf, main)
        seen = {main}
        for kind, part in _PARTS:
            for rel_kind, target, _ in links:
                if rel_kind == kind and target not in seen and target in zf.NameToInfo:
                    seen.add(target)
                    yield from self._part(zf, target, part, location, ctx)

    def _part(self, zf: zipfile.ZipFile, name: str, part: str, location: str,
              ctx: Any) -> Iterator[Segment]:
        """One XML part: paragraphs numbered as `line`, tables cell by cell."""
        captions = {None: Captions()}
        counts: dict[str | None, int] = {}
        tables = 0
        with xmlparts.open_member(zf, name, ctx) as stream:
            for n, block in enumerate(xmlparts.walk(stream, xmlparts.DOCX)):
                if n % 256 == 0:
                    ctx.check_time()
                where = block.box or part
                if isinstance(block, xmlparts.Para):
                    counts[block.box] = line = counts.get(block.box, 0) + 1
                    caption = captions.setdefault(block.box, Captions())
                    yield from caption.segments(block.text, location,
                                                Pointer(part=where, line=line), record=where)
                elif isinstance(block, xmlparts.Table):
                    tables += 1
                    yield from table_segments(block.rows, location, part=where,
                                              record=f"{where}:table:{tables}:")

