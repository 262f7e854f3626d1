"""Databases reached by a SQLAlchemy URL: one item per table, read safely.

`DatabaseSource` turns `postgresql://scanner@db/crm` into one `Item` per
table; `TableReader` reads a table into one `Segment` per non-null cell.
Both only ever run SELECTs, inside read-only transactions with a statement
timeout, so a scan can be pointed at a production database.

By default a table is *sampled* (`sample_rows` rows spread over it, not the
first N); `--full` streams every row in bounded memory. How each database is
sampled:

- PostgreSQL: a small table (no more pages than rows wanted) is read with
  `ORDER BY random() LIMIT n`; a larger one with `TABLESAMPLE SYSTEM` at
  the percentage that visits about n pages, then `ORDER BY random() LIMIT n`
  over those, so the sample comes from ~n places spread over the table at
  the cost of reading ~n pages.
- MySQL/MariaDB: a small table (≤ 50,000 rows by the catalog's estimate)
  with `ORDER BY RAND() LIMIT n`; a larger one with an integer primary key
  by reading short primary-key ranges at random starts in 100 equal strata
  of the key range (index range scans only); a larger one without such a
  key with `WHERE RAND() < n/rows` (one pass, no sort).
- SQLite: the same as MySQL, with the rowid as the key.
- Other databases (SQL Server, Oracle…): the first n rows.
- Views: the first n rows (a view cannot be sampled without reading it).

Credentials come from the URL, the environment (PGPASSWORD, PGPASSFILE and
.pgpass through libpq; MYSQL_PWD for MySQL) and never leave memory: item
locations carry the URL without user or password, and `TableRef`'s repr
hides the password.
"""

from __future__ import annotations

import fnmatch
import io
import json
import math
import os
import random
import re
import sqlite3
import time
import warnings
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping, Sequence
from urllib.parse import quote

from .. import sniff
from ..lazyimport import lazy_module
from ..model import EntityType, Finding, Item, ItemError, Pointer, ScanError, Segment, UnsupportedError
from . import columns

if TYPE_CHECKING:
    from sqlalchemy.engine import URL, Connection, Engine

# imported when a database is first read: every run lists this source, few use it
sa = lazy_module("sqlalchemy")

SMALL_TABLE_ROWS = 50_000  # below this, a random sort of the whole table is cheap
STRATA = 100  # primary-key ranges a large table is sampled from
FETCH_ROWS = 1_000  # rows per fetch from a server-side cursor
PAGE_ROWS = 5_000  # rows per keyset page (MySQL full reads)
CONNECT_TIMEOUT_S = 10

_DRIVERS = {"postgresql": "postgresql+psycopg", "postgres": "postgresql+psycopg",
            "mysql": "mysql+pymysql", "mariadb": "mariadb+pymysql"}
_SYSTEM_SCHEMAS = {
    "postgresql": {"information_schema", "pg_catalog", "pg_toast"},
    "mysql": {"information_schema", "mysql", "performance_schema", "sys"},
    "mariadb": {"information_schema", "mysql", "performance_schema", "sys"},
}
_SECRET_QUERY = re.compile(r"pass|pwd|secret|token|key|credential", re.I)


class SourceError(Exception):
    """The database as a whole cannot be read (unreachable, bad login): exit code 3.

    The message names the URL without its password and never holds one.
    """


# -- URLs ---------------------------------------------------------------------

def normalize_url(target: str) -> URL:
    """The URL with an installed driver: `postgresql://` → psycopg 3, `mysql://` → PyMySQL."""
    url = sa.engine.make_url(target)
    if url.drivername in _DRIVERS:
        url = url.set(drivername=_DRIVERS[url.drivername])
    if url.get_backend_name() in ("mysql", "mariadb") and url.password is None \
            and os.environ.get("MYSQL_PWD"):
        url = url.set(password=os.environ["MYSQL_PWD"])  # what the mysql client honours
    return url


def _public_query(url: URL) -> dict[str, Any]:
    return {k: v for k, v in url.query.items() if not _SECRET_QUERY.search(k)}


