"""CSV/TSV: dialects, headers, spreadsheet row numbers, and a 50 MB file in bounded memory."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from piiscan.model import EntityType, Pointer, ScanError, Segment
from piiscan.sources.formats.delimited import DelimitedReader, column_letter, guess_dialect
from tests.sources.formats.text_helpers import (
    EMAIL, SIN, SIN_FR, context, file_item, read, real_registry, scan_file, segments)


def cells(path: Path, tmp_path: Path) -> dict[tuple[int, str], Segment]:
    return {(s.pointer.row, s.pointer.column): s for s in segments(read(DelimitedReader(), path, tmp_path))}


def test_french_semicolon_export_points_at_header_columns(tmp_path: Path) -> None:
    path = tmp_path / "participants.csv"
    path.write_bytes(("Nom;Prénom;Numéro d'assurance sociale;Courriel\n"
                      f"Tremblay;Hélène;{SIN};{EMAIL}\n"
                      f"Dupont;Jean;{SIN_FR};\n").encode("cp1252"))
    got = cells(path, tmp_path)
    sin = got[(2, "Numéro d'assurance sociale")]
    assert sin.text == SIN
    assert sin.field == "Numéro d'assurance sociale"
    assert sin.record == "row:2"
    assert got[(2, "Prénom")].text == "Hélène"
    assert got[(3, "Numéro d'assurance sociale")].text == SIN_FR
    assert (3, "Courriel") not in got  # empty cells are not segments
    # The header row is scanned too, as plain cells.
    assert got[(1, "A")].text == "Nom" and got[(1, "A")].field is None


def test_quoted_cells_with_newlines_count_as_one_row(tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_text('id,notes,NAS\n'
                    '1,"Rencontre du 3 mai.\nSuivi prévu, ""urgent"".\nFin.",130 692 544\n'
                    f'2,"court",{SIN}\n', encoding="utf-8")
    got = cells(path, tmp_path)
    assert got[(2, "notes")].text == 'Rencontre du 3 mai.\nSuivi prévu, "urgent".\nFin.'
    assert got[(2, "NAS")].text == SIN_FR
    assert got[(3, "NAS")].text == SIN  # row 3 as a spreadsheet shows it, not line 5


def test_without_a_header_columns_are_letters(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(f"17,Marie Tremblay,{SIN},{EMAIL}\n18,Jean Dupont,{SIN_FR},\n", encoding="utf-8")
    got = cells(path, tmp_path)
    assert got[(1, "C")].text == SIN and got[(1, "C")].field is None
    assert got[(2, "C")].text == SIN_FR
    assert got[(1, "D")].record == "row:1"


@pytest.mark.parametrize("delimiter, name", [(",", "a.csv"), (";", "a.csv"), ("\t", "a.tsv"),
                                              ("|", "a.csv"), ("\t", "a.csv")])
def test_delimiters_are_sniffed(delimiter: str, name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    rows = [["nom", "ville", "NAS"], ["Marie Tremblay", "Montréal, QC", SIN]]
    quote = (lambda c: f'"{c}"' if delimiter in c or "," in c else c)
    path.write_text("\n".join(delimiter.join(quote(c) for c in r) for r in rows) + "\n",
                    encoding="utf-8")
    got = cells(path, tmp_path)
    assert got[(2, "NAS")].text == SIN
    assert got[(2, "ville")].text == "Montréal, QC"


def test_french_apostrophes_do_not_become_quotes() -> None:
    sample = "nom;commentaire\nD'Amours;l'adresse d'un proche; ok\nL'Heureux;n'a pas d'adresse\n"
    dialect = guess_dialect(sample)
    assert dialect.delimiter == ";" and dialect.quotechar == '"'


@pytest.mark.parametrize("index, letters", [(0, "A"), (25, "Z"), (26, "AA"), (51, "AZ"),
                                            (52, "BA"), (701, "ZZ"), (702, "AAA")])
def test_column_letters_are_spreadsheet_names(index: int, letters: str) -> None:
    assert column_letter(index) == letters


def test_a_malformed_row_is_reported_and_the_rest_is_read(tmp_path: Path) -> None:
    path = tmp_path / "broken.csv"
    huge = "x" * 200_000  # over csv's field limit
    path.write_text(f"nom,NAS\nMarie,{SIN}\nJean,\"{huge}\"\nLuc,{SIN_FR}\n", encoding="utf-8")
    out = read(DelimitedReader(), path, tmp_path)
    errors = [o for o in out if isinstance(o, ScanError)]
    assert len(errors) == 1 and errors[0].reason == "corrupt" and "row 3" in errors[0].detail
    assert "x" * 10 not in errors[0].detail
    texts = {s.text for s in segments(out)}
    assert {SIN, SIN_FR} <= texts


def test_payroll_end_to_end(tmp_path: Path) -> None:
    path = tmp_path / "payroll.csv"
    path.write_text(f"employee_id,nom,NAS,courriel\n17,Marie Tremblay,{SIN},{EMAIL}\n", encoding="utf-8")
    found = scan_file(path)
    sin = found.of(EntityType.CA_SIN)
    assert [(f.pointer, f.field, f.record) for f in sin] == [
        (Pointer(row=2, column="NAS"), "NAS", "row:2")]
    assert [f.pointer for f in found.of(EntityType.EMAIL_ADDRESS)] == [Pointer(row=2, column="courriel")]


def test_payroll_with_real_detectors(tmp_path: Path) -> None:
    registry = real_registry()
    path = tmp_path / "paie.csv"
    path.write_bytes(f"Nom;NAS;Courriel\nTremblay;{SIN_FR};{EMAIL}\n".encode("cp1252"))
    found = scan_file(path, registry)
    assert [f.pointer for f in found.of(EntityType.CA_SIN)] == [Pointer(row=2, column="NAS")]
    assert [f.pointer for f in found.of(EntityType.EMAIL_ADDRESS)] == [Pointer(row=2, column="Courriel")]


def test_a_50_mb_csv_streams_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    note = "Suivi de dossier : rencontre avec la participante, documents reçus. " * 60
    rows = 0
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("id;nom;NAS;notes\n")
        while fh.tell() < 50_000_000:
            rows += 1
            fh.write(f"{rows};Participant {rows};{SIN};\"{note}\"\n")
    size = path.stat().st_size
    tracemalloc.start()
    try:
        last = None
        sins = 0
        for seg in DelimitedReader().read(file_item(path), context(tmp_path)):
            last = seg
            sins += seg.field == "NAS"
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sins == rows
    assert isinstance(last, Segment) and last.pointer.row == rows + 1
    assert peak < size / 20  # a few MB for a 50 MB file
