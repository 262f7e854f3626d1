"""E-mail: single messages (.eml) and mailboxes (.mbox), read as containers.

A message yields segments for its address and subject headers (pointer
part "header:From", field "From"), its plain body (part "body") and its HTML
body as visible text (part "body:html"); of the two versions of one
multipart/alternative, only the plain one is read unless it is blank, so a
value is not reported twice. Attachments and attached messages become child
items read by their own readers: `mail/msg.eml!donors.csv`,
`mail/msg.eml!export.zip!donors.csv`, `msg.eml!attached-message-1.eml`.
Children carry the message's Date as their mtime, for retention rules.

A mailbox is streamed, split on its "From " lines, one message at a time;
each message is a child item `mail/box.mbox!message-3`, numbered from 1 in
file order (the order mail clients list them in), so a mailbox of several
GB never sits in memory. One message is parsed in memory, as the email
package needs; a message over MAX_MESSAGE_BYTES is reported as too large.

Headers and bodies are decoded from what the message declares (encoded
words, quoted-printable, base64, the part's charset); ISO-8859-1 is read as
its superset cp1252, as mail clients do, and bytes that do not fit their
declared charset fall back to cp1252 rather than being dropped.
"""

from __future__ import annotations

import calendar
import codecs
import email.errors
import email.header
import email.utils
import io
import mimetypes
import re
import time
from dataclasses import dataclass
from datetime import timezone
from email.message import Message
from email.parser import BytesFeedParser, BytesParser
from email.policy import compat32
from html.parser import HTMLParser
from typing import IO, Any, Iterator

from ... import sniff
from ...model import Item, Pointer, ScanError, Segment, TooLargeError
from .containers import Spool, UniqueNames, clean_name
from .docparts import text_segments
from .textio import UTF8_FALLBACK

MAX_MESSAGE_BYTES = 128 << 20
READ_BYTES = 1 << 20
MAX_LINE = 1 << 20  # an mbox line longer than this is copied in pieces
RECORD = "message"

# Headers that hold people or what a message is about. Received/Date/Message-ID
# hold servers and ids, which would only add noise (IP addresses of relays).
HEADERS = ("From", "Sender", "Reply-To", "To", "Cc", "Bcc", "Subject", "Comments", "Keywords",
           "Return-Path", "Delivered-To", "X-Original-To", "Resent-From", "Resent-Sender",
           "Resent-To", "Resent-Cc", "Resent-Bcc", "Disposition-Notification-To")
_HEADER_NAMES = {h.lower(): h for h in HEADERS}

# Declared Latin-1 is read as cp1252, as browsers and mail clients do (smart quotes, €).
_CHARSET_ALIASES = {"iso8859_1": "cp1252", "latin_1": "cp1252", "ascii": "cp1252"}

_FOLD = re.compile(r"\r?\n(?=[ \t])")
_FROM_LINE = re.compile(rb"From \S+ +\S.*\d\d?:\d\d")  # "From a@b.ca Thu Mar  4 12:00:00 2021"
_ESCAPED_FROM = re.compile(rb">+From ")


class MailReader:
    name = "mail"
    media_types = (sniff.EML, sniff.MBOX)

    def read(self, item: Item, ctx: Any) -> Iterator[Segment | Item | ScanError]:
        if item.open is None:
            return
        with item.open() as stream:
            head = stream.read(sniff.HEAD_BYTES)
            if _is_mbox(item, head):
                yield from self._mbox(item, ctx, stream, head)
            else:
                yield from read_message(parse_message(stream, head), item, ctx)

    def _mbox(self, item: Item, ctx: Any, stream: IO[bytes], head: bytes) -> Iterator[Item | ScanError]:
        for number, raw in enumerate(_split_mbox(io.BufferedReader(_Prefixed(head, stream)), ctx), 1):
            ctx.check_time()
            name = f"message-{number}"
            with raw.spool:
                if raw.too_large:
                    yield ScanError(f"{item.location}!{name}", TooLargeError.reason,
                                    f"message over {MAX_MESSAGE_BYTES} bytes")
                    continue
                yield item.child(name, raw.spool.open, size=raw.spool.size,
                                 mtime=_spooled_date(raw.spool) or _envelope_date(raw.envelope),
                                 media_type=sniff.EML)


def parse_message(stream: IO[bytes], head: bytes = b"") -> Message:
    """The whole message, parsed, refusing one over MAX_MESSAGE_BYTES."""
    parser = BytesFeedParser(policy=compat32)
    total = len(head)
    parser.feed(head)
    while block := stream.read(READ_BYTES):
        total += len(block)
        if total > MAX_MESSAGE_BYTES:
            raise TooLargeError(f"message over {MAX_MESSAGE_BYTES} bytes")
        parser.feed(block)
    return parser.close()


