"""Outlook .msg files (OLE2), through extract-msg.

Read like an e-mail (see mail.py): sender, recipients and subject as header
segments (part "header:From", field "From"), the plain body ("body"), else
the HTML body as visible text ("body:html"), else the RTF body ("body:rtf");
attachments and embedded messages as child items
(`mail/relance.msg!donors.csv`, `relance.msg!reponse.msg`) carrying the
message date as their mtime. Other Outlook items saved as .msg (contacts,
appointments, tasks) give whatever of those they have.
"""

from __future__ import annotations

import io
import logging
from typing import Any, Callable, Iterator

from ... import sniff
from ...model import CorruptError, Item, Pointer, ScanError, Segment, UnsupportedError
from .containers import UniqueNames, clean_name
from .docparts import opened, text_segments
from .mail import RECORD, decode_bytes, html_text

# extract-msg and olefile log details of what they parse at DEBUG/WARNING;
# a -vv log must never hold content, so only their errors get through.
for _name in ("extract_msg", "olefile", "RTFDE"):
    logging.getLogger(_name).setLevel(logging.ERROR)

HEADERS: tuple[tuple[str, str], ...] = (
    ("From", "sender"), ("To", "to"), ("Cc", "cc"), ("Bcc", "bcc"), ("Subject", "subject"),
)


class OutlookMsgReader:
    name = "outlook"
    media_types = (sniff.MSG,)

    def read(self, item: Item, ctx: Any) -> Iterator[Segment | Item | ScanError]:
        import extract_msg  # heavy (RTF, HTML helpers): only when a .msg turns up
        from extract_msg.enums import ErrorBehavior
        from extract_msg.exceptions import UnrecognizedMSGTypeError, UnsupportedMSGTypeError

        tolerate = (ErrorBehavior.ATTACH_NOT_IMPLEMENTED | ErrorBehavior.ATTACH_BROKEN
                    | ErrorBehavior.CUSTOM_ATTACH_TOLERANT)
        with opened(item, ctx) as stream:
            try:
                msg = extract_msg.openMsg(stream, errorBehavior=tolerate)
            except (UnrecognizedMSGTypeError, UnsupportedMSGTypeError):
                raise UnsupportedError("an Outlook item of a kind extract-msg cannot read") from None
            except Exception as exc:  # olefile and extract-msg raise many kinds on bad data
                raise CorruptError(f"not a readable Outlook message ({type(exc).__name__})") from None
            try:
                yield from self._message(msg, item, ctx)
            finally:
                msg.close()

    def _message(self, msg: Any, item: Item, ctx: Any) -> Iterator[Segment | Item | ScanError]:
        location = item.location
        for field, attr in HEADERS:
            value = _get(lambda: getattr(msg, attr, None))
            if isinstance(value, str) and value.strip():
                yield Segment(value.strip(), location, Pointer(part=f"header:{field}"),
                              field=field, record=RECORD)
        reply_to = _get(lambda: msg.header.get("Reply-To"))
        if isinstance(reply_to, str) and reply_to.strip():
            yield Segment(reply_to.strip(), location, Pointer(part="header:Reply-To"),
                          field="Reply-To", record=RECORD)
        part, text = _body(msg)
        if text:
            yield from text_segments(text, location, Pointer(part=part), record=RECORD)
        yield from self._attachments(msg, item, ctx)

    def _attachments(self, msg: Any, item: Item, ctx: Any) -> Iterator[Item | ScanError]:
        date = _get(lambda: msg.date)
        mtime = _get(lambda: date.timestamp()) if date is not None else None
        unique = UniqueNames()
        attachments = _get(lambda: msg.attachments) or ()
        for index, att in enumerate(attachments, 1):
            ctx.check_time()
            name = _attachment_name(att, index)
            data = _get(lambda: att.data)
            if hasattr(data, "exportBytes"):  # an embedded message, itself an MSGFile
                if not name.lower().endswith(".msg"):
                    name += ".msg"
                name = unique(name)
                blob = _get(lambda: data.exportBytes())
                if not isinstance(blob, bytes):
                    yield ScanError(location_of(item, name), "corrupt",
                                    "embedded message cannot be exported")
                    continue
                yield _child(item, name, blob, mtime, sniff.MSG)
            elif isinstance(data, bytes):
                yield _child(item, unique(name), data, mtime)
            else:  # broken, web-linked or of a kind extract-msg does not implement
                yield ScanError(location_of(item, unique(name)), UnsupportedError.reason,
                                f"attachment of kind {type(att).__name__}")


def location_of(item: Item, name: str) -> str:
    return f"{item.location}!{name}"


def _child(item: Item, name: str, data: bytes, mtime: float | None,
           media_type: str | None = None) -> Item:
    return item.child(name, lambda: io.BytesIO(data), size=len(data), mtime=mtime,
                      media_type=media_type)


def _get(read: Callable[[], Any]) -> Any:
    """A property of the message, or None when that part of the file is damaged."""
    try:
        return read()
    except Exception:  # extract-msg decodes lazily: a bad stream surfaces on access
        return None


def _body(msg: Any) -> tuple[str, str]:
    """The plain body, else the HTML one as text, else the RTF one: one version only."""
    body = _get(lambda: msg.body)
    if isinstance(body, str) and body.strip():
        return "body", body
    html = _get(lambda: msg.htmlBody)
    if isinstance(html, bytes) and html.strip():
        return "body:html", html_text(decode_bytes(html, None))
    rtf = _get(lambda: msg.rtfBody)
    if isinstance(rtf, bytes) and rtf.strip():
        from striprtf.striprtf import rtf_to_text

        text = _get(lambda: rtf_to_text(rtf.decode("latin-1"), errors="ignore"))
        if isinstance(text, str):
            return "body:rtf", text
    return "body", ""


def _attachment_name(att: Any, index: int) -> str:
    for attr in ("longFilename", "shortFilename", "displayName", "name"):
        value = _get(lambda: getattr(att, attr, None))
        if isinstance(value, str) and value.strip():
            name = clean_name(value.replace("\\", "/").rsplit("/", 1)[-1].strip())
            if name:
                return name
    return f"attachment-{index}"
