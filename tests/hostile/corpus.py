"""An adversarial corpus, written at run time into a folder the tests scan.

A share is full of surprises: half-copied files, bit rot, documents saved
with a password, zip bombs, pipes and device files, links that loop, names
that are not UTF-8, text in three encodings at once. `build()` writes one
of each, from valid files it makes first (every supported format, each
holding the planted values below), then truncates them at several points
and flips random bytes, and returns what it wrote as `Entry` rows: where
the input sits, and what a scan may say about it.

Every value is invented: the SINs and the card pass their checksums but
belong to nobody. Nothing here is a fixture file: the same seed gives the
same corpus, bytes for bytes.
"""

from __future__ import annotations

import bz2
import csv
import ctypes
import email.message
import email.policy
import gzip
import io
import json
import lzma
import os
import random
import socket
import sqlite3
import stat
import struct
import tarfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

SIN = "130 692 544"
SIN2 = "463 212 233"
CARD = "4539 1488 0343 6467"
EMAIL = "helene.gagnon@example.org"
PHONE = "438-555-0199"
NAME = "Hélène Gagnon"
# Only in a file an XML external entity would pull in: never in a finding.
XXE_SIN = "527 123 459"

PLANTED: dict[str, list[str]] = {
    "CA_SIN": [SIN, SIN.replace(" ", ""), SIN2, SIN2.replace(" ", "")],
    "CREDIT_CARD": [CARD, CARD.replace(" ", "")],
    "EMAIL_ADDRESS": [EMAIL],
    "PHONE_NUMBER": [PHONE, PHONE.replace("-", "")],
}

# Every reason a scan may give; anything else (or "crashed") is a bug.
REASONS = frozenset({
    "corrupt", "encrypted", "too large", "too deep", "timeout", "unsupported format",
    "not a regular file", "permission denied", "vanished", "unreadable", "undecodable",
    "skipped", "broken link", "database error",
})

LINES = [
    f"Dossier de suivi : {NAME}",
    f"NAS : {SIN}",
    f"Courriel : {EMAIL}",
    f"Téléphone : {PHONE}",
    f"Carte de crédit : {CARD}",
    f"Conjoint, numéro d'assurance sociale : {SIN2}",
]
ROWS = [("nom", "NAS", "courriel", "telephone", "carte"),
        (NAME, SIN, EMAIL, PHONE, CARD),
        ("Luc Roy", SIN2, "luc.roy@example.org", "514-555-0123", "")]


@dataclass(frozen=True)
class Entry:
    """One input of the corpus and what a scan may record for it.

    `location` is what the store calls it (relative, "/"-separated, odd
    bytes read as cp1252). `reasons`: when set, the item (or a member under
    it, `member_error`) must end with one of them; otherwise any result or
    known error will do.
    """

    location: str
    fmt: str
    case: str
    reasons: frozenset[str] | None = None
    member_error: bool = False
    findings: bool = False  # the scan must find a planted value in it

    @property
    def must_error(self) -> bool:
        return self.reasons is not None


# -- valid files, one per format -------------------------------------------------

def text_bytes() -> bytes:
    return ("\n".join(LINES) + "\n").encode("utf-8")


def csv_bytes() -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(ROWS)
    return out.getvalue().encode("utf-8")


def json_bytes() -> bytes:
    people = [dict(zip(ROWS[0], row)) for row in ROWS[1:]]
    return json.dumps({"participants": people}, ensure_ascii=False, indent=1).encode("utf-8")


def jsonl_bytes() -> bytes:
    return "".join(json.dumps(dict(zip(ROWS[0], row)), ensure_ascii=False) + "\n"
                   for row in ROWS[1:]).encode("utf-8")


def html_bytes() -> bytes:
    cells = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in ROWS)
    body = "".join(f"<p>{line}</p>" for line in LINES)
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Suivi</title></head>"
            f"<body>{body}<table>{cells}</table><script>var x = '{SIN}';</script></body></html>"
            ).encode("utf-8")


