"""Outlook .msg reader: headers, body, attachments as child items; fixtures from msgforge."""

from __future__ import annotations

import io
import struct
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest
from msgforge import Message
from msgforge._builder import _MSG_CLSID, _OleWriter, _Props

from piiscan.engine import ReadContext, ScanOptions
from piiscan.model import CorruptError, Item, Segment
from piiscan.sources.formats.outlook import OutlookMsgReader
from tests.sources.formats.container_helpers import DONORS_CSV, SIN, SIN_FR, scan

SENT = datetime(2021, 3, 4, 12, 0, tzinfo=timezone.utc)


def donation_message(**extra: object) -> Message:
    return Message(
        subject=f"Relance dossier {SIN}",
        text_body=f"Bonjour Hélène,\nle NAS de la participante est {SIN_FR}.\n",
        html_body=f"<p>Bonjour Hélène,</p><p>le NAS de la participante est <b>{SIN_FR}</b>.</p>",
        to=[("jean.dupont@example.org", "Jean Dupont")],
        cc=["luc.roy@example.org"],
        sender=("marie.tremblay@example.org", "Marie Tremblay"),
        sent=SENT,
        **extra,  # type: ignore[arg-type]
    )


def segments(data: bytes, tmp_path: Path) -> list[Segment]:
    item = Item(location="m.msg", name="m.msg", open=lambda: io.BytesIO(data))
    ctx = ReadContext(ScanOptions(), str(tmp_path))
    return [s for s in OutlookMsgReader().read(item, ctx) if isinstance(s, Segment)]


def test_headers_and_body_are_segments(tmp_path: Path) -> None:
    parts = {s.pointer.part: s for s in segments(donation_message().as_bytes(), tmp_path)}
    assert parts["header:From"].text == "Marie Tremblay <marie.tremblay@example.org>"
    assert parts["header:To"].text == "Jean Dupont <jean.dupont@example.org>"
    assert "luc.roy@example.org" in parts["header:Cc"].text
    assert parts["header:Subject"].field == "Subject"
    # the plain body only: the HTML version says the same thing
    assert "body:html" not in parts
    assert parts["body"].text.startswith("Bonjour Hélène,")
    assert {s.record for s in parts.values()} == {"message"}


def test_attachments_are_children_read_recursively(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("donors.csv", DONORS_CSV)
    reply = Message(subject="Réponse", text_body=f"NAS {SIN}")
    reply.attach_bytes("liste.csv", DONORS_CSV)
    msg = donation_message()
    msg.attach_bytes("donors.csv", DONORS_CSV)
    msg.attach_bytes("export.zip", buf.getvalue())
    msg.attach_bytes("reponse.msg", reply.as_bytes())
    (tmp_path / "relance.msg").write_bytes(msg.as_bytes())

    result = scan(tmp_path / "relance.msg", location="mail/relance.msg")

    assert result.errors == []
    assert result.locations() == {
        "mail/relance.msg", "mail/relance.msg!donors.csv", "mail/relance.msg!export.zip!donors.csv",
        "mail/relance.msg!reponse.msg", "mail/relance.msg!reponse.msg!liste.csv"}
    by_part = {f.pointer.part for f in result.findings if f.location == "mail/relance.msg"}
    assert by_part == {"header:Subject", "body"}
    mtimes = {d.location: d.info.mtime for d in result.done}
    assert mtimes["mail/relance.msg!donors.csv"] == SENT.timestamp()


@pytest.mark.parametrize("damage", ["half", "garbage"])
def test_damaged_msg_is_corrupt(tmp_path: Path, damage: str) -> None:
    good = donation_message().as_bytes()
    data = good[: len(good) // 2] if damage == "half" else good[:512] + b"\x00\xff" * 2000
    (tmp_path / "bad.msg").write_bytes(data)
    assert scan(tmp_path / "bad.msg").error_reasons() == {"bad.msg": "corrupt"}
    with pytest.raises(CorruptError):
        segments(data, tmp_path)


def forward_with_embedded_message() -> bytes:
    """A message whose attachment is an embedded message (attach method 5).

    msgforge only attaches files, so this uses its OLE writer directly.
    """
    ole = _OleWriter()
    root = ole.root
    root.clsid = _MSG_CLSID
    nameid = ole.add_storage(root, "__nameid_version1.0")
    for stream in ("00020102", "00030102", "00040102"):
        ole.add_stream(nameid, f"__substg1.0_{stream}", b"")
    props = _Props()
    props.add_unicode(ole, root, 0x001A, "IPM.Note")  # message class
    props.add_unicode(ole, root, 0x0037, "Transfert")  # subject
    props.add_unicode(ole, root, 0x1000, "Voir le message joint.")  # body
    ole.add_stream(root, "__properties_version1.0", props.build_msg_stream(0, 1))
    attach = ole.add_storage(root, "__attach_version1.0_#00000000")
    aprops = _Props()
    aprops.add_long(0x0E21, 0)  # attach number
    aprops.add_long(0x0FFE, 7)  # object type: attachment
    aprops.add_long(0x3705, 5)  # attach method: embedded message
    aprops.add_unicode(ole, attach, 0x3001, "Réponse de Jean")  # display name
    inner = ole.add_storage(attach, "__substg1.0_3701000D")
    iprops = _Props()
    iprops.add_unicode(ole, inner, 0x001A, "IPM.Note")
    iprops.add_unicode(ole, inner, 0x0037, "Réponse")
    iprops.add_unicode(ole, inner, 0x1000, f"NAS {SIN}")
    # an embedded message's property stream has a 24-byte header, not 32
    ole.add_stream(inner, "__properties_version1.0",
                   b"\x00" * 8 + struct.pack("<IIII", 0, 0, 0, 0) + iprops._build_entries())
    ole.add_stream(attach, "__properties_version1.0", aprops.build_sub_stream())
    return ole.build()


def test_embedded_message_is_a_child_msg(tmp_path: Path) -> None:
    (tmp_path / "fwd.msg").write_bytes(forward_with_embedded_message())
    result = scan(tmp_path / "fwd.msg")
    assert result.errors == []
    assert result.locations() == {"fwd.msg!Réponse de Jean.msg"}
    done = {d.location: d for d in result.done}
    assert done["fwd.msg!Réponse de Jean.msg"].reader == "outlook"
