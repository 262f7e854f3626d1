"""Pieces shared by the document readers: local copies, text chunks, tables.

Kept apart from any one format so PDF, Word, PowerPoint, OpenDocument and
spreadsheet tables all point at cells the same way.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from typing import IO, Any, Iterable, Iterator, Sequence

from ...model import Item, Pointer, Segment, UnsupportedError

CHUNK = 20_000  # characters per segment: big enough for context, small for detectors
OVERLAP = 200  # a value cut by a chunk boundary is whole in the next chunk
SPOOL_BYTES = 8 << 20

_DIGIT_RUN = re.compile(r"\d{3,}")
_SPACES = re.compile(r"\s+")


# -- streams -------------------------------------------------------------------

def _real_path(fh: IO[bytes]) -> str | None:
    """The path behind a plain file object, so libraries can mmap it."""
    name = getattr(fh, "name", None)
    if isinstance(name, str) and hasattr(fh, "fileno") and os.path.isfile(name):
        return name
    return None


def _seekable(fh: IO[bytes]) -> bool:
    try:
        return fh.seekable()
    except (AttributeError, ValueError):
        return False


@contextmanager
def opened(item: Item, ctx: Any) -> Iterator[IO[bytes]]:
    """A seekable stream over the item: the item's own, or a private spooled copy."""
    if item.open is None:
        raise UnsupportedError("nothing to open")
    with item.open() as fh:
        if _seekable(fh):
            yield fh
            return
        with tempfile.SpooledTemporaryFile(SPOOL_BYTES, dir=ctx.temp_dir) as copy:
            shutil.copyfileobj(fh, copy, 1 << 20)
            copy.seek(0)
            yield copy


@contextmanager
def local_path(item: Item, ctx: Any) -> Iterator[str]:
    """A file-system path holding the item's bytes (a temp copy for archive members)."""
    if item.open is None:
        raise UnsupportedError("nothing to open")
    with item.open() as fh:
        path = _real_path(fh)
        if path is not None:
            yield path
            return
        fd, tmp = tempfile.mkstemp(dir=ctx.temp_dir)
        try:
            with os.fdopen(fd, "wb") as out:
                shutil.copyfileobj(fh, out, 1 << 20)
            yield tmp
        finally:
            os.unlink(tmp)


# -- text ----------------------------------------------------------------------