def xml_bytes() -> bytes:
    people = "".join(f"<participant><nom>{r[0]}</nom><nas>{r[1]}</nas><courriel>{r[2]}</courriel>"
                     f"<telephone>{r[3]}</telephone></participant>" for r in ROWS[1:])
    return f'<?xml version="1.0" encoding="UTF-8"?><participants>{people}</participants>'.encode()


def _fpdf(lines: Iterable[str]):  # type: ignore[no-untyped-def]
    from fpdf import FPDF
    pdf = FPDF()
    pdf.set_compression(False)
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    for line in lines:
        pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    return pdf


def pdf_bytes(user_password: str | None = None, owner_password: str | None = None) -> bytes:
    pdf = _fpdf(LINES)
    if owner_password is not None:
        pdf.set_encryption(owner_password=owner_password, user_password=user_password or "")
    return bytes(pdf.output())


def docx_bytes() -> bytes:
    from docx import Document
    doc = Document()
    for line in LINES:
        doc.add_paragraph(line)
    table = doc.add_table(rows=0, cols=len(ROWS[0]))
    for row in ROWS:
        cells = table.add_row().cells
        for cell, value in zip(cells, row):
            cell.text = value
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.title = "Participants"
    for row in ROWS:
        ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xls_bytes() -> bytes:
    import xlwt
    book = xlwt.Workbook()
    sheet = book.add_sheet("Participants")
    for r, row in enumerate(ROWS):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def pptx_bytes() -> bytes:
    from pptx import Presentation
    from pptx.util import Inches
    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    slide.shapes.title.text = "Suivi"
    box = slide.shapes.add_textbox(Inches(1), Inches(2), Inches(8), Inches(3)).text_frame
    box.text = LINES[0]
    for line in LINES[1:]:
        box.add_paragraph().text = line
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


def odt_bytes() -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.text import P
    doc = OpenDocumentText()
    for line in LINES:
        doc.text.addElement(P(text=line))
    buf = io.BytesIO()
    doc.write(buf)
    return buf.getvalue()


def ods_bytes() -> bytes:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P
    doc = OpenDocumentSpreadsheet()
    table = Table(name="Participants")
    for row in ROWS:
        tr = TableRow()
        for value in row:
            cell = TableCell(valuetype="string")
            cell.addElement(P(text=value))
            tr.addElement(cell)
        table.addElement(tr)
    doc.spreadsheet.addElement(table)
    buf = io.BytesIO()
    doc.write(buf)
    return buf.getvalue()


def rtf_bytes() -> bytes:
    def esc(text: str) -> str:
        return "".join(c if ord(c) < 128 else f"\\'{ord(c.encode('cp1252')):02x}" for c in text)
    body = "".join(esc(line) + "\\par\n" for line in LINES)
    return ("{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0 Arial;}}\\f0\\fs22\n" + body + "}"
            ).encode("ascii")


def eml_bytes() -> bytes:
    msg = email.message.EmailMessage(policy=email.policy.SMTP)
    msg["From"] = f"{NAME} <{EMAIL}>"
    msg["To"] = "Luc Roy <luc.roy@example.org>"
    msg["Subject"] = "Dossier de suivi"
    msg["Date"] = "Thu, 04 Mar 2021 12:00:00 +0000"
    msg["Message-ID"] = "<suivi-1@example.org>"
    msg.set_content("\n".join(LINES) + "\n")
    msg.add_attachment(csv_bytes(), maintype="text", subtype="csv", filename="participants.csv")
    return msg.as_bytes()


def mbox_bytes() -> bytes:
    one = eml_bytes().replace(b"\r\n", b"\n")
    two = (b"From: Luc Roy <luc.roy@example.org>\nSubject: Re: dossier\n"
           b"Date: Fri, 05 Mar 2021 09:00:00 +0000\n\n" + f"NAS : {SIN2}\n".encode())
    sep = b"From MAILER-DAEMON Thu Mar  4 12:00:00 2021\n"
    return sep + one + b"\n" + sep + two + b"\n"


