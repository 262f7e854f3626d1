"""JSON documents and JSON Lines: every string and number is a segment.

Numbers count: exports store SINs and card numbers as numbers. A value's
pointer is its JSON path (`$.participants[3].nas`), its field the last key,
and its record the nearest array element that is an object
(`$.participants[3]`), which is how exports hold one person per element;
in JSON Lines the record is the line (`line:12`).

Memory stays bounded: JSON Lines are read line by line, and a JSON document
over 16 MB is walked by a streaming parser written here (no dependency)
that keeps only the current token and the path in memory. One string over
64 MB is refused with TooLargeError. Smaller documents go through the C
parser, which is faster.

Object keys are normally labels, but some exports key records by email or
SIN; a key that looks like a value (three digits in a row, an "@") is
scanned as text, and left out of paths and fields as `[*n]` (the object's
n-th member) so a pointer never repeats it.
"""

from __future__ import annotations

import itertools
import json
import re
from json.decoder import scanstring
from typing import Any, Iterable, Iterator

from ... import sniff
from ...model import CorruptError, Item, Pointer, ScanError, Segment, TooLargeError
from .textio import SEGMENT_CHARS, chunk_text, decode_text, iter_lines

STREAM_ABOVE = 16 << 20  # characters; bigger documents are streamed
MAX_TOKEN = 64 << 20  # characters in one string or number
MAX_LINE = 16 << 20  # characters in one JSON Lines line
MAX_DEPTH = 1000  # about where the C parser gives up too
MAX_LINE_ERRORS = 100  # reported one by one; further bad lines are counted

_VALUE_LIKE_KEY = re.compile(r"\d{3}|@")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_SPACE = re.compile(r"[ \t\n\r]*")
_LITERALS = ("true", "false", "null", "NaN", "Infinity", "-Infinity")


def value_like(key: str) -> bool:
    return bool(_VALUE_LIKE_KEY.search(key))


def member_path(parent: str, key: str, index: int) -> str:
    if value_like(key):
        return f"{parent}[*{index}]"
    if key.isidentifier():
        return f"{parent}.{key}"
    return f"{parent}[{json.dumps(key, ensure_ascii=False)}]"


# A leaf: (path, field, text, record). Both walkers produce the same ones.
Leaf = tuple[str, "str | None", str, str]


def walk(value: Any, path: str = "$", record: str = "$") -> Iterator[Leaf]:
    """Leaves of a parsed document (numbers parsed as their literal text)."""
    stack: list[tuple[Any, str, str | None, str]] = [(value, path, None, record)]
    while stack:
        node, at, field, rec = stack.pop()
        if isinstance(node, str):
            yield at, field, node, rec
        elif isinstance(node, dict):
            children = []
            for i, (key, child) in enumerate(node.items()):
                child_path = member_path(at, key, i)
                if value_like(key):  # the key itself, in document order
                    children.append((key, child_path, None, rec))
                children.append((child, child_path, None if value_like(key) else key, rec))
            stack.extend(reversed(children))
        elif isinstance(node, list):
            stack.extend(
                (child, f"{at}[{i}]", field, f"{at}[{i}]" if isinstance(child, dict) else rec)
                for i, child in reversed(list(enumerate(node))))
        # booleans, null, NaN: nothing to find


def _parse_constant(name: str) -> None:
    return None


_DECODER = json.JSONDecoder(parse_int=str, parse_float=str, parse_constant=_parse_constant,
                            strict=False)


