"""RTF reader: body, headers, footers, footnotes, comments; code pages and Unicode escapes."""

from __future__ import annotations

from pathlib import Path

import pytest

from piiscan import sniff
from piiscan.model import EntityType, Pointer
from piiscan.sources.formats import rtf
from piiscan.sources.formats.rtf import RtfReader, rtf_parts
from tests.sources.formats.document_helpers import EMAIL, EMAIL2, SIN, scan, segments

SIN2 = "130 692 544"

# What Word writes, cut down: font and colour tables, a header and a footer, a picture,
# a hyperlink field, a table, a footnote and a comment.
DOCUMENT = (
    r"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\froman Times New Roman;}}"
    r"{\colortbl;\red0\green0\blue0;}{\*\generator Riched20;}"
    r"{\info{\author Agent Secret}{\company Refuge}}"
    r"{\header\pard\plain Dossier confidentiel \endash  " + EMAIL2 + r"\par}"
    r"{\footer\pard\plain Pr\'e9par\'e9 par l'agent\par}"
    r"\pard\plain Suivi de la participante \u8220?Marie\u8221?\par "
    r"Num\'e9ro d'assurance sociale :\par " + SIN + r"\par "
    r"{\pict\pngblip\picw10\pich10 89504e470d0a1a0a0000000d4948445200000001" "\n"
    r"0000000108060000001f15c4890000000a49444154789c6300010000050001\par}"
    r"Voir {\field{\*\fldinst HYPERLINK \"mailto:cache@example.net\"}{\fldrslt le site}}\par "
    r"\trowd\cellx2000\cellx4000 Nom\cell NAS\cell\row "
    r"\trowd\cellx2000\cellx4000 Marie\cell " + SIN2 + r"\cell\row "
    r"Note{\super\chftn}{\footnote\pard\plain\chftn  Courriel : " + EMAIL + r"\par}.\par "
    r"Rappeler{\*\atnid AS}{\*\atnauthor Agent}\chatn{\*\annotation\pard\plain Son NAS : "
    + SIN2 + r"\par}.\par "
    r"Caract\u232\'e8res \{accolades\} et \\barre\par "
    r"}"
)


def test_parts_are_told_apart_and_hidden_groups_dropped() -> None:
    parts = rtf_parts(DOCUMENT.encode("ascii"))
    assert parts["header"] == f"Dossier confidentiel – {EMAIL2}\n"
    assert parts["footer"] == "Préparé par l'agent\n"
    assert parts["footnote"].strip() == f"Courriel : {EMAIL}"
    assert parts["comment"] == f"Son NAS : {SIN2}\n"
    body = parts["body"]
    assert "Suivi de la participante \u201cMarie\u201d\n" in body
    assert "Voir le site\n" in body  # the field shows its result, not its code
    assert "Nom\tNAS\t\nMarie\t" + SIN2 + "\t\n" in body
    assert "Caractères {accolades} et \\barre" in body
    for hidden in ("Times New Roman", "Agent Secret", "89504e47", "cache@example.net",
                   "Riched20"):
        assert hidden not in "".join(parts.values())


def test_findings_point_at_part_and_paragraph(tmp_path: Path) -> None:
    path = tmp_path / "suivi.rtf"
    path.write_bytes(DOCUMENT.encode("ascii"))
    result = scan(path, RtfReader())
    assert {(f.entity_type, f.pointer, f.field) for f in result.findings} == {
        (EntityType.EMAIL_ADDRESS, Pointer(part="header", line=1), None),
        (EntityType.CA_SIN, Pointer(part="body", line=3), "Numéro d'assurance sociale :"),
        (EntityType.CA_SIN, Pointer(part="body", line=6), None),  # table row 2
        (EntityType.EMAIL_ADDRESS, Pointer(part="footnote", line=1), None),
        (EntityType.CA_SIN, Pointer(part="comment", line=1), None),
    }


@pytest.mark.parametrize("source, text", [
    (rb"{\rtf1\ansi\ansicpg1251 \'cf\'f0\'e8\'e2\'e5\'f2\par}", "Привет\n"),
    (rb"{\rtf1\ansi\uc2 \u233\'3f\'3f t\u233??\par}", "é té\n"),
    (rb"{\rtf1\ansi \u-3913?\par}", "\uf0b7\n"),  # negative: a code point above 32767
    (rb"{\rtf1\ansi a\bin4 \x00\x01\x02\x03b\par}", "ab\n"),
    (rb"{\rtf1\ansi {\*\unknowndest ignore me}kept\par", "kept\n"),  # unbalanced, still read
])
def test_escapes_and_code_pages(source: bytes, text: str) -> None:
    assert rtf_parts(source)["body"] == text


def test_rtf_over_the_size_cap_is_too_large(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(rtf, "MAX_BYTES", 1000)
    path = tmp_path / "gros.rtf"
    path.write_bytes(b"{\\rtf1 " + b"x" * 2000 + b"}")
    assert scan(path, RtfReader()).reasons() == ["too large"]


def test_a_long_document_streams_paragraph_segments(tmp_path: Path) -> None:
    path = tmp_path / "long.rtf"
    path.write_bytes(b"{\\rtf1\\ansi " + b"Paragraphe sans valeur.\\par " * 5000
                     + f"Fin : {EMAIL}\\par}}".encode())
    segs = segments(RtfReader(), path, tmp_path)
    assert len(segs) == 5001
    assert segs[-1].pointer == Pointer(part="body", line=5001)


@pytest.mark.parametrize("data", [b"", b"{\\rtf1", b"{\\rtf1 \\'zz\\u99999999999 {{{{"])
def test_empty_or_broken_rtf_gives_what_it_can_without_failing(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "abime.rtf"
    path.write_bytes(data)
    result = scan(path, RtfReader(), media_type=sniff.RTF)
    assert result.errors == [] and result.findings == []
