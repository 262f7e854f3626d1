"""JSON and JSON Lines: path pointers, numbers as values, errors without content, streaming."""

from __future__ import annotations

import io
import json
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from piiscan.model import CorruptError, EntityType, Item, Pointer, ScanError, TooLargeError
from piiscan.sources.formats.jsondoc import JsonReader, JsonStream, walk
from tests.sources.formats.text_helpers import (
    EMAIL, SIN, SIN_FR, context, file_item, read, real_registry, scan_file, segments)

DOC = {
    "organisme": "Centre d'accueil",
    "participants": [
        {"nom": "Marie Tremblay", "nas": SIN, "contact": {"courriel": EMAIL}},
        {"nom": "Jean Dupont", "nas": 130692544, "telephones": ["514-555-0147"]},
    ],
    "notes de suivi": "RAS",
}


def leaves(path: Path, tmp_path: Path, reader: JsonReader | None = None) -> dict[str, tuple]:
    segs = segments(read(reader or JsonReader(), path, tmp_path))
    return {s.pointer.path: (s.text, s.field, s.record, s.pointer.line) for s in segs}


@pytest.mark.parametrize("stream_above", [1 << 30, 0], ids=["in-memory", "streamed"])
def test_json_paths_fields_and_records(stream_above: int, tmp_path: Path) -> None:
    path = tmp_path / "dossiers.json"
    path.write_text(json.dumps(DOC, indent=2, ensure_ascii=False), encoding="utf-8")
    got = leaves(path, tmp_path, JsonReader(stream_above=stream_above))
    assert got == {
        "$.organisme": ("Centre d'accueil", "organisme", "$", None),
        "$.participants[0].nom": ("Marie Tremblay", "nom", "$.participants[0]", None),
        "$.participants[0].nas": (SIN, "nas", "$.participants[0]", None),
        "$.participants[0].contact.courriel": (EMAIL, "courriel", "$.participants[0]", None),
        "$.participants[1].nom": ("Jean Dupont", "nom", "$.participants[1]", None),
        # A SIN stored as a number is still a value to scan.
        "$.participants[1].nas": ("130692544", "nas", "$.participants[1]", None),
        "$.participants[1].telephones[0]": ("514-555-0147", "telephones", "$.participants[1]", None),
        '$["notes de suivi"]': ("RAS", "notes de suivi", "$", None),
    }


def test_keys_that_look_like_values_are_scanned_but_never_in_paths(tmp_path: Path) -> None:
    path = tmp_path / "index.json"
    path.write_text(json.dumps({"by_email": {EMAIL: {"nas": SIN}}}), encoding="utf-8")
    got = leaves(path, tmp_path)
    assert got == {"$.by_email[*0]": (EMAIL, None, "$", None),
                   "$.by_email[*0].nas": (SIN, "nas", "$", None)}
    assert not any(EMAIL in p for p in got)


