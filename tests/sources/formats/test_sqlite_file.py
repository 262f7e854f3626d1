"""SQLite files found on a share: each table scanned as `file.db!table`, the file untouched."""

from __future__ import annotations

import hashlib
import io
import os
import sqlite3
import tarfile
from pathlib import Path

import pytest

from piiscan import sniff
from piiscan.engine import ReadContext, ScanOptions
from piiscan.model import EntityType, Item
from piiscan.sources.database import TableReader
from piiscan.sources.formats.sqlite_file import SqliteFileReader
from tests.sources.dbservers import (PARTICIPANTS, errors, findings, make_sin, participant,
                                     read_table, registry, scan)

NAS_ROWS = sum(1 for i in range(1, PARTICIPANTS + 1) if participant(i)["nas"])


def make_crm(path: Path, *, wal: bool = False) -> Path:
    with sqlite3.connect(path) as con:
        if wal:
            con.execute("PRAGMA journal_mode = WAL")
        con.executescript("""
            CREATE TABLE participants (id INTEGER PRIMARY KEY, prenom TEXT, nom TEXT, nas TEXT,
                                       courriel TEXT, date_naissance TEXT, notes TEXT, photo BLOB);
            CREATE TABLE donors (nom_complet TEXT, adresse_courriel TEXT);
            CREATE VIEW emails AS SELECT courriel FROM participants;
        """)
        cols = list(participant(1))
        con.executemany(f"INSERT INTO participants ({', '.join(cols)}) VALUES "
                        f"({', '.join('?' * len(cols))})",
                        [tuple(participant(i).values()) for i in range(1, PARTICIPANTS + 1)])
        con.executemany("INSERT INTO donors VALUES (?, ?)",
                        [(f"Zoë Côté {i}", f"donor{i}@example.org") for i in range(1, 11)])
    con.close()
    return path


def file_item(path: Path, location: str = "crm/participants.db") -> Item:
    return Item(location=location, name=path.name, open=lambda: open(path, "rb"))


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def crm(tmp_path: Path) -> Path:
    return make_crm(tmp_path / "participants.db")


def test_the_file_is_sniffed_as_sqlite(crm: Path) -> None:
    with open(crm, "rb") as fh:
        assert sniff.sniff_item_stream(fh, "export.bin") == sniff.SQLITE


def test_each_table_is_a_child_item(crm: Path, tmp_path: Path) -> None:
    out, _ = read_table(SqliteFileReader(), file_item(crm), str(tmp_path))
    assert [(c.location, c.media_type) for c in out] == [
        ("crm/participants.db!donors", sniff.DB_TABLE),
        ("crm/participants.db!participants", sniff.DB_TABLE)]
    out, _ = read_table(SqliteFileReader(), file_item(crm), str(tmp_path), include_views=True,
                        exclude_tables=("donors",))
    assert [c.location for c in out] == ["crm/participants.db!emails", "crm/participants.db!participants"]


def test_tables_are_scanned_with_keys_and_the_file_is_untouched(crm: Path) -> None:
    before = sha(crm)
    events = scan(registry("sqlite", "dbtable"), [file_item(crm)], full=True)
    assert not errors(events)
    sins = [f for f in findings(events) if f.entity_type is EntityType.CA_SIN and f.pointer.column == "nas"]
    assert len(sins) == NAS_ROWS
    f = next(f for f in sins if f.pointer.key == "id=1")
    assert (f.location, f.pointer.table, f.record) == (
        "crm/participants.db!participants", "participants", "participants:id=1")
    donors = [f for f in findings(events) if f.location == "crm/participants.db!donors"]
    assert len(donors) == 10 and all(f.pointer.key is None and f.pointer.row for f in donors)
    assert sha(crm) == before
    assert sorted(os.listdir(crm.parent)) == ["participants.db"]  # no -journal, -wal or -shm


def test_sampling_applies_to_files_too(crm: Path) -> None:
    events = scan(registry("sqlite", "dbtable"), [file_item(crm)], sample_rows=40)
    keys = {f.pointer.key for f in findings(events) if f.location.endswith("!participants")}
    assert 30 <= len(keys) <= 40
    assert events[-1]["db_rows"] == 40 + 10  # 40 sampled participants, all 10 donors


def test_a_wal_database_opens_read_only(tmp_path: Path) -> None:
    path = make_crm(tmp_path / "live.db", wal=True)
    events = scan(registry("sqlite", "dbtable"), [file_item(path)], sample_rows=10)
    assert not errors(events) and findings(events)


