"""HTML and XML: the text a person would read, plus attribute values that hold data.

HTML goes through the standard library's tolerant `html.parser`: scripts and
styles are dropped, the title kept, and form values, alt texts and mailto:
links are read as text. Neighbouring short blocks are kept together (a
label and its value) in segments pointing at their first line. A table with
a header row gives one segment per cell, its column header as `field`; a
table without one gives one segment per row, so a label cell stays next to
its value.

XML is streamed through expat (the parser under `xml.etree.iterparse`,
used directly because its accelerated front end offers no hook for entity
declarations). Any `<!ENTITY` is refused, which rules out billion-laughs
expansion and external-entity reads before they start. Each element's own
text is a segment with its element path as pointer
(`/participants/participant[3]/nas`), its name as `field` and its parent's
path as `record`; attributes are segments too (`…/participant[3]/@id`).
Elements that contain other elements always carry a position, leaves only
from their second occurrence: `participant[1]/nas`, `phone`, `phone[2]`.
"""

from __future__ import annotations

import re
import xml.parsers.expat as expat
from html.parser import HTMLParser
from typing import Any, Iterator

from ... import sniff
from ...model import CorruptError, Item, Pointer, Segment
from .textio import (OVERLAP, READ_BYTES, SEGMENT_CHARS, chunk_text, decode_text,
                     detect_encoding, read_head)

FLUSH_CHARS = 2000  # an HTML segment ends at the first block boundary past this size

_VALUE_LIKE = re.compile(r"\d{3}|@")

# -- HTML ---------------------------------------------------------------------

_SKIP = frozenset({"script", "style"})
_BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "body", "br", "dd", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "head", "header", "hr", "html", "li", "main", "nav", "ol", "option", "p", "pre",
    "section", "title", "ul", "caption", "legend",
})
_TEXT_ATTRS = frozenset({"alt", "title", "value", "placeholder", "aria-label", "label"})
_META_NAMES = frozenset({"author", "description", "keywords", "subject"})
_LINK_SCHEMES = ("mailto:", "tel:")


class _Table:
    __slots__ = ("number", "headers", "row", "col", "cells")

    def __init__(self, number: int):
        self.number = number
        self.headers: list[str] = []
        self.row = 0
        self.col = 0
        self.cells: list[tuple[int, int, str, bool]] = []  # (column, line, text, is_header)