def read_message(msg: Message, item: Item, ctx: Any) -> Iterator[Segment | Item | ScanError]:
    """Segments of a parsed message's headers and bodies, and its children."""
    location = item.location
    for name, raw in msg.raw_items():
        canonical = _HEADER_NAMES.get(name.lower())
        if canonical is None:
            continue
        text = decode_header(raw)
        if text.strip():
            yield Segment(text, location, Pointer(part=f"header:{canonical}"),
                          field=canonical, record=RECORD)
    mtime = message_date(msg)
    unique = UniqueNames()
    bodies: dict[str, int] = {}
    for index, (part, skip_html) in enumerate(_leaves(msg, False), 1):
        ctx.check_time()
        ctype = part.get_content_type()
        filename = _filename(part)
        if ctype in ("message/rfc822", "message/global"):
            name = unique(filename or f"attached-message-{index}.eml")
            data = _attached_message(part)
            if data is None:
                yield ScanError(f"{location}!{name}", "corrupt", "attached message cannot be read")
                continue
            yield _child(item, name, data, mtime, sniff.EML)
        elif filename or part.get_content_disposition() == "attachment" or \
                part.get_content_maintype() not in ("text", "message", "multipart"):
            name = unique(filename or f"part-{index}{_extension(ctype)}")
            yield _child(item, name, part.get_payload(decode=True) or b"", mtime)
        elif ctype == "text/html":
            if skip_html:
                continue
            yield from _body(html_text(part_text(part)), location, "body:html", bodies)
        else:
            yield from _body(part_text(part), location, "body", bodies)


def _body(text: str, location: str, kind: str, seen: dict[str, int]) -> Iterator[Segment]:
    seen[kind] = seen.get(kind, 0) + 1
    part = kind if seen[kind] == 1 else f"{kind}:{seen[kind]}"
    for seg in text_segments(text, location, Pointer(part=part, line=1), record=RECORD):
        if seg.pointer.offset:  # a chunk of a long body: say on which line it starts
            line = text.count("\n", 0, seg.pointer.offset) + 1
            seg = Segment(seg.text, seg.location, Pointer(part=part, line=line,
                                                          offset=seg.pointer.offset),
                          seg.field, seg.record)
        yield seg


def _child(item: Item, name: str, data: bytes, mtime: float | None,
           media_type: str | None = None) -> Item:
    return item.child(name, lambda: io.BytesIO(data), size=len(data), mtime=mtime,
                      media_type=media_type)


def _leaves(part: Message, skip_html: bool) -> Iterator[tuple[Message, bool]]:
    """Leaf parts and attached messages, in order, with whether HTML is a duplicate there."""
    if part.get_content_maintype() != "multipart" or not part.is_multipart():
        yield part, skip_html
        return
    subparts = [p for p in part.get_payload() if isinstance(p, Message)]
    if part.get_content_subtype() == "alternative":
        skip_html = skip_html or any(
            p.get_content_type() == "text/plain" and not _filename(p) and part_text(p).strip()
            for p in subparts)
    for sub in subparts:
        yield from _leaves(sub, skip_html)


def _attached_message(part: Message) -> bytes | None:
    payload = part.get_payload()
    try:
        if isinstance(payload, list) and payload and isinstance(payload[0], Message):
            return payload[0].as_bytes()
        data = part.get_payload(decode=True)
    except (LookupError, UnicodeError, ValueError, TypeError):
        return None
    return data if isinstance(data, bytes) else None


# -- decoding ------------------------------------------------------------------

def decode_bytes(data: bytes, charset: str | None) -> str:
    """Text of `data` in its declared charset; UTF-8, then cp1252, when that fails."""
    codec = _codec(charset)
    if codec:
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            pass
    return data.decode("utf-8", UTF8_FALLBACK)


def _codec(charset: str | None) -> str | None:
    if not charset:
        return None
    try:
        name = codecs.lookup(charset.strip().strip('"')).name
    except LookupError:
        return None
    return _CHARSET_ALIASES.get(name.replace("-", "_"), name)


def decode_header(raw: str) -> str:
    """A header value as a person reads it: unfolded, encoded words decoded.

    Headers with raw 8-bit bytes (no encoded words, common in French mail
    from old clients) reach us as surrogate escapes; they are decoded as
    UTF-8, else cp1252.
    """
    raw = _FOLD.sub("", raw)
    if any("\udc80" <= c <= "\udcff" for c in raw):
        raw = raw.encode("ascii", "surrogateescape").decode("utf-8", UTF8_FALLBACK)
    if "=?" not in raw:
        return raw.strip()
    try:
        pieces = email.header.decode_header(raw)
    except (ValueError, email.errors.HeaderParseError):
        return raw.strip()
    out = []
    for chunk, charset in pieces:
        if isinstance(chunk, str):
            out.append(chunk)
        elif charset is None:  # text between encoded words, which decode_header escaped so
            out.append(chunk.decode("raw-unicode-escape"))
        else:
            out.append(decode_bytes(chunk, charset))
    return "".join(out).strip()