def display_url(url: URL) -> str:
    """The URL as it may appear in a message: user kept, password and secrets hidden."""
    return url.set(query=_public_query(url)).render_as_string(hide_password=True)


def location_base(url: URL) -> str:
    """The URL part of a table's location: no user, no password, no driver.

    Without the user or driver, the same table has the same location
    whoever scans it and however the password was given, so runs compare.
    """
    bare = sa.engine.URL.create(url.get_backend_name(), host=url.host, port=url.port,
                                database=url.database, query=_public_query(url))
    return bare.render_as_string(hide_password=True)


def _safe_reason(exc: BaseException, url: URL | None = None, *, values: bool = False) -> str:
    """The driver's own message, first lines only, without the password.

    With `values`, quoted parts go too: a message about a query can quote
    the value that failed (`invalid input syntax for type integer: "…"`).
    """
    orig = getattr(exc, "orig", None) or exc
    args = getattr(orig, "args", ())
    if len(args) >= 2 and isinstance(args[0], int) and isinstance(args[1], str):
        text = args[1]  # PyMySQL: (errno, message)
    else:
        text = str(orig)
    text = " ".join(line.strip() for line in text.splitlines()[:2] if line.strip())
    if url is not None:
        secrets = [str(url.password or "")] + [str(v) for k, v in url.query.items()
                                               if _SECRET_QUERY.search(k)]
        for secret in secrets:
            if len(secret) >= 3:
                text = text.replace(secret, "***")
    if values:
        text = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", text)
    return (text or type(orig).__name__)[:300]


# -- what a table is ----------------------------------------------------------

@dataclass(frozen=True, slots=True)
class TableRef:
    """A table to read: picklable, and its repr never shows the password."""

    url: str = dc_field(repr=False)  # with credentials: in memory only, never displayed
    schema: str | None
    table: str
    label: str  # "schema.table", or the bare table name inside a SQLite file
    view: bool = False
    sqlite_file: str | None = None  # a SQLite file found on a share, opened immutable

    def __repr__(self) -> str:
        where = self.sqlite_file or display_url(sa.engine.make_url(self.url))
        return f"TableRef({where!r}, {self.label!r}{', view' if self.view else ''})"


def make_engine(url: URL | str, sqlite_file: str | None = None, *, pooled: bool = False) -> Engine:
    """An engine that can only read: SQLite files open read-only, errors hide parameters."""
    url = sa.engine.make_url(url) if isinstance(url, str) else url
    if sqlite_file is not None or (url.get_backend_name() == "sqlite" and url.database
                                   and url.database != ":memory:"):
        path = os.path.abspath(sqlite_file or str(url.database))
        # immutable: a copy on a share is not being written, and the flag keeps
        # SQLite from creating -wal/-shm/-journal files next to it.
        uri = f"file:{quote(path)}?mode=ro" + ("&immutable=1" if sqlite_file else "")
        return sa.create_engine("sqlite://", poolclass=sa.pool.NullPool, hide_parameters=True,
                                creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False))
    backend = url.get_backend_name()
    args: dict[str, Any] = {}
    if backend == "postgresql" and "connect_timeout" not in url.query:
        args = {"connect_timeout": CONNECT_TIMEOUT_S, "application_name": "piiscan"}
    elif backend in ("mysql", "mariadb") and "connect_timeout" not in url.query:
        args = {"connect_timeout": CONNECT_TIMEOUT_S}
    pool: dict[str, Any] = {"pool_size": 2, "max_overflow": 2, "pool_pre_ping": True} if pooled \
        else {"poolclass": sa.pool.NullPool}
    return sa.create_engine(url, hide_parameters=True, connect_args=args, **pool)


