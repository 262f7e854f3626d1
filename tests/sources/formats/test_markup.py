"""HTML and XML: visible text only, element paths, and entity expansion refused."""

from __future__ import annotations

import re
import tracemalloc
from pathlib import Path

import pytest

from piiscan.model import CorruptError, EntityType, Pointer, Segment
from piiscan.sources.formats.markup import MarkupReader
from tests.sources.formats.text_helpers import (
    EMAIL, SIN, SIN_FR, context, file_item, read, real_registry, scan_file, segments)

PARTICIPANTS = f"""<?xml version="1.0" encoding="UTF-8"?>
<participants xmlns:crm="urn:example:crm">
  <participant id="p-1"><nom>Tremblay</nom><nas>{SIN}</nas>
    <telephone>514-555-0147</telephone><telephone>438-555-0199</telephone></participant>
  <participant id="p-2"><nom>Dupont</nom><nas>{SIN_FR}</nas></participant>
  <participant id="p-3" courriel="{EMAIL}"><nom>Gagnon</nom><crm:nas>{SIN}</crm:nas></participant>
</participants>
"""


def xml_segments(text: str | bytes, tmp_path: Path, name: str = "data.xml") -> list[Segment]:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return segments(read(MarkupReader(), path, tmp_path))


def test_xml_values_point_at_their_element(tmp_path: Path) -> None:
    got = {s.pointer.path: (s.text, s.field, s.record) for s in xml_segments(PARTICIPANTS, tmp_path)}
    assert got == {
        "/participants/participant[1]/nom": ("Tremblay", "nom", "/participants/participant[1]"),
        "/participants/participant[1]/nas": (SIN, "nas", "/participants/participant[1]"),
        "/participants/participant[1]/telephone": ("514-555-0147", "telephone", "/participants/participant[1]"),
        "/participants/participant[1]/telephone[2]": ("438-555-0199", "telephone", "/participants/participant[1]"),
        "/participants/participant[1]/@id": ("p-1", "id", "/participants/participant[1]"),
        "/participants/participant[2]/nom": ("Dupont", "nom", "/participants/participant[2]"),
        "/participants/participant[2]/nas": (SIN_FR, "nas", "/participants/participant[2]"),
        "/participants/participant[2]/@id": ("p-2", "id", "/participants/participant[2]"),
        "/participants/participant[3]/nom": ("Gagnon", "nom", "/participants/participant[3]"),
        "/participants/participant[3]/crm:nas": (SIN, "nas", "/participants/participant[3]"),
        "/participants/participant[3]/@id": ("p-3", "id", "/participants/participant[3]"),
        "/participants/participant[3]/@courriel": (EMAIL, "courriel", "/participants/participant[3]"),
    }


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<lolz>&lol9;</lolz>
"""


@pytest.mark.parametrize("doc", [
    BILLION_LAUGHS,
    '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
    '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % p SYSTEM "http://example.org/e.dtd"> %p;]><r/>',
], ids=["billion-laughs", "external-entity", "parameter-entity"])
def test_entity_declarations_are_refused(doc: str, tmp_path: Path) -> None:
    path = tmp_path / "bomb.xml"
    path.write_text(doc, encoding="utf-8")
    with pytest.raises(CorruptError, match="XML entity declarations are not allowed"):
        list(MarkupReader().read(file_item(path), context(tmp_path)))


def test_a_doctype_without_entities_is_fine(tmp_path: Path) -> None:
    segs = xml_segments(f'<?xml version="1.0"?><!DOCTYPE r SYSTEM "r.dtd"><r><nas>{SIN}</nas></r>', tmp_path)
    assert [(s.text, s.pointer.path) for s in segs] == [(SIN, "/r/nas")]


def test_invalid_xml_says_where_and_never_what(tmp_path: Path) -> None:
    path = tmp_path / "bad.xml"
    path.write_text(f"<?xml version='1.0'?>\n<r>\n <nas>{SIN}</nom>\n</r>\n", encoding="utf-8")
    with pytest.raises(CorruptError) as err:
        list(MarkupReader().read(file_item(path), context(tmp_path)))
    assert re.fullmatch(r"invalid XML at line 3 column \d+", str(err.value))


@pytest.mark.parametrize("name", ["empty.xml", "empty.html"])
def test_empty_files_are_empty_not_corrupt(name: str, tmp_path: Path) -> None:
    assert xml_segments(b"\n", tmp_path, name) == []


def test_cp1252_xml_without_a_declaration(tmp_path: Path) -> None:
    segs = xml_segments("<note>Numéro d'assurance sociale : 046 454 286</note>".encode("cp1252"), tmp_path)
    assert [s.text for s in segs] == ["Numéro d'assurance sociale : 046 454 286"]


def test_utf16_xml_with_its_declaration(tmp_path: Path) -> None:
    doc = '<?xml version="1.0" encoding="UTF-16"?><r><nom>Hélène</nom></r>'
    segs = xml_segments(doc.encode("utf-16"), tmp_path)
    assert [s.text for s in segs] == ["Hélène"]


def test_a_huge_xml_text_node_is_chunked_and_memory_stays_small(tmp_path: Path) -> None:
    path = tmp_path / "blob.xml"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("<r><notes>")
        for i in range(200_000):
            fh.write("Suivi de dossier, rien à signaler. " + (f"NAS {SIN} " if i == 150_000 else ""))
        fh.write("</notes></r>")
    tracemalloc.start()
    try:
        biggest, found = 0, 0
        for seg in MarkupReader().read(file_item(path), context(tmp_path)):
            biggest = max(biggest, len(seg.text))
            found += SIN in seg.text
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert biggest <= 32 * 1024
    assert found >= 1
    assert peak < path.stat().st_size / 5


PAGE = f"""<!DOCTYPE html>
<html><head><title>Dossier de Marie Tremblay</title>
<meta name="author" content="Jean Dupont">
<style>.nas {{ color: red }}</style>
<script>var secret = "{SIN_FR}";</script></head>
<body>
<h1>Fiche</h1>
<p>Contact : <a href="mailto:{EMAIL}">écrire</a></p>
<form><label>NAS</label> <input name="nas" value="{SIN}"></form>
<img src="photo.jpg" alt="Photo de Marie">
<table>
  <tr><th>Nom</th><th>Courriel</th></tr>
  <tr><td>Marie Tremblay</td><td>{EMAIL}</td></tr>
