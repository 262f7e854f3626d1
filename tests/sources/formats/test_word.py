"""Word reader: DOCX parts (body, tables, text boxes, headers, notes, comments) and legacy DOC."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml

from piiscan import sniff
from piiscan.model import EntityType, Pointer
from piiscan.sources.formats.pdf import PdfReader
from piiscan.sources.formats.word import WordReader
from tests.sources.formats.document_helpers import (
    EMAIL,
    EMAIL2,
    SIN,
    item_for,
    ole_file,
    read_item,
    scan,
    segments,
    texts,
    unseekable_item,
)

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
SIN2 = "130 692 544"
SIN3 = "193 456 787"

TEXTBOX = (
    f'<w:r xmlns:w="{W_NS}" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:v="urn:schemas-microsoft-com:vml">'
    "<mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing><wps:txbx><w:txbxContent>"
    "<w:p><w:r><w:t>Contact : {email}</w:t></w:r></w:p>"
    "</w:txbxContent></wps:txbx></w:drawing></mc:Choice>"
    "<mc:Fallback><w:pict><v:textbox><w:txbxContent>"
    "<w:p><w:r><w:t>Contact : {email}</w:t></w:r></w:p>"
    "</w:txbxContent></v:textbox></w:pict></mc:Fallback></mc:AlternateContent></w:r>"
)


def _add_footnote(path: Path, text: str) -> None:
    """python-docx writes no footnotes: add the part, its link and its type by hand."""
    src = path.read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "word/_rels/document.xml.rels":
                data = data.replace(b"</Relationships>", (
                    b'<Relationship Id="rIdFn1" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/footnotes" Target="footnotes.xml"/>'
                    b"</Relationships>"))
            elif info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", (
                    b'<Override PartName="/word/footnotes.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/></Types>'))
            zout.writestr(info, data)
        zout.writestr("word/footnotes.xml", (
            f'<w:footnotes xmlns:w="{W_NS}"><w:footnote w:id="1"><w:p><w:r>'
            f"<w:t>{text}</w:t></w:r></w:p></w:footnote></w:footnotes>").encode())
    path.write_bytes(out.getvalue())


@pytest.fixture
def case_file(tmp_path: Path) -> Path:
    """A case note with a value in each part of a DOCX."""
    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = f"Dossier confidentiel — {EMAIL2}"
    d.sections[0].footer.paragraphs[0].text = f"Préparé par {EMAIL}"
    d.add_heading("Suivi de la participante", level=1)          # line 1
    d.add_paragraph("Rencontre du 12 mars avec la participante.")  # line 2
    d.add_paragraph("Numéro d'assurance sociale :")               # line 3
    d.add_paragraph(SIN)                                            # line 4
    table = d.add_table(rows=3, cols=3)
    for r, row in enumerate([("Nom", "NAS", "Courriel"),
                             ("Marie Tremblay", SIN2, EMAIL),
                             ("Jean Dupont", SIN3, EMAIL2)]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    boxed = d.add_paragraph("Voir l'encadré.")                     # line 5
    boxed._p.append(parse_xml(TEXTBOX.format(email=EMAIL)))
    tracked = d.add_paragraph("Ancien numéro retiré : ")           # line 6
    tracked._p.append(parse_xml(
        f'<w:del xmlns:w="{W_NS}" w:id="9" w:author="x"><w:r><w:delText>{SIN2}</w:delText>'
        "</w:r></w:del>"))
    commented = d.add_paragraph("Rappeler la participante.")       # line 7
    d.add_comment(commented.runs, text=f"Son NAS est {SIN3}", author="Agent")
    path = tmp_path / "suivi.docx"
    d.save(path)
    _add_footnote(path, f"Courriel personnel : {EMAIL2}")
    return path


def test_every_part_of_a_docx_is_read_with_its_pointer(case_file: Path) -> None:
    result = scan(case_file, WordReader())
    found = {(f.entity_type, tuple(sorted(f.pointer.as_dict().items())), f.field)
             for f in result.findings}
    expected = {
        (EntityType.CA_SIN, Pointer(part="body", line=4), "Numéro d'assurance sociale :"),
        (EntityType.CA_SIN, Pointer(part="body", row=2, column="NAS"), "NAS"),
        (EntityType.EMAIL_ADDRESS, Pointer(part="body", row=2, column="Courriel"), "Courriel"),
        (EntityType.CA_SIN, Pointer(part="body", row=3, column="NAS"), "NAS"),
        (EntityType.EMAIL_ADDRESS, Pointer(part="body", row=3, column="Courriel"), "Courriel"),
        (EntityType.EMAIL_ADDRESS, Pointer(part="textbox", line=1), None),
        (EntityType.CA_SIN, Pointer(part="body", line=6), None),  # tracked deletion
        (EntityType.EMAIL_ADDRESS, Pointer(part="header", line=1), None),
        (EntityType.EMAIL_ADDRESS, Pointer(part="footer", line=1), None),
        (EntityType.EMAIL_ADDRESS, Pointer(part="footnote", line=1), None),
        (EntityType.CA_SIN, Pointer(part="comment", line=1), None),
    }
    assert found == {(e, tuple(sorted(p.as_dict().items())), f) for e, p, f in expected}
    assert result.errors == []


def test_text_box_is_read_once_not_again_from_its_fallback_copy(case_file: Path,
                                                                 tmp_path: Path) -> None:
    segs = segments(WordReader(), case_file, tmp_path)
    assert sum(EMAIL in s.text for s in segs if s.pointer.part == "textbox") == 1


def test_table_rows_are_records(case_file: Path) -> None:
    result = scan(case_file, WordReader())
    rows = {f.record for f in result.findings if f.pointer.row == 2}
    assert rows == {"body:table:1:row:2"}


def test_form_table_without_header_keeps_caption_beside_value(tmp_path: Path) -> None:
    d = docx.Document()
    table = d.add_table(rows=2, cols=2)
    for r, (label, value) in enumerate([("Nom", "Marie Tremblay"), ("NAS", SIN)]):
        table.cell(r, 0).text = label
        table.cell(r, 1).text = value
    path = tmp_path / "form.docx"
    d.save(path)
    segs = segments(WordReader(), path, tmp_path)
    assert [(s.text, s.pointer) for s in segs] == [
        ("Nom | Marie Tremblay", Pointer(part="body", row=1)),
        (f"NAS | {SIN}", Pointer(part="body", row=2)),
    ]
    assert all(s.field is None for s in segs)  # a name never becomes a column label


def test_merged_cell_keeps_the_next_cells_under_their_headers(tmp_path: Path) -> None:
    d = docx.Document()
    table = d.add_table(rows=4, cols=3)
    for c, head in enumerate(("Nom", "NAS", "Courriel")):
        table.cell(0, c).text = head
    merged = table.cell(1, 0).merge(table.cell(1, 1))  # a name spread over two columns
    merged.text = "Marie Tremblay"
    table.cell(1, 2).text = EMAIL
    for r, row in enumerate([("Jean Dupont", SIN, EMAIL2), ("Léa Roy", SIN2, EMAIL)], 2):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    path = tmp_path / "fusion.docx"
    d.save(path)
    found = {(f.pointer.row, f.pointer.column) for f in scan(path, WordReader()).findings}
    assert found == {(2, "Courriel"), (3, "NAS"), (3, "Courriel"), (4, "NAS"), (4, "Courriel")}


def test_embedded_workbook_is_scanned_as_a_child(case_file: Path, tmp_path: Path) -> None:
    from openpyxl import Workbook

    from piiscan.sources.formats.spreadsheet import SpreadsheetReader

    book = Workbook()
    book.active.append(["NAS :", SIN3])
    sheet = io.BytesIO()
    book.save(sheet)
    with zipfile.ZipFile(case_file, "a") as zf:  # where Word keeps an embedded workbook
        zf.writestr("word/embeddings/Microsoft_Excel_Worksheet.xlsx", sheet.getvalue())
    result = scan(case_file, WordReader(), SpreadsheetReader())
    inner = [(f.location, f.pointer) for f in result.findings if "!" in f.location]
    assert inner == [("suivi.docx!word/embeddings/Microsoft_Excel_Worksheet.xlsx",
                      Pointer(sheet="Sheet", row=1, column="B"))]


def test_long_paragraph_is_chunked_with_offsets(tmp_path: Path) -> None:
    d = docx.Document()
    d.add_paragraph(("mot " * 10_000) + EMAIL)
    path = tmp_path / "long.docx"
    d.save(path)
    segs = segments(WordReader(), path, tmp_path)
    assert len(segs) > 1
    assert all(len(s.text) <= 20_000 for s in segs)
    assert segs[-1].pointer.offset and EMAIL in segs[-1].text


# -- legacy .doc --------------------------------------------------------------------

def word97(pieces: list[tuple[str, bool]], stories: dict[int, int] | None = None,
           flags: int = 0x0200) -> bytes:
    """A Word 97 .doc: FIB, the text in `pieces` (text, 8-bit?), a CLX in 1Table.

    `stories` sets FIB counts (index 3 = main text, 4 = footnotes, 7 = comments);
    by default all text is main text.
    """
    text_at = 1024
    word = bytearray(text_at)
    fc_list, cps, cp = [], [0], 0
    blob = bytearray()
    for text, eight_bit in pieces:
        offset = text_at + len(blob)
        if eight_bit:
            blob += text.encode("cp1252")
            fc_list.append((offset * 2) | 0x40000000)
        else:
            blob += text.encode("utf-16-le")
            fc_list.append(offset)
        cp += len(text)
        cps.append(cp)
    word += blob
    counts = stories or {3: cp}
    struct.pack_into("<HHHHHH", word, 0, 0xA5EC, 0x00C1, 0, 0x0409, 0, flags)
    at = 32
    struct.pack_into("<H", word, at, 14)
    at += 2 + 28
    struct.pack_into("<H", word, at, 22)
    for index, value in counts.items():
        struct.pack_into("<I", word, at + 2 + 4 * index, value)
    at += 2 + 88
    struct.pack_into("<H", word, at, 93)
    plc = struct.pack(f"<{len(cps)}I", *cps) + b"".join(
        struct.pack("<HIH", 0, fc, 0) for fc in fc_list)
    clx = b"\x02" + struct.pack("<I", len(plc)) + plc
    struct.pack_into("<II", word, at + 2 + 33 * 8, 0, len(clx))
    return ole_file({"WordDocument": bytes(word), "1Table": clx})


def test_legacy_doc_text_from_eight_bit_and_unicode_pieces(tmp_path: Path) -> None:
    body = f"Dossier de la participante\rNAS :\r{SIN}\r"
    second = f"Élise Côté\x07{EMAIL}\x07\x07\r"
    path = tmp_path / "ancien.doc"
    path.write_bytes(word97([(body, True), (second, False)]))
    result = scan(path, WordReader())
    assert set((f.entity_type, f.pointer, f.field) for f in result.findings) == set([
        (EntityType.CA_SIN, Pointer(part="body", line=3), "NAS :"),
        (EntityType.EMAIL_ADDRESS, Pointer(part="body", line=4), None),
    ])
    assert "Élise Côté\t" in texts(segments(WordReader(), path, tmp_path))


def test_legacy_doc_stories_and_field_codes(tmp_path: Path) -> None:
    main = f"Voir \x13 HYPERLINK \"mailto:{EMAIL2}\" \x14le site\x15 ici\r"
    note = f"Note : {SIN}\r"
    comment = f"Écrire à {EMAIL}\r"
    text = main + note + comment
    path = tmp_path / "notes.doc"
    path.write_bytes(word97([(text, False)], {3: len(main), 4: len(note), 7: len(comment)}))
    segs = segments(WordReader(), path, tmp_path)
    assert [(s.text, s.pointer) for s in segs] == [
        ("Voir le site ici", Pointer(part="body", line=1)),
        (f"Note : {SIN}", Pointer(part="footnote", line=1)),
        (f"Écrire à {EMAIL}", Pointer(part="comment", line=1)),
    ]


# -- what can't be read ----------------------------------------------------------------

def _encrypted_docx(plain: Path, out: Path) -> None:
    pytest.importorskip("msoffcrypto")
    from msoffcrypto.format.ooxml import OOXMLFile

    with plain.open("rb") as src, out.open("wb") as dst:
        OOXMLFile(src).encrypt("secret", dst)


def test_password_protected_docx_is_reported_encrypted(case_file: Path, tmp_path: Path) -> None:
    locked = tmp_path / "locked.docx"
    _encrypted_docx(case_file, locked)
    result = scan(locked, WordReader())
    assert [(e.reason, e.detail) for e in result.errors] == [
        ("encrypted", "password-protected Office document")]
    assert result.findings == []


@pytest.mark.parametrize("flags", [0x0200 | 0x0100, 0x0200 | 0x8000])
def test_encrypted_or_obfuscated_doc_is_reported_encrypted(tmp_path: Path, flags: int) -> None:
    path = tmp_path / "locked.doc"
    path.write_bytes(word97([(f"NAS {SIN}\r", True)], flags=flags))
    assert scan(path, WordReader()).reasons() == ["encrypted"]


def _truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


# A cut DOCX has no ZIP directory left: the sniffer calls it a ZIP (the archive reader
# then reports it); given as DOCX it must be reported corrupt by this reader.
@pytest.mark.parametrize("name, make, media", [
    ("cut.docx", lambda p: _truncated(p.read_bytes()), sniff.DOCX),
    ("notxml.docx", None, None),
    ("cut.doc", lambda p: _truncated(word97([(f"NAS {SIN}\r", True)])), None),
    ("badfib.doc", lambda p: ole_file({"WordDocument": b"\0" * 4096, "1Table": b"\0" * 4096}),
     None),
    ("empty.docx", lambda p: b"", sniff.DOCX),
])
def test_damaged_word_files_are_recorded_and_scan_goes_on(case_file: Path, tmp_path: Path,
                                                          name: str, make, media) -> None:
    path = tmp_path / name
    if make is None:  # a valid package whose document part is not XML
        buf = io.BytesIO()
        with zipfile.ZipFile(case_file) as zin, zipfile.ZipFile(buf, "w") as zout:
            for info in zin.infolist():
                data = zin.read(info)
                if info.filename == "word/document.xml":
                    data = data[: len(data) // 2]
                zout.writestr(info, data)
        path.write_bytes(buf.getvalue())
    else:
        path.write_bytes(make(case_file))
    result = scan(path, WordReader(), media_type=media)
    assert result.reasons() == ["corrupt"]
    assert all(e.detail and SIN not in e.detail for e in result.errors)


def test_pdf_named_docx_reaches_the_pdf_reader(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(0, 10, f"NAS {SIN}")
    path = tmp_path / "vraiment-un-pdf.docx"
    pdf.output(str(path))
    result = scan(path, WordReader(), PdfReader())
    assert [(f.entity_type, f.pointer) for f in result.findings] == [
        (EntityType.CA_SIN, Pointer(page=1))]
    assert [d.reader for d in result.done] == ["pdf"]



@pytest.mark.parametrize("kind", ["docx", "doc"])
def test_forward_only_streams_read_like_files(case_file: Path, tmp_path: Path, kind: str) -> None:
    path = case_file
    if kind == "doc":
        path = tmp_path / "ancien.doc"
        path.write_bytes(word97([(f"NAS :\r{SIN}\r", True)]))
    segs = read_item(WordReader(), unseekable_item(path), tmp_path)
    assert segs and segs == read_item(WordReader(), item_for(path), tmp_path)
