"""The embedded SQLite store: runs, items seen, findings, errors, violations.

One file, owner-only, at `$PIISCAN_HOME/piiscan.db` by default. Raw values
are written only when the run was made with --reveal. Each run keeps its
own rows, so any past run can be rendered again and compared with the next.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, Collection, Iterable, Iterator, Sequence

from .model import SENSITIVITY, EntityType, Finding, ItemInfo, Pointer, ScanError, Severity, Violation
from .redact import home_dir, private_dir

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started TEXT NOT NULL,
    finished TEXT,
    status TEXT NOT NULL,           -- running | done | interrupted | failed
    kind TEXT NOT NULL DEFAULT 'scan',
    targets TEXT NOT NULL,          -- JSON list, URLs without credentials
    params TEXT NOT NULL,           -- JSON
    counters TEXT NOT NULL DEFAULT '{}',
    as_of TEXT,
    revealed INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS items (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    location TEXT NOT NULL,
    size INTEGER, mtime REAL, inode INTEGER, mode INTEGER,
    media_type TEXT, reader TEXT, findings INTEGER NOT NULL DEFAULT 0,
    sha256 TEXT, error TEXT, reused INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, location)
);
CREATE TABLE IF NOT EXISTS findings (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    entity_type TEXT NOT NULL,
    location TEXT NOT NULL,
    pointer TEXT NOT NULL,
    masked TEXT NOT NULL,
    value_hash TEXT NOT NULL,
    score REAL NOT NULL,
    detector TEXT NOT NULL,
    language TEXT,
    severity TEXT NOT NULL,
    record TEXT,
    field TEXT,
    attributes TEXT NOT NULL DEFAULT '{}',
    value TEXT                       -- NULL unless the run was made with --reveal
);
CREATE INDEX IF NOT EXISTS findings_run ON findings(run_id, location);
-- Indexes on the hash, once global (findings_hash) then per run (findings_run_hash), for
-- "a value's findings": no query asked for them, and keeping them up to date was a third
-- of the cost of copying an unchanged item's findings, and a quarter of the file.
DROP INDEX IF EXISTS findings_hash;
DROP INDEX IF EXISTS findings_run_hash;
CREATE TABLE IF NOT EXISTS errors (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    location TEXT NOT NULL,
    reason TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS errors_run ON errors(run_id, location);
CREATE TABLE IF NOT EXISTS violations (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    rule TEXT NOT NULL,
    severity TEXT NOT NULL,
    location TEXT NOT NULL,
    purpose TEXT,
    entity_types TEXT NOT NULL,
    count INTEGER NOT NULL,
    message TEXT NOT NULL,
    action TEXT NOT NULL DEFAULT '',
    finding_hashes TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS violations_run ON violations(run_id);
-- Each run's number of distinct finding identities, written by the run diff: the next diff
-- derives its own (previous − resolved + new) instead of counting them all. Not among the
-- counters, which reports show; dropped when a run finishes again (resumed).
CREATE TABLE IF NOT EXISTS identity_counts (
    run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
    findings INTEGER NOT NULL,      -- the run's findings then: a count is used only while equal
    identities INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS record_dates (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    location TEXT NOT NULL,
    record TEXT,
    field TEXT NOT NULL,
    day TEXT NOT NULL               -- ISO date read from a declared date field
);
CREATE INDEX IF NOT EXISTS record_dates_run ON record_dates(run_id, location);
-- What loaded last time in this environment, so that a rescan with nothing to read
-- need not import every plugin to tell whether they changed (one row: the latest).
CREATE TABLE IF NOT EXISTS plugin_census (
    environment TEXT PRIMARY KEY,   -- registry.plugin_environment(): entry points, import folders
    census TEXT NOT NULL            -- JSON: the readers and detectors that loaded, name=version
);
CREATE TABLE IF NOT EXISTS triage (
    id INTEGER PRIMARY KEY,
    location TEXT NOT NULL,         -- glob over locations ('!' joins archive members)
    value_hash TEXT NOT NULL DEFAULT '',   -- keyed hash; '' = any value
    entity_type TEXT NOT NULL DEFAULT '',  -- '' = any type
    status TEXT NOT NULL,           -- confirmed | false_positive | test_data | accepted
    until TEXT,                     -- ISO date an acceptance ends
    note TEXT NOT NULL DEFAULT '',
    author TEXT NOT NULL DEFAULT '',
    created TEXT NOT NULL,
    UNIQUE (location, value_hash, entity_type)
);
"""