def test_a_member_of_an_archive_is_spooled_and_the_copy_removed(crm: Path, tmp_path: Path) -> None:
    """A non-file stream (an archive member) is copied to the private temp dir first."""
    data = crm.read_bytes()
    item = Item(location="backup.tar!crm/participants.db", name="participants.db",
                open=lambda: io.BufferedReader(io.BytesIO(data)), depth=1)
    events = scan(registry("sqlite", "dbtable"), [item], sample_rows=20)
    assert not errors(events)
    assert {f.location for f in findings(events)} == {
        "backup.tar!crm/participants.db!participants", "backup.tar!crm/participants.db!donors"}


def test_the_spooled_copy_is_gone_once_the_tables_are_read(crm: Path, tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    spool.mkdir()
    data = crm.read_bytes()
    item = Item(location="a.zip!crm.db", name="crm.db", open=lambda: io.BytesIO(data), depth=1)
    gen = SqliteFileReader().read(item, ReadContext(ScanOptions(), str(spool)))
    first = next(gen)
    assert first.location == "a.zip!crm.db!donors" and len(os.listdir(spool)) == 1
    assert first.payload.sqlite_file.startswith(str(spool))
    list(gen)
    assert os.listdir(spool) == []


def test_a_tar_member_is_not_mistaken_for_a_file_of_the_same_name(crm: Path, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A tar member's stream carries the member's name; a same-named file must not be read."""
    tar_path = tmp_path / "backup.tar"
    with tarfile.open(tar_path, "w") as tar:
        tar.add(crm, arcname="participants.db")
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    con = sqlite3.connect(cwd / "participants.db")
    con.execute("CREATE TABLE other (x TEXT)")
    con.commit()
    con.close()
    with tarfile.open(tar_path) as tar:
        member = tar.getmember("participants.db")
        item = Item(location="backup.tar!participants.db", name="participants.db",
                    open=lambda: tar.extractfile(member), depth=1)  # type: ignore[arg-type,return-value]
        out, _ = read_table(SqliteFileReader(), item, str(tmp_path))
    assert [c.name for c in out] == ["donors", "participants"]  # the member's tables


@pytest.mark.parametrize("content, reason", [
    (b"SQLite format 3\x00" + b"\x00" * 84 + b"garbage" * 200, "corrupt"),
    (b"SQLite format 3\x00", "corrupt"),
])
def test_a_damaged_file_is_an_error_not_a_crash(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "broken.db"
    path.write_bytes(content)
    events = scan(registry("sqlite", "dbtable"), [file_item(path, "broken.db")])
    assert [(e.location, e.reason) for e in errors(events)] == [("broken.db", reason)]


def test_a_sin_primary_key_stays_out_of_pointers(tmp_path: Path) -> None:
    path = tmp_path / "keyed.db"
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE employes (nas TEXT PRIMARY KEY, nom TEXT)")
        con.executemany("INSERT INTO employes VALUES (?, ?)", [(make_sin(i), "Côté") for i in range(5)])
    con.close()
    events = scan(registry("sqlite", "dbtable"), [file_item(path, "rh/keyed.db")])
    sins = [f for f in findings(events) if f.entity_type is EntityType.CA_SIN]
    assert len(sins) == 5
    assert all(f.pointer.key is None and f.record == f"employes:{f.pointer.row}" for f in sins)


@pytest.mark.parametrize("without_rowid", [False, True])
def test_a_large_table_is_sampled_from_all_over(tmp_path: Path, without_rowid: bool) -> None:
    """Past 50,000 rows the sample comes from random rowid ranges (or a random sort)."""
    rows = 60_000
    path = tmp_path / "big.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE journal (id INTEGER PRIMARY KEY, courriel TEXT)"
                + (" WITHOUT ROWID" if without_rowid else ""))
    con.executemany("INSERT INTO journal VALUES (?, ?)",
                    ((i, f"p{i}@example.org") for i in range(1, rows + 1)))
    con.commit()
    con.close()
    out, _ = read_table(SqliteFileReader(), file_item(path, "big.db"), str(tmp_path))
    (table,) = out
    got, _ = read_table(TableReader(), table, str(tmp_path), sample_rows=200)
    keys = [int(s.pointer.key.split("=")[1]) for s in got]
    assert 160 <= len(keys) <= 200 and len(set(keys)) == len(keys)
    assert {10 * (k - 1) // rows for k in keys} == set(range(10))