def test_json_lines_records_are_lines(tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    path.write_text(json.dumps({"nom": "Marie", "nas": SIN}) + "\n\n"
                    + json.dumps({"nom": "Jean", "nas": int(SIN_FR.replace(" ", ""))}) + "\n",
                    encoding="utf-8")
    segs = segments(read(JsonReader(), path, tmp_path))
    assert [(s.pointer, s.record) for s in segs if s.field == "nas"] == [
        (Pointer(line=1, path="$.nas"), "line:1"), (Pointer(line=3, path="$.nas"), "line:3")]


def test_json_lines_saved_as_json_are_read_as_lines(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text("".join(json.dumps({"nas": s}) + "\n" for s in (SIN, SIN_FR)), encoding="utf-8")
    segs = segments(read(JsonReader(), path, tmp_path))
    assert [(s.text, s.record) for s in segs] == [(SIN, "line:1"), (SIN_FR, "line:2")]


def test_a_bad_json_line_is_an_error_and_the_rest_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    path.write_text(json.dumps({"nas": SIN}) + "\n"
                    + '{"nas": "' + SIN_FR + '", "nom": }\n'  # a damaged record
                    + json.dumps({"courriel": EMAIL}) + "\n", encoding="utf-8")
    out = read(JsonReader(), path, tmp_path)
    errors = [o for o in out if isinstance(o, ScanError)]
    assert [(e.reason, e.detail) for e in errors] == [("corrupt", "line 2: invalid JSON column 31")]
    texts = [s.text for s in segments(out)]
    assert SIN in texts and EMAIL in texts
    assert any(SIN_FR in t for t in texts)  # the broken line's text is still scanned


@pytest.mark.parametrize("stream_above", [1 << 30, 0], ids=["in-memory", "streamed"])
@pytest.mark.parametrize("text, line, column", [
    ('{"nas": "046 454 286",\n "nom": }', 2, 9),
    ('[1, 2,]', 1, 7),
    ('{"nas": "046 454 286"', 1, 22),
    ('{"nas" "046 454 286"}', 1, 8),
])
def test_invalid_json_says_where_and_never_what(text: str, line: int, column: int,
                                                stream_above: int, tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CorruptError) as err:
        list(JsonReader(stream_above=stream_above).read(file_item(path), context(tmp_path)))
    assert str(err.value) == f"invalid JSON at line {line} column {column}"


@pytest.mark.parametrize("stream_above", [1 << 30, 0], ids=["in-memory", "streamed"])
def test_deep_nesting_is_corrupt(stream_above: int, tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + '"' + SIN + '"' + "]" * 100_000, encoding="utf-8")
    with pytest.raises(CorruptError, match="nested too deeply"):
        list(JsonReader(stream_above=stream_above).read(file_item(path), context(tmp_path)))


def test_a_string_over_the_token_limit_is_too_large() -> None:
    doc = '{"blob": "' + "A" * 5000 + '"}'
    with pytest.raises(TooLargeError):
        list(JsonStream(iter([doc[i:i + 100] for i in range(0, len(doc), 100)]), max_token=1000).leaves())


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(st.text(max_size=8), children, max_size=5),
    max_leaves=30)


@settings(max_examples=150, deadline=None)
@given(value=json_values, indent=st.sampled_from([None, 0, 2]), block=st.integers(1, 40))
def test_streaming_parser_agrees_with_the_standard_one(value: object, indent: int | None,
                                                        block: int) -> None:
    text = json.dumps(value, indent=indent, ensure_ascii=False)
    chunks = [text[i:i + block] for i in range(0, len(text), block)]
    reference = list(walk(json.loads(text, parse_int=str, parse_float=str)))
    assert list(JsonStream(iter(chunks)).leaves()) == reference


def test_a_big_json_document_streams_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    record = {"nom": "Participant", "nas": SIN, "notes": "Suivi de dossier. " * 100}
    with open(path, "w", encoding="utf-8") as fh:
        fh.write('{"participants": [')
        n = 0
        while fh.tell() < 20_000_000:
            fh.write(("," if n else "") + json.dumps(record))
            n += 1
        fh.write("]}")
    size = path.stat().st_size
    reader = JsonReader(stream_above=16 << 20)
    tracemalloc.start()
    try:
        sins, last = 0, None
        for seg in reader.read(file_item(path), context(tmp_path)):
            if seg.field == "nas":
                sins, last = sins + 1, seg
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sins == n
    assert last is not None and last.record == f"$.participants[{n - 1}]"
    assert peak < size / 20


def test_json_end_to_end(tmp_path: Path) -> None:
    path = tmp_path / "donors.json"
    path.write_text(json.dumps(DOC), encoding="utf-8")
    found = scan_file(path)
    assert sorted(f.pointer.path for f in found.of(EntityType.CA_SIN)) == [
        "$.participants[0].nas", "$.participants[1].nas"]
    assert [f.record for f in found.of(EntityType.EMAIL_ADDRESS)] == ["$.participants[0]"]


def test_json_with_real_detectors(tmp_path: Path) -> None:
    registry = real_registry()
    path = tmp_path / "donors.jsonl"
    path.write_text(json.dumps({"nas": int(SIN_FR.replace(" ", "")), "courriel": EMAIL}) + "\n",
                    encoding="utf-8")
    found = scan_file(path, registry)
    assert [f.pointer for f in found.of(EntityType.CA_SIN)] == [Pointer(line=1, path="$.nas")]
    assert [f.pointer for f in found.of(EntityType.EMAIL_ADDRESS)] == [
        Pointer(line=1, path="$.courriel")]


def test_utf16_json_from_a_non_seekable_member(tmp_path: Path) -> None:
    data = json.dumps({"nas": SIN}).encode("utf-16")
    item = Item("a.zip!d.json", "d.json", open=lambda: io.BufferedReader(io.BytesIO(data)))
    assert [s.text for s in segments(JsonReader().read(item, context(tmp_path)))] == [SIN]