def _position(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    return line, pos - text.rfind("\n", 0, pos)


class _Invalid(Exception):
    """Raised inside the streaming parser; turned into CorruptError with a position."""


class JsonStream:
    """A streaming JSON parser yielding leaves, then `("line", n)` before each extra value.

    It keeps a text buffer of a few blocks (or one long token) and a stack of
    open containers; nothing else of the document stays in memory.
    """

    def __init__(self, chunks: Iterable[str], max_token: int = MAX_TOKEN):
        self.chunks = iter(chunks)
        self.max_token = max_token
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.line = 1  # line number at buf[0]
        self.column = 1  # column at buf[0]

    # -- buffer ------------------------------------------------------------
    def _more(self) -> bool:
        """Drop consumed text and append at least as much as is kept (amortised growth)."""
        if self.eof:
            return False
        if self.pos:
            dropped = self.buf[:self.pos]
            newlines = dropped.count("\n")
            if newlines:
                self.line += newlines
                self.column = len(dropped) - dropped.rfind("\n")
            else:
                self.column += len(dropped)
            self.buf = self.buf[self.pos:]
            self.pos = 0
        if len(self.buf) > self.max_token:
            raise TooLargeError(f"a JSON value longer than {self.max_token >> 20} M characters")
        parts = [self.buf]
        got = 0
        while got <= len(self.buf):
            chunk = next(self.chunks, None)
            if chunk is None:
                self.eof = True
                break
            parts.append(chunk)
            got += len(chunk)
        self.buf = "".join(parts)
        return got > 0

    def where(self, pos: int) -> tuple[int, int]:
        line, column = _position(self.buf, pos)
        if line == 1:
            return self.line, self.column + pos
        return self.line + line - 1, column

    def _peek(self) -> str:
        """The next non-space character, without consuming it ('' at the end)."""
        while True:
            self.pos = _SPACE.match(self.buf, self.pos).end()
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._more():
                return ""

    def _string(self) -> str:
        while True:
            try:
                text, end = scanstring(self.buf, self.pos + 1, False)
            except json.JSONDecodeError as exc:
                # The closing quote or an escape may just not be read yet.
                cut_short = exc.msg.startswith("Unterminated") or exc.pos >= len(self.buf) - 6
                if cut_short and not self.eof:
                    self._more()  # shifts the buffer: scan again
                    continue
                raise _Invalid(exc.pos) from None
            self.pos = end
            return text

    def _number(self) -> str:
        while True:
            m = _NUMBER.match(self.buf, self.pos)
            # A number near the end of the buffer may go on in the next block
            # ("12" then ".5e3"): read on until three characters follow it.
            if len(self.buf) - (m.end() if m else self.pos) < 3 and not self.eof:
                self._more()  # shifts the buffer: match again
                continue
            if m is None:
                raise _Invalid(self.pos)
            self.pos = m.end()
            return m.group()

    def _literal(self) -> None:
        while len(self.buf) - self.pos < 9 and self._more():
            pass
        for word in _LITERALS:
            if self.buf.startswith(word, self.pos):
                self.pos += len(word)
                return
        raise _Invalid(self.pos)

    def _expect(self, char: str) -> None:
        if self._peek() != char:
            raise _Invalid(self.pos)
        self.pos += 1

    # -- grammar -----------------------------------------------------------
    def leaves(self) -> Iterator[Leaf | tuple[str, int]]:
        try:
            first = True
            while self._peek():
                if not first:
                    line = self.where(self.pos)[0]
                    yield ("line", line)
                    yield from self._value("$", f"line:{line}")
                else:
                    yield from self._value("$", "$")
                first = False
        except _Invalid as exc:
            line, column = self.where(exc.args[0])
            raise CorruptError(f"invalid JSON at line {line} column {column}") from None

    def _value(self, path: str, record: str) -> Iterator[Leaf]:
        # Open containers: [is_object, path, field, record, members seen]
        stack: list[list[Any]] = []
        at, field, rec = path, None, record
        while True:
            c = self._peek()
            if c == "{" or c == "[":
                if len(stack) >= MAX_DEPTH:
                    raise CorruptError("JSON nested too deeply")
                self.pos += 1
                stack.append([c == "{", at, field, rec, 0])
                if self._peek() != ("}" if c == "{" else "]"):
                    at, field, rec = yield from self._enter(stack[-1])
                    continue
                self.pos += 1
                stack.pop()
            elif c == '"':
                yield at, field, self._string(), rec
            elif c == "-" or c.isdigit():
                yield at, field, self._number(), rec
            elif c:
                self._literal()
            else:
                raise _Invalid(self.pos)
            # After a value: the next member, or the end of one or more containers.
            while stack:
                frame = stack[-1]
                c = self._peek()
                if c == ",":
                    self.pos += 1
                    frame[4] += 1
                    at, field, rec = yield from self._enter(frame)
                    break
                if c != ("}" if frame[0] else "]"):
                    raise _Invalid(self.pos)
                self.pos += 1
                stack.pop()
            else:
                return

    def _enter(self, frame: list[Any]) -> Iterator[Leaf]:
        """Read up to the next member's value; return its path, field and record.

        A key that looks like a value is yielded as a leaf of its own.
        """
        is_object, parent, field, rec, index = frame
        if not is_object:
            path = f"{parent}[{index}]"
            return path, field, path if self._peek() == "{" else rec
        if self._peek() != '"':
            raise _Invalid(self.pos)
        key = self._string()
        self._expect(":")
        path = member_path(parent, key, index)
        if value_like(key):
            yield path, None, key, rec
            return path, None, rec
        return path, key, rec


class JsonReader:
    name = "json"
    media_types = (sniff.JSON, sniff.JSONL)

    def __init__(self, stream_above: int = STREAM_ABOVE):
        self.stream_above = stream_above

    def read(self, item: Item, ctx: Any) -> Iterator[Segment | ScanError]:
        if item.open is None:
            return
        with item.open() as stream:
            chunks = decode_text(stream)
            # Hold at most `stream_above` characters; a file known to be bigger holds one block.
            limit = 0 if (item.info.size or 0) > self.stream_above else self.stream_above
            head: list[str] = []
            size = 0
            for chunk in chunks:
                head.append(chunk)
                size += len(chunk)
                if size > limit:
                    break
            first = "".join(head[:4])
            if item.name.lower().endswith((".jsonl", ".ndjson")) or looks_like_lines(first):
                lines = iter_lines(itertools.chain(head, chunks), MAX_LINE)
                yield from self.lines(lines, item.location, ctx)
            elif size > limit:
                yield from self.stream(itertools.chain(head, chunks), item.location, ctx)
            else:
                yield from self.document("".join(head), item.location, ctx)

    def document(self, text: str, location: str, ctx: Any = None) -> Iterator[Segment]:
        """A document held in memory (small): parsed by the C parser."""
        values: list[tuple[Any, int]] = []
        pos = _SPACE.match(text, 1 if text.startswith("\ufeff") else 0).end()
        try:
            while pos < len(text):
                value, end = _DECODER.raw_decode(text, pos)
                values.append((value, pos))
                pos = _SPACE.match(text, end).end()
        except json.JSONDecodeError as exc:
            raise CorruptError(f"invalid JSON at line {exc.lineno} column {exc.colno}") from None
        except RecursionError:
            raise CorruptError("JSON nested too deeply") from None
        if len(values) == 1:
            yield from _segments(walk(values[0][0]), location)
            return
        # Several values one after another: JSON Lines in all but name.
        for value, start in values:
            line = text.count("\n", 0, start) + 1
            yield from _segments(walk(value, "$", f"line:{line}"), location, line)

    def stream(self, chunks: Iterable[str], location: str, ctx: Any = None) -> Iterator[Segment]:
        """A large document, walked without building it."""
        line: int | None = None
        parser = JsonStream(chunks)
        n = 0
        for leaf in parser.leaves():
            if leaf[0] == "line":
                line = leaf[1]
                continue
            n += 1
            if ctx is not None and n % 10_000 == 0:
                ctx.check_time()
            yield from _segments((leaf,), location, line)

    def lines(self, lines: Iterable[str], location: str, ctx: Any = None) -> Iterator[Segment | ScanError]:
        number = 0
        bad = 0
        skipping = False
        for raw in lines:
            if skipping:  # the rest of an over-long line
                skipping = not raw.endswith("\n")
                if not skipping:
                    number += 1
                continue
            if not raw.endswith("\n") and len(raw) >= MAX_LINE:
                bad += 1
                if bad <= MAX_LINE_ERRORS:
                    yield ScanError(location, "too large",
                                    f"line {number + 1}: longer than {MAX_LINE >> 20} M characters")
                skipping = True
                continue
            number += 1
            if ctx is not None and number % 1000 == 0:
                ctx.check_time()
            if raw.isspace():
                continue
            try:
                value = _DECODER.decode(raw)
            except (json.JSONDecodeError, RecursionError) as exc:
                bad += 1
                if bad <= MAX_LINE_ERRORS:
                    column = f" column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else ""
                    yield ScanError(location, "corrupt", f"line {number}: invalid JSON{column}")
                # Still look at its text: a truncated record holds the same values.
                for offset, piece in chunk_text(raw.strip(), SEGMENT_CHARS):
                    yield Segment(piece, location, Pointer(line=number, offset=offset or None),
                                  record=f"line:{number}")
                continue
            yield from _segments(walk(value, "$", f"line:{number}"), location, number)
        if bad > MAX_LINE_ERRORS:
            yield ScanError(location, "corrupt", f"{bad - MAX_LINE_ERRORS} more invalid lines")


def looks_like_lines(sample: str) -> bool:
    """JSON Lines saved as .json: two lines that each hold a whole object or array."""
    lines = [l.strip() for l in sample.split("\n", 3)[:3] if l.strip()]
    if len(lines) < 2 or not lines[1].startswith(("{", "[")):
        return False
    try:
        json.loads(lines[0].lstrip("\ufeff"))
    except (json.JSONDecodeError, RecursionError):
        return False
    return True


def _segments(leaves: Iterable[Leaf], location: str, line: int | None = None) -> Iterator[Segment]:
    for path, field, text, record in leaves:
        if not text or text.isspace():
            continue
        for offset, piece in chunk_text(text, SEGMENT_CHARS):
            yield Segment(piece, location, Pointer(line=line, path=path, offset=offset or None),
                          field=field, record=record)
