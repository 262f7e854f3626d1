"""SQL dumps found on a share: pg_dump plain SQL and mysqldump.

A dump is a whole database in one text file, often gigabytes, and often
left behind after a migration. Only the data matters: `COPY … FROM stdin`
blocks (pg_dump's default), `INSERT INTO … VALUES (…), (…)` (pg_dump
`--inserts`/`--column-inserts`, mysqldump's extended inserts) and
`CREATE TABLE`, which names the columns when an INSERT does not. Every
other statement is skipped, with quotes, comments and `$$` bodies honoured
so a `;` inside a string or a function never ends a statement.

The file is read in chunks by a small lexer: a 1 GB INSERT line never sits
in memory, only one row of it; a single value is kept up to MAX_VALUE_CHARS.
Pointers carry the table, the column and the row's number within its table.
"""

from __future__ import annotations

import codecs
import io
import re
from dataclasses import dataclass, field
from typing import IO, Any, Iterator

from ... import sniff
from ...model import Item, Pointer, ScanError, Segment
from .. import columns

CHUNK_BYTES = 1 << 18
MAX_VALUE_CHARS = 8 << 20  # beyond this a value is truncated (still consumed)
HEAD_CHARS = 1 << 16  # how much of the start decides the dialect

_WS = re.compile(r"\s*")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_HEX = re.compile(r"0x[0-9A-Fa-f]*")
_DOLLAR = re.compile(r"\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$")
_SPECIAL = re.compile(r"""[;'"`$/\-#]""")
_DELIM_SPECIAL = re.compile(r"""[,()'"`]""")
_COPY_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)")
_COPY_CHARS = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_MYSQL_CHARS = {"0": "\0", "b": "\b", "n": "\n", "r": "\r", "t": "\t", "Z": "\x1a",
                "%": "\\%", "_": "\\_"}
# What follows a column's type in CREATE TABLE: the type is what comes before.
_TYPE_END = re.compile(r"\s+(?:NOT|NULL|DEFAULT|PRIMARY|UNIQUE|REFERENCES|CHECK|COLLATE|COMMENT|"
                       r"GENERATED|AUTO_INCREMENT|CONSTRAINT|CHARSET|CHARACTER\s+SET|ON)\b", re.I)
# Whole values in one match, the common case (the lexer handles the rest):
# a string, NULL, a number or a hex/binary literal, then `,` or `)`.
_FAST_TAIL = r")[ \t\r\n]*(?P<d>[,)])"
_FAST_NUM = r"|(?P<null>NULL)|(?P<num>[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)"
_FAST_MYSQL = re.compile(
    r"[ \t\r\n]*(?:'(?P<s>(?:[^'\\]|\\.|'')*)'" + _FAST_NUM
    + r"|0x(?P<hex>[0-9A-Fa-f]*)|_binary[ \t]*'(?P<bin>(?:[^'\\]|\\.|'')*)'" + _FAST_TAIL, re.S)
_FAST_PG = re.compile(r"[ \t\r\n]*(?:'(?P<s>(?:[^']|'')*)'" + _FAST_NUM + _FAST_TAIL)
_NEXT_TUPLE = re.compile(r"[ \t\r\n]*,[ \t\r\n]*\(")
_MYSQL_UNESCAPE = re.compile(r"\\(.)|''", re.S)
_NOT_COLUMNS = frozenset({"CONSTRAINT", "PRIMARY", "KEY", "UNIQUE", "INDEX", "FOREIGN", "CHECK",
                          "FULLTEXT", "SPATIAL", "EXCLUDE", "LIKE", "PERIOD"})
_MYSQL_MARKERS = ("mysql dump", "mariadb dump", "mysqldump", "/*!40101")