def msg_bytes() -> bytes:
    from msgforge import Message
    msg = Message(subject="Dossier de suivi", text_body="\n".join(LINES) + "\n",
                  sender=(EMAIL, NAME), to=[("luc.roy@example.org", "Luc Roy")])
    msg.attach_bytes("participants.csv", csv_bytes())
    return msg.as_bytes()


def zip_bytes(members: dict[str, bytes] | None = None, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    members = members if members is not None else {"exports/participants.csv": csv_bytes(),
                                                    "notes/suivi.txt": text_bytes()}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name, (2021, 3, 4, 12, 0, 0)), data, compress_type=method)
    return buf.getvalue()


def tar_bytes(members: dict[str, bytes] | None = None, mode: str = "w") -> bytes:
    members = members if members is not None else {"exports/participants.csv": csv_bytes(),
                                                    "notes/suivi.txt": text_bytes()}
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode) as tf:  # type: ignore[call-overload]
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), 1_614_859_200
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def image_bytes(fmt: str) -> bytes:
    from PIL import Image, ImageDraw, ImageFont
    img = Image.new("RGB", (900, 140), "white")
    draw = ImageDraw.Draw(img)
    try:
        font = ImageFont.load_default(size=36)
    except TypeError:  # Pillow without FreeType sizes
        font = ImageFont.load_default()
    draw.text((20, 20), f"NAS : {SIN}", fill="black", font=font)
    draw.text((20, 75), f"Courriel : {EMAIL}", fill="black", font=font)
    buf = io.BytesIO()
    img.save(buf, format=fmt)
    return buf.getvalue()


def sqlite_bytes(tmp: Path) -> bytes:
    path = tmp / "corpus-build.sqlite"
    path.unlink(missing_ok=True)
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE participants (id INTEGER PRIMARY KEY, nom TEXT, nas TEXT,"
                " courriel TEXT, telephone TEXT)")
    con.executemany("INSERT INTO participants (nom, nas, courriel, telephone) VALUES (?,?,?,?)",
                    [r[:4] for r in ROWS[1:]] * 20)
    con.commit()
    con.close()
    data = path.read_bytes()
    path.unlink()
    return data


def sql_bytes() -> bytes:
    values = ",".join("(" + ",".join("'" + v.replace("'", "''") + "'" for v in r[:4]) + ")"
                      for r in ROWS[1:])
    return ("-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)\n--\n"
            "CREATE TABLE `participants` (\n  `nom` varchar(80),\n  `nas` varchar(11),\n"
            "  `courriel` varchar(80),\n  `telephone` varchar(20)\n);\n"
            f"INSERT INTO `participants` VALUES {values};\n").encode("utf-8")


def valid_files(tmp: Path) -> dict[str, tuple[str, bytes]]:
    """format → (file name, bytes) of a valid file holding the planted values."""
    return {
        "txt": ("suivi.txt", text_bytes()),
        "csv": ("participants.csv", csv_bytes()),
        "json": ("participants.json", json_bytes()),
        "jsonl": ("participants.jsonl", jsonl_bytes()),
        "html": ("suivi.html", html_bytes()),
        "xml": ("participants.xml", xml_bytes()),
        "pdf": ("suivi.pdf", pdf_bytes()),
        "docx": ("suivi.docx", docx_bytes()),
        "xlsx": ("participants.xlsx", xlsx_bytes()),
        "xls": ("participants.xls", xls_bytes()),
        "pptx": ("suivi.pptx", pptx_bytes()),
        "odt": ("suivi.odt", odt_bytes()),
        "ods": ("participants.ods", ods_bytes()),
        "rtf": ("suivi.rtf", rtf_bytes()),
        "eml": ("suivi.eml", eml_bytes()),
        "mbox": ("suivi.mbox", mbox_bytes()),
        "msg": ("suivi.msg", msg_bytes()),
        "zip": ("export.zip", zip_bytes()),
        "tar": ("export.tar", tar_bytes()),
        "gz": ("suivi.txt.gz", gzip.compress(text_bytes(), mtime=0)),
        "bz2": ("suivi.txt.bz2", bz2.compress(text_bytes())),
        "xz": ("suivi.txt.xz", lzma.compress(text_bytes())),
        "png": ("scan.png", image_bytes("PNG")),
        "jpeg": ("scan.jpg", image_bytes("JPEG")),
        "tiff": ("scan.tif", image_bytes("TIFF")),
        "sqlite": ("crm.sqlite", sqlite_bytes(tmp)),
        "sql": ("dump.sql", sql_bytes()),
    }


