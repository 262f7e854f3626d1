"""OpenDocument reader: ODT paragraphs, tables, notes, comments, headers; ODP slides and notes."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from odf import draw, office, presentation, style, table, text
from odf.opendocument import OpenDocumentPresentation, OpenDocumentText

from piiscan import sniff
from piiscan.model import EntityType, Pointer
from piiscan.sources.formats.opendocument import OpenDocumentTextReader
from tests.sources.formats.document_helpers import EMAIL, EMAIL2, SIN, scan, segments

SIN2 = "130 692 544"
SIN3 = "193 456 787"


def _table(rows: list[tuple[str, ...]]) -> table.Table:
    t = table.Table(name="Participants")
    t.addElement(table.TableColumn(numbercolumnsrepeated=str(len(rows[0]))))
    for row in rows:
        tr = table.TableRow()
        for value in row:
            cell = table.TableCell()
            cell.addElement(text.P(text=value))
            tr.addElement(cell)
        t.addElement(tr)
    return t


def _note_file(path: Path) -> Path:
    doc = OpenDocumentText()
    page = style.PageLayout(name="pl")
    doc.automaticstyles.addElement(page)
    master = style.MasterPage(name="Standard", pagelayoutname=page)
    header = style.Header()
    header.addElement(text.P(text=f"Confidentiel — {EMAIL2}"))
    master.addElement(header)
    doc.masterstyles.addElement(master)

    body = doc.text
    body.addElement(text.H(outlinelevel=1, text="Suivi"))                 # line 1
    body.addElement(text.P(text="Numéro d'assurance sociale :"))          # line 2
    body.addElement(text.P(text=SIN))                                     # line 3
    body.addElement(_table([("Nom", "NAS", "Courriel"), ("Marie Tremblay", SIN2, EMAIL),
                            ("Jean Dupont", SIN3, EMAIL2)]))
    with_note = text.P(text="Voir la note")                              # line 4
    note = text.Note(noteclass="footnote", id="n1")
    note.addElement(text.NoteCitation(text="1"))
    note_body = text.NoteBody()
    note_body.addElement(text.P(text=f"Courriel : {EMAIL}"))
    note.addElement(note_body)
    with_note.addElement(note)
    with_note.addText(" et la suite.")
    body.addElement(with_note)
    commented = text.P(text="Rappeler la participante.")                  # line 5
    comment = office.Annotation()
    comment.addElement(text.P(text=f"Son NAS : {SIN3}"))
    commented.addElement(comment)
    body.addElement(commented)
    framed = text.P()                                                     # line 6
    frame = draw.Frame(width="5cm", height="2cm", anchortype="paragraph")
    box = draw.TextBox()
    box.addElement(text.P(text=f"Encadré : {EMAIL2}"))
    frame.addElement(box)
    framed.addElement(frame)
    body.addElement(framed)
    spaced = text.P(text="NAS")                                           # line 7
    spaced.addElement(text.S(c=3))
    spaced.addText(SIN2)
    body.addElement(spaced)
    doc.save(str(path))
    return path


def test_odt_parts_have_their_pointers(tmp_path: Path) -> None:
    result = scan(_note_file(tmp_path / "suivi.odt"), OpenDocumentTextReader())
    assert {(f.entity_type, f.pointer, f.field) for f in result.findings} == {
        (EntityType.CA_SIN, Pointer(part="body", line=3), "Numéro d'assurance sociale :"),
        (EntityType.CA_SIN, Pointer(part="body", row=2, column="NAS"), "NAS"),
        (EntityType.EMAIL_ADDRESS, Pointer(part="body", row=2, column="Courriel"), "Courriel"),
        (EntityType.CA_SIN, Pointer(part="body", row=3, column="NAS"), "NAS"),
        (EntityType.EMAIL_ADDRESS, Pointer(part="body", row=3, column="Courriel"), "Courriel"),
        (EntityType.EMAIL_ADDRESS, Pointer(part="footnote", line=1), None),
        (EntityType.CA_SIN, Pointer(part="comment", line=1), None),
        (EntityType.EMAIL_ADDRESS, Pointer(part="textbox", line=1), None),
        (EntityType.CA_SIN, Pointer(part="body", line=7), None),
        (EntityType.EMAIL_ADDRESS, Pointer(part="header", line=1), None),
    }
    assert result.errors == []


def test_odt_paragraph_text_keeps_spaces_and_leaves_notes_out(tmp_path: Path) -> None:
    segs = segments(OpenDocumentTextReader(), _note_file(tmp_path / "suivi.odt"), tmp_path)
    body = {s.pointer.line: s.text for s in segs if s.pointer.part == "body" and s.pointer.line}
    assert body[4] == "Voir la note et la suite."
    assert body[7] == f"NAS   {SIN2}"


def _deck(path: Path) -> Path:
    doc = OpenDocumentPresentation()
    layout = style.PageLayout(name="pl")
    doc.automaticstyles.addElement(layout)
    master = style.MasterPage(name="m", pagelayoutname=layout)
    doc.masterstyles.addElement(master)
    for lines, note in [(["Bilan", "Rien de personnel."], f"Écrire à {EMAIL}"),
                        ([f"NAS du participant : {SIN}"], "")]:
        page = draw.Page(masterpagename=master)
        frame = draw.Frame(width="20cm", height="3cm", x="1cm", y="1cm")
        box = draw.TextBox()
        for line in lines:
            box.addElement(text.P(text=line))
        frame.addElement(box)
        page.addElement(frame)
        if note:
            notes = presentation.Notes()
            nframe = draw.Frame(width="20cm", height="3cm", x="1cm", y="1cm")
            nbox = draw.TextBox()
            nbox.addElement(text.P(text=note))
            nframe.addElement(nbox)
            notes.addElement(nframe)
            page.addElement(notes)
        doc.presentation.addElement(page)
    doc.save(str(path))
    return path


def test_odp_slides_and_notes(tmp_path: Path) -> None:
    path = _deck(tmp_path / "bilan.odp")
    result = scan(path, OpenDocumentTextReader())
    assert {(f.entity_type, f.pointer) for f in result.findings} == {
        (EntityType.EMAIL_ADDRESS, Pointer(slide=1, part="notes")),
        (EntityType.CA_SIN, Pointer(slide=2)),
    }
    segs = segments(OpenDocumentTextReader(), path, tmp_path)
    assert [s.text for s in segs if s.pointer == Pointer(slide=1)] == [
        "Bilan\nRien de personnel."]


def _rewrite(path: Path, change) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(buf, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info, change(info.filename, zin.read(info)))
    path.write_bytes(buf.getvalue())


@pytest.mark.parametrize("damage, reason", [
    ("password", "encrypted"),
    ("bad-xml", "corrupt"),
    ("cut", "corrupt"),
    ("empty", "corrupt"),
])
def test_locked_or_damaged_odt_is_recorded(tmp_path: Path, damage: str, reason: str) -> None:
    path = _note_file(tmp_path / "suivi.odt")
    if damage == "password":
        _rewrite(path, lambda name, data: data.replace(
            b'manifest:full-path="content.xml"',
            b'manifest:full-path="content.xml"><manifest:encryption-data '
            b'manifest:checksum-type="SHA1/1K"/></manifest:file-entry><manifest:file-entry '
            b'manifest:media-type="" manifest:full-path="x"', 1)
            if name == "META-INF/manifest.xml" else data)
    elif damage == "bad-xml":
        _rewrite(path, lambda name, data: data[: len(data) // 2] if name == "content.xml" else data)
    else:
        path.write_bytes(path.read_bytes()[:400] if damage == "cut" else b"")
    result = scan(path, OpenDocumentTextReader(), media_type=sniff.ODT)
    assert result.reasons() == [reason]
    assert all(SIN not in e.detail for e in result.errors)