class _Lexer:
    """A window over a text stream with the few token readers a dump needs."""

    def __init__(self, chunks: Iterator[str], backslash: bool):
        self.chunks = chunks
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.backslash = backslash  # MySQL: backslash escapes inside '…'

    # -- buffer ---------------------------------------------------------------
    def fill(self) -> bool:
        if self.eof:
            return False
        chunk = next(self.chunks, None)
        if chunk is None:
            self.eof = True
            return False
        self.buf = self.buf[self.pos:] + chunk
        self.pos = 0
        return True

    def ensure(self, n: int) -> bool:
        while len(self.buf) - self.pos < n:
            if not self.fill():
                return False
        return True

    def peek(self, n: int = 1) -> str:
        self.ensure(n)
        return self.buf[self.pos:self.pos + n]

    def skip_until(self, token: str) -> None:
        """Past the next `token` (or to the end)."""
        while True:
            i = self.buf.find(token, self.pos)
            if i >= 0:
                self.pos = i + len(token)
                return
            self.pos = max(self.pos, len(self.buf) - len(token) + 1)
            if not self.fill():
                self.pos = len(self.buf)
                return

    def readline(self) -> str | None:
        """The next line without its newline; None at the end."""
        parts: list[str] = []
        while True:
            i = self.buf.find("\n", self.pos)
            if i >= 0:
                parts.append(self.buf[self.pos:i])
                self.pos = i + 1
                return "".join(parts)
            parts.append(self.buf[self.pos:])
            self.pos = len(self.buf)
            if not self.fill():
                return "".join(parts) if any(parts) else None

    # -- tokens ---------------------------------------------------------------
    def skip_space(self) -> None:
        """Past white space and comments."""
        while True:
            self.ensure(2)
            self.pos = _WS.match(self.buf, self.pos).end()  # type: ignore[union-attr]
            if self.pos >= len(self.buf):
                if self.fill():
                    continue
                return
            two = self.peek(2)
            if two == "--" or (two[:1] == "#" and self.backslash):
                self.skip_until("\n")
            elif two == "/*":
                self.pos += 2
                self.skip_until("*/")
            else:
                return

    def word(self) -> str:
        self.ensure(256)
        m = _WORD.match(self.buf, self.pos)
        if not m:
            return ""
        self.pos = m.end()
        return m.group()

    def ident(self) -> str | None:
        """One identifier: bare, "double-quoted" or `back-quoted`."""
        c = self.peek()
        if c in ('"', "`"):
            self.pos += 1
            return self._quoted(c, backslash=False)
        return self.word() or None

    def name(self) -> list[str]:
        """A dotted name: schema.table."""
        parts: list[str] = []
        while True:
            self.skip_space()
            part = self.ident()
            if part is None:
                return parts
            parts.append(part)
            self.skip_space()
            if self.peek() != ".":
                return parts
            self.pos += 1

    def ident_list(self) -> list[str]:
        """(a, "b", `c`) — the opening parenthesis is next."""
        self.pos += 1
        names: list[str] = []
        while True:
            self.skip_space()
            c = self.peek()
            if c == ")":
                self.pos += 1
                return names
            if c == ",":
                self.pos += 1
                continue
            if not c:
                return names
            part = self.ident()
            if part is None:
                self.skip_to_delim()
                continue
            names.append(part)

    def string(self, backslash: bool | None = None) -> str:
        """A quoted literal; the opening quote is next."""
        quote = self.buf[self.pos]
        self.pos += 1
        return self._quoted(quote, self.backslash if backslash is None else backslash)

    def _quoted(self, quote: str, backslash: bool) -> str:
        parts: list[str] = []
        size = 0
        stops = re.compile(re.escape(quote) + (r"|\\" if backslash else ""))
        while True:
            m = stops.search(self.buf, self.pos)
            if m is None:
                size = self._keep(parts, size, self.buf[self.pos:])
                self.pos = len(self.buf)
                if not self.fill():
                    return "".join(parts)
                continue
            size = self._keep(parts, size, self.buf[self.pos:m.start()])
            self.pos = m.end()
            if m.group() == "\\":
                if not self.ensure(1):
                    return "".join(parts)
                c = self.buf[self.pos]
                self.pos += 1
                size = self._keep(parts, size, _MYSQL_CHARS.get(c, c))
                continue
            if self.peek() == quote:  # a doubled quote stands for itself
                self.pos += 1
                size = self._keep(parts, size, quote)
                continue
            return "".join(parts)

    @staticmethod
    def _keep(parts: list[str], size: int, text: str) -> int:
        if size < MAX_VALUE_CHARS and text:
            parts.append(text[:MAX_VALUE_CHARS - size])
        return size + len(text)

    def skip_statement(self) -> None:
        """Past the next `;` outside quotes, comments and dollar-quoted bodies."""
        while True:
            m = _SPECIAL.search(self.buf, self.pos)
            if m is None:
                self.pos = len(self.buf)
                if not self.fill():
                    return
                continue
            self.pos = m.start()
            c = m.group()
            if c == ";":
                self.pos += 1
                return
            if c in ("'", '"', "`"):
                self.pos += 1
                self._quoted(c, self.backslash and c != "`")
            elif c == "$" and not self.backslash:  # PostgreSQL $tag$ … $tag$ bodies
                self.ensure(64)
                d = _DOLLAR.match(self.buf, self.pos)
                self.pos = d.end() if d else self.pos + 1
                if d:
                    self.skip_until(d.group())
            elif c in ("-", "/", "#") and self._at_comment():
                self.skip_space()
            else:
                self.pos += 1

    def _at_comment(self) -> bool:
        two = self.peek(2)
        return two in ("--", "/*") or (two[:1] == "#" and self.backslash)

    def skip_to_delim(self, keep: int = 0) -> str:
        """To the next `,` or `)` at this nesting level (not consumed); the first `keep` chars."""
        depth = 0
        kept: list[str] = []
        size = 0
        while True:
            m = _DELIM_SPECIAL.search(self.buf, self.pos)
            if m is None:
                size = self._keep_n(kept, size, keep, self.buf[self.pos:])
                self.pos = len(self.buf)
                if not self.fill():
                    return "".join(kept)
                continue
            size = self._keep_n(kept, size, keep, self.buf[self.pos:m.start()])
            self.pos = m.start()
            c = m.group()
            if c in ",)" and depth == 0:
                return "".join(kept)
            self.pos += 1
            if c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
            elif c in ("'", '"', "`"):
                text = self._quoted(c, self.backslash and c != "`")
                size = self._keep_n(kept, size, keep, f"{c}{text}{c}")
                continue
            size = self._keep_n(kept, size, keep, c)

    @staticmethod
    def _keep_n(kept: list[str], size: int, keep: int, text: str) -> int:
        if size < keep and text:
            kept.append(text[:keep - size])
        return size + len(text)


