"""Throwaway PostgreSQL and MariaDB databases, and the synthetic rows the tests seed.

Each test module gets its own database (`piiscan_test_<random>`), dropped at
the end. Without a server the tests skip with the command that starts it;
under CI (`CI` set) they fail instead, since CI must run them.

Every value is invented: SINs and cards carry valid check digits but belong
to nobody; names are generated from short lists.
"""

from __future__ import annotations

import os
import re
import secrets
from contextlib import contextmanager
from typing import Any, Iterator

import pytest

from piiscan.checks import luhn_ok
from piiscan.detectors.base import RegexDetector
from piiscan.engine import ReadContext, Scanner, ScanOptions
from piiscan.model import EntityType, Finding, Item, ScanError, Segment
from piiscan.redact import Redactor
from piiscan.registry import Registry

PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=3"
PG_START = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
MARIA_START = "start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd"

FIRST = ["Nguyễn Thị", "Zoë", "Marie", "Émile", "Ahmad", "Siobhán", "François", "Aïcha"]
LAST = ["Lan", "Côté", "Tremblay", "Bérubé", "Al-Khatib", "O'Brien", "Gagnon", "Diallo"]
PARTICIPANTS = 300
DONORS = 50
EVENTS = 60_000  # enough rows and pages that both servers sample it as a large table
MEMBERSHIPS = 12_000  # a composite key, read in several keyset pages on MariaDB
LONG_NOTE_ID = 5
SECRET_PHOTO_EMAIL = "photo.owner@example.org"


def check_digit(body: str) -> str:
    return next(d for d in "0123456789" if luhn_ok(body + d))


def make_sin(i: int) -> str:
    """A Luhn-valid SIN starting with 1–7 (never 0, 8 or 9), unique per i."""
    body = f"{1 + i % 7}{(1_234_567 + i * 7_919) % 10_000_000:07d}"
    return body + check_digit(body)


def make_card(i: int) -> str:
    body = f"4{(123_456_789_012_34 + i * 97) % 10**14:014d}"
    return body + check_digit(body)


def participant(i: int) -> dict[str, Any]:
    """Row i of the participants table; NULLs and Unicode on purpose."""
    note = f"Suivi du dossier {i}."
    if i == LONG_NOTE_ID:
        # A long note: the SIN sits past the first segment's end.
        note = ("Notes de suivi. " * 2_800)[:45_000] + f" NAS du conjoint : {fmt_sin(make_sin(9_999))}. " \
            + "Fin. " * 3_000
    return {
        "id": i,
        "prenom": FIRST[i % len(FIRST)],
        "nom": LAST[i % len(LAST)],
        "nas": None if i % 7 == 0 else make_sin(i),
        "courriel": None if i % 11 == 0 else f"participant{i}@example.org",
        "date_naissance": f"19{60 + i % 40}-0{1 + i % 9}-1{i % 9}",
        "notes": note,
        "photo": f"JPEG\x00 owner {SECRET_PHOTO_EMAIL}".encode(),
    }


def fmt_sin(sin: str) -> str:
    return f"{sin[:3]} {sin[3:6]} {sin[6:]}"


def donor(i: int) -> dict[str, Any]:
    return {"nom_complet": f"{FIRST[i % 8]} {LAST[(i + 3) % 8]}",
            "adresse_courriel": f"donateur{i}@example.org",
            "carte": make_card(i), "montant": 25 + i}


def _unavailable(what: str, how: str, exc: BaseException) -> None:
    msg = (f"{what} is not reachable on 127.0.0.1 ({type(exc).__name__}); "
           f"start it with: {how}   (or run .ci/run, which starts it)")
    if os.environ.get("CI"):
        pytest.fail(msg, pytrace=False)
    pytest.skip(msg)


# -- PostgreSQL ---------------------------------------------------------------

