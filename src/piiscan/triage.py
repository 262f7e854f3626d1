"""Triage that persists: a person's verdict on a finding outlives the run it was made on.

Like detect-secrets' baseline, a mark is keyed by where (a glob over
locations) and what (the keyed hash, optionally the entity type) — never the
raw value — so it still matches next week's run, after the file was edited,
and says nothing to someone who reads the store without the key.

Statuses: `confirmed` (real: flagged, still counts), `false_positive` and
`test_data` (hidden), `accepted` (hidden until its date, then shown again as
expired). Allow-lists from the audit config hide values (by hash) or
locations the same way, with status `allowed`.
"""

from __future__ import annotations

import getpass
import re
import sys
from dataclasses import dataclass, field
from datetime import date
from fnmatch import translate
from pathlib import Path
from typing import Any, Iterable, Mapping

import click

from .model import EntityType, Finding, Violation
from .store import RunInfo, Store

STATUSES = ("confirmed", "false_positive", "test_data", "accepted")
HIDING = frozenset({"false_positive", "test_data", "accepted", "allowed"})
_HEX = re.compile(r"[0-9a-f]{64}")


def normalize_hash(text: str) -> str:
    """Accept a hash as printed in reports, with or without its `hmac-sha256:` prefix."""
    t = text.strip().lower()
    bare = t.split(":", 1)[1] if t.startswith("hmac-sha256:") else t
    if not _HEX.fullmatch(bare):
        raise ValueError(f"{text!r} is not a value hash (expected hmac-sha256: and 64 hex digits)")
    return "hmac-sha256:" + bare


@dataclass(frozen=True, slots=True)
class Mark:
    """One triage decision; empty hash or type means "any"."""

    id: int
    location: str
    status: str
    value_hash: str = ""
    entity_type: str = ""
    until: date | None = None
    note: str = ""
    author: str = ""
    created: str = ""
    _glob: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # fnmatch semantics: `*` also crosses `/` and `!`, so `hr/*` covers hr/a/b.zip!c.csv
        object.__setattr__(self, "_glob", re.compile(translate(self.location)))

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> "Mark":
        until = date.fromisoformat(row["until"]) if row.get("until") else None
        return cls(row["id"], row["location"], row["status"], row.get("value_hash") or "",
                   row.get("entity_type") or "", until, row.get("note") or "",
                   row.get("author") or "", row.get("created") or "")

    @property
    def specificity(self) -> int:
        return 2 * bool(self.value_hash) + bool(self.entity_type)

    def covers(self, location: str, entity_type: str, value_hash: str) -> bool:
        return ((not self.value_hash or self.value_hash == value_hash)
                and (not self.entity_type or self.entity_type == entity_type)
                and self._glob.match(location) is not None)

    def covers_violation(self, v: Violation) -> bool:
        """Only marks about a place (no hash) speak for a policy violation there."""
        if self.value_hash or self._glob.match(v.location) is None:
            return False
        return not self.entity_type or all(str(e) == self.entity_type for e in v.entity_types)

    def describe(self) -> str:
        what = []
        if self.entity_type:
            what.append(self.entity_type)
        if self.value_hash:
            what.append(self.value_hash[:20] + "…")
        until = f" until {self.until.isoformat()}" if self.until else ""
        return f"{self.location} {' '.join(what)} → {self.status}{until}".replace("  ", " ")


@dataclass(frozen=True, slots=True)
class Verdict:
    """What triage says about one finding or violation."""

    status: str
    hidden: bool
    mark_id: int | None = None
    note: str = ""
    expired: bool = False  # an acceptance whose date has passed: shown again


@dataclass(frozen=True, slots=True)
class AllowList:
    """From the audit config: values (by hash) and locations never reported."""

    values: frozenset[str] = frozenset()
    locations: tuple[str, ...] = ()

    @classmethod
    def from_config(cls, data: Mapping[str, Any] | None) -> "AllowList":
        data = data or {}
        unknown = set(data) - {"values", "locations"}
        if unknown:
            raise ValueError(f"allow: unknown key(s) {', '.join(sorted(unknown))}; "
                             "use values (hashes) and locations (globs)")
        return cls(frozenset(normalize_hash(h) for h in data.get("values") or ()),
                   tuple(str(g) for g in data.get("locations") or ()))

    def as_params(self) -> dict[str, list[str]]:
        return {"values": sorted(self.values), "locations": list(self.locations)}


