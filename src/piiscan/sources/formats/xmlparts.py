"""Streaming walk over the XML inside Office and OpenDocument packages.

DOCX, PPTX, ODT and ODP all store paragraphs, tables and boxed text (text
boxes, notes, comments) as XML in a ZIP. The walk parses incrementally and
drops each element once read, so a 300 MB document.xml costs a paragraph's
worth of memory, not a DOM (python-docx and odfpy build the whole tree).
The standard library's expat has billion-laughs protection (2.4.1+) and
ElementTree never fetches external entities.
"""

from __future__ import annotations

import zipfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import IO, Any, Callable, Iterator, Mapping

from ...model import CorruptError, EncryptedError, Item, ScanError, TooLargeError

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
DRAW = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}"
PRESENTATION = "{urn:oasis:names:tc:opendocument:xmlns:presentation:1.0}"

MAX_REPEAT = 1000  # ODF repeats an empty cell 16 384 times to fill a row


@dataclass(frozen=True, slots=True)
class Para:
    """A paragraph outside any table; `box` names the text box/note/comment holding it."""

    text: str
    box: str | None = None


@dataclass(frozen=True, slots=True)
class Table:
    rows: list[list[str]]
    box: str | None = None


@dataclass(frozen=True, slots=True)
class Mark:
    """Start or end of a section the caller asked about (an ODP slide, its notes)."""

    tag: str
    start: bool
    attrib: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Dialect:
    """Which tags are paragraphs, tables and boxes in one XML vocabulary."""

    paragraph: frozenset[str]
    table: str
    row: str
    cell: frozenset[str]
    text_of: Callable[[ET.Element], str]
    box: Mapping[str, str] = field(default_factory=dict)  # tag → box name
    skip: frozenset[str] = frozenset()
    sections: frozenset[str] = frozenset()
    repeat: str | None = None  # attribute repeating a cell (ODF)
    span: str | None = None  # element whose "val" says how many grid columns a cell spans


# -- text of a finished paragraph ------------------------------------------------

def _ooxml_text_of(ns: str) -> Callable[[ET.Element], str]:
    texts = {ns + "t", ns + "delText"}  # deleted text is still in the file
    tab, breaks = ns + "tab", {ns + "br", ns + "cr"}
    hyphen = ns + "noBreakHyphen"
    props = {ns + "pPr", ns + "rPr", ns + "endParaRPr"}  # tab stops are not tabs

    def text_of(elem: ET.Element) -> str:
        out: list[str] = []

        def visit(node: ET.Element) -> None:
            for child in node:
                tag = child.tag
                if tag in texts:
                    out.append(child.text or "")
                elif tag == tab:
                    out.append("\t")
                elif tag in breaks:
                    out.append("\n")
                elif tag == hyphen:
                    out.append("-")
                elif tag not in props:
                    visit(child)

        visit(elem)
        return "".join(out)

    return text_of


_ODF_HIDDEN = {TEXT + "note-citation", TEXT + "note-body", OFFICE + "annotation",
               OFFICE + "annotation-end", TEXT + "tracked-changes"}


def odf_text_of(elem: ET.Element) -> str:
    """ODF mixes text and tags: walk text, children and tails; notes are read apart."""
    out: list[str] = [elem.text or ""]
    for child in elem:
        tag = child.tag
        if tag == TEXT + "s":
            out.append(" " * _int(child.get(TEXT + "c"), 1))
        elif tag == TEXT + "tab":
            out.append("\t")
        elif tag == TEXT + "line-break":
            out.append("\n")
        elif tag not in _ODF_HIDDEN:
            out.append(odf_text_of(child))
        out.append(child.tail or "")
    return "".join(out)


def _int(value: str | None, default: int) -> int:
    try:
        return max(int(value), 0) if value is not None else default
    except ValueError:
        return default


