"""What format an item is, from its first bytes; the extension only breaks ties.

Shares are full of files with wrong extensions (a PDF saved as .docx, a CSV
named .txt): trusting the name would hand them to the wrong reader.
"""

from __future__ import annotations

import io
import zipfile
from typing import IO

HEAD_BYTES = 8192

PDF = "application/pdf"
ZIP = "application/zip"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODP = "application/vnd.oasis.opendocument.presentation"
OLE = "application/x-ole-storage"
DOC = "application/msword"
XLS = "application/vnd.ms-excel"
MSG = "application/vnd.ms-outlook"
OOXML_ENCRYPTED = "application/x-ooxml-encrypted"
RTF = "application/rtf"
GZIP = "application/gzip"
BZIP2 = "application/x-bzip2"
XZ = "application/x-xz"
TAR = "application/x-tar"
SEVENZ = "application/x-7z-compressed"
RAR = "application/vnd.rar"
PNG = "image/png"
JPEG = "image/jpeg"
TIFF = "image/tiff"
GIF = "image/gif"
BMP = "image/bmp"
WEBP = "image/webp"
SQLITE = "application/vnd.sqlite3"
EML = "message/rfc822"
MBOX = "application/mbox"
TEXT = "text/plain"
CSV = "text/csv"
TSV = "text/tab-separated-values"
JSON = "application/json"
JSONL = "application/x-ndjson"
HTML = "text/html"
XML = "application/xml"
SQL = "application/sql"
LOG = "text/x-log"
BINARY = "application/octet-stream"
DB_TABLE = "application/x-database-table"

_EXT_TEXT = {
    ".csv": CSV, ".tsv": TSV, ".tab": TSV, ".json": JSON, ".jsonl": JSONL, ".ndjson": JSONL,
    ".html": HTML, ".htm": HTML, ".xhtml": HTML, ".xml": XML, ".sql": SQL, ".log": LOG,
    ".eml": EML, ".mbox": MBOX, ".rtf": RTF,
}


def _ext(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


def _zip_kind(stream: IO[bytes] | None, head: bytes) -> str:
    """Tell OOXML, ODF and plain ZIP apart by their members, not the name."""
    if stream is None:
        return ZIP
    try:
        stream.seek(0)
        with zipfile.ZipFile(stream) as zf:
            names = set(zf.namelist())
            if "mimetype" in names:
                mt = zf.read("mimetype")[:100].decode("ascii", "replace").strip()
                if mt in (ODT, ODS, ODP):
                    return mt
            if "[Content_Types].xml" in names:
                if any(n.startswith("word/") for n in names):
                    return DOCX
                if any(n.startswith("xl/") for n in names):
                    return XLSX
                if any(n.startswith("ppt/") for n in names):
                    return PPTX
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, KeyError):
        return _cut_package_kind(head)
    return ZIP


def _cut_package_kind(head: bytes) -> str:
    """A cut package has lost its ZIP directory; the entry names at its start still tell.

    Sending a truncated DOCX to its own reader gets the user "corrupt docx",
    not a puzzling archive error.
    """
    names: list[str] = []
    at = head.find(b"PK\x03\x04")
    while 0 <= at and at + 30 <= len(head):
        n = int.from_bytes(head[at + 26:at + 28], "little")
        names.append(head[at + 30:at + 30 + n].decode("cp437", "replace"))
        at = head.find(b"PK\x03\x04", at + 30 + n)
    if names[:1] == ["mimetype"]:
        mt = head[38:118].split(b"PK", 1)[0].decode("ascii", "replace").strip()
        if mt in (ODT, ODS, ODP):
            return mt
    for prefix, kind in (("word/", DOCX), ("xl/", XLSX), ("ppt/", PPTX)):
        if any(n.startswith(prefix) for n in names):
            return kind
    return ZIP


def _ole_kind(stream: IO[bytes] | None, name: str) -> str:
    """OLE2 holds .doc, .xls, .msg and encrypted OOXML; read its directory names."""
    if stream is None:
        return OLE
    try:
        stream.seek(0)
        data = stream.read(2_000_000)
    except OSError:
        return OLE
    # Directory entries are UTF-16LE names; a substring test is enough to classify.
    for marker, kind in ((b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00e\x00d\x00P\x00a\x00c\x00k\x00a\x00g\x00e", OOXML_ENCRYPTED),
                         (b"_\x00_\x00s\x00u\x00b\x00s\x00t\x00g\x001\x00.\x000\x00_\x00", MSG),
                         (b"W\x00o\x00r\x00d\x00D\x00o\x00c\x00u\x00m\x00e\x00n\x00t", DOC),
                         (b"W\x00o\x00r\x00k\x00b\x00o\x00o\x00k", XLS),
                         (b"B\x00o\x00o\x00k", XLS)):
        if marker in data:
            return kind
    return {".doc": DOC, ".xls": XLS, ".msg": MSG}.get(_ext(name), OLE)


def looks_binary(head: bytes) -> bool:
    """Text has no NUL bytes (UTF-16 aside) and few control characters."""
    if not head:
        return False
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    if b"\x00" in head:
        # UTF-16 without BOM: NULs on every other byte of ASCII text.
        even, odd = head[0::2], head[1::2]
        if even.count(0) > 0.4 * len(even) or odd.count(0) > 0.4 * len(odd):
            return False
        return True
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return control > 0.1 * len(head)


def _text_kind(head: bytes, name: str) -> str:
    ext = _ext(name)
    if ext in _EXT_TEXT:
        return _EXT_TEXT[ext]
    sample = head.lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n")[:512].lower()
    sample = sample.replace(b"\x00", b"")
    if sample.startswith(b"{\\rtf"):
        return RTF
    if sample.startswith((b"<!doctype html", b"<html")):
        return HTML
    if sample.startswith(b"<?xml") or sample.startswith(b"<"):
        return XML if not b"<html" in sample else HTML
    if sample.startswith(b"from ") and b"\n" in sample:
        return MBOX
    if sample.startswith((b"return-path:", b"received:", b"message-id:", b"mime-version:", b"delivered-to:")):
        return EML
    if any(m in sample[:400] for m in (b"-- postgresql database dump", b"-- mysql dump",
                                        b"-- mariadb dump")):
        return SQL
    return TEXT


def sniff(head: bytes, name: str, stream: IO[bytes] | None = None) -> str:
    """The media type of an item whose first bytes are `head`.

    `stream`, when given, is a seekable binary stream over the whole item,
    used only to look inside ZIP and OLE containers.
    """
    if head.startswith(b"%PDF"):
        return PDF
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip_kind(stream, head)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return _ole_kind(stream, name)
    if head.startswith(b"{\\rtf"):
        return RTF
    if head.startswith(b"\x1f\x8b"):
        return GZIP
    if head.startswith(b"BZh"):
        return BZIP2
    if head.startswith(b"\xfd7zXZ\x00"):
        return XZ
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return SEVENZ
    if head.startswith(b"Rar!\x1a\x07"):
        return RAR
    if len(head) > 262 and head[257:262] == b"ustar":
        return TAR
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return TIFF
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head.startswith(b"BM") and _ext(name) == ".bmp":
        return BMP
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"SQLite format 3\x00"):
        return SQLITE
    if not head:
        return TEXT
    if looks_binary(head):
        return BINARY
    return _text_kind(head, name)


def sniff_item_stream(stream: IO[bytes], name: str) -> str:
    head = stream.read(HEAD_BYTES)
    try:
        stream.seek(0)
        seekable = True
    except (OSError, io.UnsupportedOperation):
        seekable = False
    return sniff(head, name, stream if seekable else None)
