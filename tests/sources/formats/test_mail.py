"""E-mail reader: headers, bodies in any encoding, attachments as child items, mbox streaming."""

from __future__ import annotations

import base64
import io
import mailbox
import tracemalloc
import zipfile
from datetime import datetime, timezone
from email.message import EmailMessage
from pathlib import Path

import pytest

from piiscan.engine import ReadContext, ScanOptions
from piiscan.model import Item, Segment
from piiscan.sources.formats.mail import MailReader, decode_header, html_text
from tests.sources.formats.container_helpers import DONORS_CSV, SIN, SIN_FR, scan

DATE = "Thu, 04 Mar 2021 12:00:00 +0000"
DATE_TS = datetime(2021, 3, 4, 12, tzinfo=timezone.utc).timestamp()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def message(subject: str = "Suivi", body: str = "Bonjour,\n", date: str = DATE) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Marie Tremblay <marie.tremblay@example.org>"
    msg["To"] = "Jean Dupont <jean.dupont@example.org>"
    msg["Subject"] = subject
    msg["Date"] = date
    msg.set_content(body)
    return msg


def segments(data: bytes, tmp_path: Path, name: str = "msg.eml") -> list[Segment]:
    item = Item(location=name, name=name, open=lambda: io.BytesIO(data))
    ctx = ReadContext(ScanOptions(), str(tmp_path))
    return [s for s in MailReader().read(item, ctx) if isinstance(s, Segment)]


def by_part(segs: list[Segment]) -> dict[str, str]:
    return {s.pointer.part or "": s.text for s in segs}


def test_attachments_are_read_by_their_own_readers_down_to_a_zip(tmp_path: Path) -> None:
    msg = message(subject=f"Dossier {SIN}")
    msg.add_attachment(DONORS_CSV, maintype="text", subtype="csv", filename="donors.csv")
    msg.add_attachment(zip_bytes({"donors.csv": DONORS_CSV}), maintype="application",
                       subtype="zip", filename="export.zip")
    (tmp_path / "msg.eml").write_bytes(msg.as_bytes())

    result = scan(tmp_path / "msg.eml", location="mail/msg.eml")

    assert result.errors == []
    assert result.locations() == {"mail/msg.eml", "mail/msg.eml!donors.csv",
                                  "mail/msg.eml!export.zip!donors.csv"}
    subject = next(f for f in result.findings if f.location == "mail/msg.eml")
    assert (subject.pointer.part, subject.field) == ("header:Subject", "Subject")
    csv = next(f for f in result.findings if f.location == "mail/msg.eml!donors.csv")
    assert (csv.pointer.row, csv.field) == (2, "NAS")
    # attachments are as old as the message, for retention rules
    mtimes = {d.location: d.info.mtime for d in result.done}
    assert mtimes["mail/msg.eml!donors.csv"] == DATE_TS
    assert mtimes["mail/msg.eml!export.zip"] == DATE_TS


def test_headers_are_segments_named_after_the_header(tmp_path: Path) -> None:
    msg = message()
    msg["Cc"] = "Luc Roy <luc.roy@example.org>"
    msg["Reply-To"] = "dons@example.org"
    msg["Received"] = "from relay (192.0.2.1) by mx"
    segs = segments(msg.as_bytes(), tmp_path)
    parts = by_part(segs)
    assert parts["header:From"] == "Marie Tremblay <marie.tremblay@example.org>"
    assert parts["header:Cc"] == "Luc Roy <luc.roy@example.org>"
    assert parts["header:Reply-To"] == "dons@example.org"
    assert "header:Received" not in parts and "header:Date" not in parts
    headers = [s for s in segs if s.pointer.part != "body"]
    assert [s.field for s in headers] == ["From", "To", "Subject", "Cc", "Reply-To"]
    assert {s.pointer.part for s in headers} == {f"header:{s.field}" for s in headers}


FRENCH = "Numéro d'assurance sociale : 130 692 544 — reçu « signé » à Montréal"


