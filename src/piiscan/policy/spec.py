"""What a policy declares, once validated: purposes and rules as plain data.

The loader builds these from YAML; `rules.py` turns them and a run's
findings into violations. Nothing here reads files or the store.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Mapping

from ..model import EntityType, Segment, Severity, Violation
from .durations import Duration
from .locations import LocationPattern

# Rule names: strings in every output format; keep them stable.
RETENTION_EXCEEDED = "retention_exceeded"
CATEGORY_NOT_ALLOWED = "category_not_allowed"
UNDECLARED_LOCATION = "undeclared_location"
MINOR_DATA = "minor_data"
WORLD_READABLE = "world_readable"
PUBLIC_LOCATION = "public_location"
RULES = (RETENTION_EXCEEDED, CATEGORY_NOT_ALLOWED, UNDECLARED_LOCATION, MINOR_DATA,
         WORLD_READABLE, PUBLIC_LOCATION)

# `measured_from` values that are not field names.
MTIME = "mtime"
DOCUMENT = "document"
DOCUMENT_FIELD = "(document)"  # how a date found in free text is recorded in the store

_SEPARATORS = re.compile(r"[^a-z0-9]+")


def fold_field(name: str) -> str:
    """'Date d’approbation', 'date_d_approbation' and 'DATE D APPROBATION' compare equal."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return _SEPARATORS.sub(" ", text).strip()


@dataclass(frozen=True, slots=True)
class Purpose:
    """Why some data is kept, where it lives, what it may hold, for how long."""

    name: str
    locations: tuple[LocationPattern, ...]
    categories: frozenset[EntityType] | None  # None: any category
    description: str = ""
    exclusive: frozenset[EntityType] = frozenset()  # allowed here and in no other purpose
    retention: Mapping[EntityType | None, Duration] = field(default_factory=dict)  # None: the default
    measured_from: tuple[str, ...] = (MTIME,)  # MTIME, DOCUMENT or field names, tried in order
    line: int = 0

    def covers(self, location: str) -> bool:
        return any(p.matches(location) for p in self.locations)

    def allows(self, entity: EntityType) -> bool:
        return self.categories is None or entity in self.categories or entity in self.exclusive

    def retention_for(self, entity: EntityType) -> Duration | None:
        return self.retention.get(entity, self.retention.get(None))


@dataclass(frozen=True, slots=True)
class MinorsRule:
    """Dates of birth that make someone younger than `under` on the as-of date."""

    under: int
    purposes: tuple[str, ...] | None = None  # None: everywhere
    severity: Severity = Severity.HIGH


@dataclass(frozen=True, slots=True)
class PublicRule:
    """Folders anyone can see (a web site's folder, a public share)."""

    locations: tuple[LocationPattern, ...]
    allow: frozenset[EntityType] = frozenset()  # e.g. staff contact details on a web page
    severity: Severity | None = None  # None: one level above the data's own sensitivity

    def covers(self, location: str) -> bool:
        return any(p.matches(location) for p in self.locations)


@dataclass(frozen=True, slots=True)
class WorldReadableRule:
    """Files holding personal data that every account on the server may read (o+r)."""

    purposes: tuple[str, ...] | None = None  # None: every file with findings
    min_severity: Severity = Severity.LOW
    severity: Severity | None = None


@dataclass(frozen=True, slots=True)
class UndeclaredRule:
    """Personal data in a location no purpose (nor a public folder) covers."""

    ignore: tuple[LocationPattern, ...] = ()
    severity: Severity | None = None

    def ignores(self, location: str) -> bool:
        return any(p.matches(location) for p in self.ignore)


@dataclass(frozen=True, slots=True)
class Policy:
    """A validated policy file: `observer` runs during the scan, `evaluate` after it."""

    source: str
    purposes: tuple[Purpose, ...]
    organisation: str = ""
    language: str = "en"
    day_first: bool = True
    minors: MinorsRule | None = None
    public: PublicRule | None = None
    world_readable: WorldReadableRule | None = None
    undeclared: UndeclaredRule | None = None
    # Caches of the date reader (field names seen); not part of the policy's value.
    _reader: Any = field(default=None, init=False, repr=False, compare=False)

    def purpose(self, name: str) -> Purpose:
        return next(p for p in self.purposes if p.name == name)

    def date_fields(self) -> dict[str, str]:
        """Folded field name → the name as first declared, over every purpose."""
        out: dict[str, str] = {}
        for p in self.purposes:
            for f in p.measured_from:
                if f not in (MTIME, DOCUMENT):
                    out.setdefault(fold_field(f), f)
        return out

    def record_dates(self, segment: Segment) -> list[tuple[str, str]]:
        """The (field, ISO day) pairs retention may be measured from, found in a segment."""
        return self._date_reader().dates(segment)

    def record_date(self, segment: Segment) -> tuple[str, str] | None:
        """At most one of `record_dates`: a declared field's date, else the latest in the text."""
        return self._date_reader().first(segment)

    def _date_reader(self) -> Any:
        if self._reader is None:  # built on first use: in the worker that needs it
            from .observe import DateReader
            object.__setattr__(self, "_reader", DateReader(self))
        return self._reader

    def observer(self, store: Any) -> Callable[[int, Segment], None]:
        from .observe import DateObserver
        return DateObserver(self, store)

    def evaluate(self, store: Any, run_id: int, as_of: date | None = None,
                 lang: str = "en") -> list[Violation]:
        from .rules import evaluate
        return evaluate(self, store, run_id, as_of, lang)
