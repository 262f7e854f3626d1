"""During the scan: find the dates retention is measured from.

The engine shows every segment read to the policy, so the common case — a
field that is not a declared date field, in a location that does not
measure from the document — costs two dictionary look-ups.

`DateReader` is pure (segment → dates) so it runs in worker processes;
`DateObserver` writes what it finds straight to a store.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..model import Segment
from .dates import dates_in_text, parse_date
from .spec import DOCUMENT, DOCUMENT_FIELD, fold_field

if TYPE_CHECKING:
    from .spec import Policy

_PATH_PARTS = re.compile(r"[.\[\]/$>]+")
CACHE_LIMIT = 50_000  # distinct field names remembered (headers repeat on every row)
DATES_PER_DOCUMENT = 2_000  # distinct dates kept per document, at most
DOCUMENTS_REMEMBERED = 1_000


class DateReader:
    """Segment → (field, ISO day) pairs: declared date fields, and dates in documents."""

    def __init__(self, policy: "Policy"):
        self.day_first = policy.day_first
        self.fields = policy.date_fields()
        self.document_purposes = tuple(p for p in policy.purposes if DOCUMENT in p.measured_from)
        self._field_cache: dict[str, str | None] = {}
        self._doc_location: str | None = None
        self._doc_wanted = False
        self._doc_days: dict[str, set[str]] = {}

    def dates(self, segment: Segment) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        if segment.field and self.fields:
            name = self._declared(segment.field)
            if name is not None:
                day = parse_date(segment.text, self.day_first)
                if day is not None:
                    out.append((name, day.isoformat()))
        if self.document_purposes and self._wants_document(segment.location):
            seen = self._doc_days.setdefault(segment.location, set())
            for day in dates_in_text(segment.text, self.day_first):
                iso = day.isoformat()
                if iso not in seen and len(seen) < DATES_PER_DOCUMENT:
                    seen.add(iso)
                    out.append((DOCUMENT_FIELD, iso))
        return out

    def first(self, segment: Segment) -> tuple[str, str] | None:
        """One date per segment: a declared field's, else the latest in the text."""
        found = self.dates(segment)
        if not found:
            return None
        fields = [d for d in found if d[0] != DOCUMENT_FIELD]
        return fields[0] if fields else max(found, key=lambda d: d[1])

    def _declared(self, raw: str) -> str | None:
        try:
            return self._field_cache[raw]
        except KeyError:
            pass
        # Readers may append what a column holds: "dateNaissance (date of birth / …)".
        base = raw.split(" (", 1)[0] if raw.endswith(")") else raw
        name = self.fields.get(fold_field(base))
        if name is None:
            # A JSON or XML path: the key is its last named step ("donors[3].approved_at").
            steps = [s for s in _PATH_PARTS.split(base) if s and not s.isdigit()]
            if steps:
                name = self.fields.get(fold_field(steps[-1]))
        if len(self._field_cache) >= CACHE_LIMIT:
            self._field_cache.clear()
        self._field_cache[raw] = name
        return name

    def _wants_document(self, location: str) -> bool:
        # Segments of one item arrive together: remember the last answer.
        if location != self._doc_location:
            self._doc_location = location
            self._doc_wanted = any(p.covers(location) for p in self.document_purposes)
            if len(self._doc_days) > DOCUMENTS_REMEMBERED:
                self._doc_days.clear()
        return self._doc_wanted


class DateObserver:
    """Callable `(run_id, segment)`: writes the dates a `DateReader` finds to the store."""

    def __init__(self, policy: "Policy", store: Any):
        self.store = store
        self.reader = DateReader(policy)

    def __call__(self, run_id: int, segment: Segment) -> None:
        for name, day in self.reader.dates(segment):
            record = None if name == DOCUMENT_FIELD else segment.record
            self.store.add_record_date(run_id, segment.location, record, name, day)