def default_db_path() -> Path:
    return home_dir() / "piiscan.db"


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class RunInfo:
    id: int
    started: str
    finished: str | None
    status: str
    kind: str
    targets: tuple[str, ...]
    params: dict[str, Any]
    counters: dict[str, int]
    as_of: str | None
    revealed: bool


@dataclass(frozen=True, slots=True)
class ItemRecord:
    location: str
    info: ItemInfo
    media_type: str | None
    reader: str | None
    findings: int
    sha256: str | None
    error: str | None


def create_private_file(path: Path) -> None:
    """Create `path` owner-only if missing; tighten it if it exists."""
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


class Store:
    """Thin, explicit access to the SQLite file; writes are batched per commit."""

    def __init__(self, path: Path | str | None = None):
        self.path = Path(path) if path else default_db_path()
        create_private_file(self.path)
        self.db = sqlite3.connect(self.path)
        self.db.execute("PRAGMA foreign_keys = ON")
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("PRAGMA synchronous = NORMAL")
        self.db.executescript(SCHEMA)
        for suffix in ("-wal", "-shm"):  # SQLite creates these with the umask's mode
            side = Path(str(self.path) + suffix)
            if side.exists():
                os.chmod(side, 0o600)
        self._pending = 0

    def close(self) -> None:
        self.db.commit()
        self.db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- runs ---------------------------------------------------------------
    def begin_run(self, targets: Iterable[str], params: dict[str, Any], *, kind: str = "scan",
                  as_of: str | None = None, revealed: bool = False) -> int:
        cur = self.db.execute(
            "INSERT INTO runs(started, status, kind, targets, params, as_of, revealed) "
            "VALUES (?, 'running', ?, ?, ?, ?, ?)",
            (now_iso(), kind, json.dumps(list(targets)), json.dumps(params, default=str),
             as_of, int(revealed)))
        self.db.commit()
        return int(cur.lastrowid)

    def finish_run(self, run_id: int, status: str, counters: dict[str, int] | None = None) -> None:
        self.db.execute("UPDATE runs SET finished = ?, status = ?, counters = ? WHERE id = ?",
                        (now_iso(), status, json.dumps(counters or {}), run_id))
        # a resumed run finishes again with more findings: a count taken before is stale
        self.db.execute("DELETE FROM identity_counts WHERE run_id = ?", (run_id,))
        self.db.commit()

    def run(self, run_id: int | None = None) -> RunInfo | None:
        sql = "SELECT * FROM runs " + ("WHERE id = ?" if run_id else "ORDER BY id DESC LIMIT 1")
        row = self.db.execute(sql, (run_id,) if run_id else ()).fetchone()
        return _run_info(row) if row else None

    def runs(self, kind: str | None = None) -> list[RunInfo]:
        sql, args = "SELECT * FROM runs", ()
        if kind:
            sql, args = sql + " WHERE kind = ?", (kind,)
        return [_run_info(r) for r in self.db.execute(sql + " ORDER BY id", args)]

    def previous_run(self, run_id: int, same_targets: bool = True) -> RunInfo | None:
        current = self.run(run_id)
        if current is None:
            return None
        for r in reversed(self.runs(current.kind)):
            if r.id < run_id and r.status == "done" and (not same_targets or r.targets == current.targets):
                return r
        return None

    # -- writing events -----------------------------------------------------
    _INSERT_FINDING = ("INSERT INTO findings(run_id, entity_type, location, pointer, masked,"
                       " value_hash, score, detector, language, severity, record, field,"
                       " attributes, value) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)")

    def add_finding(self, run_id: int, f: Finding) -> None:
        self.add_findings(run_id, (f,))

    def add_findings(self, run_id: int, findings: Iterable[Finding]) -> None:
        """Insert findings in their order, in one statement (a table's scan sends millions)."""
        dumps = json.dumps
        rows = [(run_id, str(f.entity_type), f.location, dumps(f.pointer.as_dict()), f.masked,
                 f.value_hash, f.score, f.detector, f.language, str(f.severity), f.record, f.field,
                 dumps(dict(f.attributes)) if f.attributes else "{}", f.value) for f in findings]
        self.db.executemany(self._INSERT_FINDING, rows)
        self._pending += len(rows) - 1
        self._tick()

    def add_error(self, run_id: int, e: ScanError) -> None:
        self.db.execute("INSERT INTO errors VALUES (?,?,?,?)", (run_id, e.location, e.reason, e.detail))
        self._tick()

    def add_item(self, run_id: int, location: str, info: ItemInfo, media_type: str | None,
                 reader: str | None, findings: int, sha256: str | None, error: str | None,
                 reused: bool = False) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO items VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (run_id, location, info.size, info.mtime, info.inode, info.mode, media_type, reader,
             findings, sha256, error, int(reused)))
        self._tick()

    def add_items(self, run_id: int, records: Iterable[ItemRecord], reused: bool = False) -> None:
        """`add_item` for many items, in one statement."""
        rows = [(run_id, r.location, r.info.size, r.info.mtime, r.info.inode, r.info.mode, r.media_type,
                 r.reader, r.findings, r.sha256, r.error, int(reused)) for r in records]
        self.db.executemany("INSERT OR REPLACE INTO items VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows)
        self._pending += len(rows) - 1
        self._tick()

    def add_record_date(self, run_id: int, location: str, record: str | None, field: str, day: str) -> None:
        self.db.execute("INSERT INTO record_dates VALUES (?,?,?,?,?)", (run_id, location, record, field, day))
        self._tick()

    def add_violations(self, run_id: int, violations: Iterable[Violation]) -> int:
        n = 0
        for v in violations:
            self.db.execute(
                "INSERT INTO violations VALUES (?,?,?,?,?,?,?,?,?,?)",
                (run_id, v.rule, str(v.severity), v.location, v.purpose,
                 json.dumps([str(e) for e in v.entity_types]), v.count, v.message, v.action,
                 json.dumps(list(v.finding_hashes))))
            n += 1
        self.db.commit()
        return n

    def _tick(self) -> None:
        self._pending += 1
        if self._pending >= 2000:
            self.commit()

    def commit(self) -> None:
        self.db.commit()
        self._pending = 0

    # -- reading ------------------------------------------------------------
    def findings(self, run_id: int, location: str | None = None) -> Iterator[Finding]:
        yield from map(finding_from_row, self.finding_rows(run_id, location))

    def finding_rows(self, run_id: int, location: str | None = None,
                     limit: int | None = None) -> Iterator[tuple[Any, ...]]:
        """The raw rows behind `findings`, same order, for readers that need a few columns."""
        sql = f"SELECT {_FINDING_COLUMNS} FROM findings WHERE run_id = ?"
        args: tuple[Any, ...] = (run_id,)
        if location is not None:
            sql, args = sql + " AND location = ?", (run_id, location)
        sql += " ORDER BY location, id"
        if limit is not None:
            sql, args = sql + " LIMIT ?", (*args, limit)
        return self.db.execute(sql, args)

    def finding_keys(self, run_id: int) -> Iterator[tuple[str, str, str, int]]:
        """(location, entity type, value hash, id) of each finding, in `findings` order.

        The stored type name is what `str(finding.entity_type)` gives back.
        """
        return self.db.execute("SELECT location, entity_type, value_hash, id FROM findings"
                               " WHERE run_id = ? ORDER BY location, id", (run_id,))

    # A finding's identity as the run diff sees it, location first: findings_run gives a
    # run's rows in that order, so only each location's few rows are sorted.
    _IDENTITIES = "SELECT location, entity_type, value_hash FROM findings WHERE run_id = ?"

    def identity_count(self, run_id: int) -> int:
        """How many distinct (location, entity type, value hash) a run's findings have."""
        return int(self.db.execute(
            f"SELECT COUNT(*) FROM ({self._IDENTITIES} GROUP BY location, entity_type, value_hash)",
            (run_id,)).fetchone()[0])

    def first_rows_missing(self, run_id: int, other_run: int | None,
                           places: Collection[str] | None = None) -> Iterator[tuple[Any, ...]]:
        """The `finding_rows` of the first finding (lowest id) of each identity of `run_id`
        that `other_run` has not (every identity when None), in `finding_rows` order.

        The identities come from a merge of the two runs' identities (EXCEPT in
        the order findings_run gives them); the rows are read only for what is missing.
        `places` restricts both runs to the findings at those locations.
        """
        only = ""
        if places is not None:
            if not places:
                return iter(())
            self.db.execute("CREATE TEMP TABLE IF NOT EXISTS diff_places (location TEXT PRIMARY KEY)")
            self.db.execute("DELETE FROM temp.diff_places")
            self.db.executemany("INSERT INTO temp.diff_places VALUES (?)", ((p,) for p in places))
            only = " AND location IN (SELECT location FROM temp.diff_places)"
        if other_run is None:
            firsts = (f"SELECT MIN(id) FROM findings WHERE run_id = ?1{only}"
                      f" GROUP BY location, entity_type, value_hash")
        else:
            identities = self._IDENTITIES + only
            firsts = (f"WITH missing AS MATERIALIZED ({identities.replace('?', '?1')}"
                      f" EXCEPT {identities.replace('?', '?2')} ORDER BY 1, 2, 3)"
                      f" SELECT (SELECT MIN(f.id) FROM findings AS f WHERE f.run_id = ?1"
                      f" AND f.value_hash = m.value_hash AND f.entity_type = m.entity_type"
                      f" AND f.location = m.location) FROM missing AS m")
        args = (run_id,) if other_run is None else (run_id, other_run)
        rows = self.db.execute(f"SELECT {_FINDING_COLUMNS} FROM findings WHERE id IN ({firsts})"
                               f" ORDER BY location, id", args)
        if places is None:
            return rows
        out = rows.fetchall()
        self.db.execute("DELETE FROM temp.diff_places")
        return iter(out)

    def places_besides(self, run_id: int, other_run: int, copied: Collection[str]) -> set[str]:
        """The locations of either run's findings but those of the `copied` top-level items
        and their members; read from the findings_run index alone, a few per item."""
        copied = copied if isinstance(copied, (set, frozenset)) else set(copied)
        sql = "SELECT DISTINCT location FROM findings WHERE run_id = ?"
        return {loc for run in (run_id, other_run) for (loc,) in self.db.execute(sql, (run,))
                if loc.partition("!")[0] not in copied}  # top_level(): members follow their item

    def recorded_identity_count(self, run_id: int) -> int | None:
        """The `identity_count` the run diff recorded for this run, while it still holds.

        Findings written to the run since (without `finish_run`, which drops
        the count) change how many it has: then the count is not used.
        """
        row = self.db.execute("SELECT findings, identities FROM identity_counts WHERE run_id = ?",
                              (run_id,)).fetchone()
        if row is None or row[0] != self._finding_count(run_id):
            return None
        return int(row[1])

    def record_identity_count(self, run_id: int, identities: int) -> None:
        self.db.execute("INSERT OR REPLACE INTO identity_counts VALUES (?, ?, ?)",
                        (run_id, self._finding_count(run_id), identities))
        self.db.commit()

    def _finding_count(self, run_id: int) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM findings WHERE run_id = ?",
                                   (run_id,)).fetchone()[0])

    def finding_rows_by_id(self, ids: Sequence[int]) -> dict[int, tuple[Any, ...]]:
        """The `finding_rows` of these findings (at most 500 at a time), by id."""
        sql = f"SELECT id, {_FINDING_COLUMNS} FROM findings WHERE id IN ({','.join('?' * len(ids))})"
        return {row[0]: row[1:] for row in self.db.execute(sql, tuple(ids))}

    def location_counts(self, run_id: int) -> Iterator[tuple[str, str, int]]:
        """(location, entity type, findings) by location, types in order of first finding."""
        return ((r[0], r[1], r[2]) for r in self.db.execute(
            "SELECT location, entity_type, COUNT(*), MIN(id) AS first FROM findings"
            " WHERE run_id = ? GROUP BY location, entity_type ORDER BY location, first", (run_id,)))

    def errors(self, run_id: int) -> list[ScanError]:
        return [ScanError(*r) for r in self.db.execute(
            "SELECT location, reason, detail FROM errors WHERE run_id = ? ORDER BY location, rowid",
            (run_id,))]

    def items(self, run_id: int) -> Iterator[ItemRecord]:
        for r in self.db.execute(
                "SELECT location, size, mtime, inode, mode, media_type, reader, findings, sha256, error"
                " FROM items WHERE run_id = ? ORDER BY location", (run_id,)):
            yield ItemRecord(r[0], ItemInfo(r[1], r[2], r[3], r[4]), r[5], r[6], r[7], r[8], r[9])

    def record_dates(self, run_id: int) -> Iterator[tuple[str, str | None, str, str]]:
        yield from self.db.execute(
            "SELECT location, record, field, day FROM record_dates WHERE run_id = ? ORDER BY rowid",
            (run_id,))

    def violations(self, run_id: int) -> list[Violation]:
        out = []
        for r in self.db.execute(
                "SELECT rule, severity, location, message, purpose, entity_types, count, action,"
                " finding_hashes FROM violations WHERE run_id = ? ORDER BY location, rule", (run_id,)):
            out.append(Violation(r[0], Severity.parse(r[1]), r[2], r[3], r[4],
                                 tuple(EntityType(e) for e in json.loads(r[5])), r[6], r[7],
                                 tuple(json.loads(r[8]))))
        return out

    def counts(self, run_id: int) -> dict[str, int]:
        return dict(self.db.execute(
            "SELECT entity_type, COUNT(*) FROM findings WHERE run_id = ? GROUP BY entity_type", (run_id,)))

    # -- audits: incremental rescans and triage -------------------------------
    # An item and its members, as a range the (run_id, location) indexes seek:
    # members are `location + "!" + …` and '!' (0x21) is followed by '"' (0x22),
    # so they sort in [location + "!", location + '"'). The range starts at the
    # item itself; the second test drops what sorts between (`location + " "`).
    _UNDER = "location >= ? AND location < ? AND (location = ? OR location >= ?)"

    @staticmethod
    def _under(location: str) -> tuple[str, str, str, str]:
        return (location, location + '"', location, location + "!")

    def copy_rows(self, src_run: int, dst_run: int, location: str,
                  as_location: str | None = None) -> int:
        """Copy an item's rows (and its members') from one run to another, marked reused.

        `as_location` renames them (an identical copy elsewhere); returns the
        number of findings copied.
        """
        new = location if as_location is None else as_location
        under = self._under(location)
        # the location is rewritten by prefix so members keep their "!…" tails
        rename = "? || substr(location, ?)"
        ren = (new, len(location) + 1)
        cur = self.db.execute(
            f"INSERT INTO findings(run_id, entity_type, location, pointer, masked, value_hash, score,"
            f" detector, language, severity, record, field, attributes, value)"
            f" SELECT ?, entity_type, {rename}, pointer, masked, value_hash, score, detector,"
            f" language, severity, record, field, attributes, value FROM findings"
            f" WHERE run_id = ? AND {self._UNDER} ORDER BY id", (dst_run, *ren, src_run, *under))
        copied = cur.rowcount
        self.db.execute(f"INSERT INTO errors SELECT ?, {rename}, reason, detail FROM errors"
                        f" WHERE run_id = ? AND {self._UNDER} ORDER BY rowid",
                        (dst_run, *ren, src_run, *under))
        self.db.execute(f"INSERT INTO record_dates SELECT ?, {rename}, record, field, day"
                        f" FROM record_dates WHERE run_id = ? AND {self._UNDER} ORDER BY rowid",
                        (dst_run, *ren, src_run, *under))
        self.db.execute(f"INSERT OR REPLACE INTO items SELECT ?, {rename}, size, mtime, inode, mode,"
                        f" media_type, reader, findings, sha256, error, 1 FROM items"
                        f" WHERE run_id = ? AND {self._UNDER}", (dst_run, *ren, src_run, *under))
        self._tick()
        return copied

    def copy_items(self, src_run: int, dst_run: int, locations: Sequence[str]) -> int:
        """`copy_rows` for a batch of items, each kept under its own location.

        An unchanged rescan copies every item of a share: one statement per
        table for the batch instead of one per item and table. Each item's
        rows are still one seek in the indexes (the batch is the outer loop);
        an item's findings keep their order (by id), items follow one another
        by location (every reader orders by location first: sorting the whole
        batch by id cost a fifth of the copy). Returns the number of findings copied.
        """
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS copying (location TEXT PRIMARY KEY)")
        self.db.execute("DELETE FROM temp.copying")
        self.db.executemany("INSERT OR IGNORE INTO temp.copying VALUES (?)", ((loc,) for loc in locations))
        under = ("FROM temp.copying AS c CROSS JOIN {} AS t WHERE t.run_id = ?"
                 " AND t.location >= c.location AND t.location < c.location || '\"'"
                 " AND (t.location = c.location OR t.location >= c.location || '!')")
        cur = self.db.execute(
            "INSERT INTO findings(run_id, entity_type, location, pointer, masked, value_hash, score,"
            " detector, language, severity, record, field, attributes, value)"
            " SELECT ?, t.entity_type, t.location, t.pointer, t.masked, t.value_hash, t.score,"
            " t.detector, t.language, t.severity, t.record, t.field, t.attributes, t.value "
            + under.format("findings") + " ORDER BY c.location, t.id", (dst_run, src_run))
        copied = cur.rowcount
        self.db.execute("INSERT INTO errors SELECT ?, t.location, t.reason, t.detail "
                        + under.format("errors") + " ORDER BY t.rowid", (dst_run, src_run))
        self.db.execute("INSERT INTO record_dates SELECT ?, t.location, t.record, t.field, t.day "
                        + under.format("record_dates") + " ORDER BY t.rowid", (dst_run, src_run))
        self.db.execute("INSERT OR REPLACE INTO items SELECT ?, t.location, t.size, t.mtime, t.inode,"
                        " t.mode, t.media_type, t.reader, t.findings, t.sha256, t.error, 1 "
                        + under.format("items"), (dst_run, src_run))
        self.db.execute("DELETE FROM temp.copying")
        self._tick()
        return copied

    def item(self, run_id: int, location: str) -> ItemRecord | None:
        r = self.db.execute(
            "SELECT location, size, mtime, inode, mode, media_type, reader, findings, sha256, error"
            " FROM items WHERE run_id = ? AND location = ?", (run_id, location)).fetchone()
        return ItemRecord(r[0], ItemInfo(r[1], r[2], r[3], r[4]), r[5], r[6], r[7], r[8], r[9]) if r else None

    def set_item_hash(self, run_id: int, location: str, sha256: str) -> None:
        self.db.execute("UPDATE items SET sha256 = ? WHERE run_id = ? AND location = ?",
                        (sha256, run_id, location))
        self._tick()

    def reused_locations(self, run_id: int) -> set[str]:
        return {r[0] for r in self.db.execute(
            "SELECT location FROM items WHERE run_id = ? AND reused = 1", (run_id,))}

    def merge_counters(self, run_id: int, extra: dict[str, int]) -> None:
        run = self.run(run_id)
        counters = dict(run.counters if run else {})
        for k, v in extra.items():
            counters[k] = counters.get(k, 0) + v
        self.db.execute("UPDATE runs SET counters = ? WHERE id = ?", (json.dumps(counters), run_id))
        self.db.commit()

    def plugin_census(self, environment: str) -> dict[str, Any] | None:
        """The census recorded for this plugin environment, if it is the latest one seen."""
        row = self.db.execute("SELECT census FROM plugin_census WHERE environment = ?",
                              (environment,)).fetchone()
        return json.loads(row[0]) if row else None

    def set_plugin_census(self, environment: str, census: dict[str, Any]) -> None:
        self.db.execute("DELETE FROM plugin_census")
        self.db.execute("INSERT INTO plugin_census VALUES (?, ?)", (environment, json.dumps(census)))
        self.db.commit()

    def add_mark(self, location: str, status: str, *, value_hash: str | None = None,
                 entity_type: str | None = None, until: str | None = None, note: str = "",
                 author: str = "") -> int:
        """Add a triage mark, or replace the one with the same location, hash and type."""
        self.db.execute(
            "INSERT INTO triage(location, value_hash, entity_type, status, until, note, author, created)"
            " VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (location, value_hash, entity_type) DO UPDATE SET"
            " status = excluded.status, until = excluded.until, note = excluded.note,"
            " author = excluded.author, created = excluded.created",
            (location, value_hash or "", entity_type or "", status, until, note, author, now_iso()))
        self.db.commit()
        return int(self.db.execute(
            "SELECT id FROM triage WHERE location = ? AND value_hash = ? AND entity_type = ?",
            (location, value_hash or "", entity_type or "")).fetchone()[0])

    def marks(self) -> list[dict[str, Any]]:
        cur = self.db.execute("SELECT id, location, value_hash, entity_type, status, until, note,"
                              " author, created FROM triage ORDER BY id")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur]

    def remove_marks(self, ids: Iterable[int]) -> int:
        n = sum(self.db.execute("DELETE FROM triage WHERE id = ?", (i,)).rowcount for i in ids)
        self.db.commit()
        return n


