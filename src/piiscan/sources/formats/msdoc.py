"""Text of legacy Word 97–2003 files (.doc), read from the piece table.

No external program is needed: [MS-DOC] keeps the document's characters
in the WordDocument stream, in pieces listed by the CLX structure of the
table stream ("0Table" or "1Table", as the FIB says). A piece is either
8-bit (Windows-1252) or UTF-16. The characters are the main text, then the
footnotes, headers, comments, endnotes and text boxes, in that order, each
as long as the FIB says. Formatting, fields' codes and drawings are left
out; tables come out as tab-separated cells.

Word 6/95 files (before the piece table became universal) are reported as
unsupported; encrypted and XOR-obfuscated files as encrypted.
"""

from __future__ import annotations

import re
import struct
from typing import IO, Any, Iterator

from ...lazyimport import lazy_module
from ...model import CorruptError, EncryptedError, Pointer, Segment, UnsupportedError
from .docparts import Captions

olefile = lazy_module("olefile")  # imported at the first OLE file read, not with the readers

WORD95_NFIB = 0x0068  # Word 6 wrote 0x0065, Word 95 0x0068; Word 97 0x00C1
_MAGIC = 0xA5EC
_FIELD_MARKS = re.compile("[\x13\x14\x15]")
# Stories after the main text, in FIB order (ccpMcr, a reserved count, sits between).
_STORIES = (("body", 3), ("footnote", 4), ("header", 5), (None, 6), ("comment", 7),
            ("endnote", 8), ("textbox", 9), ("header textbox", 10))
# Word's control characters: cell/row marks become tabs, breaks become newlines,
# anchors of pictures, notes and comments vanish.
_CONTROL = str.maketrans({"\x07": "\t", "\x0b": "\n", "\x0c": "\n", "\x0e": "\n",
                          "\x1e": "-", "\x1f": "", "\x01": "", "\x02": "", "\x03": "",
                          "\x04": "", "\x05": "", "\x08": "", "\x00": ""})


def _ole(fh: IO[bytes]) -> olefile.OleFileIO:
    try:
        return olefile.OleFileIO(fh)
    except (OSError, ValueError, IndexError, struct.error):
        raise CorruptError("not a valid OLE file (damaged or truncated)") from None


def is_encrypted_package(fh: IO[bytes]) -> bool:
    """An OLE file holding an encrypted OOXML package (DOCX/XLSX/PPTX with a password)."""
    try:
        with _ole(fh) as ole:
            return ole.exists("EncryptedPackage")
    except CorruptError:
        return False
    finally:
        fh.seek(0)


def _stream(ole: olefile.OleFileIO, name: str) -> bytes:
    if not ole.exists(name):
        raise CorruptError(f"no {name} stream")
    try:
        return ole.openstream(name).read()
    except (OSError, ValueError, IndexError, struct.error):
        raise CorruptError(f"unreadable {name} stream") from None


def _u16(data: bytes, at: int) -> int:
    return struct.unpack_from("<H", data, at)[0]


def _u32(data: bytes, at: int) -> int:
    return struct.unpack_from("<I", data, at)[0]


def _fib(word: bytes) -> tuple[int, bool, list[int], int, int]:
    """(flags, which table, story lengths, fcClx, lcbClx) from the FIB."""
    if len(word) < 64 or _u16(word, 0) != _MAGIC:
        raise CorruptError("not a Word document (bad FIB)")
    nfib = _u16(word, 2)
    flags = _u16(word, 0x0A)
    if flags & 0x0100 or flags & 0x8000:
        raise EncryptedError("password-protected Word document")
    if nfib <= WORD95_NFIB:
        raise UnsupportedError("Word 6/95 document (only Word 97 and later are read)")
    at = 32
    csw = _u16(word, at)
    at += 2 + 2 * csw
    cslw = _u16(word, at)
    lw_start = at + 2
    counts = [_u32(word, lw_start + 4 * i) for i in range(min(cslw, 11))]
    at = lw_start + 4 * cslw
    cb = _u16(word, at)
    blob = at + 2
    if cb <= 33:
        raise CorruptError("FIB too short for a piece table")
    fc_clx = _u32(word, blob + 33 * 8)
    lcb_clx = _u32(word, blob + 33 * 8 + 4)
    return flags, bool(flags & 0x0200), counts, fc_clx, lcb_clx


