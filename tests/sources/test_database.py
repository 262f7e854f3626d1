"""Databases by URL: discovery, sampling, full reads, safety and secrecy of credentials.

Runs against the real PostgreSQL and MariaDB servers (see dbservers.py for
how they are found, and what happens when they are not) and SQLite files.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest
import sqlalchemy as sa

from piiscan import sniff
from piiscan.engine import ScanOptions
from piiscan.model import EntityType, Item, ScanError
from piiscan.sources import columns
from piiscan.sources.database import (DatabaseSource, SourceError, TableReader, TableRef,
                                      column_rollup, location_base, make_engine, normalize_url,
                                      read_only)
from tests.sources.dbservers import (DONORS, EVENTS, LONG_NOTE_ID, MEMBERSHIPS, PARTICIPANTS,
                                     SECRET_PHOTO_EMAIL, errors, findings, maria_admin,
                                     maria_database, make_sin, participant, pg_connect,
                                     pg_database, read_table, registry, scan, seed_mariadb,
                                     seed_postgres, segments)

PASSWORD = "S3cret-pw"
NAS_ROWS = sum(1 for i in range(1, PARTICIPANTS + 1) if participant(i)["nas"])
EMAIL_ROWS = sum(1 for i in range(1, PARTICIPANTS + 1) if participant(i)["courriel"])


class Db:
    """One seeded test database: its URL, and how its tables are named."""

    def __init__(self, kind: str, url: str):
        self.kind, self.url = kind, url
        self.base = location_base(normalize_url(url))
        self.schema = "public" if kind == "postgres" else url.rsplit("/", 1)[1]

    def label(self, table: str) -> str:
        return f"{self.schema}.{table}"

    def location(self, table: str) -> str:
        return f"{self.base}#{self.label(table)}"

    def items(self, **options: Any) -> list[Item | ScanError]:
        return list(DatabaseSource().items(self.url, ScanOptions(**options)))

    def item(self, table: str, **options: Any) -> Item:
        (it,) = [i for i in self.items(**options) if isinstance(i, Item) and i.name == self.label(table)]
        return it

    def with_login(self, user: str, password: str) -> str:
        scheme, rest = self.url.split("://", 1)
        return f"{scheme}://{user}:{password}@{rest.split('@', 1)[1]}"


@pytest.fixture(scope="module", params=[pytest.param("postgres", marks=pytest.mark.postgres),
                                        pytest.param("mariadb", marks=pytest.mark.mariadb)])
def db(request: pytest.FixtureRequest) -> Iterator[Db]:
    if request.param == "postgres":
        with pg_database() as url:
            seed_postgres(url)
            yield Db("postgres", url)
    else:
        with maria_database() as url:
            seed_mariadb(url)
            yield Db("mariadb", url)


@pytest.fixture(scope="module")
def full_scan(db: Db) -> list[Any]:
    """Every row of every table but `events`, through the engine with real detectors."""
    reg = registry("dbtable")
    return scan(reg, db.items(exclude_tables=("*events", "*memberships")), full=True)


# -- URLs and what is shown of them --------------------------------------------

@pytest.mark.parametrize("target, accepted", [
    ("postgresql://scanner@db.local/crm", True),
    ("postgresql+psycopg://scanner@db.local/crm", True),
    ("postgres://scanner@db.local/crm", True),
    ("mysql://root@127.0.0.1/crm", True),
    ("mariadb+pymysql://root@127.0.0.1/crm", True),
    ("sqlite:///crm.db", True),
    ("mssql+pyodbc://sa@host/crm", False),  # driver not installed here
    ("http://example.org/", False),
    ("/mnt/share/crm.db", False),
    ("crm.db", False),
])
def test_accepts_database_urls_whose_driver_is_installed(target: str, accepted: bool) -> None:
    assert DatabaseSource().accepts(target) is accepted


@pytest.mark.parametrize("target, driver", [
    ("postgresql://u@h/db", "postgresql+psycopg"),
    ("postgres://u@h/db", "postgresql+psycopg"),
    ("mysql://u@h/db", "mysql+pymysql"),
    ("mariadb://u@h/db", "mariadb+pymysql"),
    ("postgresql+psycopg://u@h/db", "postgresql+psycopg"),
    ("sqlite:///x.db", "sqlite"),
])
def test_plain_schemes_get_the_installed_driver(target: str, driver: str) -> None:
    assert normalize_url(target).drivername == driver


def test_locations_and_reprs_never_show_credentials() -> None:
    url = normalize_url(f"postgresql://alice:{PASSWORD}@db.local:5433/crm?sslmode=require"
                        f"&sslpassword={PASSWORD}")
    assert location_base(url) == "postgresql://db.local:5433/crm?sslmode=require"
    ref = TableRef(url.render_as_string(hide_password=False), "public", "donors", "public.donors")
    item = Item(location=f"{location_base(url)}#public.donors", name="public.donors",
                media_type=sniff.DB_TABLE, payload=ref)
    assert PASSWORD not in repr(ref) and PASSWORD not in repr(item)
    assert "alice" in repr(ref)  # who connects is useful; how is not
    assert pickle.loads(pickle.dumps(item)).payload == ref  # items travel to worker processes


def test_an_unreachable_server_is_a_source_error_without_the_password() -> None:
    url = f"postgresql://postgres:{PASSWORD}@127.0.0.1:1/nowhere"
    with pytest.raises(SourceError) as err:
        list(DatabaseSource().items(url, ScanOptions()))
    assert str(err.value).startswith("could not connect to postgresql://postgres:***@127.0.0.1:1/nowhere: ")
    assert PASSWORD not in str(err.value)


def test_cli_exits_3_when_the_database_cannot_be_reached(tmp_path: Path) -> None:
    url = f"postgresql://postgres:{PASSWORD}@127.0.0.1:1/nowhere"
    proc = subprocess.run([sys.executable, "-m", "piiscan", "scan", url, "--format", "jsonl",
                           "--db", str(tmp_path / "s.db"), "--executor", "inline"],
                          capture_output=True, text=True, timeout=300,
                          env=os.environ | {"PIISCAN_PLUGINS": "database,dbtable,email"})
    assert proc.returncode == 3, proc.stderr
    assert "could not connect to postgresql://postgres:***@127.0.0.1:1/nowhere" in proc.stderr
    assert PASSWORD not in proc.stdout + proc.stderr


# -- discovery -------------------------------------------------------------------

def test_discovery_lists_tables_as_items(db: Db) -> None:
    items = db.items()
    names = {i.name for i in items if isinstance(i, Item)}
    expected = {db.label(t) for t in ("participants", "donors", "sin_keyed", "events", "secret_notes")}
    assert expected <= names
    assert db.label("participant_emails") not in names  # views only when asked
    for it in items:
        assert isinstance(it, Item)
        assert it.location == f"{db.base}#{it.name}" and it.media_type == sniff.DB_TABLE
    if db.kind == "postgres":
        assert "archive.old_participants" in names  # every schema, not only public


def test_views_only_when_asked(db: Db) -> None:
    names = {i.name for i in db.items(include_views=True) if isinstance(i, Item)}
    assert db.label("participant_emails") in names


@pytest.mark.parametrize("tables, exclude, expected", [
    (("*participants",), (), {"participants"}),
    (("*.donors", "sin_keyed"), (), {"donors", "sin_keyed"}),
    ((), ("*events", "*secret*", "*sin_keyed", "*donors", "*memberships", "*big"), {"participants"}),
    (("*PARTICIPANTS",), (), {"participants"}),  # case does not matter
])
def test_table_patterns(db: Db, tables: tuple[str, ...], exclude: tuple[str, ...],
                        expected: set[str]) -> None:
    items = db.items(tables=tables, exclude_tables=exclude)
    got = {i.name.rsplit(".", 1)[1] for i in items if isinstance(i, Item) and i.name.startswith(db.schema)}
    assert got == expected


# -- findings through the engine ------------------------------------------------

def test_sins_found_with_table_column_and_key(db: Db, full_scan: list[Any]) -> None:
    sins = [f for f in findings(full_scan)
            if f.entity_type is EntityType.CA_SIN and f.pointer.column == "nas"
            and f.location == db.location("participants")]
    assert len(sins) == NAS_ROWS
    f = min(sins, key=lambda f: int(f.pointer.key.split("=")[1]))
    assert (f.pointer.table, f.pointer.key, f.pointer.row) == (db.label("participants"), "id=1", None)
    assert f.record == f"{db.label('participants')}:id=1"
    assert f.field == "nas"


def test_emails_found_in_every_non_null_cell(db: Db, full_scan: list[Any]) -> None:
    emails = {f.pointer.key for f in findings(full_scan)
              if f.entity_type is EntityType.EMAIL_ADDRESS and f.pointer.column == "courriel"
              and f.location == db.location("participants")}
    assert len(emails) == EMAIL_ROWS


def test_a_sin_deep_inside_a_long_text_is_found_with_its_offset(db: Db, full_scan: list[Any]) -> None:
    (f,) = [f for f in findings(full_scan) if f.pointer.column == "notes"
            and f.entity_type is EntityType.CA_SIN]
    assert f.pointer.key == f"id={LONG_NOTE_ID}"
    assert f.pointer.offset and f.pointer.offset > 20_000


def test_tables_without_a_primary_key_point_at_row_numbers(db: Db, full_scan: list[Any]) -> None:
    cards = [f for f in findings(full_scan) if f.location == db.location("donors")
             and f.entity_type is EntityType.CREDIT_CARD]
    assert len(cards) == DONORS
    assert all(f.pointer.key is None and f.pointer.row for f in cards)
    assert {f.record for f in cards} == {f"{db.label('donors')}:{n}" for n in range(1, DONORS + 1)}


def test_a_personal_primary_key_is_never_put_in_pointers(db: Db, full_scan: list[Any]) -> None:
    keyed = [f for f in findings(full_scan) if f.location == db.location("sin_keyed")]
    assert len([f for f in keyed if f.entity_type is EntityType.CA_SIN]) == 20
    sins = {make_sin(1000 + i) for i in range(20)}
    for f in keyed:
        assert f.pointer.key is None and f.pointer.row
        assert not any(s in json.dumps(f.as_dict()) for s in sins)


def test_blobs_are_not_read_by_default(db: Db, full_scan: list[Any]) -> None:
    assert not [f for f in findings(full_scan) if f.pointer.column == "photo"]
    assert full_scan[-1]["blob_columns_skipped"] >= 1
    out, _ = read_table(TableReader(), db.item("participants"), "/tmp", sample_rows=5)
    assert not [s for s in segments(out) if s.pointer.column == "photo"]


def test_blobs_when_asked_go_back_to_the_engine_as_files(db: Db, tmp_path: Path) -> None:
    out, _ = read_table(TableReader(), db.item("participants"), str(tmp_path),
                        sample_rows=5, include_blobs=True)
    children = [o for o in out if isinstance(o, Item)]
    assert len(children) == 5
    child = children[0]
    assert child.location.startswith(db.location("participants") + "!photo@id=")
    with child.open() as fh:
        assert SECRET_PHOTO_EMAIL.encode() in fh.read()


def test_unicode_text_and_nulls(db: Db, tmp_path: Path) -> None:
    out, counts = read_table(TableReader(), db.item("participants"), str(tmp_path), full=True)
    segs = segments(out)
    assert {s.text for s in segs if s.pointer.column == "prenom"} >= {"Nguyễn Thị", "Zoë", "Aïcha"}
    assert {s.text for s in segs if s.pointer.column == "nom"} >= {"Côté", "O'Brien"}
    null_keys = {f"id={i}" for i in range(7, PARTICIPANTS + 1, 7)}
    assert not [s for s in segs if s.pointer.column == "nas" and s.pointer.key in null_keys]
    assert counts[columns.sampled_key(db.location("participants"), db.label("participants"),
                                      "nas")] == NAS_ROWS
    assert not [s for s in segs if s.pointer.column == "id"]  # a surrogate key is not scanned


def test_column_patterns(db: Db, tmp_path: Path) -> None:
    out, _ = read_table(TableReader(), db.item("participants"), str(tmp_path), sample_rows=20,
                        exclude_columns=("nas", "*.notes"))
    assert {s.pointer.column for s in segments(out)} == {"prenom", "nom", "courriel", "date_naissance"}
    out, _ = read_table(TableReader(), db.item("participants"), str(tmp_path), sample_rows=20,
                        columns=("courriel",))
    segs = segments(out)
    assert {s.pointer.column for s in segs} == {"courriel"}
    assert all(s.pointer.key and s.pointer.key.startswith("id=") for s in segs)


def test_column_fields_carry_context_words(db: Db, tmp_path: Path) -> None:
    out, _ = read_table(TableReader(), db.item("donors"), str(tmp_path), sample_rows=3)
    fields = {s.pointer.column: s.field for s in segments(out)}
    assert fields["carte"] == "carte (card number / numéro de carte)"
    assert fields["adresse_courriel"] == "adresse_courriel (email / courriel)"
    assert fields["montant"] == "montant"


def test_column_rollup(db: Db, full_scan: list[Any]) -> None:
    table = db.label("participants")
    rollup = {(s.column, s.entity_type): s for s in column_rollup(findings(full_scan), full_scan[-1])
              if s.location == db.location("participants")}
    nas = rollup["nas", EntityType.CA_SIN]
    assert (nas.table, nas.sampled, nas.matched, nas.ratio, nas.name_hint) == \
        (table, NAS_ROWS, NAS_ROWS, 1.0, EntityType.CA_SIN)
    assert nas.confidence == 1.0
    email = rollup["courriel", EntityType.EMAIL_ADDRESS]
    assert (email.sampled, email.matched) == (EMAIL_ROWS, EMAIL_ROWS)
    notes = rollup["notes", EntityType.CA_SIN]
    assert notes.matched == 1 and notes.ratio < 0.01 and notes.name_hint is None


# -- sampling and full reads ------------------------------------------------------

@pytest.mark.parametrize("table, rows, n", [("events", EVENTS, 100), ("participants", PARTICIPANTS, 50)])
def test_sampling_is_spread_over_the_table(db: Db, tmp_path: Path, table: str, rows: int,
                                           n: int) -> None:
    item = db.item(table)
    column = "note" if table == "events" else "prenom"
    out, counts = read_table(TableReader(), item, str(tmp_path), sample_rows=n)
    keys = [int(s.pointer.key.split("=")[1]) for s in segments(out) if s.pointer.column == column]
    assert 0.8 * n <= len(keys) <= n and len(set(keys)) == len(keys)
    quarters = {4 * (k - 1) // rows for k in keys}
    assert quarters == {0, 1, 2, 3}, "the sample must come from the whole table, not its start"
    assert sorted(keys) != list(range(1, len(keys) + 1))
    assert counts["db_rows"] == len(keys)
    assert counts[columns.sampled_key(item.location, db.label(table), column)] == len(keys)


def test_two_samples_differ(db: Db, tmp_path: Path) -> None:
    def sample() -> set[str]:
        out, _ = read_table(TableReader(), db.item("events"), str(tmp_path), sample_rows=50)
        return {s.pointer.key for s in segments(out)}
    assert sample() != sample()


def test_full_reads_every_row(db: Db, tmp_path: Path) -> None:
    out, counts = read_table(TableReader(), db.item("events"), str(tmp_path), full=True)
    keys = {s.pointer.key for s in segments(out)}
    assert len(keys) == EVENTS and counts["db_rows"] == EVENTS


def test_a_composite_key_is_shown_whole_and_paged_through(db: Db, tmp_path: Path) -> None:
    out, counts = read_table(TableReader(), db.item("memberships"), str(tmp_path), full=True)
    keys = [s.pointer.key for s in segments(out)]
    assert counts["db_rows"] == MEMBERSHIPS and len(set(keys)) == MEMBERSHIPS
    assert "org_id=1,member_id=1" in keys and "org_id=0,member_id=12000" in keys


def test_views_are_read(db: Db, tmp_path: Path) -> None:
    item = db.item("participant_emails", include_views=True)
    out, counts = read_table(TableReader(), item, str(tmp_path), sample_rows=10)
    segs = segments(out)
    assert counts["db_rows"] == 10
    assert segs and all(s.pointer.key is None and s.pointer.row for s in segs)


# -- safety ------------------------------------------------------------------------

def test_sessions_refuse_writes(db: Db) -> None:
    engine = make_engine(normalize_url(db.url))
    try:
        with read_only(engine, 5) as conn:
            if db.kind == "postgres":
                assert conn.execute(sa.text("SHOW transaction_read_only")).scalar() == "on"
            else:
                assert conn.execute(sa.text("SELECT @@tx_read_only")).scalar() == 1
            with pytest.raises(sa.exc.DBAPIError) as err:
                conn.execute(sa.text("INSERT INTO secret_notes VALUES (2, 'x@example.org')"))
            assert "read-only" in str(err.value).lower() or "read only" in str(err.value).lower()
    finally:
        engine.dispose()


def test_a_slow_table_times_out_and_the_scan_goes_on(db: Db) -> None:
    items = db.items(include_views=True, tables=("*slow_view", "*participant_emails"))
    events = scan(registry("dbtable"), items, statement_timeout_s=1, include_views=True)
    errs = errors(events)
    assert [(e.location, e.reason) for e in errs] == [(db.location("slow_view"), "timeout")]
    assert [f for f in findings(events) if f.location == db.location("participant_emails")]


@pytest.fixture(scope="module")
def scanner_login(db: Db) -> Iterator[str]:
    """A login with a password that may read `participants` and only the key of `secret_notes`."""
    user = f"piiscan_{secrets.token_hex(3)}"
    if db.kind == "postgres":
        with pg_connect(db.url) as con:
            con.execute(f"CREATE ROLE {user} LOGIN PASSWORD '{PASSWORD}'")
            con.execute(f"GRANT SELECT ON participants TO {user}")
        try:
            yield db.with_login(user, PASSWORD)
        finally:
            with pg_connect(db.url) as con:
                con.execute(f"DROP OWNED BY {user}")
                con.execute(f"DROP ROLE {user}")
        return
    con = maria_admin(db.schema)
    with con, con.cursor() as cur:
        for host in ("localhost", "127.0.0.1", "%"):
            cur.execute(f"CREATE USER '{user}'@'{host}' IDENTIFIED BY '{PASSWORD}'")
            cur.execute(f"GRANT SELECT ON `{db.schema}`.participants TO '{user}'@'{host}'")
            cur.execute(f"GRANT SELECT (id) ON `{db.schema}`.secret_notes TO '{user}'@'{host}'")
        try:
            yield db.with_login(user, PASSWORD)
        finally:
            for host in ("localhost", "127.0.0.1", "%"):
                cur.execute(f"DROP USER IF EXISTS '{user}'@'{host}'")


def test_a_table_we_may_not_read_is_an_error_and_the_scan_goes_on(db: Db, scanner_login: str) -> None:
    items = list(DatabaseSource().items(scanner_login, ScanOptions(
        tables=(db.label("participants"), "*secret_notes"))))
    events = scan(registry("dbtable"), items, sample_rows=20)
    denied = [e for e in errors(events) if e.reason == "permission denied"]
    assert [e.location for e in denied] == [db.location("secret_notes")]
    assert [f for f in findings(events) if f.location == db.location("participants")]


def test_the_password_appears_nowhere(db: Db, scanner_login: str) -> None:
    items = list(DatabaseSource().items(scanner_login, ScanOptions(
        tables=(db.label("participants"), "*secret_notes"))))
    events = scan(registry("dbtable"), items, sample_rows=20)
    shown = [repr(i) for i in items] + [json.dumps(e.as_dict()) for e in events if hasattr(e, "as_dict")]
    shown += [repr(e) for e in events]
    assert not [s for s in shown if PASSWORD in s]
    assert all(i.location.startswith(db.base + "#") for i in items if isinstance(i, Item))


def test_a_wrong_password_is_a_source_error_naming_neither_password(db: Db, scanner_login: str) -> None:
    if db.kind == "postgres":
        pytest.skip("the local PostgreSQL trusts 127.0.0.1: every password is accepted")
    wrong = scanner_login.replace(PASSWORD, "Wr0ng-pw")
    with pytest.raises(SourceError) as err:
        list(DatabaseSource().items(wrong, ScanOptions()))
    message = str(err.value)
    assert message.startswith("could not connect to mysql://piiscan_")
    assert ":***@127.0.0.1:3306/" in message and "Access denied" in message
    assert PASSWORD not in message and "Wr0ng-pw" not in message


def test_mysql_pwd_is_honoured_and_never_shown(db: Db, scanner_login: str,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    if db.kind == "postgres":
        pytest.skip("PostgreSQL takes PGPASSWORD through libpq; trust auth here cannot tell")
    monkeypatch.setenv("MYSQL_PWD", PASSWORD)
    url = scanner_login.replace(f":{PASSWORD}@", "@")
    items = list(DatabaseSource().items(url, ScanOptions(tables=(db.label("participants"),))))
    assert [i.location for i in items] == [db.location("participants")]
    assert PASSWORD not in repr(items)


@pytest.mark.postgres
def test_odd_postgres_types_are_read_as_text(tmp_path: Path) -> None:
    with pg_database() as url:
        with pg_connect(url) as con:
            con.execute("""
                CREATE TYPE mood AS ENUM ('calme', 'inquiet');
                CREATE TABLE odd (id serial PRIMARY KEY, m mood, r int4range, i interval,
                    p point, x xml, u uuid, n inet, t tsvector, a text[], j jsonb, c money,
                    d numeric(12, 2), ts timestamptz, b boolean);
                INSERT INTO odd (m, r, i, p, x, u, n, t, a, j, c, d, ts, b) VALUES
                    ('inquiet', '[1,10)', '3 days', '(1,2)', '<nas>130 692 544</nas>',
                     'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '10.1.2.3', 'courriel nas',
                     ARRAY['zoe@example.org', 'lan@example.org'], '{"courriel": "j@example.org"}',
                     12.5, 1234.5, '2024-05-01 10:00+00', true);
            """)
        (item,) = DatabaseSource().items(url, ScanOptions())
        out, _ = read_table(TableReader(), item, str(tmp_path))
    texts = {s.pointer.column: s.text for s in segments(out)}
    assert texts["m"] == "inquiet" and texts["x"] == "<nas>130 692 544</nas>"
    assert "zoe@example.org" in texts["a"] and "j@example.org" in texts["j"]
    assert texts["d"] == "1234.50" and texts["ts"].startswith("2024-05-01 10:00:00")
    assert "b" not in texts  # a boolean holds nothing personal


# -- SQLite by URL ---------------------------------------------------------------------

def test_a_sqlite_url_is_scanned_read_only(tmp_path: Path) -> None:
    import sqlite3
    path = tmp_path / "crm.db"
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE participants (id INTEGER PRIMARY KEY, nas TEXT, courriel TEXT)")
        con.executemany("INSERT INTO participants VALUES (?, ?, ?)",
                        [(i, make_sin(i), f"p{i}@example.org") for i in range(1, 31)])
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    url = f"sqlite:///{path}"
    items = list(DatabaseSource().items(url, ScanOptions()))
    assert [i.location for i in items] == [f"sqlite:///{path}#main.participants"]
    events = scan(registry("dbtable"), items)
    sins = [f for f in findings(events) if f.entity_type is EntityType.CA_SIN]
    assert len(sins) == 30 and sins[0].pointer.table == "main.participants"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["crm.db"]  # no journal left behind
    engine = make_engine(url)
    with read_only(engine, 5) as conn, pytest.raises(sa.exc.OperationalError):
        conn.execute(sa.text("DELETE FROM participants"))
    engine.dispose()


def test_a_missing_sqlite_file_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="could not connect to sqlite:///"):
        list(DatabaseSource().items(f"sqlite:///{tmp_path}/missing.db", ScanOptions()))


# -- a million rows ------------------------------------------------------------------

BIG_ROWS = 1_000_000
MEMORY_LIMIT_MB = 200

_FULL_READ = """
import json, resource, sys
from piiscan.engine import ReadContext, ScanOptions
from piiscan.sources.database import DatabaseSource, TableReader
url, tmp = sys.argv[1:]
(item,) = DatabaseSource().items(url, ScanOptions(tables=("*.big",)))
ctx = ReadContext(ScanOptions(full=True), tmp)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
segments = sum(1 for _ in TableReader().read(item, ctx))
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"segments": segments, "rows": ctx.counters["db_rows"],
                  "grew_mb": (after - before) / 1024}))
