"""After the scan: a run's findings, items and record dates → violations.

Each finding is looked at once, on four independent axes:
- placement: is this kind of data allowed where it is? (`category_not_allowed`,
  `undeclared_location`) — at most one verdict per finding;
- retention: has it been kept too long? (`retention_exceeded`);
- minors: is it the date of birth of someone under the age limit? (`minor_data`);
- exposure: can anyone read it? (`public_location`, `world_readable`).
Findings are grouped into one violation per (rule, location, purpose).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Iterable

from ..model import SENSITIVITY, EntityType, Finding, ItemInfo, Severity, Violation
from . import messages as msg
from .durations import Duration
from .locations import outer_file
from .spec import (
    CATEGORY_NOT_ALLOWED,
    DOCUMENT,
    DOCUMENT_FIELD,
    MINOR_DATA,
    MTIME,
    PUBLIC_LOCATION,
    RETENTION_EXCEEDED,
    UNDECLARED_LOCATION,
    WORLD_READABLE,
    Policy,
    Purpose,
    fold_field,
)


def sensitivity(entity: EntityType) -> Severity:
    return SENSITIVITY.get(entity, Severity.LOW)


@dataclass
class Group:
    """The findings behind one violation, and what its message needs."""

    rule: str
    location: str
    purpose: str | None
    count: int = 0
    entities: set[EntityType] = field(default_factory=set)
    per_type: Counter[EntityType] = field(default_factory=Counter)
    confined: set[EntityType] = field(default_factory=set)  # category_not_allowed, exclusive elsewhere
    hashes: set[str] = field(default_factory=set)
    records: set[str] = field(default_factory=set)
    ages: set[int] = field(default_factory=set)
    since: date | None = None
    limits: dict[str, Duration] = field(default_factory=dict)
    sources: dict[str, None] = field(default_factory=dict)  # ordered set of measured_from sources
    mode: int | None = None

    def add(self, f: Finding) -> None:
        self.count += 1
        self.entities.add(f.entity_type)
        self.per_type[f.entity_type] += 1
        self.hashes.add(f.value_hash)


@dataclass(frozen=True, slots=True)
class Place:
    """What the policy says about one location; computed once per location."""

    covering: tuple[Purpose, ...]
    public: bool
    undeclared: bool  # no purpose nor public folder covers it, and the rule is on
    minors_scope: tuple[Purpose, ...] | None  # None: the minors rule does not apply here
    readable_scope: tuple[Purpose, ...] | None  # None: the world-readable rule does not apply
    mode: int | None

    @property
    def purpose(self) -> str | None:
        return names(self.covering)


def names(purposes: Iterable[Purpose]) -> str | None:
    return ", ".join(p.name for p in purposes) or None


class DateIndex:
    """Record dates from the store, looked up per finding."""

    def __init__(self, rows: Iterable[tuple[str, str | None, str, str]]):
        self.fields: dict[tuple[str, str | None], dict[str, date]] = defaultdict(dict)
        self.documents: dict[str, list[date]] = defaultdict(list)
        for location, record, name, day_text in rows:
            try:
                day = date.fromisoformat(day_text)
            except ValueError:
                continue
            if name == DOCUMENT_FIELD:
                self.documents[location].append(day)
                continue
            slot = self.fields[(location, record)]
            key = fold_field(name)
            if key not in slot or slot[key] < day:
                slot[key] = day

    def field(self, location: str, record: str | None, name: str) -> date | None:
        key = fold_field(name)
        for slot in ((location, record), (location, None)):
            day = self.fields.get(slot, {}).get(key)
            if day is not None:
                return day
        return None

    def document(self, location: str, as_of: date) -> date | None:
        # The latest date not after the as-of date: a CV's application date
        # comes after the jobs it lists; a future appointment is not its age.
        days = [d for d in self.documents.get(location, ()) if d <= as_of]
        return max(days) if days else None


class Evaluation:
    def __init__(self, policy: Policy, store: Any, run_id: int, as_of: date | None, lang: str):
        self.policy = policy
        self.as_of = as_of or date.today()
        self.lang = lang if lang in ("en", "fr") else "en"
        self.items: dict[str, ItemInfo] = {r.location: r.info for r in store.items(run_id)}
        self.dates = DateIndex(store.record_dates(run_id))
        self.findings = store.findings(run_id)
        self.groups: dict[tuple[str, str, str | None], Group] = {}
        self.confined: dict[EntityType, tuple[Purpose, ...]] = defaultdict(tuple)
        for p in policy.purposes:
            for e in p.exclusive:
                self.confined[e] += (p,)
        self._place_of: tuple[str, Place] | None = None

    def group(self, rule: str, location: str, purpose: str | None) -> Group:
        key = (rule, location, purpose)
        g = self.groups.get(key)
        if g is None:
            g = self.groups[key] = Group(rule, location, purpose)
        return g

    # -- per location ---------------------------------------------------------
    def place(self, location: str) -> Place:
        if self._place_of and self._place_of[0] == location:
            return self._place_of[1]
        pol = self.policy
        covering = tuple(p for p in pol.purposes if p.covers(location))
        public = pol.public is not None and pol.public.covers(location)
        undeclared = (not covering and not public and pol.undeclared is not None
                      and not pol.undeclared.ignores(location))
        minors = readable = None
        if pol.minors is not None:
            minors = _scope(covering, pol.minors.purposes)
        if pol.world_readable is not None:
            readable = _scope(covering, pol.world_readable.purposes)
        info = self.items.get(outer_file(location)) or self.items.get(location)
        place = Place(covering, public, undeclared, minors, readable, info.mode if info else None)
        self._place_of = (location, place)
        return place

    # -- per finding ------------------------------------------------------------
    def run(self) -> list[Violation]:
        for f in self.findings:
            place = self.place(f.location)
            self.placement(f, place)
            self.retention(f, place)
            self.minor(f, place)
            self.exposure(f, place)
        out = [self.violation(g) for g in self.groups.values()]
        return sorted(out, key=lambda v: (v.location, v.rule, v.purpose or ""))

    def placement(self, f: Finding, place: Place) -> None:
        owners = self.confined.get(f.entity_type, ())
        if owners and not any(p in owners for p in place.covering):
            g = self.group(CATEGORY_NOT_ALLOWED, f.location, place.purpose)
            g.add(f)
            g.confined.add(f.entity_type)
        elif place.covering:
            if not any(p.allows(f.entity_type) for p in place.covering):
                self.group(CATEGORY_NOT_ALLOWED, f.location, place.purpose).add(f)
        elif place.undeclared:
            self.group(UNDECLARED_LOCATION, f.location, None).add(f)

    def retention(self, f: Finding, place: Place) -> None:
        worst: tuple[date, Purpose, Duration, str] | None = None
        for p in place.covering:
            if not p.allows(f.entity_type):
                continue
            limit = p.retention_for(f.entity_type)
            if limit is None or limit.open_ended:
                return  # a purpose that may keep it with no limit
            start, source = self.start(p, f)
            if start is None:
                return  # age unknown: nothing to say (docs/policy.md)
            deadline = limit.after(start)
            assert deadline is not None
            if self.as_of <= deadline:
                return  # still within the limit of one purpose that allows it
            if worst is None or deadline > worst[0]:
                worst = (deadline, p, limit, source)
        if worst is None:
            return
        deadline, p, limit, source = worst
        g = self.group(RETENTION_EXCEEDED, f.location, p.name)
        g.add(f)
        since = deadline + timedelta(days=1)
        g.since = since if g.since is None else min(g.since, since)
        g.limits.setdefault(str(limit), limit)
        g.sources.setdefault(source, None)

    def start(self, p: Purpose, f: Finding) -> tuple[date | None, str]:
        for source in p.measured_from:
            if source == MTIME:
                info = self.items.get(f.location) or self.items.get(outer_file(f.location))
                if info is not None and info.mtime is not None:
                    return datetime.fromtimestamp(info.mtime).date(), source
            elif source == DOCUMENT:
                day = self.dates.document(f.location, self.as_of)
                if day is not None:
                    return day, source
            else:
                day = self.dates.field(f.location, f.record, source)
                if day is not None:
                    return day, source
        return None, ""

    def minor(self, f: Finding, place: Place) -> None:
        rule = self.policy.minors
        if rule is None or place.minors_scope is None or f.entity_type is not EntityType.DATE_OF_BIRTH:
            return
        try:
            age = int(f.attributes.get("age", ""))
        except ValueError:
            return
        if not 0 <= age < rule.under:
            return
        g = self.group(MINOR_DATA, f.location, names(place.minors_scope))
        g.entities.add(f.entity_type)
        g.hashes.add(f.value_hash)
        # In a table one row is one person; in free text, one date of birth is.
        tabular = f.record and (f.pointer.row is not None or f.pointer.key is not None)
        g.records.add(f"r:{f.record}" if tabular else f"h:{f.value_hash}")
        g.count = len(g.records)
        g.ages.add(age)

    def exposure(self, f: Finding, place: Place) -> None:
        pol = self.policy
        if place.public and pol.public is not None and f.entity_type not in pol.public.allow:
            self.group(PUBLIC_LOCATION, f.location, place.purpose).add(f)
        rule = pol.world_readable
        if (rule is not None and place.readable_scope is not None and place.mode is not None
                and place.mode & 0o004 and sensitivity(f.entity_type) >= rule.min_severity):
            g = self.group(WORLD_READABLE, outer_file(f.location), names(place.readable_scope))
            g.add(f)
            g.mode = place.mode

    # -- output -----------------------------------------------------------------
    def violation(self, g: Group) -> Violation:
        entities = tuple(sorted(g.entities, key=lambda e: (-sensitivity(e), str(e))))
        base = max((sensitivity(e) for e in entities), default=Severity.LOW)
        lang, pol = self.lang, self.policy
        types = msg.labels(entities, lang)
        if g.rule == RETENTION_EXCEEDED:
            severity = max(base, Severity.MEDIUM)
            sources = [msg.text(lang, f"from.{s}") if s in (MTIME, DOCUMENT)
                       else msg.text(lang, "from.field", field=s) for s in g.sources]
            message = msg.text(lang, g.rule, count=g.count, types=types, purpose=g.purpose,
                               limit=msg.join((msg.duration(d, lang) for d in g.limits.values()), lang),
                               start_from=msg.join(sources, lang), since=g.since)
            action = msg.text(lang, "retention_exceeded.action")
        elif g.rule == CATEGORY_NOT_ALLOWED:
            severity = max(base, Severity.HIGH) if g.confined else base
            message, action = self._not_allowed(g, entities)
        elif g.rule == UNDECLARED_LOCATION:
            severity = pol.undeclared.severity if pol.undeclared and pol.undeclared.severity else base
            message = msg.text(lang, g.rule, count=g.count, types=types)
            action = msg.text(lang, "undeclared_location.action")
        elif g.rule == MINOR_DATA:
            assert pol.minors is not None
            severity = pol.minors.severity
            message = msg.text(lang, g.rule, count=g.count, under=pol.minors.under,
                               ages=_ages(sorted(g.ages), lang),
                               as_of=self.as_of.isoformat())
            action = msg.text(lang, "minor_data.action")
        elif g.rule == WORLD_READABLE:
            rule = pol.world_readable
            severity = rule.severity if rule and rule.severity else base
            message = msg.text(lang, g.rule, count=g.count, types=types,
                               mode=f"{(g.mode or 0) & 0o777:04o}")
            action = msg.text(lang, "world_readable.action")
        else:  # PUBLIC_LOCATION
            rule = pol.public
            severity = (rule.severity if rule and rule.severity
                        else Severity(min(base + 1, Severity.CRITICAL)))
            shown = next((str(p) for p in (rule.locations if rule else ()) if p.matches(g.location)), "")
            message = msg.text(lang, g.rule, count=g.count, types=types, public=shown)
            action = msg.text(lang, "public_location.action")
        return Violation(g.rule, severity, g.location, message, g.purpose, entities, g.count,
                         action, tuple(sorted(g.hashes)))

    def _not_allowed(self, g: Group, entities: tuple[EntityType, ...]) -> tuple[str, str]:
        lang = self.lang
        parts, where = [], []
        confined = [e for e in entities if e in g.confined]
        others = [e for e in entities if e not in g.confined]
        if confined:
            owners = {p.name: p for e in confined for p in self.confined[e]}
            parts.append(msg.text(lang, "category_not_allowed.confined",
                                  count=sum(g.per_type[e] for e in confined),
                                  types=msg.labels(confined, lang),
                                  owners=msg.join(list(owners), lang)))
            where += [str(loc) for p in owners.values() for loc in p.locations[:1]]
        if others:
            parts.append(msg.text(lang, "category_not_allowed",
                                  count=sum(g.per_type[e] for e in others),
                                  types=msg.labels(others, lang), purpose=g.purpose))
            where += [str(p.locations[0]) for p in self.policy.purposes
                      if p.locations and any(p.allows(e) and not self._confined_away(e, p)
                                             for e in others)]
        where = list(dict.fromkeys(where))[:3]
        place = msg.join(where, lang) if where else msg.text(lang, "category_not_allowed.nowhere")
        return " ".join(parts), msg.text(lang, "category_not_allowed.action", where=place)

    def _confined_away(self, e: EntityType, p: Purpose) -> bool:
        owners = self.confined.get(e, ())
        return bool(owners) and p not in owners


def _ages(ages: list[int], lang: str) -> str:
    # A class list of 300 children reads better as a range.
    if len(ages) > 4:
        return f"{ages[0]}–{ages[-1]}"
    return msg.join([str(a) for a in ages], lang)


def _scope(covering: tuple[Purpose, ...], wanted: tuple[str, ...] | None) -> tuple[Purpose, ...] | None:
    """The covering purposes a rule applies to; None when it does not apply here."""
    if wanted is None:
        return covering
    inside = tuple(p for p in covering if p.name in wanted)
    return inside or None


def evaluate(policy: Policy, store: Any, run_id: int, as_of: date | None = None,
             lang: str = "en") -> list[Violation]:
    return Evaluation(policy, store, run_id, as_of, lang).run()
