"""PDF reader: every page, tables cell by cell, form fields, comments, scans, attachments."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

from piiscan import sniff
from piiscan.model import EntityType, Pointer
from piiscan.sources.formats.pdf import PdfReader, _ranges
from tests.sources.formats.document_helpers import (
    EMAIL,
    EMAIL2,
    SIN,
    item_for,
    read_item,
    registry,
    scan,
    segments,
    unseekable_item,
)

SIN2 = "130 692 544"
SANS = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
needs_ocr = pytest.mark.skipif(shutil.which("tesseract") is None or not SANS.exists(),
                               reason="tesseract-ocr or fonts-dejavu-core absent")


def _pdf() -> FPDF:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    return pdf


def para(pdf: FPDF, text: str) -> None:
    pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")


def report(path: Path, pages: int = 12) -> Path:
    """A long report: a SIN on page 1 only, an e-mail on the last page only."""
    pdf = _pdf()
    for n in range(1, pages + 1):
        pdf.add_page()
        para(pdf, f"Rapport annuel, page {n}. " + "Texte sans donnée. " * 40)
        if n == 1:
            para(pdf, f"NAS de la participante : {SIN}")
        if n == pages:
            para(pdf, f"Pour nous joindre : {EMAIL}")
    pdf.output(str(path))
    return path


def test_first_and_last_pages_are_read(tmp_path: Path) -> None:
    result = scan(report(tmp_path / "rapport.pdf"), PdfReader())
    assert [(f.entity_type, f.pointer, f.record) for f in result.findings] == [
        (EntityType.CA_SIN, Pointer(page=1), "page:1"),
        (EntityType.EMAIL_ADDRESS, Pointer(page=12), "page:12"),
    ]
    assert result.errors == []


def test_every_page_is_a_segment(tmp_path: Path) -> None:
    segs = segments(PdfReader(), report(tmp_path / "rapport.pdf", pages=5), tmp_path)
    assert [s.pointer.page for s in segs] == [1, 2, 3, 4, 5]
    assert segs[0].text.startswith("Rapport annuel, page 1.")


def participants(path: Path) -> Path:
    pdf = _pdf()
    pdf.add_page()
    para(pdf, "Liste des participants")
    with pdf.table() as table:
        for values in [("Nom", "NAS", "Courriel"), ("Marie Tremblay", SIN, EMAIL),
                       ("Jean Dupont", SIN2, EMAIL2)]:
            row = table.row()
            for value in values:
                row.cell(value)
    para(pdf, f"Fin de la liste. Responsable : {EMAIL2}")
    pdf.output(str(path))
    return path


def test_table_cells_point_at_row_and_header_and_are_not_read_twice(tmp_path: Path) -> None:
    result = scan(participants(tmp_path / "liste.pdf"), PdfReader())
    assert sorted(((f.entity_type, f.pointer, f.field, f.record) for f in result.findings),
                  key=repr) == sorted([
        (EntityType.CA_SIN, Pointer(page=1, row=2, column="NAS"), "NAS", "page:1:table:1:row:2"),
        (EntityType.EMAIL_ADDRESS, Pointer(page=1, row=2, column="Courriel"), "Courriel",
         "page:1:table:1:row:2"),
        (EntityType.CA_SIN, Pointer(page=1, row=3, column="NAS"), "NAS", "page:1:table:1:row:3"),
        (EntityType.EMAIL_ADDRESS, Pointer(page=1, row=3, column="Courriel"), "Courriel",
         "page:1:table:1:row:3"),
        (EntityType.EMAIL_ADDRESS, Pointer(page=1), None, "page:1"),  # below the table
    ], key=repr)


def form_pdf(fields: dict[str, str]) -> bytes:
    """A one-page PDF with filled-in text fields, written by hand (fpdf2 writes no forms)."""
    ids = [4 + i for i in range(len(fields))]
    refs = b" ".join(b"%d 0 R" % i for i in ids)
    objects = [b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [%s] >> >>" % refs,
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Annots [%s] >>" % refs]
    for i, (name, value) in enumerate(fields.items()):
        y = 700 - 40 * i
        objects.append(b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (%s) /V (%s) "
                       b"/Rect [100 %d 400 %d] /P 3 0 R >>"
                       % (name.encode("latin-1"), value.encode("latin-1"), y, y + 20))
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def test_filled_form_fields_are_read_with_their_names(tmp_path: Path) -> None:
    path = tmp_path / "inscription.pdf"
    path.write_bytes(form_pdf({"nas": SIN, "courriel": EMAIL, "ville": "Montreal"}))
    result = scan(path, PdfReader())
    assert {(f.entity_type, f.pointer, f.field) for f in result.findings} == {
        (EntityType.CA_SIN, Pointer(page=1, part="form", path="nas"), "nas"),
        (EntityType.EMAIL_ADDRESS, Pointer(page=1, part="form", path="courriel"), "courriel"),
    }


def test_sticky_note_comments_are_read(tmp_path: Path) -> None:
    pdf = _pdf()
    pdf.add_page()
    para(pdf, "Compte rendu.")
    pdf.text_annotation(20, 20, f"Vérifier le NAS {SIN2}")
    path = tmp_path / "annote.pdf"
    pdf.output(str(path))
    result = scan(path, PdfReader())
    assert [(f.entity_type, f.pointer) for f in result.findings] == [
        (EntityType.CA_SIN, Pointer(page=1, part="comment"))]


def scanned(path: Path, tmp_path: Path) -> Path:
    """Page 1 typed text, page 2 a scan (a picture, no text layer)."""
    picture = Image.new("L", (1400, 300), "white")
    ImageDraw.Draw(picture).text((40, 100), f"Courriel : {EMAIL2}",
                                 font=ImageFont.truetype(str(SANS), 44), fill="black")
    png = tmp_path / "scan.png"
    picture.save(png)
    pdf = _pdf()
    pdf.add_page()
    para(pdf, f"NAS : {SIN}")
    pdf.add_page()
    pdf.image(str(png), x=10, y=10, w=190)
    pdf.output(str(path))
    return path


@needs_ocr
def test_scanned_page_goes_to_ocr(tmp_path: Path) -> None:
    result = scan(scanned(tmp_path / "numerise.pdf", tmp_path), PdfReader())
    assert [(f.entity_type, f.pointer) for f in result.findings] == [
        (EntityType.CA_SIN, Pointer(page=1)),
        (EntityType.EMAIL_ADDRESS, Pointer(page=2, part="ocr")),
    ]
    assert result.counters["ocr_pages"] == 1


@pytest.mark.skipif(not SANS.exists(), reason="fonts-dejavu-core absent")
@pytest.mark.parametrize("ocr, path_env, detail", [
    (True, "empty", "OCR unavailable: install tesseract-ocr tesseract-ocr-eng tesseract-ocr-fra;"
                    " 1 page(s) without text not read: 2"),
    (False, None, "OCR disabled; 1 page(s) without text not read: 2"),
])
def test_scanned_page_without_ocr_is_reported_and_the_rest_read(
        tmp_path: Path, monkeypatch, ocr: bool, path_env: str | None, detail: str) -> None:
    path = scanned(tmp_path / "numerise.pdf", tmp_path)
    if path_env:
        monkeypatch.setenv("PATH", str(tmp_path))  # a system where tesseract is not installed
    result = scan(path, PdfReader(), ocr=ocr)
    assert [(f.entity_type, f.pointer) for f in result.findings] == [
        (EntityType.CA_SIN, Pointer(page=1))]
    assert [(e.reason, e.detail) for e in result.errors] == [("skipped", detail)]
    assert result.counters.get("ocr_skipped", 0) == (1 if path_env else 0)


def test_embedded_files_are_scanned_as_children(tmp_path: Path) -> None:
    text_reader = pytest.importorskip("piiscan.sources.formats.text").TextReader
    pdf = _pdf()
    pdf.add_page()
    para(pdf, "Voir la pièce jointe.")
    pdf.embed_file(bytes=f"NAS {SIN}\n".encode(), basename="notes.txt")
    path = tmp_path / "avec-piece.pdf"
    pdf.output(str(path))
    result = scan(path, PdfReader(), text_reader())
    assert [(f.location, f.entity_type) for f in result.findings] == [
        ("avec-piece.pdf!notes.txt", EntityType.CA_SIN)]


@pytest.mark.parametrize("user_password, readable", [("secret", False), ("", True)])
def test_password_protected_pdf(tmp_path: Path, user_password: str, readable: bool) -> None:
    pdf = _pdf()
    pdf.add_page()
    para(pdf, f"NAS {SIN}")
    pdf.set_encryption(owner_password="owner", user_password=user_password)
    path = tmp_path / "verrouille.pdf"
    pdf.output(str(path))
    result = scan(path, PdfReader())
    if readable:  # an owner password only restricts printing: the text is readable
        assert [f.entity_type for f in result.findings] == [EntityType.CA_SIN]
    else:
        assert [(e.reason, e.detail) for e in result.errors] == [
            ("encrypted", "password-protected")]


@pytest.mark.parametrize("cut", ["header-only", "half", "garbage", "empty"])
def test_corrupt_or_truncated_pdf(tmp_path: Path, cut: str) -> None:
    data = report(tmp_path / "ok.pdf", pages=3).read_bytes()
    path = tmp_path / "abime.pdf"
    path.write_bytes({"header-only": data[:20], "half": data[: len(data) // 2],
                      "garbage": b"%PDF-1.4\n" + b"\x00garbage" * 200, "empty": b""}[cut])
    # An empty file sniffs as text: give the type, as a source that knows it would.
    result = scan(path, PdfReader(), media_type=sniff.PDF)
    assert [(e.reason, e.detail) for e in result.errors] == [
        ("corrupt", "not a readable PDF (damaged or truncated structure)")]


def test_page_ranges_read_like_a_person_writes_them() -> None:
    assert _ranges([1, 2, 3, 7, 9, 10]) == "1-3, 7, 9-10"


def test_registry_finds_the_pdf_reader_for_pdf() -> None:
    assert registry(PdfReader()).reader_for("application/pdf").name == "pdf"


def test_forward_only_stream_reads_like_a_file(tmp_path: Path) -> None:
    path = participants(tmp_path / "liste.pdf")
    assert read_item(PdfReader(), unseekable_item(path), tmp_path) == \
        read_item(PdfReader(), item_for(path), tmp_path)