def part_text(part: Message) -> str:
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return ""
    return decode_bytes(data, part.get_content_charset())


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except (ValueError, LookupError, UnicodeError):
        name = None
    if not name:
        return None
    if isinstance(name, str):
        name = decode_header(name)
    # A path from the sender's disk ("C:\Users\...\dons.csv"): keep the file name.
    name = re.split(r"[\\/]", name)[-1].strip()
    return clean_name(name) or None


def _extension(ctype: str) -> str:
    return {"text/plain": ".txt", "text/csv": ".csv"}.get(ctype) or \
        mimetypes.guess_extension(ctype) or ""


def message_date(msg: Message) -> float | None:
    raw = msg.get("Date")
    if not isinstance(raw, str):
        return None
    try:
        when = email.utils.parsedate_to_datetime(decode_header(raw))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    try:
        return when.timestamp()
    except (OverflowError, ValueError, OSError):
        return None


# -- HTML ------------------------------------------------------------------------

class _Visible(HTMLParser):
    """Collects text a reader of the page would see; blocks become line breaks."""

    HIDDEN = frozenset({"script", "style", "head", "template", "noscript"})
    BLOCKS = frozenset({"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6",
                        "table", "ul", "ol", "blockquote", "pre", "hr", "title"})
    CELLS = frozenset({"td", "th"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.CELLS:  # a caption cell stays on the line of its value
            self.parts.append("\t")
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def html_text(html: str) -> str:
    """The visible text of an HTML body (the title in <head> is not shown in mail)."""
    parser = _Visible()
    parser.feed(html)
    parser.close()
    lines = (line.strip() for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)


# -- mbox ------------------------------------------------------------------------

@dataclass
class _RawMessage:
    spool: Spool
    envelope: bytes
    too_large: bool = False


def _is_mbox(item: Item, head: bytes) -> bool:
    if item.media_type in (sniff.EML, sniff.MBOX):
        return item.media_type == sniff.MBOX
    if item.name.lower().endswith(".eml"):
        return False
    return sniff.sniff(head, item.name) == sniff.MBOX


def _split_mbox(stream: IO[bytes], ctx: Any) -> Iterator[_RawMessage]:
    """The messages of an mbox, one spooled copy at a time.

    A message starts at a "From " line after a blank line (or one that looks
    like an envelope line: address and time), as mboxo/mboxrd write them;
    body lines escaped as ">From " are unescaped.
    """
    current: _RawMessage | None = None
    prev_blank = True
    at_line_start = True
    while line := stream.readline(MAX_LINE):
        starts, at_line_start = at_line_start, line.endswith(b"\n")
        if starts and line.startswith(b"From ") and (prev_blank or _FROM_LINE.match(line)):
            if current is not None:
                yield current
            current = _RawMessage(Spool(ctx.temp_dir), line.strip())
            prev_blank = False
            continue
        prev_blank = starts and line in (b"\n", b"\r\n")
        if current is None:
            if not line.strip():
                continue
            current = _RawMessage(Spool(ctx.temp_dir), b"")
        if starts and _ESCAPED_FROM.match(line):
            line = line[1:]
        if current.spool.size + len(line) > MAX_MESSAGE_BYTES:
            current.too_large = True
        elif not current.too_large:
            current.spool.write(line)
    if current is not None:
        yield current


class _Prefixed(io.RawIOBase):
    """Bytes already read (the sniffing head), then the rest of the stream."""

    def __init__(self, head: bytes, rest: IO[bytes]):
        self.head = head
        self.rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.head:
            n = min(len(buffer), len(self.head))
            buffer[:n] = self.head[:n]
            self.head = self.head[n:]
            return n
        data = self.rest.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


def _spooled_date(spool: Spool) -> float | None:
    with spool.open() as fh:
        head = fh.read(64 << 10)
    end = re.search(rb"\r?\n\r?\n", head)
    headers = head[:end.start()] if end else head
    try:
        return message_date(BytesParser(policy=compat32).parsebytes(headers, headersonly=True))
    except (ValueError, TypeError, LookupError):
        return None


def _envelope_date(line: bytes) -> float | None:
    """The time on an mbox "From sender Thu Mar  4 12:00:00 2021" line (UTC by custom)."""
    words = line.decode("ascii", "replace").split()[2:]
    try:
        parsed = time.strptime(" ".join(words[:5]), "%a %b %d %H:%M:%S %Y")
    except ValueError:
        return None
    return float(calendar.timegm(parsed))
