"""Presentation reader: PPTX slide text, grouped shapes, tables, notes, in slide order."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.util import Inches

from piiscan import sniff
from piiscan.model import EntityType, Pointer
from piiscan.sources.formats.presentation import PresentationReader
from tests.sources.formats.document_helpers import EMAIL, EMAIL2, SIN, scan, segments

SIN2 = "130 692 544"


def _deck(path: Path) -> Path:
    prs = Presentation()
    blank = prs.slide_layouts[6]

    first = prs.slides.add_slide(prs.slide_layouts[1])  # slide 1: title and body
    first.shapes.title.text = "Bilan du programme"
    first.placeholders[1].text = "Aucune donnée personnelle ici."
    first.notes_slide.notes_text_frame.text = f"Rappeler Marie : {EMAIL}"

    second = prs.slides.add_slide(blank)  # slide 2: a grouped shape and a table
    group = second.shapes.add_group_shape()
    box = group.shapes.add_textbox(Inches(1), Inches(1), Inches(4), Inches(1))
    box.text_frame.text = f"Contact : {EMAIL2}"
    rows = [("Nom", "NAS", "Courriel"), ("Marie Tremblay", SIN, EMAIL),
            ("Jean Dupont", SIN2, EMAIL2)]
    table = second.shapes.add_table(3, 3, Inches(1), Inches(3), Inches(6), Inches(2)).table
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value

    third = prs.slides.add_slide(blank)  # slide 3: text only in a plain text box
    third.shapes.add_textbox(Inches(1), Inches(1), Inches(5), Inches(1)).text_frame.text = (
        f"NAS du participant : {SIN2}")
    prs.save(path)
    return path


def test_slides_tables_groups_and_notes_have_their_pointers(tmp_path: Path) -> None:
    result = scan(_deck(tmp_path / "bilan.pptx"), PresentationReader())
    assert {(f.entity_type, f.pointer, f.field) for f in result.findings} == {
        (EntityType.EMAIL_ADDRESS, Pointer(slide=1, part="notes"), None),
        (EntityType.EMAIL_ADDRESS, Pointer(slide=2), None),  # inside the group
        (EntityType.CA_SIN, Pointer(slide=2, row=2, column="NAS"), "NAS"),
        (EntityType.EMAIL_ADDRESS, Pointer(slide=2, row=2, column="Courriel"), "Courriel"),
        (EntityType.CA_SIN, Pointer(slide=2, row=3, column="NAS"), "NAS"),
        (EntityType.EMAIL_ADDRESS, Pointer(slide=2, row=3, column="Courriel"), "Courriel"),
        (EntityType.CA_SIN, Pointer(slide=3), None),
    }
    assert result.errors == []


def test_slide_numbers_follow_presentation_order_not_file_names(tmp_path: Path) -> None:
    """Moving a slide in PowerPoint reorders sldIdLst, not the slideN.xml names."""
    path = _deck(tmp_path / "bilan.pptx")
    prs = Presentation(str(path))
    ids = prs.slides._sldIdLst
    last = ids[-1]
    ids.remove(last)
    ids.insert(0, last)  # slide3.xml now shows first
    prs.save(str(path))
    segs = segments(PresentationReader(), path, tmp_path)
    first = [s.text for s in segs if s.pointer == Pointer(slide=1)]
    assert first == [f"NAS du participant : {SIN2}"]


def test_slide_text_is_one_segment_so_captions_stay_with_values(tmp_path: Path) -> None:
    segs = segments(PresentationReader(), _deck(tmp_path / "bilan.pptx"), tmp_path)
    assert [s.text for s in segs if s.pointer == Pointer(slide=1)] == [
        "Bilan du programme\nAucune donnée personnelle ici."]


@pytest.mark.parametrize("damage, reason", [
    ("cut", "corrupt"),
    ("bad-slide", "corrupt"),
    ("empty", "corrupt"),
])
def test_damaged_presentations_are_recorded(tmp_path: Path, damage: str, reason: str) -> None:
    path = _deck(tmp_path / "bilan.pptx")
    data = path.read_bytes()
    if damage in ("cut", "empty"):
        path.write_bytes(data[: len(data) // 2] if damage == "cut" else b"")
    else:
        buf = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(buf, "w") as zout:
            for info in zin.infolist():
                body = zin.read(info)
                if info.filename == "ppt/slides/slide2.xml":
                    body = body[: len(body) // 2]
                zout.writestr(info, body)
        path.write_bytes(buf.getvalue())
    result = scan(path, PresentationReader(), media_type=sniff.PPTX)
    assert reason in result.reasons()
    if damage == "bad-slide":  # the other slides are still read
        assert {f.pointer.slide for f in result.findings} == {1, 3}
        assert [e.detail.split(" (")[0] for e in result.errors] == ["slide 2: malformed XML"]