@contextmanager
def read_only(engine: Engine, timeout_s: float) -> Iterator[Connection]:
    """A connection whose transaction refuses writes and whose statements time out.

    The session is made read-only (not just the transaction) and committed
    once, so every later transaction on it is read-only too; the work is
    always rolled back. Databases with no read-only mode (SQL Server) rely
    on piiscan issuing SELECTs only: give the scanner a read-only account.
    """
    ms = max(1, int(timeout_s * 1000))
    with engine.connect() as conn:
        name = conn.dialect.name
        if name == "postgresql":
            conn.execute(sa.text("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY"))
            conn.execute(sa.text(f"SET statement_timeout = {ms}"))
            # Wait no longer than that behind a migration's exclusive lock.
            conn.execute(sa.text(f"SET lock_timeout = {ms}"))
            conn.commit()
        elif name in ("mysql", "mariadb"):
            conn.execute(sa.text("SET SESSION TRANSACTION READ ONLY"))
            if getattr(conn.dialect, "is_mariadb", False):
                conn.execute(sa.text(f"SET SESSION max_statement_time = {ms / 1000:.3f}"))
            else:
                conn.execute(sa.text(f"SET SESSION max_execution_time = {ms}"))
            conn.execute(sa.text(f"SET SESSION lock_wait_timeout = {max(1, ms // 1000)}"))
            conn.commit()
        elif name == "sqlite":
            conn.execute(sa.text("PRAGMA query_only = ON"))
            _SqliteWatchdog(conn, timeout_s).arm()
        elif name == "oracle":
            conn.execute(sa.text("SET TRANSACTION READ ONLY"))
        try:
            yield conn
        finally:
            conn.rollback()


class _SqliteWatchdog:
    """SQLite has no statement timeout: a progress handler aborts past a deadline."""

    def __init__(self, conn: Connection, timeout_s: float):
        self.timeout_s = timeout_s
        self.deadline = 0.0
        raw = conn.connection.dbapi_connection
        raw.set_progress_handler(self._tick, 10_000)  # type: ignore[union-attr]
        conn.info["piiscan_watchdog"] = self

    def _tick(self) -> int:
        return 1 if time.monotonic() > self.deadline else 0

    def arm(self) -> None:
        self.deadline = time.monotonic() + self.timeout_s


def _rearm(conn: Connection) -> None:
    """Restart the SQLite statement clock (between fetches of a long streamed read)."""
    dog = conn.info.get("piiscan_watchdog")
    if dog is not None:
        dog.arm()


def matches_any(patterns: Sequence[str], *names: str) -> bool:
    """Whether a glob matches any of the names (`public.donors`, `donors`), ignoring case."""
    return any(fnmatch.fnmatchcase(n.lower(), p.lower()) for p in patterns for n in names)


# -- the source ---------------------------------------------------------------

class DatabaseSource:
    """Yields one item per table (and view, if asked) of the database at a URL."""

    name = "database"

    def accepts(self, target: str) -> bool:
        if "://" not in target:
            return False
        try:
            url = normalize_url(target)
            url.get_dialect().import_dbapi()  # the driver must be installed
        except Exception:
            return False
        return True

    def items(self, target: str, options: Any) -> Iterator[Item | ScanError]:
        url = normalize_url(target)
        base = location_base(url)
        refs, errors = self._discover(url, options, shown=display_url(sa.engine.make_url(target)))
        yield from errors
        for ref in refs:
            yield Item(location=f"{base}#{ref.label}", name=ref.label, open=None,
                       media_type=sniff.DB_TABLE, payload=ref)

    def _discover(self, url: URL, options: Any, shown: str) -> tuple[list[TableRef], list[ScanError]]:
        """All tables to scan, found before any is read (no connection held meanwhile)."""
        engine = make_engine(url)
        refs: list[TableRef] = []
        errors: list[ScanError] = []
        base = location_base(url)
        secret = url.render_as_string(hide_password=False)
        stage = "connect to"
        try:
            with read_only(engine, options.statement_timeout_s) as conn:
                stage = "list the tables of"
                insp = sa.inspect(conn)
                backend = conn.dialect.name
                for schema in self._schemas(insp, url, backend):
                    try:
                        names = self._tables(insp, schema, backend, options.include_views)
                    except sa.exc.SQLAlchemyError as exc:  # one schema we may not see into
                        errors.append(ScanError(f"{base}#{schema}", "database error",
                                                _safe_reason(exc, url, values=True)))
                        conn.rollback()
                        continue
                    for table, view in names:
                        label = f"{schema}.{table}"
                        if options.tables and not matches_any(options.tables, label, table):
                            continue
                        if options.exclude_tables and matches_any(options.exclude_tables, label, table):
                            continue
                        refs.append(TableRef(secret, schema, table, label, view))
        except (sa.exc.SQLAlchemyError, sqlite3.Error) as exc:
            raise SourceError(f"could not {stage} {shown}: "
                              f"{_safe_reason(exc, url)}") from None
        finally:
            engine.dispose()
        return refs, errors

    @staticmethod
    def _tables(insp: Any, schema: str, backend: str, views: bool) -> list[tuple[str, bool]]:
        names = [(t, False) for t in insp.get_table_names(schema=schema)]
        if views:
            names += [(v, True) for v in insp.get_view_names(schema=schema)]
            if backend == "postgresql":
                names += [(v, True) for v in insp.get_materialized_view_names(schema=schema)]
        return sorted(names)

    @staticmethod
    def _schemas(insp: Any, url: URL, backend: str) -> list[str]:
        if backend == "sqlite":
            return [s for s in insp.get_schema_names() if s != "temp"]
        if backend in ("mysql", "mariadb") and url.database:
            return [url.database]  # a MySQL database is a schema; the URL names one
        if backend in _SYSTEM_SCHEMAS:
            system = _SYSTEM_SCHEMAS[backend]
            return [s for s in insp.get_schema_names()
                    if s not in system and not s.startswith(("pg_temp", "pg_toast"))]
        return [insp.default_schema_name]  # SQL Server, Oracle: system schemas abound


