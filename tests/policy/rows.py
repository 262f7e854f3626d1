"""Store rows written by hand, so rules can be tested without readers or detectors."""

from __future__ import annotations

import textwrap
from datetime import date, datetime, time
from pathlib import Path

from piiscan.model import EntityType, Finding, ItemInfo, Pointer, Violation
from piiscan.policy import Policy, parse_policy
from piiscan.store import Store

AS_OF = date(2026, 11, 1)


def policy(text: str) -> Policy:
    return parse_policy(textwrap.dedent(text), "test.yaml")


class Run:
    """One run in a fresh store: add items, findings and record dates, then evaluate."""

    def __init__(self, tmp_path: Path):
        self.store = Store(tmp_path / "store.db")
        self.id = self.store.begin_run(["share"], {})
        self._items: set[str] = set()

    def item(self, location: str, *, mode: int | None = 0o100600, mtime: date | None = None) -> None:
        stamp = datetime.combine(mtime, time(12)).timestamp() if mtime else None
        self.store.add_item(self.id, location, ItemInfo(100, stamp, None, mode), "text/plain",
                            "text", 0, None, None)
        self._items.add(location)

    def finding(self, entity: str, location: str, *, record: str | None = None,
                row: int | None = None, value: str = "v", age: int | None = None,
                field: str | None = None) -> None:
        if location not in self._items:
            self.item(location)
        attrs = {"age": str(age)} if age is not None else {}
        self.store.add_finding(self.id, Finding(
            EntityType(entity), location, Pointer(row=row), "***", f"hmac-sha256:{entity}:{value}",
            0.9, "test", record=record, field=field, attributes=attrs))

    def date(self, location: str, record: str | None, field: str, day: date | str) -> None:
        self.store.add_record_date(self.id, location, record, field, str(day))

    def evaluate(self, pol: Policy, as_of: date = AS_OF, lang: str = "en") -> list[Violation]:
        self.store.commit()
        return pol.evaluate(self.store, self.id, as_of, lang)

    def keys(self, pol: Policy, as_of: date = AS_OF) -> set[tuple[str, str, str | None]]:
        return {(v.rule, v.location, v.purpose) for v in self.evaluate(pol, as_of)}

    def close(self) -> None:
        self.store.close()
