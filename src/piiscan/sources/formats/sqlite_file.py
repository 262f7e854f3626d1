"""SQLite database files found on a share: one child item per table.

Address books, CRM exports and app caches are SQLite files. Each table
becomes a child item (`crm/participants.db!participants`) that the engine
hands to the `dbtable` reader, so tables are sampled, keyed and rolled up
exactly like tables reached by URL.

The file is opened read-only and immutable (`mode=ro&immutable=1`): SQLite
then neither writes nor creates `-journal`/`-wal`/`-shm` files beside it,
and a file on a read-only mount opens. A member of an archive or mail is
first copied to the scan's private temp directory, since SQLite needs a
file path; the copy is removed once the tables have been read.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import tempfile
from typing import IO, Any, Iterator
from urllib.parse import quote

from ... import sniff
from ...model import CorruptError, Item, ItemError, ScanError, Segment, TooLargeError
from ..database import TableRef, matches_any

COPY_CHUNK = 1 << 20


def _real_path(fh: IO[bytes]) -> str | None:
    """The path of `fh` when it is a plain file on disk (not an archive member)."""
    name = getattr(fh, "name", None)
    if not isinstance(name, str):
        return None
    try:
        here = os.fstat(fh.fileno())
        there = os.stat(name)
    except (OSError, ValueError, AttributeError):
        return None  # no descriptor: a member stream, a BytesIO
    # The name must be this very file: a tar member's stream carries the member's name.
    if stat.S_ISREG(here.st_mode) and (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino):
        return os.path.abspath(name)
    return None


def _spool(fh: IO[bytes], temp_dir: str, limit: int) -> str:
    fd, path = tempfile.mkstemp(suffix=".sqlite", dir=temp_dir)
    copied = 0
    try:
        with os.fdopen(fd, "wb") as out:
            while block := fh.read(COPY_CHUNK):
                copied += len(block)
                if copied > limit:
                    raise TooLargeError(f"a SQLite member over {limit} bytes was not copied")
                out.write(block)
    except BaseException:
        os.unlink(path)
        raise
    return path


class SqliteFileReader:
    """Lists the tables of a SQLite file and yields each as a `dbtable` child item."""

    name = "sqlite"
    media_types = (sniff.SQLITE,)

    def read(self, item: Item, ctx: Any) -> Iterator[Segment | Item | ScanError]:
        if item.open is None:
            raise ItemError("nothing to open")
        spooled: str | None = None
        with item.open() as fh:
            path = _real_path(fh)
            if path is None:
                spooled = path = _spool(fh, ctx.temp_dir, ctx.options.max_archive_bytes)
        try:
            opts = ctx.options
            for table, view in self._tables(path):
                if view and not opts.include_views:
                    continue
                names = (table, f"main.{table}")
                if opts.tables and not matches_any(opts.tables, *names):
                    continue
                if opts.exclude_tables and matches_any(opts.exclude_tables, *names):
                    continue
                yield item.child(table, None, media_type=sniff.DB_TABLE, payload=TableRef(
                    "sqlite://", "main", table, table, view, sqlite_file=path))
        finally:
            # The children were read while this generator was suspended.
            if spooled:
                os.unlink(spooled)

    @staticmethod
    def _tables(path: str) -> list[tuple[str, bool]]:
        uri = f"file:{quote(path)}?mode=ro&immutable=1"
        try:
            con = sqlite3.connect(uri, uri=True)
        except sqlite3.Error as exc:
            raise ItemError(f"cannot open: {exc}") from None
        try:
            rows = con.execute("SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view') "
                               "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name").fetchall()
        except sqlite3.DatabaseError as exc:
            # "file is not a database", "database disk image is malformed"
            raise CorruptError(str(exc)) from None
        finally:
            con.close()
        return [(name, kind == "view") for name, kind in rows]