# Formats whose valid file a scan must find a planted value in (images need
# OCR, which may read the digits differently: they only have to end cleanly).
MUST_FIND = frozenset({
    "txt", "csv", "json", "jsonl", "html", "xml", "pdf", "docx", "xlsx", "xls", "pptx", "odt",
    "ods", "rtf", "eml", "mbox", "msg", "zip", "tar", "gz", "bz2", "xz", "sqlite", "sql"})


# -- damage ----------------------------------------------------------------------

TRUNCATE_AT = (0.0, 0.1, 0.5, 0.9, 0.999)
FLIPS = (("1", 1), ("0.5%", 0.005), ("5%", 0.05))


def truncations(data: bytes) -> list[tuple[str, bytes]]:
    """The file cut short: after its first byte, at 10/50/90 %, one byte short."""
    out = []
    for frac in TRUNCATE_AT:
        cut = max(1, min(len(data) - 1, int(len(data) * frac)))
        out.append((f"cut{frac * 100:g}%" if frac else "cut1B", data[:cut]))
    return out


def flips(data: bytes, seed: int) -> list[tuple[str, bytes]]:
    """Random bytes changed (bit rot, a bad copy); the first 8 kept so the format is still sniffed."""
    rng = random.Random(seed)
    out = []
    for label, amount in FLIPS:
        buf = bytearray(data)
        count = amount if isinstance(amount, int) else max(2, int(len(buf) * amount))
        for _ in range(count):
            pos = rng.randrange(min(8, len(buf) - 1), len(buf))
            buf[pos] ^= rng.randrange(1, 256)
        out.append((f"flip{label}", bytes(buf)))
    return out


# -- special cases ---------------------------------------------------------------

def _zip_with_encryption_flag(data: bytes) -> bytes:
    """Set the "encrypted" bit on every member, in local headers and the central directory."""
    buf = bytearray(data)
    for sig, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (pos := buf.find(sig, start)) >= 0:
            struct.pack_into("<H", buf, pos + flag_at, struct.unpack_from("<H", buf, pos + flag_at)[0] | 1)
            start = pos + 4
    return bytes(buf)