@dataclass
class _Table:
    """What the dump said about one table, and how far into its rows the reader is."""

    name: str
    columns: list[str] = field(default_factory=list)
    types: dict[str, str] = field(default_factory=dict)
    rows: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    plans: dict[tuple[str, ...], list[tuple[str | None, str, str | None, bool]]] = \
        field(default_factory=dict)

    def define(self, cols: list[str], types: dict[str, str]) -> None:
        self.columns, self.types, self.plans = cols, types, {}

    def plan(self, cols: list[str], width: int) -> list[tuple[str | None, str, str | None, bool]]:
        """Per position: (column, counter name, field label, is binary), worked out once."""
        key = (*cols, str(width))
        if key not in self.plans:
            out = []
            for i in range(max(width, len(cols))):
                col = cols[i] if i < len(cols) else None
                kind = columns._type_family(self.types.get(col, "")) if col else ""
                out.append((col, col or f"#{i + 1}",
                            columns.field_label(col, self.types.get(col)) if col else None,
                            kind == "binary"))
            self.plans[key] = out
        return self.plans[key]


class _Blob(bytes):
    """A binary literal (0x…, X'…', _binary '…'): skipped unless blobs are wanted."""


def _copy_unescape(text: str) -> str:
    if "\\" not in text:
        return text

    def one(m: re.Match[str]) -> str:
        s = m.group(1)
        if s[0] == "x" and len(s) > 1:
            return chr(int(s[1:], 16))
        if s[0] in "01234567":
            return chr(int(s, 8))
        return _COPY_CHARS.get(s, s)
    return _COPY_ESCAPE.sub(one, text)


