"""The embedded SQLite store: runs, items seen, findings, errors, violations.

One file, owner-only, at `$PIISCAN_HOME/piiscan.db` by default. Raw values
are written only when the run was made with --reveal. Each run keeps its
own rows, so any past run can be rendered again and compared with the next.
"""

from __future__ import annotations

import heapq
import itertools
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
    source_run INTEGER,             -- reused: the run whose rows hold its findings (NULL: this one)
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
        if "source_run" not in {r[1] for r in self.db.execute("PRAGMA table_info(items)")}:
            # stores made before findings were referenced: their runs keep their own copies
            self.db.execute("ALTER TABLE items ADD COLUMN source_run INTEGER")
            self.db.commit()
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

    # An item's row written again keeps the run its findings live in (`copy_items`).
    _UPSERT_ITEM = ("INSERT INTO items(run_id, location, size, mtime, inode, mode, media_type, reader,"
                    " findings, sha256, error, reused) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"
                    " ON CONFLICT (run_id, location) DO UPDATE SET size = excluded.size,"
                    " mtime = excluded.mtime, inode = excluded.inode, mode = excluded.mode,"
                    " media_type = excluded.media_type, reader = excluded.reader,"
                    " findings = excluded.findings, sha256 = excluded.sha256, error = excluded.error,"
                    " reused = excluded.reused")

    def add_item(self, run_id: int, location: str, info: ItemInfo, media_type: str | None,
                 reader: str | None, findings: int, sha256: str | None, error: str | None,
                 reused: bool = False) -> None:
        self.db.execute(
            self._UPSERT_ITEM,
            (run_id, location, info.size, info.mtime, info.inode, info.mode, media_type, reader,
             findings, sha256, error, int(reused)))
        self._tick()

    def add_items(self, run_id: int, records: Iterable[ItemRecord], reused: bool = False) -> None:
        """`add_item` for many items, in one statement."""
        rows = [(run_id, r.location, r.info.size, r.info.mtime, r.info.inode, r.info.mode, r.media_type,
                 r.reader, r.findings, r.sha256, r.error, int(reused)) for r in records]
        self.db.executemany(self._UPSERT_ITEM, rows)
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
    def run_findings(self, run_id: int, param: str, *columns: str, at: str | None = None,
                     under: str | None = None) -> str:
        """The findings of a run, as a subquery with these columns: its own rows, and the rows
        its reused items reference in an earlier run (`copy_items`). Every reader of a run's
        findings goes through here. `param` is the run id's parameter in the query ("?1").

        Rows keep their ids, so (location, id) orders them as copies in the run used to be.
        Only top-level items are looked up: an item's range (`_UNDER`) covers its members,
        each one seek in findings_run. A run that references nothing (a first or full run,
        or one from before) gets its own rows alone, which SQLite reads in index order.
        """
        own, ref = self._arms(run_id, param, ", ".join(columns), at, under)
        return f"({own})" if ref is None else f"({own} UNION ALL {ref})"

    def _arms(self, run_id: int, param: str, cols: str, at: str | None = None,
              under: str | None = None) -> tuple[str, str | None]:
        """The two halves of `run_findings`: own rows, referenced rows (None: there are none).

        The second goes through the run's referencing top-level items in order of location,
        each item's rows in (location, id) order (findings_run gives them so). `at`, an SQL
        expression, keeps one location's rows: one seek in each half (SQLite would test
        every item's range against it, and does not push a correlated term down). `under`,
        a top-level item's location, keeps that item's rows and its members' (`_UNDER`).
        """
        if under is not None:
            rng = "{1} >= {0} AND {1} < {0} || '\"' AND ({1} = {0} OR {1} >= {0} || '!')"
            own = f"SELECT {cols} FROM findings WHERE run_id = {param} AND {rng.format(under, 'location')}"
            ref = ", ".join(f"f.{c.strip()}" for c in cols.split(","))
            return own, (f"SELECT {ref} FROM items AS i CROSS JOIN findings AS f WHERE i.run_id = {param}"
                         f" AND i.location = {under} AND i.source_run IS NOT NULL"
                         f" AND f.run_id = i.source_run AND {rng.format(under, 'f.location')}")
        own = f"SELECT {cols} FROM findings WHERE run_id = {param}"
        if self.db.execute("SELECT 1 FROM items WHERE run_id = ? AND source_run IS NOT NULL LIMIT 1",
                           (run_id,)).fetchone() is None:
            return (own if at is None else f"{own} AND location = {at}"), None
        ref = ", ".join(f"f.{c.strip()}" for c in cols.split(","))
        if at is not None:
            top = f"substr({at}, 1, instr({at} || '!', '!') - 1)"  # runner.top_level()
            return f"{own} AND location = {at}", (
                f"SELECT {ref} FROM items AS i CROSS JOIN findings AS f"
                f" WHERE i.run_id = {param} AND i.location = {top} AND i.source_run IS NOT NULL"
                f" AND f.run_id = i.source_run AND f.location = {at}")
        return own, (f"SELECT {ref} FROM items AS i CROSS JOIN findings AS f"
                     f" WHERE i.run_id = {param} AND i.source_run IS NOT NULL"
                     f" AND instr(i.location, '!') = 0 AND f.run_id = i.source_run"
                     f" AND f.location >= i.location AND f.location < i.location || '\"'"
                     f" AND (f.location = i.location OR f.location >= i.location || '!')")

    def _in_order(self, run_id: int, cols: str) -> Iterator[tuple[Any, ...]]:
        """`run_findings` with `cols` and id last, in (location, id) order, without sorting it.

        Own rows come in that order from findings_run; referenced ones do too, item after
        item, unless another referencing item sorts between an item and its members ("a",
        "a b", "a!x"): then SQLite sorts. The two are merged here.
        """
        own, ref = self._arms(run_id, "?1", f"{cols}, id")
        if ref is None:
            return self.db.execute(f"{own} ORDER BY location, id", (run_id,))
        interleaved = self.db.execute(
            "SELECT 1 FROM items AS a JOIN items AS b ON b.run_id = a.run_id"
            " AND b.location > a.location AND b.location < a.location || '!'"
            " WHERE a.run_id = ?1 AND a.source_run IS NOT NULL AND instr(a.location, '!') = 0"
            " AND b.source_run IS NOT NULL AND instr(b.location, '!') = 0 LIMIT 1", (run_id,)).fetchone()
        if interleaved:
            return self.db.execute(f"SELECT * FROM ({own} UNION ALL {ref}) ORDER BY location, id",
                                   (run_id,))
        mine = self.db.execute(f"{own} ORDER BY location, id", (run_id,))
        theirs = self.db.execute(f"{ref} ORDER BY i.location, f.location, f.id", (run_id,))
        first = mine.fetchone()
        if first is None:  # an unchanged rescan: all referenced
            return theirs
        names = [c.strip() for c in cols.split(",")]
        at, last = names.index("location"), len(names)
        return heapq.merge(itertools.chain((first,), mine), theirs, key=lambda r: (r[at], r[last]))

    def findings(self, run_id: int, location: str | None = None) -> Iterator[Finding]:
        yield from map(finding_from_row, self.finding_rows(run_id, location))

    def finding_rows(self, run_id: int, location: str | None = None,
                     limit: int | None = None) -> Iterator[tuple[Any, ...]]:
        """The raw rows behind `findings`, same order, for readers that need a few columns."""
        if location is None and limit is None:
            return (r[:-1] for r in self._in_order(run_id, _FINDING_COLUMNS))
        of = self.run_findings(run_id, "?1", _FINDING_COLUMNS, "id", at=None if location is None else "?2")
        sql = f"SELECT {_FINDING_COLUMNS} FROM {of} ORDER BY location, id"
        args: tuple[Any, ...] = (run_id,) if location is None else (run_id, location)
        if limit is not None:
            sql, args = sql + f" LIMIT ?{len(args) + 1}", (*args, limit)
        return self.db.execute(sql, args)

    def finding_keys(self, run_id: int) -> Iterator[tuple[str, str, str, int]]:
        """(location, entity type, value hash, id) of each finding, in `findings` order.

        The stored type name is what `str(finding.entity_type)` gives back.
        """
        return self._in_order(run_id, "location, entity_type, value_hash")

    # A finding's identity as the run diff sees it, location first: findings_run gives a
    # run's rows in that order, so only each location's few rows are sorted.
    def _identities(self, run_id: int, param: str, only: str = "") -> str:
        of = self.run_findings(run_id, param, "location", "entity_type", "value_hash")
        return f"SELECT location, entity_type, value_hash FROM {of}{only}"

    def identity_count(self, run_id: int) -> int:
        """How many distinct (location, entity type, value hash) a run's findings have."""
        return int(self.db.execute(
            f"SELECT COUNT(*) FROM ({self._identities(run_id, '?1')}"
            " GROUP BY location, entity_type, value_hash)",
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
            only = " WHERE location IN (SELECT location FROM temp.diff_places)"
        if other_run is None:
            of = self.run_findings(run_id, "?1", "location", "entity_type", "value_hash", "id")
            firsts = (f"SELECT MIN(id) FROM {of}{only}"
                      f" GROUP BY location, entity_type, value_hash")
        else:
            of = self.run_findings(run_id, "?1", "location", "entity_type", "value_hash", "id",
                                   at="m.location")
            firsts = (f"WITH missing AS MATERIALIZED ({self._identities(run_id, '?1', only)}"
                      f" EXCEPT {self._identities(other_run, '?2', only)} ORDER BY 1, 2, 3)"
                      f" SELECT (SELECT MIN(f.id) FROM {of} AS f"
                      f" WHERE f.value_hash = m.value_hash AND f.entity_type = m.entity_type"
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
        and their members. A run's own rows are read from the findings_run index; the rows it
        refers to are looked up only under the items not copied (a seek each), so a rescan
        that copied everything reads none of the findings its items refer to."""
        copied = copied if isinstance(copied, (set, frozenset)) else set(copied)
        places: set[str] = set()
        for run in (run_id, other_run):
            own = self.db.execute("SELECT DISTINCT location FROM findings WHERE run_id = ?", (run,))
            places.update(loc for (loc,) in own if loc.partition("!")[0] not in copied)  # top_level()
            referring = self.db.execute("SELECT location FROM items WHERE run_id = ?"
                                        " AND source_run IS NOT NULL AND instr(location, '!') = 0", (run,))
            under = f"SELECT DISTINCT location FROM {self.run_findings(run, '?1', 'location', under='?2')}"
            for (top,) in referring.fetchall():
                if top not in copied:
                    places.update(loc for (loc,) in self.db.execute(under, (run, top)))
        return places

    def recorded_identity_count(self, run_id: int) -> int | None:
        """The `identity_count` the run diff recorded for this run, while it still holds.

        Findings written to the run since (without `finish_run`, which drops
        the count) change how many it has: then the count is not used.
        """
        row = self.db.execute("SELECT findings, identities FROM identity_counts WHERE run_id = ?",
                              (run_id,)).fetchone()
        if row is None or row[0] != self.finding_count(run_id):
            return None
        return int(row[1])

    def record_identity_count(self, run_id: int, identities: int) -> None:
        self.db.execute("INSERT OR REPLACE INTO identity_counts VALUES (?, ?, ?)",
                        (run_id, self.finding_count(run_id), identities))
        self.db.commit()

    def finding_count(self, run_id: int) -> int:
        """How many findings the run has, its reused items' included."""
        return int(self.db.execute(f"SELECT COUNT(*) FROM {self.run_findings(run_id, '?1', 'location')}",
                                   (run_id,)).fetchone()[0])

    def severity_counts(self, run_id: int) -> dict[str, int]:
        """Findings by severity (the trend chart of reports)."""
        of = self.run_findings(run_id, "?1", "severity")
        return dict(self.db.execute(f"SELECT severity, COUNT(*) FROM {of} GROUP BY severity", (run_id,)))

    def finding_rows_by_id(self, ids: Sequence[int]) -> dict[int, tuple[Any, ...]]:
        """The `finding_rows` of these findings (at most 500 at a time), by id."""
        sql = f"SELECT id, {_FINDING_COLUMNS} FROM findings WHERE id IN ({','.join('?' * len(ids))})"
        return {row[0]: row[1:] for row in self.db.execute(sql, tuple(ids))}

    def location_counts(self, run_id: int) -> Iterator[tuple[str, str, int]]:
        """(location, entity type, findings) by location, types in order of first finding."""
        return ((r[0], r[1], r[2]) for r in self.db.execute(
            "SELECT location, entity_type, COUNT(*), MIN(id) AS first FROM"
            f" {self.run_findings(run_id, '?1', 'location', 'entity_type', 'id')}"
            " GROUP BY location, entity_type ORDER BY location, first", (run_id,)))

    def errors(self, run_id: int) -> list[ScanError]:
        return [ScanError(*r) for r in self.db.execute(
            "SELECT location, reason, detail FROM errors WHERE run_id = ? ORDER BY location, rowid",
            (run_id,))]

    def items(self, run_id: int, top_level: bool = False) -> Iterator[ItemRecord]:
        """The run's items by location; `top_level`: not their members ("a.zip!x")."""
        only = " AND instr(location, '!') = 0" if top_level else ""
        for r in self.db.execute(
                "SELECT location, size, mtime, inode, mode, media_type, reader, findings, sha256, error"
                f" FROM items WHERE run_id = ?{only} ORDER BY location", (run_id,)):
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
            f"SELECT entity_type, COUNT(*) FROM {self.run_findings(run_id, '?1', 'entity_type')}"
            " GROUP BY entity_type", (run_id,)))

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

        `as_location` renames them (an identical copy elsewhere): its findings
        are written out, so its rows reference no other run. Returns the
        number of findings copied.
        """
        new = location if as_location is None else as_location
        # ?1 the run written, ?2 ?3 the rename, ?4 the run read, ?5-?8 the item (`_UNDER`)
        args = (dst_run, new, len(location) + 1, src_run, *self._under(location))
        under = "location >= ?5 AND location < ?6 AND (location = ?7 OR location >= ?8)"
        # the location is rewritten by prefix so members keep their "!…" tails
        rename = "?2 || substr(location, ?3)"
        cur = self.db.execute(
            f"INSERT INTO findings(run_id, entity_type, location, pointer, masked, value_hash, score,"
            f" detector, language, severity, record, field, attributes, value)"
            f" SELECT ?1, entity_type, {rename}, pointer, masked, value_hash, score, detector,"
            f" language, severity, record, field, attributes, value"
            f" FROM {self.run_findings(src_run, '?4', _COPIED_COLUMNS, 'id', under='?5')}"
            f" ORDER BY id", args[:5])
        copied = cur.rowcount
        self.db.execute(f"INSERT INTO errors SELECT ?1, {rename}, reason, detail FROM errors"
                        f" WHERE run_id = ?4 AND {under} ORDER BY rowid", args)
        self.db.execute(f"INSERT INTO record_dates SELECT ?1, {rename}, record, field, day"
                        f" FROM record_dates WHERE run_id = ?4 AND {under} ORDER BY rowid", args)
        self.db.execute(f"INSERT OR REPLACE INTO items({_ITEM_COLUMNS}) SELECT ?1, {rename}, size,"
                        f" mtime, inode, mode, media_type, reader, findings, sha256, error, 1, NULL"
                        f" FROM items WHERE run_id = ?4 AND {under}", args)
        self._tick()
        return copied

    def copy_items(self, src_run: int, dst_run: int, locations: Sequence[str]) -> int:
        """Carry a batch of unchanged items over from the previous run, each under its own location.

        Their findings are not copied: the items' rows (members' included) name
        the run that holds them (`source_run`, never a run that refers further),
        and `run_findings` reads them from there. A weekly audit of an unchanged
        share so adds no findings, and no time writing them. Errors and record
        dates, few, are copied. One statement per table for the batch, each
        item one seek in the indexes. Returns the number of findings carried over.
        """
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS copying (location TEXT PRIMARY KEY)")
        self.db.execute("DELETE FROM temp.copying")
        self.db.executemany("INSERT OR IGNORE INTO temp.copying VALUES (?)", ((loc,) for loc in locations))
        under = ("FROM temp.copying AS c CROSS JOIN {} AS t WHERE t.run_id = ?2"
                 " AND t.location >= c.location AND t.location < c.location || '\"'"
                 " AND (t.location = c.location OR t.location >= c.location || '!')")
        args = (dst_run, src_run)
        self.db.execute("INSERT INTO errors SELECT ?1, t.location, t.reason, t.detail "
                        + under.format("errors") + " ORDER BY t.rowid", args)
        self.db.execute("INSERT INTO record_dates SELECT ?1, t.location, t.record, t.field, t.day "
                        + under.format("record_dates") + " ORDER BY t.rowid", args)
        self.db.execute(f"INSERT OR REPLACE INTO items({_ITEM_COLUMNS}) SELECT ?1, t.location, t.size,"
                        " t.mtime, t.inode, t.mode, t.media_type, t.reader, t.findings, t.sha256,"
                        " t.error, 1, coalesce(t.source_run, ?2) " + under.format("items"), args)
        # an item the previous run has no row for (its rows written by hand) still refers
        self.db.execute(f"INSERT OR IGNORE INTO items({_ITEM_COLUMNS}) SELECT ?1, location, NULL, NULL,"
                        " NULL, NULL, NULL, NULL, 0, NULL, NULL, 1, ?2 FROM temp.copying", args)
        carried = self.db.execute(  # from the findings_run index alone
            "SELECT COUNT(*) FROM temp.copying AS c JOIN items AS i ON i.run_id = ?1"
            " AND i.location = c.location CROSS JOIN findings AS f WHERE f.run_id = i.source_run"
            " AND f.location >= c.location AND f.location < c.location || '\"'"
            " AND (f.location = c.location OR f.location >= c.location || '!')", (dst_run,)).fetchone()[0]
        self.db.execute("DELETE FROM temp.copying")
        self._tick()
        return int(carried)

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


_ITEM_COLUMNS = ("run_id, location, size, mtime, inode, mode, media_type, reader, findings, sha256,"
                 " error, reused, source_run")
_COPIED_COLUMNS = ("entity_type, location, pointer, masked, value_hash, score, detector, language,"
                   " severity, record, field, attributes, value")

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
