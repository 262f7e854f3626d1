"""Plain text and logs: encodings, line pointers, and bounded memory on huge lines."""

from __future__ import annotations

import codecs
import io
import tracemalloc
from pathlib import Path

import pytest

from piiscan import sniff
from piiscan.model import EntityType, Item, Pointer
from piiscan.sources.formats.text import TextReader
from piiscan.sources.formats.textio import (
    OVERLAP, SEGMENT_CHARS, chunk_text, decode_text, detect_encoding, iter_lines)
from tests.sources.formats.text_helpers import (
    SIN, SIN_FR, context, file_item, read, real_registry, scan_file, segments)

FRENCH = "Numéro d'assurance sociale : 046 454 286\nCourriel : hélène@example.org — reçu.\n"


def text_of(path: Path, tmp_path: Path) -> str:
    return "".join(s.text for s in segments(read(TextReader(), path, tmp_path)))


@pytest.mark.parametrize("codec, bom", [
    ("utf-8", b""),
    ("utf-8", codecs.BOM_UTF8),
    ("utf-16-le", codecs.BOM_UTF16_LE),
    ("utf-16-be", codecs.BOM_UTF16_BE),
    ("utf-16-le", b""),  # Notepad-style exports without a BOM
    ("utf-16-be", b""),
    ("utf-32-le", codecs.BOM_UTF32_LE),
    ("cp1252", b""),  # French Windows
])
def test_french_text_decodes_in_every_usual_encoding(codec: str, bom: bytes, tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(bom + FRENCH.encode(codec))
    assert text_of(path, tmp_path) == FRENCH


@pytest.mark.parametrize("data, expected", [
    (b"plain ascii", "utf-8"),
    ("Numéro".encode("utf-8"), "utf-8"),
    (codecs.BOM_UTF8 + b"x", "utf-8-sig"),
    (codecs.BOM_UTF16_LE + "x".encode("utf-16-le"), "utf-16"),
    ("Numéro d'assurance".encode("utf-16-le"), "utf-16-le"),
    ("Numéro d'assurance".encode("utf-16-be"), "utf-16-be"),
    ("Numéro d'assurance sociale, Hélène, reçu".encode("cp1252"), "cp1252"),
    ("Привет, это тестовый текст для проверки кодировки.\n".encode("cp1251") * 3, "cp1251"),
])
def test_detect_encoding(data: bytes, expected: str) -> None:
    assert detect_encoding(data) == expected


@pytest.mark.parametrize("bom", [b"", codecs.BOM_UTF8])
def test_cp1252_bytes_after_the_sample_still_decode(bom: bytes, tmp_path: Path) -> None:
    """A UTF-8-looking file with one pasted cp1252 line far down keeps its é."""
    path = tmp_path / "mixed.txt"
    path.write_bytes(bom + b"ascii line\n" * 10_000 + "Numéro : é\n".encode("cp1252"))
    assert text_of(path, tmp_path).endswith("Numéro : é\n")


def test_a_character_split_between_two_reads_survives() -> None:
    data = "é" * 100_001  # two-byte characters: some read ends mid-character
    assert "".join(decode_text(io.BytesIO(data.encode("utf-8")), block=1001)) == data


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_pointer_is_the_line_a_segment_starts_on(newline: str, tmp_path: Path) -> None:
    lines = [f"ligne {i} " + "x" * (i % 90) for i in range(1, 6001)]
    path = tmp_path / "long.log"
    path.write_bytes(newline.join(lines).encode())
    segs = segments(read(TextReader(), path, tmp_path))
    assert len(segs) > 5
    for seg in segs:
        assert len(seg.text) <= SEGMENT_CHARS
        assert seg.text.startswith(f"ligne {seg.pointer.line} ")
        assert seg.pointer.offset is None
    assert "".join(s.text for s in segs) == "\n".join(lines)


def test_a_giant_line_is_cut_into_bounded_overlapping_pieces(tmp_path: Path) -> None:
    """20 MB without a newline: memory stays small and a SIN on every cut is found."""
    step = SEGMENT_CHARS - OVERLAP
    size = 20 * 1024 * 1024
    ends = [k * step + SEGMENT_CHARS for k in (0, 1, 7, 300, 600)]  # where pieces end
    plants = [end - 5 for end in ends]  # "046 454 286" starts 5 characters before an end
    data = bytearray(b"z" * size)
    for p in plants:
        data[p:p + len(SIN)] = SIN.encode()
    path = tmp_path / "dump.log"
    path.write_bytes(bytes(data))
    del data

    tracemalloc.start()
    try:
        count = 0
        for seg in TextReader().read(file_item(path), context(tmp_path)):
            assert len(seg.text) <= SEGMENT_CHARS
            count += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count >= size // step
    assert peak < 2 * 1024 * 1024

    found = scan_file(path)
    assert len(found.of(EntityType.CA_SIN)) == len(plants)
    assert {f.pointer.line for f in found.findings} == {1}
    # Each is found in the piece after the cut, which starts `OVERLAP` before it.
    assert sorted(f.pointer.offset for f in found.findings) == [e - OVERLAP for e in ends]


def test_piece_offsets_point_into_the_line() -> None:
    text = "".join(f"{i:08d}" for i in range(20_000))  # 160,000 characters, one line
    reader = TextReader()
    for seg in reader.segments(iter([text]), "x"):
        start = seg.pointer.offset or 0
        assert text[start:start + len(seg.text)] == seg.text


def test_a_long_line_then_short_lines_keeps_counting_lines() -> None:
    text = "a" * 100_000 + "\nline 2\nline 3 " + SIN + "\n"
    segs = list(TextReader().segments(iter([text]), "x"))
    last = segs[-1]
    assert last.pointer == Pointer(line=1, offset=last.pointer.offset)  # the tail of line 1 …
    assert last.text.endswith("line 3 " + SIN + "\n")  # … and the short lines after it


def test_empty_and_blank_files_give_nothing(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_bytes(b"\n\n  \n")
    assert read(TextReader(), tmp_path / "empty.txt", tmp_path) == []
    assert read(TextReader(), tmp_path / "blank.txt", tmp_path) == []


def test_text_reader_claims_text_and_logs() -> None:
    assert set(TextReader().media_types) == {sniff.TEXT, sniff.LOG}


@pytest.mark.parametrize("chunks, expected", [
    (["a\nb", "c\n", "d"], ["a\n", "bc\n", "d"]),
    (["abcdefgh\n"], ["abcd", "efgh\n"]),
    (["abcdefghi\n"], ["abcd", "efgh", "i\n"]),
    (["ab", "cdef", "gh", "i\nj"], ["abcd", "efgh", "i\n", "j"]),
])
def test_iter_lines_bounds_line_length(chunks: list[str], expected: list[str]) -> None:
    assert list(iter_lines(chunks, max_chars=4)) == expected


def test_chunk_text_overlaps() -> None:
    pieces = list(chunk_text("0123456789", size=4, overlap=1))
    assert pieces == [(0, "0123"), (3, "3456"), (6, "6789")]


def test_cp1252_french_file_end_to_end(tmp_path: Path) -> None:
    path = tmp_path / "suivi.txt"
    path.write_bytes(("Notes de suivi — participante.\n" + FRENCH).encode("cp1252"))
    found = scan_file(path)
    sins = found.of(EntityType.CA_SIN)
    assert [(f.location, f.pointer) for f in sins] == [("suivi.txt", Pointer(line=1))]
    assert sins[0].masked.endswith("286")
    assert found.of(EntityType.EMAIL_ADDRESS)  # "hélène@…" decoded, not mangled


def test_log_file_with_real_detectors(tmp_path: Path) -> None:
    registry = real_registry()
    path = tmp_path / "app.log"
    path.write_text("2024-05-01 INFO user=marie.tremblay@example.org\n"
                    f"2024-05-01 WARN NAS du client : {SIN_FR}\n", encoding="utf-8")
    found = scan_file(path, registry)
    assert {f.entity_type for f in found.findings} >= {EntityType.CA_SIN, EntityType.EMAIL_ADDRESS}
    assert not found.errors


def test_reader_reads_non_seekable_children(tmp_path: Path) -> None:
    class OneWay(io.RawIOBase):
        def __init__(self, data: bytes):
            self._data = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, buf) -> int:  # type: ignore[no-untyped-def]
            chunk = self._data.read(min(len(buf), 7))
            buf[:len(chunk)] = chunk
            return len(chunk)

    data = FRENCH.encode("utf-16")
    item = Item("a.zip!n.txt", "n.txt", open=lambda: OneWay(data))
    segs = segments(TextReader().read(item, context(tmp_path)))
    assert "".join(s.text for s in segs) == FRENCH