DOCX = Dialect(
    paragraph=frozenset({W + "p"}), table=W + "tbl", row=W + "tr", cell=frozenset({W + "tc"}),
    text_of=_ooxml_text_of(W), box={W + "txbxContent": "textbox"},
    skip=frozenset({MC + "Fallback"}),  # the VML copy of a text box already read
    span=W + "gridSpan",  # a merged cell: the next cell's header is further right
)
DRAWING = Dialect(
    paragraph=frozenset({A + "p"}), table=A + "tbl", row=A + "tr", cell=frozenset({A + "tc"}),
    text_of=_ooxml_text_of(A), skip=frozenset({MC + "Fallback"}),
)
ODF = Dialect(
    paragraph=frozenset({TEXT + "p", TEXT + "h"}), table=TABLE + "table",
    row=TABLE + "table-row", cell=frozenset({TABLE + "table-cell", TABLE + "covered-table-cell"}),
    text_of=odf_text_of,
    box={TEXT + "note-body": "footnote", OFFICE + "annotation": "comment",
         DRAW + "text-box": "textbox"},
    repeat=TABLE + "number-columns-repeated",
)


# -- the walk ---------------------------------------------------------------------

def drop_element(elem: ET.Element, stack: list[ET.Element]) -> None:
    """Free an element read to its end: streamed parts never hold the whole tree."""
    elem.clear()
    if stack:
        try:
            stack[-1].remove(elem)
        except ValueError:
            pass


def _flatten(rows: list[list[str]]) -> str:
    return "\n".join(" | ".join(c for c in row if c) for row in rows if any(row))


def walk(source: IO[bytes], d: Dialect, sections: frozenset[str] = frozenset()
         ) -> Iterator[Para | Table | Mark]:
    """Paragraphs and tables in document order. Raises CorruptError on bad XML."""
    sections = sections or d.sections
    stack: list[ET.Element] = []
    # Innermost last: ["box", name] | ["cell", [texts], repeat] | ["table", rows]
    holders: list[list[Any]] = []
    in_para = skipping = 0
    try:
        for event, elem in ET.iterparse(source, events=("start", "end")):
            tag = elem.tag
            if event == "start":
                stack.append(elem)
                if skipping or tag in d.skip:
                    skipping += 1
                elif tag in d.paragraph:
                    in_para += 1
                elif tag in d.box:
                    holders.append(["box", d.box[tag]])
                elif tag == d.table:
                    holders.append(["table", []])
                elif tag == d.row:
                    table = _innermost(holders, "table")
                    if table is not None:
                        table[1].append([])
                elif tag in d.cell:
                    repeat = _int(elem.get(d.repeat), 1) if d.repeat else 1
                    holders.append(["cell", [], min(repeat, MAX_REPEAT), 1])
                elif tag in sections:
                    yield Mark(tag, True, dict(elem.attrib))
                continue
            stack.pop()
            if skipping:
                skipping -= 1
                drop_element(elem, stack)
                continue
            if tag in d.paragraph:
                in_para -= 1
                text = d.text_of(elem)
                drop_element(elem, stack)
                holder = holders[-1] if holders else None
                if holder is None:
                    yield Para(text)
                elif holder[0] == "cell":
                    holder[1].append(text)
                elif holder[0] == "box":
                    yield Para(text, holder[1])
                continue
            if tag == d.span and holders and holders[-1][0] == "cell":
                holders[-1][3] = min(max(_int(elem.get(W + "val"), 1), 1), 64)
            elif tag in d.box:
                _pop(holders, "box")
            elif tag in d.cell:
                cell = _pop(holders, "cell")
                table = _innermost(holders, "table")
                if cell is not None and table is not None:
                    if not table[1]:
                        table[1].append([])
                    text = "\n".join(t for t in cell[1] if t and not t.isspace())
                    table[1][-1].extend([text] * (cell[2] if text else min(cell[2], 64)))
                    table[1][-1].extend([""] * (cell[3] - 1))
            elif tag == d.table:
                table = _pop(holders, "table")
                if table is not None:
                    rows = [r for r in table[1] if any(c for c in r)]
                    outer = holders[-1] if holders else None
                    if outer is not None and outer[0] == "cell":
                        outer[1].append(_flatten(rows))  # a table in a cell: its text
                    elif rows:
                        yield Table(rows, outer[1] if outer is not None else None)
            elif tag in sections:
                yield Mark(tag, False)
            if not in_para:
                drop_element(elem, stack)
    except ET.ParseError as exc:
        raise CorruptError(f"malformed XML (line {exc.position[0]})") from None