@contextmanager
def pg_database() -> Iterator[str]:
    """A fresh database; yields its URL (trust auth, user postgres)."""
    import psycopg
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True)
    except psycopg.OperationalError as exc:
        _unavailable("PostgreSQL", PG_START, exc)
    name = f"piiscan_test_{secrets.token_hex(4)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def pg_connect(url: str) -> Any:
    import psycopg
    dbname = url.rsplit("/", 1)[1]
    return psycopg.connect(f"host=127.0.0.1 port=5432 user=postgres dbname={dbname}",
                           autocommit=True)


def seed_postgres(url: str) -> None:
    with pg_connect(url) as con:
        con.execute("""
            CREATE TABLE participants (
                id integer PRIMARY KEY, prenom text, nom text, nas text, courriel text,
                date_naissance date, notes text, photo bytea);
            CREATE TABLE donors (nom_complet text, adresse_courriel text, carte text, montant int);
            CREATE TABLE sin_keyed (nas text PRIMARY KEY, nom text);
            CREATE TABLE events (id integer PRIMARY KEY, note text);
            CREATE TABLE secret_notes (id integer PRIMARY KEY, courriel text);
            CREATE VIEW participant_emails AS SELECT id, courriel FROM participants;
            CREATE VIEW slow_view AS SELECT pg_sleep(3)::text AS courriel;
            CREATE SCHEMA archive;
            CREATE TABLE archive.old_participants (id integer PRIMARY KEY, courriel text);
        """)
        with con.cursor() as cur:
            cols = list(participant(1))
            cur.executemany(
                f"INSERT INTO participants ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))})",
                [tuple(participant(i).values()) for i in range(1, PARTICIPANTS + 1)])
            cur.executemany("INSERT INTO donors VALUES (%s, %s, %s, %s)",
                            [tuple(donor(i).values()) for i in range(1, DONORS + 1)])
            cur.executemany("INSERT INTO sin_keyed VALUES (%s, %s)",
                            [(make_sin(1000 + i), LAST[i % 8]) for i in range(20)])
        con.execute(f"INSERT INTO events SELECT g, 'event ' || g FROM generate_series(1, {EVENTS}) g")
        con.execute("CREATE TABLE memberships (org_id int, member_id int, courriel text, "
                    "PRIMARY KEY (org_id, member_id))")
        con.execute(f"INSERT INTO memberships SELECT g % 3, g, 'm' || g || '@example.org' "
                    f"FROM generate_series(1, {MEMBERSHIPS}) g")
        con.execute("INSERT INTO secret_notes VALUES (1, 'hidden@example.org')")
        con.execute("INSERT INTO archive.old_participants VALUES (1, 'old@example.org')")
        con.execute("ANALYZE")


# -- MariaDB ------------------------------------------------------------------

def maria_admin(database: str | None = None) -> Any:
    import pymysql
    return pymysql.connect(host="127.0.0.1", port=3306, user="root", password="",
                           database=database, autocommit=True, charset="utf8mb4",
                           connect_timeout=3)


@contextmanager
def maria_database() -> Iterator[str]:
    import pymysql
    try:
        admin = maria_admin()
    except pymysql.err.OperationalError as exc:
        _unavailable("MariaDB", MARIA_START, exc)
    name = f"piiscan_test_{secrets.token_hex(4)}"
    with admin.cursor() as cur:
        cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    try:
        yield f"mysql://root@127.0.0.1:3306/{name}"
    finally:
        with admin.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        admin.close()