class Triage:
    """Applies marks and allow-lists to a run's findings; remembers which marks were used."""

    def __init__(self, marks: Iterable[Mark] = (), allow: AllowList = AllowList(),
                 today: date | None = None):
        # most specific first; among equals the newest decision wins
        self.marks = sorted(marks, key=lambda m: (-m.specificity, -m.id))
        self.allow = allow
        self._allow_globs = [re.compile(translate(g)) for g in allow.locations]
        self.today = today or date.today()
        self.used: set[int] = set()

    @classmethod
    def load(cls, store: Store, run: RunInfo | None = None, today: date | None = None) -> "Triage":
        """The store's marks, plus the allow-lists recorded with the run."""
        allow = AllowList()
        if run is not None and run.params.get("allow"):
            allow = AllowList.from_config(run.params["allow"])
        if today is None and run is not None and run.as_of:
            today = date.fromisoformat(run.as_of[:10])
        return cls([Mark.from_row(r) for r in store.marks()], allow, today)

    def _verdict(self, mark: Mark) -> Verdict:
        self.used.add(mark.id)
        if mark.status == "accepted" and mark.until is not None and mark.until < self.today:
            return Verdict("accepted", False, mark.id, mark.note, expired=True)
        return Verdict(mark.status, mark.status in HIDING, mark.id, mark.note)

    def finding(self, f: Finding) -> Verdict | None:
        if f.value_hash in self.allow.values or any(g.match(f.location) for g in self._allow_globs):
            return Verdict("allowed", True)
        et = str(f.entity_type)
        for m in self.marks:
            if m.covers(f.location, et, f.value_hash):
                return self._verdict(m)
        return None

    def violation(self, v: Violation, hidden_hashes: set[tuple[str, str]] | None = None) -> Verdict | None:
        """A mark about the place, or every finding behind the violation hidden."""
        if any(g.match(v.location) for g in self._allow_globs):
            return Verdict("allowed", True)
        for m in self.marks:
            if m.covers_violation(v):
                return self._verdict(m)
        if hidden_hashes is not None and v.finding_hashes and all(
                (v.location, h) in hidden_hashes for h in v.finding_hashes):
            return Verdict("false_positive", True, note="every finding behind it is triaged")
        return None

    def stale(self) -> list[Mark]:
        """Marks that matched nothing in what was checked: fixed, moved, or mistyped."""
        return [m for m in sorted(self.marks, key=lambda m: m.id) if m.id not in self.used]


def is_hidden(verdict: Verdict | None) -> bool:
    return verdict is not None and verdict.hidden


# -- command line ---------------------------------------------------------------

def _store_path(db: str | None, config: str | None) -> str | None:
    if db and config:
        raise click.UsageError("give --db or --config, not both")
    if config:
        from .audit import ConfigError, load_config
        try:
            return str(load_config(Path(config), check_policy=False).history)
        except ConfigError as exc:
            raise click.UsageError(str(exc)) from None
    return db


def _open_store(db: str | None, config: str | None, *, must_exist: bool = False) -> Store:
    path = _store_path(db, config)
    if must_exist and path and not Path(path).exists():
        raise click.UsageError(f"no store at {path}")
    return Store(path)


store_options = [
    click.option("--db", type=click.Path(dir_okay=False), help="Store file (default: $PIISCAN_HOME/piiscan.db)."),
    click.option("--config", type=click.Path(exists=True, dir_okay=False),
                 help="Use the history store named in this audit config."),
]


def with_store_options(f: Any) -> Any:
    for opt in reversed(store_options):
        f = opt(f)
    return f


@click.group()
def triage() -> None:
    """Mark findings as confirmed, false positive, test data or accepted; later runs keep the mark.

    \b
    Examples:
      piiscan triage mark --location 'tests/fixtures/*' --status test_data
      piiscan triage mark --location hr/payroll.csv --hash hmac-sha256:5f0c… --status false_positive
      piiscan triage mark --location 'archive/2019/*' --status accepted --until 2027-03-31 \\
          --note "destroyed with the 2019 boxes"
      piiscan triage list
      piiscan triage unmark 3
    """