"""


@pytest.fixture(scope="module")
def big_table(db: Db) -> str:
    """`big`: 1M rows of three 64-character texts (~200 MB as Python objects)."""
    if db.kind == "postgres":
        with pg_connect(db.url) as con:
            con.execute("CREATE TABLE big (id integer PRIMARY KEY, a text, b text, c text)")
            con.execute(f"INSERT INTO big SELECT g, md5(g::text) || md5((g + 1)::text), "
                        f"md5((g + 2)::text) || md5((g + 3)::text), md5((g + 4)::text) || "
                        f"md5((g + 5)::text) FROM generate_series(1, {BIG_ROWS}) g")
            con.execute("ANALYZE big")
    else:
        con = maria_admin(db.schema)
        with con, con.cursor() as cur:
            cur.execute("CREATE TABLE big (id INT PRIMARY KEY, a CHAR(64), b CHAR(64), c CHAR(64))")
            cur.execute(f"INSERT INTO big SELECT seq, CONCAT(MD5(seq), MD5(seq + 1)), "
                        f"CONCAT(MD5(seq + 2), MD5(seq + 3)), CONCAT(MD5(seq + 4), MD5(seq + 5)) "
                        f"FROM seq_1_to_{BIG_ROWS}")
            cur.execute("ANALYZE TABLE big")
            cur.fetchall()
    return "big"


@pytest.mark.slow
def test_full_read_of_a_million_rows_in_bounded_memory(db: Db, big_table: str, tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-c", _FULL_READ, db.url, str(tmp_path)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert got["rows"] == BIG_ROWS and got["segments"] == 3 * BIG_ROWS
    assert got["grew_mb"] < MEMORY_LIMIT_MB, f"memory grew by {got['grew_mb']:.0f} MB"


@pytest.mark.slow
def test_a_sample_of_a_million_rows_is_spread(db: Db, big_table: str, tmp_path: Path) -> None:
    out, counts = read_table(TableReader(), db.item(big_table), str(tmp_path), sample_rows=1000)
    keys = {int(s.pointer.key.split("=")[1]) for s in segments(out)}
    assert 800 <= len(keys) <= 1000 and counts["db_rows"] == len(keys)
    assert {10 * (k - 1) // BIG_ROWS for k in keys} == set(range(10))