def _innermost(holders: list[list[Any]], kind: str) -> list[Any] | None:
    for holder in reversed(holders):
        if holder[0] == kind:
            return holder
    return None


def _pop(holders: list[list[Any]], kind: str) -> list[Any] | None:
    if holders and holders[-1][0] == kind:
        return holders.pop()
    return None


# -- packages ------------------------------------------------------------------------

def open_zip(fh: IO[bytes]) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(fh)
    except (zipfile.BadZipFile, ValueError, EOFError, OSError):
        raise CorruptError("not a valid ZIP package (damaged or truncated)") from None


def open_member(zf: zipfile.ZipFile, name: str, ctx: Any) -> IO[bytes]:
    """A member to stream, refusing the decompression bombs a ZIP can hide."""
    try:
        info = zf.getinfo(name)
    except KeyError:
        raise CorruptError(f"missing part {name}") from None
    limit = ctx.options.max_archive_bytes
    if info.file_size > limit or (
            info.compress_size and info.file_size / info.compress_size > ctx.options.max_ratio
            and info.file_size > 50 << 20):
        raise TooLargeError(f"part {name} expands to {info.file_size} bytes")
    try:
        return zf.open(info)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError) as exc:
        if isinstance(exc, RuntimeError) and "encrypted" in str(exc):
            raise EncryptedError("password-protected ZIP member") from None
        raise CorruptError(f"unreadable part {name}") from None


def embedded(item: Item, zf: zipfile.ZipFile, folder: str, ctx: Any
             ) -> Iterator[Item | ScanError]:
    """Files embedded in an Office package (a workbook pasted in a report) as child items.

    The engine scans each while the package is still open.
    """
    for info in zf.infolist():
        if not info.filename.startswith(folder) or info.is_dir():
            continue
        if info.file_size > ctx.options.max_archive_bytes:
            yield ScanError(f"{item.location}!{info.filename}", "too large",
                            "embedded file over the size limit")
            continue
        yield item.child(info.filename, lambda info=info: zf.open(info), size=info.file_size)


def relationships(zf: zipfile.ZipFile, part: str) -> list[tuple[str, str, str]]:
    """(type, target part, id) of an OOXML part's links: ("header", "word/header1.xml", "rId8")."""
    folder, _, base = part.rpartition("/")
    rels_name = f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"
    try:
        data = zf.read(rels_name)
    except KeyError:
        return []
    except (zipfile.BadZipFile, OSError):
        raise CorruptError(f"unreadable part {rels_name}") from None
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        raise CorruptError(f"malformed XML in {rels_name}") from None
    out = []
    for rel in root.iter(RELS + "Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        kind = (rel.get("Type") or "").rsplit("/", 1)[-1]
        out.append((kind, _resolve(folder, rel.get("Target") or ""), rel.get("Id") or ""))
    return out


def _resolve(folder: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    parts = folder.split("/") if folder else []
    for piece in target.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece and piece != ".":
            parts.append(piece)
    return "/".join(parts)


def odf_encrypted(zf: zipfile.ZipFile) -> bool:
    """An OpenDocument saved with a password lists its encrypted parts in the manifest."""
    try:
        manifest = zf.read("META-INF/manifest.xml")
    except KeyError:
        return False
    except (zipfile.BadZipFile, OSError):
        raise CorruptError("unreadable part META-INF/manifest.xml") from None
    return b"encryption-data" in manifest