def _decoded(raw: IO[bytes]) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    first = True
    while True:
        block = raw.read(CHUNK_BYTES)
        text = decoder.decode(block or b"", final=not block)
        if first:
            text = text.removeprefix("\ufeff")
            first = False
        if text:
            yield text
        if not block:
            return


class SqlDumpReader:
    """Reads the rows out of a pg_dump or mysqldump file, table by table."""

    name = "sqldump"
    media_types = (sniff.SQL,)

    def read(self, item: Item, ctx: Any) -> Iterator[Segment | Item | ScanError]:
        if item.open is None:
            return
        with item.open() as raw:
            yield from _DumpRead(item, ctx, _decoded(raw)).run()


class _DumpRead:
    """One pass over one dump: statements in, segments (and blob children) out."""

    def __init__(self, item: Item, ctx: Any, chunks: Iterator[str]):
        self.item, self.ctx = item, ctx
        self.blobs = bool(ctx.options.include_blobs)
        self.tables: dict[str, _Table] = {}
        head = next(chunks, "")
        while len(head) < HEAD_CHARS:
            more = next(chunks, None)
            if more is None:
                break
            head += more
        lowered = head[:HEAD_CHARS].lower()
        # Backslashes escape in MySQL strings only; a wrong guess would misread quotes.
        postgres = "postgresql database dump" in lowered or "standard_conforming_strings" in lowered
        mysql = not postgres and (any(m in lowered for m in _MYSQL_MARKERS) or "`" in lowered)
        self.lx = _Lexer(_prepend(head, chunks), backslash=mysql)

    def table(self, parts: list[str]) -> _Table:
        name = ".".join(parts)
        if name not in self.tables:
            self.tables[name] = _Table(name)
        return self.tables[name]

    def run(self) -> Iterator[Segment | Item | ScanError]:
        lx = self.lx
        try:
            while True:
                lx.skip_space()
                c = lx.peek()
                if not c:
                    break
                if c == ";":
                    lx.pos += 1
                    continue
                if c == "\\":  # a psql meta-command (\connect, \restrict) is one line
                    lx.skip_until("\n")
                    continue
                word = lx.word().upper()
                if word in ("INSERT", "REPLACE"):
                    yield from self.insert()
                elif word == "COPY":
                    yield from self.copy()
                elif word == "CREATE":
                    self.create()
                elif word == "SET":
                    self.set()
                else:
                    lx.skip_statement()
        finally:
            for t in self.tables.values():
                for col, n in t.counts.items():
                    self.ctx.count(columns.sampled_key(self.item.location, t.name, col), n)

    # -- statements -----------------------------------------------------------
    def set(self) -> None:
        """`SET standard_conforming_strings = off` turns backslash escapes on."""
        lx = self.lx
        lx.skip_space()
        if lx.word().lower() == "standard_conforming_strings":
            lx.skip_space()
            if lx.peek() in ("=",):
                lx.pos += 1
            lx.skip_space()
            value = lx.string(False) if lx.peek() == "'" else lx.word()
            lx.backslash = value.lower() in ("off", "false")
        lx.skip_statement()

    def create(self) -> None:
        lx = self.lx
        lx.skip_space()
        word = lx.word().upper()
        while word in ("GLOBAL", "LOCAL", "TEMP", "TEMPORARY", "UNLOGGED"):
            lx.skip_space()
            word = lx.word().upper()
        if word != "TABLE":
            lx.skip_statement()
            return
        lx.skip_space()
        if lx.peek(2).upper() == "IF":
            for _ in range(3):  # IF NOT EXISTS
                lx.skip_space()
                lx.word()
        parts = lx.name()
        lx.skip_space()
        if not parts or lx.peek() != "(":
            lx.skip_statement()  # CREATE TABLE … AS SELECT, … PARTITION OF …
            return
        lx.pos += 1
        cols: list[str] = []
        types: dict[str, str] = {}
        while True:
            lx.skip_space()
            c = lx.peek()
            if c in (")", ""):
                break
            if c == ",":
                lx.pos += 1
                continue
            quoted = c in ('"', "`")
            name = lx.ident()
            if name is None or (not quoted and name.upper() in _NOT_COLUMNS):
                lx.skip_to_delim()
                continue
            cols.append(name)
            types[name] = _TYPE_END.split(lx.skip_to_delim(keep=80).strip(), 1)[0]
        table = self.table(parts)
        table.define(cols, types)
        lx.skip_statement()

    def insert(self) -> Iterator[Segment | Item]:
        lx = self.lx
        lx.skip_space()
        word = lx.word().upper()
        while word and word != "INTO":  # IGNORE, LOW_PRIORITY, DELAYED …
            lx.skip_space()
            word = lx.word().upper()
        parts = lx.name() if word == "INTO" else []
        if not parts:
            lx.skip_statement()
            return
        table = self.table(parts)
        lx.skip_space()
        cols = lx.ident_list() if lx.peek() == "(" else table.columns
        lx.skip_space()
        word = lx.word().upper()
        while word and word != "VALUES":  # OVERRIDING SYSTEM VALUE; AS alias
            lx.skip_space()
            word = lx.word().upper()
        if word != "VALUES":
            lx.skip_statement()  # INSERT … SELECT, DEFAULT VALUES
            return
        lx.skip_space()
        while lx.peek() == "(":
            lx.pos += 1
            yield from self.row(table, cols, self.values())
            m = _NEXT_TUPLE.match(lx.buf, lx.pos)
            if m:
                lx.pos = m.end() - 1
                continue
            lx.skip_space()
            if lx.peek() != ",":
                break
            lx.pos += 1
            lx.skip_space()
        lx.skip_statement()  # ; or ON CONFLICT … / ON DUPLICATE KEY …

    def values(self) -> list[str | _Blob | None]:
        """One parenthesised tuple, whose opening parenthesis was consumed."""
        lx = self.lx
        out: list[str | _Blob | None] = []
        fast = _FAST_MYSQL if lx.backslash else _FAST_PG
        while True:
            m = fast.match(lx.buf, lx.pos)
            if m:
                lx.pos = m.end()
                out.append(self.fast_value(m))
                if m.group("d") == ")":
                    return out
                continue
            lx.skip_space()
            c = lx.peek()
            if not c:
                return out
            if c == ")":
                lx.pos += 1
                return out
            out.append(self.value())
            lx.skip_to_delim()  # a cast (::date), a COLLATE …
            if lx.peek() == ",":
                lx.pos += 1

    def fast_value(self, m: re.Match[str]) -> str | _Blob | None:
        text = m.group("s")
        if text is not None:
            if not self.lx.backslash:
                return text.replace("''", "'")
            if "\\" not in text and "''" not in text:
                return text
            return _MYSQL_UNESCAPE.sub(lambda e: _MYSQL_CHARS.get(e[1], e[1]) if e[1] else "'", text)
        if m.group("num") is not None:
            return m.group("num")
        if m.groupdict().get("hex") is not None:
            return _hex_blob(m.group("hex"))
        if m.groupdict().get("bin") is not None:
            return _Blob(m.group("bin").encode("utf-8", "surrogateescape"))
        return None  # NULL

    def value(self) -> str | _Blob | None:
        lx = self.lx
        c = lx.peek()
        if c in ("'", '"'):
            return lx.string()
        lx.ensure(64)
        if m := _HEX.match(lx.buf, lx.pos):
            lx.pos = m.end()
            return _hex_blob(m.group()[2:])
        if m := _NUMBER.match(lx.buf, lx.pos):
            lx.pos = m.end()
            return m.group()
        word = lx.word()
        if word:
            up = word.upper()
            if up.startswith("_"):  # a charset introducer: _utf8mb4 'text'
                lx.skip_space()
            if lx.peek() == "'":
                if up == "X":
                    return _hex_blob(lx.string(False))
                if up == "_BINARY":
                    return _Blob(lx.string().encode("utf-8", "surrogateescape"))
                return lx.string(True if up == "E" else None)  # E'…', N'…', _utf8mb4'…'
            if up in ("NULL", "TRUE", "FALSE", "DEFAULT"):
                return None
            return word + lx.skip_to_delim(keep=MAX_VALUE_CHARS)  # now(), ROW(…)
        return lx.skip_to_delim(keep=MAX_VALUE_CHARS) or None

    def copy(self) -> Iterator[Segment | Item]:
        lx = self.lx
        parts = lx.name()
        if not parts:
            lx.skip_statement()
            return
        table = self.table(parts)
        lx.skip_space()
        cols = lx.ident_list() if lx.peek() == "(" else table.columns
        lx.skip_space()
        direction = lx.word().upper()
        lx.skip_space()
        source = lx.word().lower()
        lx.skip_statement()
        if direction != "FROM" or source != "stdin":
            return
        lx.skip_until("\n")  # the data starts on the next line
        while True:
            line = lx.readline()
            if line is None:
                return
            line = line.removesuffix("\r")  # a dump that went through Windows
            if line == "\\.":
                return
            fields = line.split("\t")
            yield from self.row(table, cols, [None if f == "\\N" else _copy_unescape(f)
                                              for f in fields])

    # -- rows -----------------------------------------------------------------
    def row(self, table: _Table, cols: list[str],
            values: list[str | _Blob | None]) -> Iterator[Segment | Item]:
        table.rows += 1
        n = table.rows
        record = f"{table.name}:{n}"
        location = self.item.location
        counts = table.counts
        for (col, key, label, binary), value in zip(table.plan(cols, len(values)), values):
            if value is None or value == "":
                continue
            counts[key] = counts.get(key, 0) + 1
            if binary or isinstance(value, _Blob):
                if self.blobs:
                    data = bytes(value) if isinstance(value, _Blob) else _bytea(value)
                    yield self.item.child(f"{table.name}.{key}@row={n}",
                                          lambda d=data: io.BytesIO(d), size=len(data))
                continue
            if len(value) <= columns.SEGMENT_CHARS:
                yield Segment(value, location, Pointer(table=table.name, column=col, row=n),
                              label, record)
                continue
            for offset, repeated, piece in columns.pieces(value):
                yield Segment(piece, location,
                              Pointer(table=table.name, column=col, row=n, offset=offset),
                              label, record, overlap=repeated)
        if n % 1000 == 0:
            self.ctx.check_time()


def _prepend(head: str, rest: Iterator[str]) -> Iterator[str]:
    if head:
        yield head
    yield from rest


def _hex_blob(digits: str) -> _Blob:
    try:
        return _Blob(bytes.fromhex(digits))
    except ValueError:
        return _Blob(b"")


def _bytea(text: str) -> bytes:
    """A PostgreSQL bytea in its text form: `\\x4142…` (hex) or escaped."""
    if text.startswith("\\x"):
        try:
            return bytes.fromhex(text[2:])
        except ValueError:
            return b""
    return text.encode("latin-1", "replace")
