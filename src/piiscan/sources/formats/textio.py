"""Decode a binary stream into text a piece at a time, whatever its encoding.

Every text reader (plain text, CSV, JSON, HTML) goes through here so they
agree on encodings and never hold a whole file: the stream is decoded in
blocks, with universal newlines, and an encoding is chosen from the first
64 KB only.

Encodings, in order: a BOM; UTF-16 without BOM (NULs on every other byte);
UTF-8; a non-Latin code page that charset-normalizer recognises (Cyrillic,
Greek, CJK…); otherwise cp1252, which is what French and English Windows
files are. charset-normalizer is not trusted for Latin text: it reads French
cp1252 as Central European cp1250 ("Hélène" → "Hélčne").

Mixed files are common (a UTF-8 export with a cp1252 line pasted in): bytes
that are not valid UTF-8 are read as cp1252 rather than dropped, so "é" is
still "é" even when it first appears after the sample.
"""

from __future__ import annotations

import codecs
import io
from typing import IO, Iterable, Iterator

SAMPLE_BYTES = 64 * 1024
READ_BYTES = 64 * 1024
SEGMENT_CHARS = 32 * 1024  # target size of a text segment
OVERLAP = 200  # characters repeated across a forced cut, so a value on it is seen whole

UTF8_FALLBACK = "piiscan-cp1252"

# Code pages charset-normalizer may choose; anything else (Latin families,
# EBCDIC, old Mac) is read as cp1252, which is what our users' files are.
_NON_LATIN = frozenset({
    "cp1251", "koi8_r", "koi8_u", "cp866", "iso8859_5", "mac_cyrillic",
    "cp1253", "iso8859_7", "cp1255", "iso8859_8", "cp1256", "iso8859_6",
    "cp874", "tis_620", "cp932", "shift_jis", "euc_jp", "iso2022_jp",
    "gb2312", "gbk", "gb18030", "big5", "big5hkscs", "cp949", "euc_kr", "cp1258",
})


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start:exc.end]
    return bytes(bad).decode("cp1252", errors="replace"), exc.end


codecs.register_error(UTF8_FALLBACK, _cp1252_fallback)


def read_head(stream: IO[bytes], size: int = SAMPLE_BYTES) -> bytes:
    """Up to `size` bytes; loops because pipes and archive members return short reads."""
    parts: list[bytes] = []
    got = 0
    while got < size:
        block = stream.read(size - got)
        if not block:
            break
        parts.append(block)
        got += len(block)
    return b"".join(parts)


def _utf16_without_bom(sample: bytes) -> str | None:
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    nul_even, nul_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    # Latin text in UTF-16: the high byte of almost every unit is zero.
    if nul_odd > 0.4 and nul_even < 0.05:
        return "utf-16-le"
    if nul_even > 0.4 and nul_odd < 0.05:
        return "utf-16-be"
    return None


def _is_utf8(sample: bytes) -> bool:
    try:
        # final=False: a character cut by the end of the sample is not an error.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _mostly_non_latin(sample: bytes, encoding: str) -> bool:
    """Cyrillic, Greek or CJK text has few ASCII letters; French in cp1252 has mostly ASCII.

    charset-normalizer reads a short French cp1252 line as Big5 ("é" and the
    next letter make a valid double-byte character); this check refuses that.
    """
    letters = [c for c in sample.decode(encoding, errors="ignore") if c.isalpha()]
    return bool(letters) and sum(1 for c in letters if not c.isascii()) >= 0.3 * len(letters)


def detect_encoding(sample: bytes) -> str:
    """A Python codec name for text whose first bytes are `sample`."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    utf16 = _utf16_without_bom(sample)
    if utf16:
        return utf16
    if _is_utf8(sample):
        return "utf-8"
    from charset_normalizer import from_bytes  # import lazily: only non-UTF-8 files need it

    best = from_bytes(sample).best()
    if best is not None and best.encoding in _NON_LATIN and _mostly_non_latin(sample, best.encoding):
        return best.encoding
    try:
        sample.decode("cp1252")
    except UnicodeDecodeError:  # a byte cp1252 leaves undefined (0x81, 0x8D…)
        return "latin-1"
    return "cp1252"


def error_mode(encoding: str) -> str:
    """UTF-8 falls back to cp1252 byte by byte; other codecs mark bad bytes with U+FFFD."""
    return UTF8_FALLBACK if codecs.lookup(encoding).name in ("utf-8", "utf-8-sig") else "replace"


def decode_text(stream: IO[bytes], encoding: str | None = None, *, head: bytes | None = None,
                block: int = READ_BYTES) -> Iterator[str]:
    """Decoded text of `stream`, in pieces of at most about `block` characters.

    Newlines come out as "\\n" whatever they were ("\\r\\n", "\\r"), even when a
    "\\r\\n" pair is split across two reads. `head`, if given, is bytes already
    read from the stream (a sniffing sample); they are decoded first.
    """
    if head is None:
        head = read_head(stream)
    if encoding is None:
        encoding = detect_encoding(head)
    raw = codecs.getincrementaldecoder(encoding)(errors=error_mode(encoding))
    decoder = io.IncrementalNewlineDecoder(raw, translate=True)
    data = head
    while data:
        text = decoder.decode(data)
        if text:
            yield text
        data = stream.read(block)
    tail = decoder.decode(b"", final=True)
    if tail:
        yield tail


def iter_lines(chunks: Iterable[str], max_chars: int = 1 << 20) -> Iterator[str]:
    """Lines ending with "\\n" (the last may not); a line over `max_chars` comes in pieces.

    A piece of an over-long line never ends with "\\n" except the last, so
    callers can tell pieces from lines and memory stays bounded.
    """
    partial = ""
    for chunk in chunks:
        parts = chunk.split("\n")
        if len(parts) > 1:
            first = partial + parts[0]
            while len(first) > max_chars:
                yield first[:max_chars]
                first = first[max_chars:]
            yield first + "\n"
            for part in parts[1:-1]:
                while len(part) > max_chars:
                    yield part[:max_chars]
                    part = part[max_chars:]
                yield part + "\n"
            partial = parts[-1]
        else:
            partial += parts[0]
        while len(partial) > max_chars:
            yield partial[:max_chars]
            partial = partial[max_chars:]
    if partial:
        yield partial


def chunk_text(text: str, size: int = SEGMENT_CHARS, overlap: int = OVERLAP) -> Iterator[tuple[int, str]]:
    """(offset, piece) pairs covering `text`, consecutive pieces sharing `overlap` characters."""
    if len(text) <= size:
        yield 0, text
        return
    step = size - overlap
    start = 0
    while True:
        yield start, text[start:start + size]
        if start + size >= len(text):
            return
        start += step