# -- findings from rows ----------------------------------------------------------
# A rescan reads every finding of two runs several times over: these keep that
# cheap (pointers repeat, so each distinct JSON text is parsed once).

_FINDING_COLUMNS = ("entity_type, location, pointer, masked, value_hash, score, detector, language,"
                    " value, record, field, attributes")
ROW_ENTITY, ROW_LOCATION, ROW_POINTER, ROW_MASKED, ROW_HASH = range(5)
_ENTITIES: dict[str, EntityType] = {e.value: e for e in EntityType}
_SEVERITIES: dict[str, str] = {e.value: str(SENSITIVITY.get(e, Severity.LOW)) for e in EntityType}


def entity_of(name: str) -> EntityType:
    return _ENTITIES.get(name) or EntityType(name)  # an unknown name raises as EntityType does


def severity_of(entity_type: str) -> str:
    """`str(Finding.severity)` for a stored entity type name."""
    sev = _SEVERITIES.get(entity_type)
    return sev if sev is not None else str(SENSITIVITY.get(EntityType(entity_type), Severity.LOW))


@lru_cache(maxsize=4096)
def _pointer(text: str) -> tuple[Pointer, dict[str, Any]]:
    """The stored JSON as a Pointer, and as `Pointer.as_dict()` gives it back."""
    pointer = Pointer.from_dict(json.loads(text))
    return pointer, pointer.as_dict()


def pointer_dict(text: str) -> dict[str, Any]:
    """`Pointer.as_dict()` of a stored pointer (a fresh dict: callers may keep it)."""
    return dict(_pointer(text)[1])


def _attributes(text: str) -> dict[str, Any]:
    return {} if text == "{}" else json.loads(text)


def finding_from_row(row: tuple[Any, ...]) -> Finding:
    return Finding(entity_of(row[0]), row[1], _pointer(row[2])[0], row[3], row[4], row[5], row[6],
                   row[7], row[8], row[9], row[10], _attributes(row[11]))


def _run_info(row: tuple[Any, ...]) -> RunInfo:
    return RunInfo(row[0], row[1], row[2], row[3], row[4], tuple(json.loads(row[5])),
                   json.loads(row[6]), json.loads(row[7]), row[8], bool(row[9]))
