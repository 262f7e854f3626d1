"""SQL dumps: rows of pg_dump (COPY and INSERT forms) and mysqldump, with table/column pointers.

Real dumps come from the local servers' own pg_dump and mariadb-dump (those
tests are marked like the servers); hand-written dumps cover the corners of
the syntax (escapes, dollar quoting, comments, casts) without a server.
"""

from __future__ import annotations

import collections
import shutil
import subprocess
import tracemalloc
from pathlib import Path
from typing import Any, Iterator

import pytest

from piiscan import sniff
from piiscan.engine import ReadContext, ScanOptions
from piiscan.model import EntityType, Item
from piiscan.sources import columns
from piiscan.sources.formats.sqldump import SqlDumpReader
from tests.sources.dbservers import (DONORS, LONG_NOTE_ID, PARTICIPANTS, SECRET_PHOTO_EMAIL, errors,
                                     findings, fmt_sin, maria_database, make_sin, participant,
                                     pg_database, read_table, registry, scan, seed_mariadb,
                                     seed_postgres, segments)

NAS_ROWS = sum(1 for i in range(1, PARTICIPANTS + 1) if participant(i)["nas"])


def dump_item(path: Path, location: str | None = None) -> Item:
    return Item(location=location or f"exports/{path.name}", name=path.name,
                open=lambda: open(path, "rb"))


def read_dump(tmp_path: Path, text: str | bytes, name: str = "dump.sql", **options: Any) -> list[Any]:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    out, _ = read_table(SqlDumpReader(), dump_item(path), str(tmp_path), **options)
    return out


def cells(out: list[Any]) -> list[tuple[str | None, str | None, int | None, str]]:
    return [(s.pointer.table, s.pointer.column, s.pointer.row, s.text) for s in segments(out)]


# -- real dumps ------------------------------------------------------------------

def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed")
    return path