def seed_mariadb(url: str) -> None:
    con = maria_admin(url.rsplit("/", 1)[1])
    with con, con.cursor() as cur:
        for ddl in (
            "CREATE TABLE participants (id INT PRIMARY KEY, prenom VARCHAR(80), nom VARCHAR(80),"
            " nas VARCHAR(11), courriel VARCHAR(120), date_naissance DATE, notes LONGTEXT,"
            " photo BLOB)",
            "CREATE TABLE donors (nom_complet VARCHAR(120), adresse_courriel VARCHAR(120),"
            " carte VARCHAR(19), montant INT)",
            "CREATE TABLE sin_keyed (nas VARCHAR(11) PRIMARY KEY, nom VARCHAR(80))",
            "CREATE TABLE events (id INT PRIMARY KEY, note VARCHAR(40))",
            "CREATE TABLE secret_notes (id INT PRIMARY KEY, courriel VARCHAR(120))",
            "CREATE VIEW participant_emails AS SELECT id, courriel FROM participants",
            "CREATE VIEW slow_view AS SELECT CAST(SLEEP(3) AS CHAR) AS courriel",
        ):
            cur.execute(ddl)
        cols = list(participant(1))
        cur.executemany(
            f"INSERT INTO participants ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))})",
            [tuple(participant(i).values()) for i in range(1, PARTICIPANTS + 1)])
        cur.executemany("INSERT INTO donors VALUES (%s, %s, %s, %s)",
                        [tuple(donor(i).values()) for i in range(1, DONORS + 1)])
        cur.executemany("INSERT INTO sin_keyed VALUES (%s, %s)",
                        [(make_sin(1000 + i), LAST[i % 8]) for i in range(20)])
        cur.execute("SET SESSION max_recursive_iterations = 10000000")  # the default is 1000 here
        cur.execute(f"INSERT INTO events WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL "
                    f"SELECT n + 1 FROM seq WHERE n < {EVENTS}) SELECT n, CONCAT('event ', n) FROM seq")
        cur.execute("CREATE TABLE memberships (org_id INT, member_id INT, courriel VARCHAR(60), "
                    "PRIMARY KEY (org_id, member_id))")
        cur.execute(f"INSERT INTO memberships WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL "
                    f"SELECT n + 1 FROM seq WHERE n < {MEMBERSHIPS}) "
                    f"SELECT n % 3, n, CONCAT('m', n, '@example.org') FROM seq")
        cur.execute("INSERT INTO secret_notes VALUES (1, 'hidden@example.org')")
        cur.execute("ANALYZE TABLE participants, donors, sin_keyed, events, secret_notes")
        cur.fetchall()


# -- scanning -----------------------------------------------------------------

class _TinySin(RegexDetector):
    """Stand-in while the real ca_sin detector is missing: 9 digits, Luhn."""
    name = "ca_sin"
    entity = EntityType.CA_SIN
    pattern = re.compile(r"(?<!\d)\d{3}[ -]?\d{3}[ -]?\d{3}(?!\d)")

    def validate(self, value: str) -> bool:
        return luhn_ok(re.sub(r"\D", "", value))


class _TinyEmail(RegexDetector):
    name = "email"
    entity = EntityType.EMAIL_ADDRESS
    pattern = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def registry(*readers: str) -> Registry:
    """The named readers plus the SIN, email and card detectors (real ones when installed)."""
    reg = Registry.from_entry_points(only=[*readers, "ca_sin", "email", "credit_card"])
    for fallback in (_TinySin, _TinyEmail):
        if fallback.name not in reg.detectors:
            reg.add_detector(fallback())
    return reg


def scan(reg: Registry, items: list[Item | ScanError], **options: Any) -> list[Any]:
    with Scanner(reg, Redactor(b"k" * 32), ScanOptions(**options)) as sc:
        events = list(sc.scan_items(items))
        events.append(dict(sc.ctx.counters))  # the run's counters, last
    return events


def findings(events: list[Any]) -> list[Finding]:
    return [e for e in events if isinstance(e, Finding)]


def errors(events: list[Any]) -> list[ScanError]:
    return [e for e in events if isinstance(e, ScanError)]


def read_table(reader: Any, item: Item, tmp: str, **options: Any) -> tuple[list[Any], dict[str, int]]:
    """A reader's raw output for one item, and what it counted."""
    ctx = ReadContext(ScanOptions(**options), tmp)
    out = list(reader.read(item, ctx))
    return out, ctx.counters


def segments(out: list[Any]) -> list[Segment]:
    return [o for o in out if isinstance(o, Segment)]