class _HtmlText(HTMLParser):
    """Collects segments as the parser is fed; the reader drains `out` after each feed."""

    def __init__(self, location: str):
        super().__init__(convert_charrefs=True)
        self.location = location
        self.out: list[Segment] = []
        self.skip = 0
        self.parts: list[str] = []
        self.size = 0
        self.line: int | None = None
        self.tables: list[_Table] = []
        self.table_count = 0
        self.cell: tuple[int, bool, int] | None = None  # (line, is_header, colspan) of the open cell

    # -- text flow ---------------------------------------------------------
    def _add(self, text: str) -> None:
        if not text:
            return
        if self.line is None and not text.isspace():
            line, _ = self.getpos()
            self.line = line
        self.parts.append(text)
        self.size += len(text)
        if self.size > SEGMENT_CHARS:
            # Text running on without any block (or a giant cell): cut it, with an overlap.
            joined = "".join(self.parts)
            cut = SEGMENT_CHARS - OVERLAP
            while len(joined) > SEGMENT_CHARS:
                self._emit(joined[:SEGMENT_CHARS])
                joined = joined[cut:]
            self.parts, self.size = [joined], len(joined)

    def _take(self) -> tuple[str, int | None]:
        text, line = "".join(self.parts), self.line
        self.parts, self.size, self.line = [], 0, None
        return text, line

    def _emit(self, text: str, line: int | None = None, field: str | None = None,
              record: str | None = None) -> None:
        # As a browser shows it: runs of spaces collapsed, no blank lines.
        text = "\n".join(" ".join(l.split()) for l in text.split("\n") if l and not l.isspace())
        if text:
            for offset, piece in chunk_text(text, SEGMENT_CHARS):
                self.out.append(Segment(piece, self.location,
                                        Pointer(line=line or self.line, offset=offset or None),
                                        field=field, record=record))

    def _flush(self, force: bool = False) -> None:
        if self.cell is None and (force or self.size >= FLUSH_CHARS):
            text, line = self._take()
            self._emit(text, line)

    # -- tables ------------------------------------------------------------
    def _end_cell(self) -> None:
        if self.cell is None or not self.tables:
            return
        line, is_header, span = self.cell
        table = self.tables[-1]
        text, first = self._take()
        table.cells.append((table.col, first or line, " ".join(text.split()), is_header))
        table.col += span
        self.cell = None

    def _end_row(self) -> None:
        self._end_cell()
        if not self.tables or not self.tables[-1].cells:
            return
        table = self.tables[-1]
        cells, table.cells = table.cells, []
        record = f"table:{table.number}:row:{table.row}"
        header_row = all(is_header for *_, is_header in cells) and not table.headers
        if header_row:
            table.headers = [""] * (max(c for c, *_ in cells) + 1)
            for col, _, text, _ in cells:
                # A header that looks like a value is not repeated as a field.
                table.headers[col] = "" if _VALUE_LIKE.search(text) else text
        if table.headers and not header_row:
            for col, line, text, _ in cells:
                field = table.headers[col] if col < len(table.headers) else None
                self._emit(text, line, field or None, record)
        else:
            self._emit(" | ".join(text for *_, text, _ in cells if text), cells[0][1], None, record)

    # -- parser callbacks --------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skip += 1
            return
        if tag == "table":
            self._end_cell()
            self._flush(force=True)
            self.table_count += 1
            self.tables.append(_Table(self.table_count))
        elif tag == "tr" and self.tables:
            self._end_row()
            self.tables[-1].row += 1
            self.tables[-1].col = 0
        elif tag in ("td", "th") and self.tables:
            self._end_cell()
            self._flush(force=True)
            span = (dict(attrs).get("colspan") or "1").strip()
            self.cell = (self.getpos()[0], tag == "th",
                         int(span) if span.isdigit() and 0 < int(span) < 1000 else 1)
        elif tag in _BLOCKS:
            self._add("\n")
            self._flush()
        self._attrs(tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self._add("\n")
        self._attrs(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if tag in ("td", "th"):
            self._end_cell()
        elif tag == "tr":
            self._end_row()
        elif tag == "table" and self.tables:
            self._end_row()
            self.tables.pop()
        elif tag in _BLOCKS:
            self._add("\n")
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self._add(data)

    def _attrs(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip:
            return
        found = dict(attrs)
        texts = [v for k, v in attrs if v and k in _TEXT_ATTRS]
        if tag == "meta" and (found.get("name") or "").lower() in _META_NAMES:
            texts.append(found.get("content") or "")
        for k in ("href", "src"):
            v = found.get(k) or ""
            if v.lower().startswith(_LINK_SCHEMES):
                texts.append(v.split(":", 1)[1])
        for text in texts:
            self._add(f" {text} ")

    def finish(self) -> None:
        self.close()
        while self.tables:
            self._end_row()
            self.tables.pop()
        self._end_cell()
        self._flush(force=True)


# -- XML ----------------------------------------------------------------------

class _Element:
    __slots__ = ("name", "path", "record", "counts", "parts", "size", "attrs", "parent")

    def __init__(self, name: str, path: str, record: str, attrs: dict[str, str],
                 parent: "_Element | None"):
        self.name = name
        self.path = path
        self.record = record
        self.counts: dict[str, int] = {}
        self.parts: list[str] = []
        self.size = 0
        self.attrs = attrs
        self.parent = parent


def _local(name: str) -> str:
    return name.rsplit(":", 1)[-1]


class _XmlText:
    """Expat callbacks building element paths; segments pile up in `out`."""

    def __init__(self, location: str, encoding: str | None):
        self.location = location
        self.out: list[Segment] = []
        self.stack: list[_Element] = []
        self.parser = expat.ParserCreate(encoding)
        p = self.parser
        p.buffer_text = True
        p.buffer_size = 1 << 16
        p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        p.EntityDeclHandler = self._refuse
        p.UnparsedEntityDeclHandler = self._refuse
        p.ExternalEntityRefHandler = self._refuse
        p.StartElementHandler = self._start
        p.EndElementHandler = self._end
        p.CharacterDataHandler = self._data

    @staticmethod
    def _refuse(*args: Any) -> None:
        raise CorruptError("XML entity declarations are not allowed")

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        parent = self.stack[-1] if self.stack else None
        if parent is None:
            path = record = f"/{name}"
        else:
            # A child proves its parent is a container (a record): containers
            # always carry their position, so `participant[1]` is not `participant`.
            if parent.parent is not None and not parent.path.endswith("]"):
                parent.path += "[1]"
            n = parent.counts.get(name, 0) + 1
            parent.counts[name] = n
            path = f"{parent.path}/{name}" + (f"[{n}]" if n > 1 else "")
            record = parent.path
        self.stack.append(_Element(name, path, record, attrs, parent))

    def _data(self, data: str) -> None:
        if not self.stack:
            return
        el = self.stack[-1]
        el.parts.append(data)
        el.size += len(data)
        if el.size > SEGMENT_CHARS:
            joined = "".join(el.parts)
            cut = SEGMENT_CHARS - OVERLAP
            while len(joined) > SEGMENT_CHARS:
                self._emit(joined[:SEGMENT_CHARS], el.path, _local(el.name), el.record)
                joined = joined[cut:]
            el.parts, el.size = [joined], len(joined)

    def _end(self, name: str) -> None:
        el = self.stack.pop()
        self._emit("".join(el.parts), el.path, _local(el.name), el.record)
        for attr, value in el.attrs.items():
            if attr != "xmlns" and not attr.startswith("xmlns:"):
                self._emit(value, f"{el.path}/@{attr}", _local(attr), el.path)

    def _emit(self, text: str, path: str, field: str, record: str) -> None:
        text = text.strip()
        if text:
            for offset, piece in chunk_text(text, SEGMENT_CHARS):
                self.out.append(Segment(piece, self.location, Pointer(path=path, offset=offset or None),
                                        field=field, record=record))


_XML_DECLARED = re.compile(rb"^<\?xml[^>]*encoding=", re.I)
_HTML_HINT = re.compile(r"<(?:html|body|div|p|br|table|span)[\s>/]", re.I)


def _xml_encoding(head: bytes) -> str | None:
    """None lets expat decide (declaration, BOM, UTF-8/16); a code page is named for it."""
    if _XML_DECLARED.match(head.lstrip(b"\xef\xbb\xbf")):
        return None
    found = detect_encoding(head)
    return None if found.startswith(("utf-8", "utf-16", "utf-32")) else found


class MarkupReader:
    name = "markup"
    media_types = (sniff.HTML, sniff.XML)

    def read(self, item: Item, ctx: Any) -> Iterator[Segment]:
        if item.open is None:
            return
        with item.open() as stream:
            head = read_head(stream)
            if not head.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
                return  # an empty file: nothing to read, and not corrupt
            if sniff.sniff(head[:sniff.HEAD_BYTES], item.name) == sniff.HTML:
                yield from self.html(stream, head, item.location, ctx)
                return
            try:
                yield from self.xml(stream, head, item.location, ctx)
            except _NotXml:
                pass
            else:
                return
        # Tag soup saved as .xml: read it as HTML from the start.
        with item.open() as stream:
            yield from self.html(stream, read_head(stream), item.location, ctx)

    def html(self, stream: Any, head: bytes, location: str, ctx: Any = None) -> Iterator[Segment]:
        parser = _HtmlText(location)
        for text in decode_text(stream, head=head):
            if ctx is not None:
                ctx.check_time()
            parser.feed(text)
            yield from parser.out
            parser.out.clear()
        parser.finish()
        yield from parser.out

    def xml(self, stream: Any, head: bytes, location: str, ctx: Any = None) -> Iterator[Segment]:
        doc = _XmlText(location, _xml_encoding(head))
        data, yielded = head, False
        try:
            while True:
                final = not data
                doc.parser.Parse(data, final)
                if doc.out:
                    yielded = True
                    yield from doc.out
                    doc.out.clear()
                if final:
                    return
                if ctx is not None:
                    ctx.check_time()
                data = stream.read(READ_BYTES)
        except expat.ExpatError as exc:
            if not yielded and _HTML_HINT.search(head[:4096].decode("latin-1")):
                raise _NotXml() from None
            raise CorruptError(f"invalid XML at line {exc.lineno} column {exc.offset + 1}") from None


class _NotXml(Exception):
    pass