def _pieces(clx: bytes) -> list[tuple[int, int, int, bool]]:
    """(cp start, cp end, byte offset, 8-bit?) for each piece of the text."""
    i = 0
    while i < len(clx) and clx[i] == 0x01:  # property modifiers come first: skip them
        i += 3 + _u16(clx, i + 1)
    if i + 5 > len(clx) or clx[i] != 0x02:
        raise CorruptError("bad piece table")
    lcb = _u32(clx, i + 1)
    plc = clx[i + 5:i + 5 + lcb]
    n = (len(plc) - 4) // 12
    if n <= 0:
        return []
    cps = struct.unpack_from(f"<{n + 1}I", plc, 0)
    out = []
    for k in range(n):
        fc = _u32(plc, 4 * (n + 1) + 8 * k + 2)
        compressed = bool(fc & 0x40000000)
        fc &= 0x3FFFFFFF
        out.append((cps[k], cps[k + 1], fc // 2 if compressed else fc, compressed))
    return out


def document_text(word: bytes, table: bytes, ctx: Any | None = None) -> str:
    _, _, _, fc_clx, lcb_clx = _fib(word)
    if fc_clx + lcb_clx > len(table):
        raise CorruptError("piece table outside the table stream")
    parts = []
    for n, (start, end, offset, compressed) in enumerate(_pieces(table[fc_clx:fc_clx + lcb_clx])):
        if ctx is not None and n % 256 == 0:
            ctx.check_time()
        count = max(end - start, 0)
        if compressed:
            parts.append(word[offset:offset + count].decode("cp1252", "replace"))
        else:
            parts.append(word[offset:offset + 2 * count].decode("utf-16-le", "replace"))
    return "".join(parts)


def _drop_field_codes(text: str) -> str:
    """Keep what a field shows (\x14 result \x15), not its code (\x13 code \x14)."""
    if "\x13" not in text:
        return text
    out: list[str] = []
    depth_in_code: list[bool] = []  # per open field: still in its code part?
    last = 0
    for m in _FIELD_MARKS.finditer(text):
        if not any(depth_in_code):
            out.append(text[last:m.start()])
        mark = m.group()
        if mark == "\x13":
            depth_in_code.append(True)
        elif mark == "\x14" and depth_in_code:
            depth_in_code[-1] = False
        elif mark == "\x15" and depth_in_code:
            depth_in_code.pop()
        last = m.end()
    if not any(depth_in_code):
        out.append(text[last:])
    return "".join(out)


def stories(word: bytes, table: bytes, ctx: Any | None = None) -> Iterator[tuple[str, str]]:
    """(part, text) for the main text and each non-empty story after it."""
    _, _, counts, _, _ = _fib(word)
    text = document_text(word, table, ctx)
    at = 0
    for part, index in _STORIES:
        length = counts[index] if index < len(counts) else 0
        piece, at = text[at:at + length], at + length
        if part is not None and piece:
            yield part, _drop_field_codes(piece).translate(_CONTROL)


def read_doc(fh: IO[bytes], location: str, ctx: Any) -> Iterator[Segment]:
    """Segments of a .doc: one per paragraph, `line` numbered within each part."""
    with _ole(fh) as ole:
        if ole.exists("EncryptedPackage"):
            raise EncryptedError("password-protected Office document")
        if not ole.exists("WordDocument"):
            raise UnsupportedError("OLE file without a Word document")
        word = _stream(ole, "WordDocument")
        _, which, _, _, _ = _fib(word)
        table = _stream(ole, "1Table" if which else "0Table")
    for part, text in stories(word, table, ctx):
        captions = Captions()
        for line, paragraph in enumerate(text.split("\r"), 1):
            yield from captions.segments(paragraph, location, Pointer(part=part, line=line),
                                         record=part)