@triage.command()
@click.option("--location", required=True, help="A location or glob (* crosses folders and '!').")
@click.option("--hash", "value_hash", help="Only this value (its hmac-sha256 hash from a report).")
@click.option("--entity", help="Only this entity type, e.g. CA_SIN.")
@click.option("--status", required=True, type=click.Choice(STATUSES))
@click.option("--until", help="accepted: until this date (YYYY-MM-DD), then shown again.")
@click.option("--note", default="", help="Why; shown in reports.")
@with_store_options
def mark(location: str, value_hash: str | None, entity: str | None, status: str,
         until: str | None, note: str, db: str | None, config: str | None) -> None:
    """Add a mark (or replace the one with the same location, hash and type)."""
    if value_hash:
        try:
            value_hash = normalize_hash(value_hash)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--hash") from None
    if entity:
        try:
            entity = str(EntityType(entity.strip().upper()))
        except ValueError:
            known = ", ".join(e.value for e in EntityType)
            raise click.BadParameter(f"unknown entity type {entity!r}; known: {known}",
                                     param_hint="--entity") from None
    if until:
        try:
            until = date.fromisoformat(until).isoformat()
        except ValueError:
            raise click.BadParameter(f"{until!r} is not a date; write it as YYYY-MM-DD",
                                     param_hint="--until") from None
    if status == "accepted" and not until:
        raise click.UsageError("--status accepted needs --until DATE: an acceptance is reviewed again")
    if until and status != "accepted":
        raise click.UsageError("--until only applies to --status accepted")
    with _open_store(db, config) as store:
        mark_id = store.add_mark(location, status, value_hash=value_hash, entity_type=entity,
                                 until=until, note=note, author=_author())
        m = Mark.from_row(next(r for r in store.marks() if r["id"] == mark_id))
    click.echo(f"mark {mark_id}: {m.describe()}")


@triage.command(name="list")
@click.option("--run", "run_id", type=int, help="Check the marks against this run (default: the latest audit).")
@with_store_options
def list_marks(run_id: int | None, db: str | None, config: str | None) -> None:
    """List marks, with how many findings each matches in the latest audit; stale ones flagged."""
    with _open_store(db, config, must_exist=True) as store:
        marks = [Mark.from_row(r) for r in store.marks()]
        if not marks:
            click.echo("no triage marks")
            return
        run = store.run(run_id) if run_id else _latest_audit(store)
        hits: dict[int, int] = {}
        if run is not None:
            t = Triage.load(store, run)
            for f in store.findings(run.id):
                v = t.finding(f)
                if v is not None and v.mark_id is not None:
                    hits[v.mark_id] = hits.get(v.mark_id, 0) + 1
            for viol in store.violations(run.id):
                t.violation(viol)
            stale = {m.id for m in t.stale()}
            click.echo(f"checked against run {run.id} ({run.started})")
        else:
            stale = set()
    for m in marks:
        flag = "  STALE: matches nothing" if m.id in stale else f"  {hits.get(m.id, 0)} findings"
        note = f"  — {m.note}" if m.note else ""
        click.echo(f"{m.id:>4}  {m.describe()}{flag}{note}")


@triage.command()
@click.argument("ids", nargs=-1, type=int)
@click.option("--location", help="Remove the mark with this exact location (and --hash/--entity).")
@click.option("--hash", "value_hash")
@click.option("--entity")
@with_store_options
def unmark(ids: tuple[int, ...], location: str | None, value_hash: str | None, entity: str | None,
           db: str | None, config: str | None) -> None:
    """Remove marks by number (from `triage list`) or by their exact location/hash/type."""
    if not ids and not location:
        raise click.UsageError("give mark numbers or --location")
    with _open_store(db, config, must_exist=True) as store:
        chosen = set(ids)
        if location:
            h = normalize_hash(value_hash) if value_hash else ""
            e = entity.strip().upper() if entity else ""
            chosen |= {r["id"] for r in store.marks() if r["location"] == location
                       and r["value_hash"] == h and r["entity_type"] == e}
        n = store.remove_marks(sorted(chosen))
    click.echo(f"{n} mark(s) removed")
    if n == 0:
        sys.exit(2)


def _latest_audit(store: Store) -> RunInfo | None:
    done = [r for r in store.runs("audit") if r.status == "done"]
    if done:
        return done[-1]
    return next((r for r in reversed(store.runs()) if r.status == "done"), None)


def _author() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in a container: the mark is still valid
        return ""