def _odt_encrypted() -> bytes:
    """An ODT whose manifest says content.xml is encrypted (and whose content is noise)."""
    src = zipfile.ZipFile(io.BytesIO(odt_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "content.xml":
                data = random.Random(7).randbytes(len(data))  # what a cipher leaves
            elif info.filename == "META-INF/manifest.xml":
                data = data.replace(
                    b'manifest:full-path="content.xml" manifest:media-type="text/xml"/>',
                    b'manifest:full-path="content.xml" manifest:media-type="text/xml">'
                    b'<manifest:encryption-data '
                    b'manifest:checksum-type="SHA1/1K" manifest:checksum="AAAA">'
                    b'<manifest:algorithm manifest:algorithm-name="Blowfish CFB" '
                    b'manifest:initialisation-vector="AAAA"/></manifest:encryption-data>'
                    b'</manifest:file-entry>')
            zf.writestr(info, data)
    return out.getvalue()


def _ooxml_encrypted(plain: bytes) -> bytes | None:
    try:
        from msoffcrypto.format.ooxml import OOXMLFile
    except ImportError:
        return None
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(plain)).encrypt("mot-de-passe", out)
    return out.getvalue()


def _zeros_zip(size: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        info = zipfile.ZipInfo("zeros.txt", (2021, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w") as member:
            block = b"0" * (1 << 20)
            for _ in range(size >> 20):
                member.write(block)
    return buf.getvalue()


def _gzip_stream(size: int) -> bytes:
    """`size` bytes of "0" as one gzip stream, compressed a block at a time."""
    comp = zlib.compressobj(6, zlib.DEFLATED, 31)  # wbits 31: with a gzip header
    block = b"0" * (1 << 20)
    parts = [comp.compress(block) for _ in range(size >> 20)]
    return b"".join(parts) + comp.flush()


def _nested_zip(depth: int) -> bytes:
    data = zip_bytes({"fond.txt": text_bytes()})
    for level in range(depth - 1, 0, -1):
        data = zip_bytes({f"niveau{level}.zip": data})
    return data


def _nested_gzip(depth: int) -> bytes:
    data = text_bytes()
    for _ in range(depth):
        data = gzip.compress(data, mtime=0)
    return data


XML_BOMB = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
            + b"".join(f' <!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">\n'.encode()
                       for i in range(1, 10))
            + b']>\n<lolz>&lol9;</lolz>\n')


def _xxe(target: Path) -> bytes:
    return (f'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file://{target}">]>\n'
            f"<r><nom>{NAME}</nom><v>&x;</v></r>\n").encode()


def _docx_with_bomb() -> bytes:
    src = zipfile.ZipFile(io.BytesIO(docx_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                head, _, rest = data.partition(b"?>")
                bomb = XML_BOMB.split(b"?>", 1)[1].split(b"<lolz>")[0]
                data = head + b"?>" + bomb.replace(b"lolz", b"w:document") + rest.replace(
                    b"</w:body>", b"<w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body>")
            zf.writestr(info, data)
    return out.getvalue()


ENCODINGS: dict[str, bytes] = {
    "utf8-invalid-bytes.txt": ("Hélène\n".encode() + b"\xff\xfe\xc3 \x80\xbf\n"
                               + f"NAS : {SIN}\n".encode()),
    "cp1252.txt": f"Dossier de {NAME} — numéro d'assurance sociale : {SIN}\n".encode("cp1252"),
    "utf16le-nobom.txt": f"Dossier de {NAME}\nNAS : {SIN}\n".encode("utf-16-le"),
    "utf16be-bom.txt": f"Dossier de {NAME}\nNAS : {SIN}\n".encode("utf-16"),
    "utf16-odd-length.txt": f"Dossier de {NAME}\nNAS : {SIN}\n".encode("utf-16")[:-1],
    "utf32.txt": f"Dossier de {NAME}\nNAS : {SIN}\n".encode("utf-32"),
    "mixed.txt": (f"{NAME} (UTF-8)\n".encode() + "Hélène (cp1252)\n".encode("cp1252")
                  + "Ĺ (latin-2)\n".encode("iso8859-2") + f"NAS : {SIN}\n".encode()),
    "overlong-and-surrogates.txt": (b"\xc0\xaf\xe0\x80\xaf\xed\xa0\x80\xed\xbf\xbf\xf4\x90\x80\x80\n"
                                    + f"NAS : {SIN}\n".encode()),
    "bom-mismatch.txt": b"\xef\xbb\xbf" + f"NAS : {SIN}\n".encode("utf-16-le"),
    "bom-only.txt": b"\xef\xbb\xbf",
    "nul-sprinkled.txt": b"\x00".join(f"NAS : {SIN}\n".encode()[i:i + 5] for i in range(0, 20, 5)),
    "c1-controls.txt": bytes(range(0x80, 0xa0)) + f"\nNAS : {SIN}\n".encode("latin-1"),
    "shift-jis.txt": f"氏名 山田 NAS {SIN}\n".encode("shift_jis"),
    "koi8-r.txt": f"Имя Иван NAS {SIN}\n".encode("koi8_r"),
    "utf16.csv": "nom,NAS\nHélène,130 692 544\n".encode("utf-16"),
    "cp1252.json": json.dumps({"nom": NAME, "nas": SIN}, ensure_ascii=False).encode("cp1252"),
    "charset-lies.html": (b"<html><head><meta charset='utf-16'></head><body><p>"
                          + f"{NAME} NAS {SIN}".encode("cp1252") + b"</p></body></html>"),
    "declared-utf16.xml": f'<?xml version="1.0" encoding="UTF-16"?><r>{NAME} {SIN}</r>'.encode(),
    "invalid-utf8.csv": b"nom,NAS\n" + "Hélène".encode("cp1252") + b"\xff," + SIN.encode() + b"\n",
}
# Decodable with the planted SIN intact: the scan must find it.
ENCODINGS_FIND = frozenset({"utf8-invalid-bytes.txt", "cp1252.txt", "utf16le-nobom.txt",
                            "utf16be-bom.txt", "utf16-odd-length.txt", "mixed.txt",
                            "overlong-and-surrogates.txt", "c1-controls.txt", "utf16.csv",
                            "cp1252.json", "invalid-utf8.csv"})

# name bytes → location the store must use (non-UTF-8 bytes read as cp1252)
ODD_NAMES: dict[bytes, str] = {
    b"caf\xe9.txt": "café.txt",
    b"\xff\xfe\xfd.json": "ÿþý.json",
    b"new\nline.txt": "new\nline.txt",
    b"tab\tname.csv": "tab\tname.csv",
    b"\x1b[31mred.txt": "\x1b[31mred.txt",
    b" leading space.txt": " leading space.txt",
    b"trailing space.txt ": "trailing space.txt ",
    b"-rf.txt": "-rf.txt",
    b"back\\slash.txt": "back\\slash.txt",
    "☃ bonhomme 📄.txt".encode(): "☃ bonhomme 📄.txt",
    "\u202etxt.exe".encode(): "\u202etxt.exe",
    b"no_extension": "no_extension",
    b"UPPER.TXT": "UPPER.TXT",
    b"a!b.zip": "a!b.zip",
    b"x" * 240 + b".txt": "x" * 240 + b".txt".decode(),
}


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _mknod(path: Path, kind: int, dev: tuple[int, int]) -> bool:
    try:
        os.mknod(path, kind | 0o600, os.makedev(*dev))
        return True
    except (PermissionError, OSError):
        return False


def _unix_socket(path: Path) -> bool:
    """Bind a socket at `path` (short relative name: AF_UNIX paths are limited to ~100 bytes)."""
    cwd = os.getcwd()
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        os.chdir(path.parent)
        sock.bind(path.name)
        return True
    except OSError:
        return False
    finally:
        os.chdir(cwd)
        sock.close()


# -- the corpus --------------------------------------------------------------------

class Writer:
    """Writes files under the root and remembers them as entries."""

    def __init__(self, root: Path):
        self.root = root
        self.entries: list[Entry] = []

    def add(self, rel: str | bytes, data: bytes | None, fmt: str, case: str, *,
            reasons: Iterable[str] | None = None, member_error: bool = False,
            findings: bool = False, location: str | None = None) -> Path:
        raw = rel if isinstance(rel, bytes) else rel.encode()
        path = Path(os.fsdecode(os.path.join(os.fsencode(self.root), raw)))
        path.parent.mkdir(parents=True, exist_ok=True)
        if data is not None:
            path.write_bytes(data)
        self.entries.append(Entry(location or (rel if isinstance(rel, str) else rel.decode()), fmt,
                                  case, frozenset(reasons) if reasons is not None else None,
                                  member_error, findings))
        return path


def build(root: Path, *, seed: int = 10, enforce_permissions: bool = False,
          big_file: int = 100 << 20) -> list[Entry]:
    """Write the whole corpus under `root` (which must exist); return its entries.

    `enforce_permissions`: the scan will run without the right to bypass
    file modes (not root, or root without CAP_DAC_OVERRIDE), so mode-000
    files must come out as "permission denied".
    """
    w = Writer(root)
    valid = valid_files(root.parent)
    for n, (fmt, (name, data)) in enumerate(sorted(valid.items())):
        stem, dot, ext = name.partition(".")
        w.add(f"formats/{fmt}/{name}", data, fmt, "valid", findings=fmt in MUST_FIND)
        w.add(f"formats/{fmt}/empty.{ext}", b"", fmt, "empty")
        for case, damaged in truncations(data) + flips(data, seed * 1000 + n):
            w.add(f"formats/{fmt}/{stem}-{case}.{ext}", damaged, fmt, case)

    # encrypted documents and archives
    enc = "encrypted"
    w.add("encrypted/password.pdf", pdf_bytes(user_password="ouvre-toi", owner_password="proprio"),
          "pdf", enc, reasons={"encrypted"})
    w.add("encrypted/owner-only.pdf", pdf_bytes(owner_password="proprio"), "pdf",
          "encrypted, empty user password", findings=True)
    for fmt, plain in (("docx", docx_bytes()), ("xlsx", xlsx_bytes()), ("pptx", pptx_bytes())):
        data = _ooxml_encrypted(plain)
        if data is not None:
            w.add(f"encrypted/password.{fmt}", data, fmt, enc, reasons={"encrypted"})
    w.add("encrypted/password.odt", _odt_encrypted(), "odt", enc, reasons={"encrypted"})
    w.add("encrypted/members.zip", _zip_with_encryption_flag(zip_bytes()), "zip", enc,
          reasons={"encrypted"}, member_error=True)
    w.add("encrypted/archive.7z", b"7z\xbc\xaf\x27\x1c\x00\x04" + bytes(200), "7z", "unsupported",
          reasons={"unsupported format"})
    w.add("encrypted/archive.rar", b"Rar!\x1a\x07\x01\x00" + bytes(200), "rar", "unsupported",
          reasons={"unsupported format"})

    # zip bombs: a high ratio, deep nesting, a wide archive, an XML entity bomb
    w.add("bombs/ratio.zip", _zeros_zip(32 << 20), "zip", "ratio bomb", reasons={"too large"},
          member_error=True)
    w.add("bombs/ratio.txt.gz", _gzip_stream(32 << 20), "gz", "ratio bomb", reasons={"too large"},
          member_error=True)
    w.add("bombs/ratio.tar.gz", gzip.compress(tar_bytes({"zeros.txt": b"0" * (32 << 20)}), mtime=0),
          "gz", "ratio bomb", reasons={"too large"}, member_error=True)
    w.add("bombs/nested.zip", _nested_zip(9), "zip", "nested 9 deep", reasons={"too deep"},
          member_error=True)
    w.add("bombs/nested.txt.gz", _nested_gzip(9), "gz", "nested 9 deep", reasons={"too deep"},
          member_error=True)
    w.add("bombs/wide.zip", zip_bytes({f"f{i:04}.txt": f"ligne {i}\n".encode() for i in range(300)}),
          "zip", "300 members")
    w.add("bombs/billion-laughs.xml", XML_BOMB, "xml", "entity bomb")
    w.add("bombs/billion-laughs.docx", _docx_with_bomb(), "docx", "entity bomb")
    secret = root.parent / "outside-secret.txt"
    secret.write_text(f"NAS : {XXE_SIN}\n")
    w.add("bombs/xxe.xml", _xxe(secret), "xml", "external entity")

    # special files: never opened (a FIFO would block, a device never ends)
    special = "not a regular file"
    w.add("specials/pipe.fifo", None, "special", "FIFO", reasons={special})
    os.mkfifo(root / "specials" / "pipe.fifo")
    w.add("specials/named-like.csv", None, "special", "FIFO named .csv", reasons={special})
    os.mkfifo(root / "specials" / "named-like.csv")
    if _unix_socket(root / "specials" / "sock"):
        w.add("specials/sock", None, "special", "socket", reasons={special})
    for name, kind, dev in (("zero.txt", stat.S_IFCHR, (1, 5)), ("null", stat.S_IFCHR, (1, 3)),
                            ("disk.img", stat.S_IFBLK, (7, 0))):
        if _mknod(root / "specials" / name, kind, dev):
            w.add(f"specials/{name}", None, "special", "device", reasons={special})

    # symbolic links (not followed by default; loop-safe when followed)
    links = root / "links"
    links.mkdir()
    (links / "real").mkdir()
    (links / "real" / "note.txt").write_text(f"NAS : {SIN}\n")
    w.entries.append(Entry("links/real/note.txt", "link", "target", findings=True))
    for name, target, case in (("loop", ".", "loop to its folder"), ("up", "..", "loop to the root"),
                               ("self", "self", "points at itself"),
                               ("dangling", "nowhere", "dangling"),
                               ("to-fifo", "../specials/pipe.fifo", "to a FIFO"),
                               ("to-zero", "/dev/zero", "to a device"),
                               ("to-real", "real", "to a folder")):
        os.symlink(target, links / name)
        w.entries.append(Entry(f"links/{name}", "link", case, frozenset({"skipped"})))

    # unreadable files and folders
    perm = "permission denied"
    reasons = {perm} if enforce_permissions else None
    w.add("unreadable/mode000.txt", text_bytes(), "txt", "mode 000", reasons=reasons)
    w.add("unreadable/write-only.csv", csv_bytes(), "csv", "mode 200", reasons=reasons)
    w.add("unreadable/locked/inside.txt", text_bytes(), "txt", "inside a mode-000 folder")
    w.entries.pop()  # not listable: the folder itself is the entry
    w.entries.append(Entry("unreadable/locked", "folder", "mode 000", frozenset({perm})
                           if enforce_permissions else None))
    os.chmod(root / "unreadable" / "mode000.txt", 0)
    os.chmod(root / "unreadable" / "write-only.csv", 0o200)
    os.chmod(root / "unreadable" / "locked", 0)

    # too large for --max-file-size (sparse: costs no disk)
    (root / "large").mkdir()
    with open(root / "large" / "huge.csv", "wb") as fh:
        fh.truncate(big_file)
    w.entries.append(Entry("large/huge.csv", "csv", "over --max-file-size", frozenset({"too large"})))

    for name, data in ENCODINGS.items():
        w.add(f"encodings/{name}", data, "encoding", name, findings=name in ENCODINGS_FIND)

    for raw, location in ODD_NAMES.items():
        by_ext = {b".zip": zip_bytes, b".json": json_bytes, b".csv": csv_bytes}
        data = by_ext.get(os.path.splitext(raw)[1], text_bytes)()
        w.add(b"names/" + raw, data, "name", repr(raw)[2:-1][:40], location="names/" + location,
              findings=True)
    return w.entries


# -- dropping the right to bypass file modes (root) ----------------------------------

CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 1, 2
PR_CAPBSET_DROP = 24


def drop_dac_capabilities() -> None:
    """preexec_fn: the child, though root, is refused mode-000 files like anyone else.

    Dropping the capabilities from the bounding set before exec leaves the
    new program without them (root gets its file capabilities from it).
    """
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) refused")


def can_drop_dac(probe_dir: Path) -> bool:
    """Whether a child started with `drop_dac_capabilities` is refused a mode-000 file."""
    import subprocess
    import sys
    probe = probe_dir / "dac-probe"
    probe.write_text("x")
    os.chmod(probe, 0)
    try:
        proc = subprocess.run([sys.executable, "-c", f"open({str(probe)!r}).read()"],
                              preexec_fn=drop_dac_capabilities if is_root() else None,
                              capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return False
    finally:
        probe.unlink()
    return proc.returncode != 0 and b"PermissionError" in proc.stderr


def scan_preexec() -> Callable[[], None] | None:
    return drop_dac_capabilities if is_root() else None