@pytest.mark.parametrize("charset,cte", [
    ("iso-8859-1", "quoted-printable"),
    ("iso-8859-1", "8bit"),
    ("windows-1252", "base64"),
    ("utf-8", "base64"),
    ("utf-8", "quoted-printable"),
])
def test_french_bodies_decode_in_their_declared_charset(tmp_path: Path, charset: str, cte: str) -> None:
    text = FRENCH if charset != "iso-8859-1" else FRENCH.replace("—", "-")
    msg = EmailMessage()
    msg["From"] = "=?iso-8859-1?q?H=E9l=E8ne_B=E9dard?= <helene@example.org>"
    msg["Subject"] = "=?utf-8?b?" + base64.b64encode("Déclaration reçue".encode()).decode() + "?="
    msg.set_content(text.encode(charset), maintype="text", subtype="plain", cte=cte)
    msg.set_param("charset", charset)
    parts = by_part(segments(msg.as_bytes(), tmp_path))
    assert parts["body"].strip() == text
    assert parts["header:From"] == "Hélène Bédard <helene@example.org>"
    assert parts["header:Subject"] == "Déclaration reçue"


def test_latin1_declared_mail_with_windows_quotes_and_raw_8bit_headers(tmp_path: Path) -> None:
    raw = ("From: H\xe9l\xe8ne <helene@example.org>\r\n"
           "Subject: R\xe9sum\xe9 de l\x92entretien\r\n"
           "MIME-Version: 1.0\r\n"
           "Content-Type: text/plain; charset=iso-8859-1\r\n"
           "Content-Transfer-Encoding: 8bit\r\n\r\n"
           "L\x92adresse de l\x92\xe9l\xe8ve : 12 rue des \xc9rables\r\n").encode("latin-1")
    parts = by_part(segments(raw, tmp_path))
    assert parts["header:From"] == "Hélène <helene@example.org>"
    assert parts["header:Subject"] == "Résumé de l’entretien"
    assert parts["body"].strip() == "L’adresse de l’élève : 12 rue des Érables"


def test_html_body_is_read_as_visible_text(tmp_path: Path) -> None:
    msg = EmailMessage()
    msg["Subject"] = "html"
    msg.set_content(f"<html><head><style>p {{}}</style></head><body><p>NAS&nbsp;: <b>{SIN}</b></p>"
                    "<script>var x = '999 999 999';</script></body></html>", subtype="html")
    parts = by_part(segments(msg.as_bytes(), tmp_path))
    assert parts["body:html"] == f"NAS\xa0: {SIN}"


def test_alternative_versions_are_read_once(tmp_path: Path) -> None:
    msg = message(body=f"NAS : {SIN}\n")
    msg.add_alternative(f"<p>NAS : {SIN}</p>", subtype="html")
    (tmp_path / "alt.eml").write_bytes(msg.as_bytes())
    result = scan(tmp_path / "alt.eml")
    assert [f.pointer.part for f in result.findings] == ["body"]


def test_alternative_with_blank_plain_part_reads_the_html(tmp_path: Path) -> None:
    msg = message(body="\n")
    msg.add_alternative(f"<p>NAS : {SIN}</p>", subtype="html")
    parts = by_part(segments(msg.as_bytes(), tmp_path))
    assert parts["body:html"] == f"NAS : {SIN}"


def test_attached_message_is_a_child_read_as_mail(tmp_path: Path) -> None:
    inner = message(body=f"NAS : {SIN_FR}\n", subject="Réponse")
    inner.add_attachment(DONORS_CSV, maintype="text", subtype="csv", filename="donors.csv")
    outer = message(body="Voir le message transféré.\n")
    outer.add_attachment(inner)
    (tmp_path / "fwd.eml").write_bytes(outer.as_bytes())
    result = scan(tmp_path / "fwd.eml")
    assert result.locations() == {"fwd.eml!attached-message-2.eml",
                                  "fwd.eml!attached-message-2.eml!donors.csv"}


def test_encoded_attachment_names_paths_and_duplicates(tmp_path: Path) -> None:
    msg = message()
    msg.add_attachment(DONORS_CSV, maintype="text", subtype="csv", filename="Donateurs été.csv")
    msg.add_attachment(DONORS_CSV, maintype="text", subtype="csv", filename="C:\\Users\\m\\dons.csv")
    msg.add_attachment(DONORS_CSV, maintype="text", subtype="csv", filename="dons.csv")
    msg.add_attachment(DONORS_CSV, maintype="text", subtype="csv")
    (tmp_path / "m.eml").write_bytes(msg.as_bytes())
    assert scan(tmp_path / "m.eml").locations() == {
        "m.eml!Donateurs été.csv", "m.eml!dons.csv", "m.eml!dons-2.csv", "m.eml!part-5.csv"}