</table>
<table><tr><td>NAS :</td><td>{SIN}</td></tr></table>
</body></html>
"""


def test_html_visible_text_and_data_attributes(tmp_path: Path) -> None:
    segs = xml_segments(PAGE, tmp_path, "fiche.html")
    text = "\n".join(s.text for s in segs)
    assert "Dossier de Marie Tremblay" in text  # the title
    assert "Jean Dupont" in text  # meta author
    assert EMAIL in text and SIN in text  # mailto: and a form value
    assert "Photo de Marie" in text
    assert SIN_FR not in text and "color" not in text  # scripts and styles are not text
    first = segs[0]
    assert first.pointer.line == 2


def test_html_tables_give_fields_and_rows(tmp_path: Path) -> None:
    segs = xml_segments(PAGE, tmp_path, "fiche.html")
    cells = [(s.text, s.field, s.record) for s in segs if s.record]
    assert ("Marie Tremblay", "Nom", "table:1:row:2") in cells
    assert (EMAIL, "Courriel", "table:1:row:2") in cells
    # Without a header row the row stays whole, so "NAS :" is context for the value.
    assert (f"NAS : | {SIN}", None, "table:2:row:1") in cells


def test_tag_soup_named_xml_is_read_as_html(tmp_path: Path) -> None:
    segs = xml_segments(f"<div><p>NAS : {SIN}<br></p><p>fin</div>", tmp_path, "export.xml")
    assert any(SIN in s.text for s in segs)


def test_html_and_xml_end_to_end(tmp_path: Path) -> None:
    (tmp_path / "fiche.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "p.xml").write_text(PARTICIPANTS, encoding="utf-8")
    html = scan_file(tmp_path / "fiche.html")
    assert {f.entity_type for f in html.findings} == {EntityType.CA_SIN, EntityType.EMAIL_ADDRESS}
    assert all(f.pointer.line for f in html.findings)
    xml = scan_file(tmp_path / "p.xml")
    assert sorted(f.pointer.path for f in xml.of(EntityType.CA_SIN)) == [
        "/participants/participant[1]/nas", "/participants/participant[2]/nas",
        "/participants/participant[3]/crm:nas"]
    assert [f.pointer for f in xml.of(EntityType.EMAIL_ADDRESS)] == [
        Pointer(path="/participants/participant[3]/@courriel")]


def test_markup_with_real_detectors(tmp_path: Path) -> None:
    registry = real_registry()
    (tmp_path / "p.xml").write_text(f"<dossiers><dossier><nas>{SIN_FR}</nas>"
                                    f"<courriel>{EMAIL}</courriel></dossier></dossiers>", encoding="utf-8")
    found = scan_file(tmp_path / "p.xml", registry)
    assert [(f.pointer.path, f.field) for f in found.of(EntityType.CA_SIN)] == [
        ("/dossiers/dossier[1]/nas", "nas")]
    assert found.of(EntityType.EMAIL_ADDRESS)