def chunks(text: str, size: int = CHUNK, overlap: int = OVERLAP) -> Iterator[tuple[int, str]]:
    """(offset, piece) pairs covering `text`, cut at whitespace where possible."""
    if len(text) <= size:
        yield 0, text
        return
    start = 0
    while start < len(text):
        end = min(start + size, len(text))
        if end < len(text):
            cut = text.rfind("\n", start + size // 2, end)
            if cut < 0:
                cut = text.rfind(" ", start + size // 2, end)
            if cut > 0:
                end = cut
        yield start, text[start:end]
        if end >= len(text):
            return
        start = max(end - overlap, start + 1)


def text_segments(text: str, location: str, pointer: Pointer, *, field: str | None = None,
                  record: str | None = None) -> Iterator[Segment]:
    """One segment, or overlapping chunks of a long text with their offsets."""
    if not text or text.isspace():
        return
    if len(text) <= CHUNK:
        yield Segment(text, location, pointer, field, record)
        return
    seen_to = 0
    for offset, piece in chunks(text):
        yield Segment(piece, location, _with(pointer, offset=offset), field, record,
                      overlap=max(0, seen_to - offset))
        seen_to = offset + len(piece)


def _with(pointer: Pointer, **changes: Any) -> Pointer:
    values = pointer.as_dict()
    values.update(changes)
    return Pointer(**values)


def is_label(text: str, limit: int = 80) -> bool:
    """A short caption such as "Numéro d'assurance sociale :" that names what follows."""
    text = text.strip()
    return (0 < len(text) <= limit and text.endswith(":") and "@" not in text
            and not _DIGIT_RUN.search(text))


class Captions:
    """Segments for paragraphs read one by one, each with its caption.

    A value often sits in the paragraph after its caption ("NAS :" then the
    number); the caption becomes the next segment's field so detectors see it.
    """

    def __init__(self) -> None:
        self.label: str | None = None

    def segments(self, text: str, location: str, pointer: Pointer,
                 record: str | None = None) -> Iterator[Segment]:
        if not text or text.isspace():
            return
        yield from text_segments(text, location, pointer, field=self.label, record=record)
        self.label = clean_header(text) if is_label(text) else None


def paragraph_segments(paragraphs: Iterable[tuple[int, str]], location: str, *,
                       record: str | None = None, **pointer: Any) -> Iterator[Segment]:
    """A segment per non-empty paragraph, `line` = its number, with its caption."""
    captions = Captions()
    for number, text in paragraphs:
        yield from captions.segments(text, location, Pointer(line=number, **pointer), record)


# -- tables --------------------------------------------------------------------

@functools.lru_cache(maxsize=1024)
def column_letter(index: int) -> str:
    """Spreadsheet column name for a 0-based index: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def clean_header(text: str) -> str:
    return _SPACES.sub(" ", text).strip()[:60]


def _header_like(value: Any) -> bool:
    return (isinstance(value, str) and 0 < len(value.strip()) <= 60 and "@" not in value
            and not _DIGIT_RUN.search(value))


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NUMBERISH = re.compile(r"[\d\s().+/-]*\d{3}[\d\s().+/-]*")


def _shape(value: Any) -> str | None:
    """The kind of a data value (number, date, e-mail), or None for plain text."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        return "number" if isinstance(value, (int, float)) else type(value).__name__
    value = value.strip()
    if "@" in value:
        return "email"
    if _ISO_DATE.match(value):
        return "date"
    if _NUMBERISH.fullmatch(value):
        return "number"
    return "text" if not _DIGIT_RUN.search(value) else "mixed"


def looks_like_header(first: Sequence[Any], following: Sequence[Sequence[Any]], *,
                      strict: bool = True) -> bool:
    """Whether the first row names the columns.

    Its cells must be distinct short texts, over columns of data: under at
    least one header, two values or more, 80% of one kind (numbers, dates,
    e-mails). A name over more names is taken as data: a person's name in a
    pointer would leak into every report. The danger is a form laid out as
    a table ("Nom | Marie Tremblay" over "NAS | 046 454 286" over "Courriel |
    …"): its value columns mix kinds, so they don't count. `strict`
    (document tables, where forms are common) also wants such columns to
    outnumber the plain-text ones; sheets refuse only a column A of
    captions ending in ":".
    """
    cells = [v for v in first if v is not None and v != ""]
    if not cells or not all(_header_like(v) for v in cells):
        return False
    if len({clean_header(v).lower() for v in cells}) < len(cells):
        return False
    contrast = plain = 0
    for j, head in enumerate(first):
        if head is None or head == "":
            continue
        shapes = [_shape(row[j]) for row in following if j < len(row)]
        shapes = [k for k in shapes if k is not None]
        if not shapes:
            continue
        top = max(set(shapes), key=shapes.count)
        if len(shapes) >= 2 and top != "text" and shapes.count(top) >= 0.8 * len(shapes):
            contrast += 1
        else:
            plain += 1
    if contrast == 0:
        return False
    if strict:
        return contrast > plain
    captions = [row[0] for row in [first, *following] if row and isinstance(row[0], str)]
    return not (captions and sum(c.strip().endswith(":") for c in captions) * 2 >= len(captions))


def header_names(first: Sequence[Any]) -> list[str | None]:
    return [clean_header(v) if isinstance(v, str) and v.strip() else None for v in first]


def table_segments(rows: Iterable[Sequence[str]], location: str, *, record: str,
                   lookahead: int = 20, **pointer: Any) -> Iterator[Segment]:
    """Segments for a table in a document (Word, PDF, slides, ODT).

    With a header row: one segment per cell, `column` and `field` = its
    header. Without: one segment per row, cells joined by " | ", so a
    caption in one cell stays next to the value in the cell beside it
    (forms are laid out as such tables).
    """
    it = iter(rows)
    head: list[Sequence[str]] = []
    for row in it:
        head.append(row)
        if len(head) > lookahead:
            break
    if not head:
        return
    headers = header_names(head[0]) if looks_like_header(head[0], head[1:]) else None  # strict

    def all_rows() -> Iterator[Sequence[str]]:
        yield from head
        yield from it

    for number, row in enumerate(all_rows(), 1):
        rec = f"{record}row:{number}"
        if headers is None or number == 1:
            text = " | ".join(c.strip() for c in row if c and c.strip())
            if text:
                yield from text_segments(text, location, Pointer(row=number, **pointer),
                                         record=rec)
            continue
        for j, cell in enumerate(row):
            if not cell or cell.isspace():
                continue
            name = headers[j] if j < len(headers) else None
            yield from text_segments(cell.strip(), location,
                                     Pointer(row=number, column=name or column_letter(j),
                                             **pointer),
                                     field=name, record=rec)