# -- the reader ---------------------------------------------------------------

def _is_blob(type_: Any) -> bool:
    if isinstance(type_, (sa.LargeBinary, sa.types._Binary)):
        return True
    return columns._type_family(type_) == "binary"


def _cell_text(value: Any) -> str | None:
    """A cell as the text detectors read; None for what cannot hold personal data."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, (bytes, bytearray, memoryview)):  # text in a column of an odd type
        return bytes(value).decode("utf-8", "replace")
    return str(value)


def _db_error(exc: BaseException, url: str | None) -> ItemError:
    """A table-level failure, as the user sees it: a reason and a safe detail."""
    orig = getattr(exc, "orig", None) or exc
    state = getattr(orig, "sqlstate", None) or getattr(getattr(orig, "diag", None), "sqlstate", None)
    args = getattr(orig, "args", ())
    errno = args[0] if args and isinstance(args[0], int) else None
    text = str(orig).lower()
    if state == "42501" or errno in (1142, 1143, 1044) or "permission denied" in text:
        reason = "permission denied"
    elif state in ("57014", "55P03") or errno in (1969, 3024, 1205) or text == "interrupted":
        reason = "timeout"
    else:
        reason = "database error"
    return ItemError(_safe_reason(exc, sa.engine.make_url(url) if url else None, values=True),
                     reason=reason)


class TableReader:
    """Reads one database table into segments: one per non-null cell, with its key."""

    name = "dbtable"
    media_types = (sniff.DB_TABLE,)

    def __init__(self) -> None:
        self._engines: dict[str, Engine] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {}  # engines hold sockets; a worker process makes its own

    def __setstate__(self, state: Mapping[str, Any]) -> None:
        self._engines = {}

    def _engine(self, ref: TableRef) -> tuple[Engine, bool]:
        """(engine, dispose after use). Server engines are pooled per process."""
        if ref.sqlite_file or sa.engine.make_url(ref.url).get_backend_name() == "sqlite":
            return make_engine(ref.url, ref.sqlite_file), True
        engine = self._engines.get(ref.url)
        if engine is None:
            engine = self._engines[ref.url] = make_engine(ref.url, pooled=True)
        return engine, False

    def read(self, item: Item, ctx: Any) -> Iterator[Segment | Item | ScanError]:
        ref = item.payload
        if not isinstance(ref, TableRef):
            raise UnsupportedError("not a database table")
        engine, dispose = self._engine(ref)
        try:
            yield from TableRead(item, ref, ctx).run(engine)
        except sa.exc.SQLAlchemyError as exc:
            raise _db_error(exc, None if ref.sqlite_file else ref.url) from None
        except sqlite3.Error as exc:
            raise _db_error(exc, None) from None
        finally:
            if dispose:
                engine.dispose()


class TableRead:
    """One read of one table: which columns, which rows, and the segments they make."""

    def __init__(self, item: Item, ref: TableRef, ctx: Any):
        self.item, self.ref, self.ctx, self.options = item, ref, ctx, ctx.options

    def run(self, engine: Engine) -> Iterator[Segment | Item | ScanError]:
        with read_only(engine, self.options.statement_timeout_s) as conn:
            plan = self._plan(sa.inspect(conn))
            if plan is not None:
                yield from self._cells(conn, *plan)

    def _plan(self, insp: Any) -> tuple[Any, list[str], list[str], list[tuple[str, str, bool]],
                                        Mapping[str, Any]] | None:
        """(table clause, primary key, key shown in pointers, columns to scan, types)."""
        ref = self.ref
        with warnings.catch_warnings():
            # "Did not recognize type 'point'": such columns are read as text anyway.
            warnings.simplefilter("ignore", sa.exc.SAWarning)
            cols = insp.get_columns(ref.table, schema=ref.schema)
        pk = [] if ref.view else list(
            insp.get_pk_constraint(ref.table, schema=ref.schema).get("constrained_columns") or [])
        types = {c["name"]: c["type"] for c in cols}
        # A surrogate integer key is in every pointer already; scanning it only
        # makes false positives (a 9-digit id that passes Luhn).
        scan = [n for n in types if self._wanted(n) and not (
            n in pk and _is_integer(types[n]) and not columns.classify(n))]
        blobs = {n for n in scan if _is_blob(types[n])}
        if blobs and not self.options.include_blobs:
            self.ctx.count("blob_columns_skipped", len(blobs))
            scan = [n for n in scan if n not in blobs]
        if not scan:
            return None
        # A key that is itself personal (a SIN as primary key) would put the
        # value in every pointer; such rows are pointed at by number instead.
        keys = pk if pk and not any(columns.classify(k, types.get(k)) for k in pk) else []
        names = list(dict.fromkeys([*pk, *scan]))
        table = sa.table(ref.table, *(sa.column(n) for n in names), schema=ref.schema)
        return table, pk, keys, [(n, columns.field_label(n, types[n]), n in blobs) for n in scan], types

    def _cells(self, conn: Connection, table: Any, pk: list[str], keys: list[str],
               plan: list[tuple[str, str, bool]], types: Mapping[str, Any]) -> Iterator[Segment | Item]:
        """One segment per non-null cell (pieces of a long one); blobs as child items."""
        counts = {n: 0 for n, _, _ in plan}
        location, label = self.item.location, self.ref.label
        rows = 0
        for rows, row in enumerate(self._rows(conn, table, pk, types), 1):
            key = ",".join(f"{k}={_cell_text(row[k])}" for k in keys) if keys else None
            record = f"{label}:{key or rows}"
            for n, field, blob in plan:
                value = row[n]
                if value is None:
                    continue
                counts[n] += 1
                if blob:
                    yield self._blob_child(n, bytes(value), key, rows)
                    continue
                text = value if type(value) is str else _cell_text(value)
                if not text:
                    continue
                if len(text) <= columns.SEGMENT_CHARS:
                    yield Segment(text, location, Pointer(table=label, column=n, key=key,
                                                          row=None if key else rows), field, record)
                    continue
                for offset, repeated, piece in columns.pieces(text):
                    yield Segment(piece, location, Pointer(table=label, column=n, key=key,
                                                           row=None if key else rows, offset=offset),
                                  field, record, overlap=repeated)
            if rows % FETCH_ROWS == 0:
                self.ctx.check_time()
        self.ctx.count("db_rows", rows)
        for n, k in counts.items():
            self.ctx.count(columns.sampled_key(location, label, n), k)

    def _wanted(self, column: str) -> bool:
        names = (column, f"{self.ref.table}.{column}", f"{self.ref.label}.{column}")
        if self.options.columns and not matches_any(self.options.columns, *names):
            return False
        return not (self.options.exclude_columns and matches_any(self.options.exclude_columns, *names))

    def _blob_child(self, column: str, data: bytes, key: str | None, n: int) -> Item:
        """A blob (a scanned passport, a PDF) goes back to the engine as a file."""
        return self.item.child(f"{column}@{key or f'row={n}'}", lambda: io.BytesIO(data),
                               size=len(data))

    # -- which rows ---------------------------------------------------------

    def _rows(self, conn: Connection, table: Any, pk: list[str],
              types: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
        n = self.options.sample_rows
        name = conn.dialect.name
        if self.options.full or n <= 0:
            if name in ("mysql", "mariadb") and pk:
                return self._keyset(conn, table, pk)
            if name in ("mysql", "mariadb"):
                # Streamed without a key: one long statement, bounded by the item's time.
                secs = self.options.item_timeout_s
                conn.execute(sa.text(f"SET SESSION max_statement_time = {secs:.0f}")
                             if getattr(conn.dialect, "is_mariadb", False)
                             else sa.text(f"SET SESSION max_execution_time = {int(secs * 1000)}"))
            return self._stream(conn, sa.select(table))
        if self.ref.view:
            return self._fetch(conn, sa.select(table).limit(n))
        if name == "postgresql":
            return self._sample_postgres(conn, table, n)
        if name in ("mysql", "mariadb"):
            approx = conn.execute(sa.text(
                "SELECT table_rows FROM information_schema.tables "
                "WHERE table_schema = :s AND table_name = :t"),
                {"s": self.ref.schema, "t": self.ref.table}).scalar()
            int_pk = pk[0] if len(pk) == 1 and _is_integer(types.get(pk[0])) else None
            return self._sample_keyed(conn, table, n, approx, table.c[int_pk] if int_pk else None,
                                      sa.func.rand())
        if name == "sqlite":
            try:
                lo, hi = conn.execute(sa.select(sa.func.min(sa.literal_column("rowid")),
                                                sa.func.max(sa.literal_column("rowid")))
                                      .select_from(table)).one()
            except sa.exc.OperationalError:  # a WITHOUT ROWID table
                return self._fetch(conn, sa.select(table).order_by(sa.func.random()).limit(n))
            approx = (hi - lo + 1) if lo is not None else 0
            return self._sample_keyed(conn, table, n, approx, sa.literal_column("rowid"),
                                      sa.func.random())
        return self._fetch(conn, sa.select(table).limit(n))

    def _fetch(self, conn: Connection, stmt: Any) -> Iterator[Mapping[str, Any]]:
        for row in conn.execute(stmt).mappings():
            yield row

    def _stream(self, conn: Connection, stmt: Any) -> Iterator[Mapping[str, Any]]:
        """Every row through a server-side cursor, FETCH_ROWS at a time."""
        result = conn.execution_options(stream_results=True, yield_per=FETCH_ROWS).execute(stmt)
        with result:
            for part in result.mappings().partitions():
                yield from part
                _rearm(conn)

    def _keyset(self, conn: Connection, table: Any, pk: list[str]) -> Iterator[Mapping[str, Any]]:
        """Every row in primary-key pages: each page is a short statement under the timeout."""
        key = [table.c[k] for k in pk]
        last: tuple[Any, ...] | None = None
        while True:
            stmt = sa.select(table).order_by(*key).limit(PAGE_ROWS)
            if last is not None:
                stmt = stmt.where(key[0] > last[0] if len(key) == 1
                                  else sa.tuple_(*key) > sa.tuple_(*last))
            page = conn.execute(stmt).mappings().all()
            yield from page
            if len(page) < PAGE_ROWS:
                return
            last = tuple(page[-1][k] for k in pk)

    def _sample_postgres(self, conn: Connection, table: Any, n: int) -> Iterator[Mapping[str, Any]]:
        pages = conn.execute(sa.text(
            "SELECT pg_relation_size(c.oid) / current_setting('block_size')::int "
            "FROM pg_class c WHERE c.oid = to_regclass(quote_ident(:s) || '.' || quote_ident(:t))"),
            {"s": self.ref.schema, "t": self.ref.table}).scalar() or 0
        if pages <= n:
            return self._fetch(conn, sa.select(table).order_by(sa.func.random()).limit(n))
        # Visit ~n pages chosen at random, then keep n rows of those at random.
        pct = min(100.0, 100.0 * n / pages)
        sample = table.tablesample(sa.func.system(pct), name="s")
        return self._fetch(conn, sa.select(*sample.c).order_by(sa.func.random()).limit(n))

    def _sample_keyed(self, conn: Connection, table: Any, n: int, approx: int | None,
                      key: Any, rand: Any) -> Iterator[Mapping[str, Any]]:
        if not approx or approx <= SMALL_TABLE_ROWS:
            yield from self._fetch(conn, sa.select(table).order_by(rand).limit(n))
            return
        if key is None:
            # One pass without sorting; the cap guards against a stale row estimate.
            yield from self._fetch(conn, sa.select(table).where(rand < min(1.0, n / approx))
                                   .limit(2 * n))
            return
        lo, hi = conn.execute(sa.select(sa.func.min(key), sa.func.max(key)).select_from(table)).one()
        if lo is None:
            return
        span = hi - lo + 1
        strata = min(STRATA, n)
        per = math.ceil(n / strata)
        stride = span / strata
        width = per * span / approx  # key span that holds `per` rows on average
        rng = random.Random()
        for i in range(strata):
            start = lo + i * stride
            end = lo + (i + 1) * stride
            first = int(start + rng.random() * max(0.0, stride - width))
            stmt = (sa.select(table).where(key >= first, key < math.ceil(end))
                    .order_by(key).limit(per))
            yield from self._fetch(conn, stmt)
            self.ctx.check_time()


def _is_integer(type_: Any) -> bool:
    return isinstance(type_, sa.Integer)


# -- per-column roll-up -------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ColumnSummary:
    """How much of a column's sample matched an entity: the view a DBA acts on.

    `ratio` is matched / sampled non-null values. `confidence` is the ratio
    raised when the column's name says the same thing (a column named `nas`
    whose values are SINs) and lowered when it says something else.
    """

    location: str
    table: str
    column: str
    sampled: int
    matched: int
    entity_type: EntityType | None
    ratio: float
    confidence: float
    name_hint: EntityType | None = None


def column_rollup(findings: Iterable[Finding], counters: Mapping[str, int]) -> list[ColumnSummary]:
    """One summary per (table column, entity type) with matches, or whose name says PII.

    `counters` are the run's counters, where readers recorded how many
    values of each column they read (`columns.sampled_key`).
    """
    sampled: dict[tuple[str, str, str], int] = {}
    for key, value in counters.items():
        parsed = columns.parse_sampled_key(key)
        if parsed:
            sampled[parsed] = sampled.get(parsed, 0) + value
    hits: dict[tuple[str, str, str], dict[EntityType, set[str]]] = defaultdict(lambda: defaultdict(set))
    for f in findings:
        if f.pointer.table is None or f.pointer.column is None:
            continue
        where = (f.location, f.pointer.table, f.pointer.column)
        hits[where][f.entity_type].add(f.record or f"{f.pointer.key}:{f.pointer.row}")
    out: list[ColumnSummary] = []
    for where in sorted(set(sampled) | set(hits)):
        hint = columns.classify(where[2])
        total = sampled.get(where, 0)
        found = hits.get(where, {})
        if not found and hint is None:
            continue
        for entity, records in sorted(found.items()) or [(hint, set())]:
            matched = len(records)
            ratio = min(1.0, matched / total) if total else (1.0 if matched else 0.0)
            out.append(ColumnSummary(*where, total, matched, entity, round(ratio, 3),
                                     round(_confidence(ratio, hint, entity), 3), hint))
    return out


def _confidence(ratio: float, hint: EntityType | None, entity: EntityType | None) -> float:
    """Values decide; a name that agrees halves the doubt, one that disagrees adds some.

    A name with no matching value at all (an empty or oddly formatted
    column) is kept at a low 0.2, so it is listed but not believed.
    """
    if hint is None or entity is None:
        return ratio
    if hint != entity:
        return ratio * 0.8
    return 1 - (1 - ratio) / 2 if ratio else 0.2
