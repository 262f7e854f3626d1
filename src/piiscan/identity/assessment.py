"""What the scan knows for the risk assessment: counts, never names or values.

Everything here is aggregate, so the summary and the register entry can be
shown to more people than the individuals list.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Sequence

from ..model import EntityType
from .link import LinkResult
from .scan import ScopeScan
from .sensitivity import CATEGORIES, TIERS

E = EntityType
IDENTITY_THEFT = (E.CA_SIN, E.DATE_OF_BIRTH, E.PASSPORT, E.CA_HEALTH_NUMBER, E.CA_DRIVERS_LICENCE)


@dataclass
class Assessment:
    generated: str
    scope: list[str]
    individuals: int
    findings: int
    items: int
    unattributed: int
    by_element: list[tuple[str, int]]  # entity type → individuals
    by_tier: list[tuple[str, int]]
    by_category: list[tuple[str, int]]
    minors: int
    with_birth_date: int
    identity_theft: int  # a name with a SIN, or with a birth date and another identifier
    name_only: int
    matched_list: int
    reachable: dict[str, int]  # email / phone / address / none → individuals
    errors: list[tuple[str, int]]  # reason → items not (fully) read
    encrypted: int
    error_locations: list[str] = field(default_factory=list)
    stats: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        from dataclasses import asdict
        return asdict(self)


def assess(result: LinkResult, scan: ScopeScan, *, now: datetime | None = None) -> Assessment:
    persons = result.persons
    elements: Counter[str] = Counter()
    tiers: Counter[str] = Counter()
    cats: Counter[str] = Counter()
    reach: Counter[str] = Counter()
    theft = minors = born = name_only = matched = 0
    for p in persons:
        ind = p.individual
        des = set(ind.data_elements)
        elements.update(str(e) for e in des)
        tiers[p.sensitivity] += 1
        cats.update(p.categories)
        minors += p.minor is True
        born += E.DATE_OF_BIRTH in des
        named = bool(ind.names)
        if named and (E.CA_SIN in des or (E.DATE_OF_BIRTH in des and len(des & set(IDENTITY_THEFT)) >= 2)):
            theft += 1
        name_only += "name only" in p.linked_by
        matched += p.reference
        ways = [k for k, t in (("email", E.EMAIL_ADDRESS), ("phone", E.PHONE_NUMBER),
                               ("address", E.STREET_ADDRESS)) if ind.contacts.get(str(t))]
        reach.update(ways or ["none"])
    order = {str(e): i for i, e in enumerate(E)}
    reasons: Counter[str] = Counter(e.reason for e in scan.errors)
    when = (now or datetime.now(timezone.utc)).isoformat(timespec="seconds")
    return Assessment(
        generated=when, scope=list(scan.targets), individuals=len(persons),
        findings=len(scan.findings), items=scan.items, unattributed=len(result.unattributed),
        by_element=sorted(elements.items(), key=lambda kv: order.get(kv[0], 99)),
        by_tier=[(t, tiers[t]) for t, _ in TIERS if tiers[t]],
        by_category=[(c, cats[c]) for c in CATEGORIES if cats[c]],
        minors=minors, with_birth_date=born, identity_theft=theft, name_only=name_only,
        matched_list=matched, reachable={k: reach[k] for k in ("email", "phone", "address", "none")},
        errors=sorted(reasons.items(), key=lambda kv: -kv[1]),
        encrypted=reasons.get("encrypted", 0),
        error_locations=sorted({e.location for e in scan.errors})[:200],
        stats={k: v for k, v in vars(result.stats).items()})


def count_of(pairs: Sequence[tuple[str, int]], key: str) -> int:
    return dict(pairs).get(key, 0)