def write_mbox(path: Path, messages: list[EmailMessage]) -> None:
    box = mailbox.mbox(str(path))
    for m in messages:
        box.add(m)
    box.flush()
    box.close()


def test_mbox_messages_are_numbered_children(tmp_path: Path) -> None:
    write_mbox(tmp_path / "box.mbox", [
        message(body="Rien ici.\n", date="Mon, 01 Feb 2021 09:00:00 +0000"),
        message(body=f"From the desk of Marie: NAS {SIN}\n\nFrom here on, nothing.\n",
                date="Tue, 02 Feb 2021 09:00:00 +0000"),
        message(body=f"NAS {SIN_FR}\n", date="Wed, 03 Feb 2021 09:00:00 +0000"),
    ])
    result = scan(tmp_path / "box.mbox", location="mail/box.mbox")
    assert result.errors == []
    assert sorted(f.location for f in result.findings) == ["mail/box.mbox!message-2",
                                                           "mail/box.mbox!message-3"]
    children = {d.location: d for d in result.done if "!" in d.location}
    assert list(children) == [f"mail/box.mbox!message-{n}" for n in (1, 2, 3)]
    assert children["mail/box.mbox!message-3"].info.mtime == datetime(
        2021, 2, 3, 9, tzinfo=timezone.utc).timestamp()


def test_mbox_body_lines_escaped_from_are_restored(tmp_path: Path) -> None:
    write_mbox(tmp_path / "box.mbox", [message(body="From Montréal, avec amour.\n")])
    assert b"\n>From Montr" in (tmp_path / "box.mbox").read_bytes()
    item = Item(location="box.mbox", name="box.mbox", open=lambda: open(tmp_path / "box.mbox", "rb"))
    ctx = ReadContext(ScanOptions(), str(tmp_path))
    bodies = {}
    for child in MailReader().read(item, ctx):  # a child can be opened while the reader waits
        with child.open() as fh:  # type: ignore[union-attr]
            text = by_part(segments(fh.read(), tmp_path))["body"]
        bodies[child.location] = text  # type: ignore[union-attr]
    assert list(bodies) == ["box.mbox!message-1"]
    assert bodies["box.mbox!message-1"].startswith("From Montréal")


def test_mbox_is_streamed_message_by_message(tmp_path: Path) -> None:
    body = ("Ligne de texte ordinaire pour remplir la boîte.\n" * 1000)
    path = tmp_path / "big.mbox"
    with open(path, "wb") as fh:
        for n in range(80):  # ~4 MB
            fh.write(f"From sender@example.org Mon Feb  1 09:00:{n % 60:02d} 2021\n".encode())
            fh.write(message(body=body).as_bytes(unixfrom=False) + b"\n")
    item = Item(location="big.mbox", name="big.mbox", open=lambda: open(path, "rb"))
    ctx = ReadContext(ScanOptions(), str(tmp_path))
    tracemalloc.start()
    try:
        count = 0
        for child in MailReader().read(item, ctx):
            with child.open() as fh:  # type: ignore[union-attr]
                count += bool(fh.read(10))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == 80
    assert peak < path.stat().st_size / 4


@pytest.mark.parametrize("raw,expected", [
    ("=?utf-8?q?Marie_Tr=C3=A9panier?= <m@example.org>", "Marie Trépanier <m@example.org>"),
    ("=?ISO-8859-1?B?SOls6G5l?=", "Hélène"),
    ("=?utf-8?q?caf=C3=A9?=\r\n =?utf-8?q?_cr=C3=A8me?=", "café crème"),
    ("Re: =?unknown-8bit?q?r=E9ponse?=", "Re: réponse"),
    ("plain text", "plain text"),
    ("Dossier ’Hélène’ =?utf-8?q?caf=C3=A9?=", "Dossier ’Hélène’ café"),
])
def test_decode_header(raw: str, expected: str) -> None:
    assert decode_header(raw) == expected


def test_html_text_skips_hidden_parts() -> None:
    html = ("<html><head><title>t</title><style>.a{}</style></head><body><div>Un</div>"
            "<table><tr><td>NAS</td><td>046 454 286</td></tr></table>"
            "<script>x()</script><noscript>n</noscript>Deux &amp; trois</body></html>")
    assert html_text(html) == "Un\nNAS\t046 454 286\nDeux & trois"