@pytest.fixture(scope="module")
def pg_dumps(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    pg_dump = _tool("pg_dump")
    out = tmp_path_factory.mktemp("pgdump")
    with pg_database() as url:
        seed_postgres(url)
        dbname = url.rsplit("/", 1)[1]
        paths = {}
        for form, flags in (("copy", []), ("inserts", ["--inserts", "--rows-per-insert=50"]),
                            ("column-inserts", ["--column-inserts"])):
            paths[form] = out / f"crm-{form}.sql"
            subprocess.run([pg_dump, "-h", "127.0.0.1", "-U", "postgres", "--no-owner",
                            "-T", "events", *flags, "-f", str(paths[form]), dbname], check=True)
        yield paths


@pytest.fixture(scope="module")
def maria_dump(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    tool = shutil.which("mariadb-dump") or _tool("mysqldump")
    path = tmp_path_factory.mktemp("mydump") / "crm.sql"
    with maria_database() as url:
        seed_mariadb(url)
        dbname = url.rsplit("/", 1)[1]
        with open(path, "wb") as fh:
            subprocess.run([tool, "-h", "127.0.0.1", "-u", "root", "--ignore-table",
                            f"{dbname}.events", dbname], check=True, stdout=fh)
        yield path


def _check_real_dump(path: Path, schema: str) -> None:
    participants, donors = f"{schema}participants", f"{schema}donors"
    events = scan(registry("sqldump"), [dump_item(path)])
    assert not errors(events)
    found = findings(events)
    sins = [f for f in found if f.pointer.table == participants and f.pointer.column == "nas"]
    assert len(sins) == NAS_ROWS and {f.entity_type for f in sins} == {EntityType.CA_SIN}
    first = min(sins, key=lambda f: f.pointer.row)
    assert (first.location, first.pointer.row, first.record, first.field) == (
        f"exports/{path.name}", 1, f"{participants}:1", "nas")
    (note,) = [f for f in found if f.pointer.table == participants and f.pointer.column == "notes"]
    assert note.entity_type is EntityType.CA_SIN and note.pointer.row == LONG_NOTE_ID
    assert note.pointer.offset and note.pointer.offset > 20_000
    assert not [f for f in found if f.pointer.column == "photo"]  # binary: skipped
    cards = [f for f in found if f.pointer.table == donors and f.entity_type is EntityType.CREDIT_CARD]
    assert len(cards) == DONORS and {f.pointer.column for f in cards} == {"carte"}


@pytest.mark.postgres
@pytest.mark.parametrize("form", ["copy", "inserts", "column-inserts"])
def test_pg_dump_rows_are_found_with_pointers(pg_dumps: dict[str, Path], form: str) -> None:
    with open(pg_dumps[form], "rb") as fh:
        assert sniff.sniff_item_stream(fh, "crm.sql") == sniff.SQL
    _check_real_dump(pg_dumps[form], "public.")


@pytest.mark.postgres
def test_pg_dump_bytea_is_read_only_when_asked(pg_dumps: dict[str, Path], tmp_path: Path) -> None:
    out, _ = read_table(SqlDumpReader(), dump_item(pg_dumps["copy"]), str(tmp_path), include_blobs=True)
    blobs = [o for o in out if isinstance(o, Item)]
    assert len(blobs) == PARTICIPANTS
    assert blobs[0].location == "exports/crm-copy.sql!public.participants.photo@row=1"
    with blobs[0].open() as fh:
        assert SECRET_PHOTO_EMAIL.encode() in fh.read()


@pytest.mark.mariadb
def test_mysqldump_rows_are_found_with_pointers(maria_dump: Path) -> None:
    with open(maria_dump, "rb") as fh:
        assert sniff.sniff_item_stream(fh, "crm.sql") == sniff.SQL
    _check_real_dump(maria_dump, "")


@pytest.mark.mariadb
def test_mysqldump_unicode_and_quotes_survive(maria_dump: Path, tmp_path: Path) -> None:
    out, counts = read_table(SqlDumpReader(), dump_item(maria_dump), str(tmp_path))
    names = {s.text for s in segments(out) if s.pointer.column == "nom"}
    assert {"Côté", "O'Brien", "Lan"} <= names
    assert counts[columns.sampled_key("exports/crm.sql", "participants", "nas")] == NAS_ROWS


# -- the syntax, by hand ------------------------------------------------------------

MYSQL = r"""-- MySQL dump 10.13  Distrib 8.0.36
/*!40101 SET NAMES utf8mb4 */;
DROP TABLE IF EXISTS `clients`;
CREATE TABLE `clients` (
  `id` int NOT NULL AUTO_INCREMENT,
  `nom` varchar(80) COLLATE utf8mb4_unicode_ci DEFAULT NULL COMMENT 'date; of ''x''',
  `nas` char(11) DEFAULT NULL,
  `photo` blob,
  PRIMARY KEY (`id`),
  KEY `idx_nom` (`nom`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
LOCK TABLES `clients` WRITE;
/*!40000 ALTER TABLE `clients` DISABLE KEYS */;
INSERT INTO `clients` VALUES (1,'O\'Brien; DROP TABLE x;','130 692 544',0x4142),(2,NULL,'a\\b\nc',_binary 'xyz'),(3,'Zoë \"Z\" Côté','',NULL);
INSERT INTO `clients` (`nas`, `nom`) VALUES ('046 454 286','Lan');
/*!40000 ALTER TABLE `clients` ENABLE KEYS */;
UNLOCK TABLES;
"""


def test_mysqldump_syntax(tmp_path: Path) -> None:
    out = read_dump(tmp_path, MYSQL)
    assert cells(out) == [
        ("clients", "id", 1, "1"), ("clients", "nom", 1, "O'Brien; DROP TABLE x;"),
        ("clients", "nas", 1, "130 692 544"),
        ("clients", "id", 2, "2"), ("clients", "nas", 2, "a\\b\nc"),
        ("clients", "id", 3, "3"), ("clients", "nom", 3, 'Zoë "Z" Côté'),
        ("clients", "nas", 4, "046 454 286"), ("clients", "nom", 4, "Lan"),
    ]
    assert {s.field for s in segments(out) if s.pointer.column == "nom"} == {"nom"}


PG = r"""--
-- PostgreSQL database dump
--
SET standard_conforming_strings = on;
CREATE FUNCTION public.f() RETURNS text LANGUAGE sql AS $_$
  INSERT INTO public.decoy VALUES ('130 692 544'); SELECT 'it''s; $$ fine';
$_$;
CREATE TABLE public."Dossiers" (
    id integer NOT NULL,
    "dateNaissance" date,
    note text,
    CONSTRAINT ok CHECK ((id > 0))
);
/* a block comment; with 'quotes' */
COPY public."Dossiers" (id, "dateNaissance", note) FROM stdin;
1	1987-03-12	tab\there\nnewline \\ back	
2	\N	octal \101 hex \x42
\.

INSERT INTO public."Dossiers" VALUES (3, '1990-01-01'::date, 'it''s; a \n plain backslash') ON CONFLICT DO NOTHING;
INSERT INTO public."Dossiers" VALUES (4, NULL, E'escaped\nline \'q\'');
\unrestrict abc
"""


def test_pg_dump_syntax(tmp_path: Path) -> None:
    out = read_dump(tmp_path, PG)
    table = 'public.Dossiers'
    assert cells(out) == [
        (table, "id", 1, "1"), (table, "dateNaissance", 1, "1987-03-12"),
        (table, "note", 1, "tab\there\nnewline \\ back"),
        (table, "id", 2, "2"), (table, "note", 2, "octal A hex B"),
        (table, "id", 3, "3"), (table, "dateNaissance", 3, "1990-01-01"),
        (table, "note", 3, "it's; a \\n plain backslash"),
        (table, "id", 4, "4"), (table, "note", 4, "escaped\nline 'q'"),
    ]
    (dob,) = {s.field for s in segments(out) if s.pointer.column == "dateNaissance"}
    assert dob == "dateNaissance (date of birth / date de naissance)"
    assert not [s for s in segments(out) if s.pointer.table == "public.decoy"]


def test_inserts_without_a_known_table_still_give_rows(tmp_path: Path) -> None:
    out = read_dump(tmp_path, "INSERT INTO t VALUES (1, 'x@example.org'), (2, 'y');\n")
    assert cells(out) == [("t", None, 1, "1"), ("t", None, 1, "x@example.org"),
                          ("t", None, 2, "2"), ("t", None, 2, "y")]


def test_windows_line_ends_and_a_bom(tmp_path: Path) -> None:
    text = "\ufeffCOPY t (a, b) FROM stdin;\r\nx\ty\r\n\\.\r\n"
    assert cells(read_dump(tmp_path, text)) == [("t", "a", 1, "x"), ("t", "b", 1, "y")]


def test_a_truncated_dump_reads_what_is_there(tmp_path: Path) -> None:
    out = read_dump(tmp_path, "INSERT INTO `t` VALUES (1,'complete'),(2,'cut sho")
    assert cells(out)[:2] == [("t", None, 1, "1"), ("t", None, 1, "complete")]


def test_sins_in_a_dump_are_found(tmp_path: Path) -> None:
    path = tmp_path / "rh.sql"
    rows = ",".join(f"({i},'{fmt_sin(make_sin(i))}')" for i in range(1, 21))
    path.write_text(f"-- MariaDB dump 10.19\nCREATE TABLE `employes` (`id` int, `nas` varchar(11));\n"
                    f"INSERT INTO `employes` VALUES {rows};\n")
    events = scan(registry("sqldump"), [dump_item(path)])
    sins = [f for f in findings(events) if f.entity_type is EntityType.CA_SIN]
    assert [(f.pointer.table, f.pointer.column, f.pointer.row) for f in sins] == [
        ("employes", "nas", i) for i in range(1, 21)]
    assert collections.Counter(f.record for f in sins) == {f"employes:{i}": 1 for i in range(1, 21)}


def test_a_huge_single_insert_streams_in_bounded_memory(tmp_path: Path) -> None:
    """mysqldump writes a table as a few enormous lines; only one row at a time is held."""
    path = tmp_path / "big.sql"
    rows = 2_000
    with open(path, "w") as fh:
        fh.write("-- MySQL dump\nINSERT INTO `t` VALUES ")
        fh.write(",".join(f"({i},'participant{i}@example.org','{'Côté ' * 1_000}')" for i in range(rows)))
        fh.write(";\n")
    assert path.stat().st_size > 10_000_000
    tracemalloc.start()
    try:
        n = sum(1 for _ in SqlDumpReader().read(dump_item(path), ReadContext(ScanOptions(), str(tmp_path))))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert n == 3 * rows
    assert peak < 4 << 20, f"peak {peak >> 20} MB for a {path.stat().st_size >> 20} MB line"


def test_a_text_file_that_is_not_a_dump_gives_nothing(tmp_path: Path) -> None:
    out = read_dump(tmp_path, "SELECT 1;\nhello world; 'unterminated\n")
    assert out == []


def test_a_backtick_in_pg_data_does_not_switch_to_mysql_quoting(tmp_path: Path) -> None:
    text = ("--\n-- PostgreSQL database dump\n--\n"
            "INSERT INTO public.t VALUES (1, 'see `notes`'), (2, 'C:\\dossiers\\'), (3, 'z@example.org');\n")
    assert [c[3] for c in cells(read_dump(tmp_path, text))] == [
        "1", "see `notes`", "2", "C:\\dossiers\\", "3", "z@example.org"]


@pytest.mark.parametrize("at", [19_850, 19_995])  # inside the overlap; across the first cut
def test_a_value_where_a_long_text_is_cut_is_reported_once(tmp_path: Path, at: int) -> None:
    note = "x " * (at // 2) + " courriel@example.org " + "y " * 15_000
    path = tmp_path / "notes.sql"
    path.write_text(f"COPY public.notes (id, note) FROM stdin;\n1\t{note}\n\\.\n")
    events = scan(registry("sqldump"), [dump_item(path)])
    emails = [f for f in findings(events) if f.entity_type is EntityType.EMAIL_ADDRESS]
    assert len(emails) == 1 and emails[0].pointer.column == "note"
