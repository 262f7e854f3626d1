"""Which findings belong to one person: units, keys, and a guarded union-find.

1. **Units.** Findings that sit together are grouped: a CSV/spreadsheet/
   database row, a JSON object (same location and `record`); in prose
   (text, documents, mail), the same *line* of the same segment — a
   document mentioning several people must not merge them, and a line is
   the smallest span a reader reports that still holds "Mme Tremblay
   (marie.tremblay@…)". In a row whose name columns name one person, a
   free-text column that names someone else ("notes: call her mother Lise
   Roy at …") is a unit of its own.
2. **One person or several.** A unit is one person when its names are all
   forms of one name (a "prénom" and a "nom" column make one name), it holds
   at most one SIN, passport, UCI and date of birth, and no more than a
   few values of any identifier (or, in prose without a name, only one).
   Otherwise it is broken up: each identifier and each name stands alone.
3. **Keys.** A one-person unit's strong identifiers (by keyed hash) and
   its full name with its date of birth are its keys; units sharing a key
   are one person. An identifier seen with two different SINs, passports,
   dates of birth or full names (a family's email, an office phone) is
   *shared*: it links nothing, and stays a contact of each person. So is
   an address whose local part names a role or a household ("info@",
   "accueil@", "famille.tremblay@"), even when seen with one person only.
4. **Guard.** A union that would give one person two SINs, passports, UCIs,
   dates of birth or incompatible full names is refused, so a chain of
   contacts cannot merge two people either.
5. **Names alone** never merge people who have identifiers. A name
   mentioned without identifiers joins the one person of the same document
   whose name matches (document-level coreference: none or two such people,
   and it does not); otherwise the mentions of one name in one document
   make a "name only" individual. Across documents, a name alone links
   nothing: two memos naming "Jean Tremblay" may be about two people. A
   full name two people of the scope bear, or a bare surname beside a
   shared (household) address, links nothing even within a document.

Every step indexes by key (dict key → unit), so linking is near-linear in
the number of findings; `LinkStats` counts the operations to show it.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Iterable, Mapping, Sequence

from ..model import EntityType, Finding, Individual
from . import names as nm
from .sensitivity import categories_of, tier_of

E = EntityType
# Identifiers that single out a person (a card: its holder); they link units unless shared.
LINK_TYPES = frozenset({E.CA_SIN, E.EMAIL_ADDRESS, E.PASSPORT, E.CA_HEALTH_NUMBER,
                        E.CREDIT_CARD, E.PHONE_NUMBER, E.CA_UCI, E.CA_DRIVERS_LICENCE})
# A person has one of each: two in a unit mean two people, two in a cluster a wrong merge.
ONE_PER_PERSON = (E.CA_SIN, E.PASSPORT, E.CA_UCI, E.DATE_OF_BIRTH)
CONTACT_TYPES = (E.EMAIL_ADDRESS, E.PHONE_NUMBER, E.STREET_ADDRESS)
MAX_VALUES_PER_PERSON = 3  # emails, phones or cards in one row before it looks like a list
NAME_DOB = "NAME_DOB"
MAX_NAMES_CHECKED = 8  # full names kept per cluster for the guard
AMBIGUITY_CAP = 16  # candidates for a bare name past which it is left alone

Key = tuple[str, ...]


@dataclass
class LinkStats:
    """Operation counts: the test of near-linear work, and the report's figures."""

    findings: int = 0
    units: int = 0
    multi_person_units: int = 0
    profiles: int = 0
    union_calls: int = 0
    unions: int = 0
    refused: int = 0
    find_steps: int = 0
    shared_keys: int = 0
    attached_by_name: int = 0
    unattributed: int = 0


@dataclass(slots=True)
class Profile:
    """One person's worth of findings from one unit (or one row of --people)."""

    uid: int
    location: str | None
    findings: list[Finding]
    names: list[str]  # display forms, as found (given+family composed)
    tokens: list[nm.Tokens]  # their tokens
    keys: list[Key]
    anchors: dict[str, str]  # one-per-person type → value, for shared detection and the guard
    reference: bool = False
    shared: list[Key] = field(default_factory=list)
    full: nm.Tokens | None = None  # the longest name, when it is a full one

    def __post_init__(self) -> None:
        best = max(self.tokens, key=len, default=None)
        self.full = best if best and nm.is_full(best) else None


@dataclass(frozen=True, slots=True)
class AffectedPerson:
    """An `Individual` plus what a breach assessment needs about them."""

    individual: Individual
    sensitivity: str
    categories: tuple[str, ...]
    linked_by: tuple[str, ...]
    shared_identifiers: Mapping[str, tuple[str, ...]]
    reference: bool
    minor: bool | None
    findings: tuple[Finding, ...]

    @property
    def individual_id(self) -> str:
        return self.individual.individual_id

    def masked(self) -> dict[str, list[str]]:
        """Masked previews per type (for letters: 'SIN ending 544', never the number)."""
        out: dict[str, list[str]] = {}
        seen: set[str] = set()
        for f in self.findings:
            if f.entity_type is E.PERSON or f.value_hash in seen:
                continue
            seen.add(f.value_hash)
            out.setdefault(str(f.entity_type), []).append(f.masked)
        return out

    def as_dict(self) -> dict[str, Any]:
        d = self.individual.as_dict()
        d.update(sensitivity=self.sensitivity, categories=list(self.categories),
                 linked_by=list(self.linked_by),
                 shared_identifiers={k: list(v) for k, v in self.shared_identifiers.items()},
                 matched_people_list=self.reference, minor=self.minor,
                 findings=len(self.findings))
        return d


@dataclass
class LinkResult:
    persons: list[AffectedPerson]
    unattributed: list[Finding]
    stats: LinkStats


# -- units ----------------------------------------------------------------------

def is_structured(f: Finding) -> bool:
    """A row, a cell, a JSON member: the record groups it. Otherwise prose."""
    p = f.pointer
    return (p.row is not None or p.column is not None or p.path is not None or p.key is not None
            or p.table is not None)


def unit_key(f: Finding) -> Key:
    if is_structured(f):
        if f.record is not None:
            return ("s", f.location, f.record)
        p = f.pointer
        return ("s", f.location, "", str(p.sheet), str(p.table), str(p.row), str(p.key))
    p = f.pointer
    return ("p", f.location, str(f.record), str(p.page), str(p.part), str(p.slide),
            str(p.line), str(p.offset), f.attributes.get("line_in_segment", ""))


def group_units(findings: Iterable[Finding], stats: LinkStats) -> list[list[Finding]]:
    units: dict[Key, list[Finding]] = {}
    for f in findings:
        stats.findings += 1
        units.setdefault(unit_key(f), []).append(f)
    out: list[list[Finding]] = []
    for key, members in units.items():
        out.extend(_split_free_text(members) if key[0] == "s" else [members])
    stats.units = len(out)
    return out


def _split_free_text(members: list[Finding]) -> list[list[Finding]]:
    """A row's free-text column naming someone is not about the row's person."""
    persons = [f for f in members if f.entity_type is E.PERSON]
    if not any(nm.field_role(f.field) for f in persons):
        return [members]
    loose = {f.field for f in persons if not nm.field_role(f.field)}
    if not loose:
        return [members]
    row = [f for f in members if f.field not in loose]
    parts = defaultdict(list)
    for f in members:
        if f.field in loose:
            parts[f.field].append(f)
    return [row, *parts.values()]


# -- profiles ---------------------------------------------------------------------

def _dob(f: Finding) -> str:
    return f.attributes.get("raw_birth_date") or f.value_hash


def _value_key(f: Finding) -> Key:
    return (str(f.entity_type), f.value_hash)


def unit_names(members: Sequence[Finding]) -> list[tuple[str, nm.Tokens]]:
    """The unit's names, with a 'prénom' cell and a 'nom' cell composed into one."""
    persons = [f for f in members if f.entity_type is E.PERSON and f.value]
    roles = [nm.field_role(f.field) if is_structured(f) else None for f in persons]
    given = [f for f, r in zip(persons, roles) if r == nm.GIVEN]
    family = [f for f, r in zip(persons, roles) if r in (nm.FAMILY, nm.NOM)]
    out: list[tuple[str, nm.Tokens]] = []
    if given and family and len({nm.fold(f.value or "") for f in given}) == 1 \
            and len({nm.fold(f.value or "") for f in family}) == 1:
        composed = f"{given[0].value} {family[0].value}"
        out.append((composed, nm.name_tokens(composed)))
        persons = [f for f in persons if f not in given and f not in family]
    for f in persons:
        tokens = nm.name_tokens(f.value or "")
        if tokens:
            out.append((f.value or "", tokens))
    return out


def one_person(names: Sequence[tuple[str, nm.Tokens]], members: Sequence[Finding]) -> bool:
    if names:
        best = max((t for _, t in names), key=len)
        if not all(nm.compatible(best, t) for _, t in names):
            return False
    values: dict[E, set[str]] = defaultdict(set)
    for f in members:
        if f.entity_type in LINK_TYPES or f.entity_type in ONE_PER_PERSON:
            values[f.entity_type].add(_dob(f) if f.entity_type is E.DATE_OF_BIRTH else f.value_hash)
    if any(len(values[t]) > 1 for t in ONE_PER_PERSON):
        return False
    if any(len(v) > MAX_VALUES_PER_PERSON for v in values.values()):
        return False
    prose = not any(is_structured(f) for f in members)
    if prose and not names and any(len(v) > 1 for v in values.values()):
        return False  # "cc: a@x, b@y": two people, not one with two addresses
    return True


def make_profile(uid: int, members: list[Finding], names: Sequence[tuple[str, nm.Tokens]],
                 location: str | None, reference: bool = False) -> Profile:
    keys: list[Key] = []
    anchors: dict[str, str] = {}
    dobs: list[str] = []
    for f in members:
        if f.entity_type in LINK_TYPES:
            k = _value_key(f)
            if k not in keys:
                keys.append(k)
        if f.entity_type in ONE_PER_PERSON:
            if f.entity_type is E.DATE_OF_BIRTH:
                dobs.append(_dob(f))
                if f.attributes.get("ambiguous") == "true":
                    continue  # 03/04 read either way: not firm enough to refuse a link
            anchors[str(f.entity_type)] = _dob(f) if f.entity_type is E.DATE_OF_BIRTH else f.value_hash
    p = Profile(uid, location, members, [n for n, _ in names], [t for _, t in names], keys,
                anchors, reference)
    full = p.full
    if full and dobs:
        p.keys.append((NAME_DOB, " ".join(nm.full_key(full)), dobs[0]))
    return p


def build_profiles(units: Iterable[list[Finding]], stats: LinkStats, start: int = 0
                   ) -> tuple[list[Profile], list[Finding]]:
    """One profile per one-person unit; broken-up units give one per identifier and name."""
    profiles: list[Profile] = []
    loose: list[Finding] = []
    uid = start
    for members in units:
        names = unit_names(members)
        location = members[0].location
        if one_person(names, members):
            profiles.append(make_profile(uid, members, names, location))
            uid += 1
            continue
        stats.multi_person_units += 1
        for f in members:
            if f.entity_type in LINK_TYPES:
                profiles.append(make_profile(uid, [f], [], location))
                uid += 1
            elif f.entity_type is not E.PERSON:
                loose.append(f)  # a date of birth among several people: whose?
        for f in members:
            if f.entity_type is E.PERSON and f.value and (t := nm.name_tokens(f.value)):
                profiles.append(make_profile(uid, [f], [(f.value, t)], location))
                uid += 1
    return profiles, loose


def reference_profiles(rows: Iterable[Sequence[Finding]], start: int) -> list[Profile]:
    out = []
    for i, row in enumerate(rows):
        members = list(row)
        names = [(f.value or "", nm.name_tokens(f.value or "")) for f in members
                 if f.entity_type is E.PERSON and f.value]
        out.append(make_profile(start + i, members, [(n, t) for n, t in names if t], None,
                                reference=True))
    return out


# -- shared identifiers -------------------------------------------------------------

# Local parts of addresses that belong to a role or a household, not to one
# person: "info@", "accueil@", "famille.tremblay@". They are contacts, never links.
ROLE_WORDS = frozenset("""
info contact contacts admin administration office bureau reception accueil secretariat
secretary noreply no-reply support aide help rh hr paie payroll comptabilite accounting
finance dons donations benevoles volunteers inscription inscriptions registration
famille family familles families maison home household parents
""".split())
_LOCAL_SPLIT = re.compile(r"[._+\-]+")


def is_role_address(f: Finding) -> bool:
    if f.entity_type is not E.EMAIL_ADDRESS or not f.value:
        return False
    local = nm.fold(f.value.split("@", 1)[0])
    words = _LOCAL_SPLIT.split(local)
    return any(w in ROLE_WORDS for w in words) or local.startswith(("famille", "family"))


@dataclass(slots=True)
class _Witness:
    anchors: dict[str, str] = field(default_factory=dict)
    name: nm.Tokens | None = None
    shared: bool = False


def shared_keys(profiles: Iterable[Profile]) -> set[Key]:
    """Keys seen with two different SINs, passports, dates of birth or full names."""
    seen: dict[Key, _Witness] = {}
    for p in profiles:
        full = p.full
        for k in p.keys:
            w = seen.get(k)
            if w is None:
                w = seen[k] = _Witness()
            if w.shared:
                continue
            for kind, value in p.anchors.items():
                if kind != k[0] and w.anchors.setdefault(kind, value) != value:
                    w.shared = True
            if full and k[0] != NAME_DOB:
                if w.name is None:
                    w.name = full
                elif not nm.compatible(w.name, full):
                    w.shared = True
    return {k for k, w in seen.items() if w.shared}


# -- union-find with a guard --------------------------------------------------------

class People:
    """Union-find over profiles; each root keeps what one person may hold only once."""

    def __init__(self, profiles: Sequence[Profile], stats: LinkStats):
        self.stats = stats
        self.parent = list(range(len(profiles)))
        self.size = [1] * len(profiles)
        self.anchors: list[dict[str, str]] = [dict(p.anchors) for p in profiles]
        self.full: list[list[nm.Tokens]] = [[p.full] if p.full else [] for p in profiles]

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]  # path halving
            i = parent[i]
            self.stats.find_steps += 1
        return i

    def conflict(self, a: int, b: int) -> bool:
        aa, ab = self.anchors[a], self.anchors[b]
        if any(kind in ab and ab[kind] != v for kind, v in aa.items()):
            return True
        return any(not nm.compatible(x, y) for x in self.full[a] for y in self.full[b])

    def union(self, a: int, b: int, guard: bool = True) -> bool:
        self.stats.union_calls += 1
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if guard and self.conflict(ra, rb):
            self.stats.refused += 1
            return False
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        for kind, v in self.anchors[rb].items():
            self.anchors[ra].setdefault(kind, v)
        names = self.full[ra]
        for t in self.full[rb]:
            if len(names) < MAX_NAMES_CHECKED and t not in names:
                names.append(t)
        self.anchors[rb], self.full[rb] = {}, []
        self.stats.unions += 1
        return True


# -- the whole linking ----------------------------------------------------------------

def link(findings: Iterable[Finding], people: Iterable[Sequence[Finding]] = (),
         *, as_of: date | None = None) -> LinkResult:
    """Group findings into affected persons. `people`: rows of a reference list, as findings."""
    stats = LinkStats()
    refs = reference_profiles(people, 0)
    found, loose = build_profiles(group_units(findings, stats), stats, start=len(refs))
    profiles = refs + found  # the list first: its rows anchor the clusters
    stats.profiles = len(profiles)
    shared = shared_keys(profiles)
    shared |= {_value_key(f) for p in profiles for f in p.findings if is_role_address(f)}
    stats.shared_keys = len(shared)
    uf = People(profiles, stats)
    index: dict[Key, int] = {}
    name_only: list[Profile] = []
    unattributed = list(loose)
    dropped: set[int] = set()
    for p in profiles:
        live = [k for k in p.keys if k not in shared]
        p.shared = [k for k in p.keys if k in shared]
        for k in live:
            first = index.setdefault(k, p.uid)
            if first != p.uid:
                uf.union(first, p.uid)
        if not live:
            if p.names and not p.reference:
                name_only.append(p)
            elif not p.reference:
                unattributed.extend(p.findings)  # a shared contact, a lone date: whose?
                dropped.add(p.uid)
    _attach_names(profiles, name_only, uf, stats)
    persons = _persons(profiles, uf, shared, dropped, as_of or date.today())
    stats.unattributed = len(unattributed)
    return LinkResult(persons, unattributed, stats)


def _attach_names(profiles: Sequence[Profile], name_only: list[Profile], uf: People,
                  stats: LinkStats) -> None:
    """Bare names: join the one matching person of the same document, else group by name.

    A name is evidence only where it is unambiguous: not when the scope holds
    two people of that full name, and a surname alone not when it comes with
    a household's shared address ("M. Mohamud (famille.mohamud@…)").
    """
    keyed = set(range(len(profiles))) - {p.uid for p in name_only}
    by_full: dict[tuple[str, nm.Tokens], set[int]] = defaultdict(set)
    by_token: dict[tuple[str, str], set[int]] = defaultdict(set)
    scope_full: dict[nm.Tokens, set[int]] = defaultdict(set)
    for uid in keyed:
        p = profiles[uid]
        for t in p.tokens:
            if nm.is_full(t):
                scope_full[nm.full_key(t)].add(uid)
            if p.location is None:
                continue
            by_full[(p.location, nm.full_key(t))].add(uid)
            for w in t:
                if not nm.is_initial(w):
                    by_token[(p.location, w)].add(uid)
    namesakes: dict[nm.Tokens, bool] = {}

    def ambiguous(p: Profile, tokens: nm.Tokens) -> bool:
        if not nm.is_full(tokens):
            return bool(p.shared)
        fk = nm.full_key(tokens)
        if fk not in namesakes:
            namesakes[fk] = _namesakes({uf.find(u) for u in scope_full.get(fk, ())}, uf)
        return namesakes[fk]

    groups: dict[tuple[Any, ...], int] = {}
    for p in name_only:
        tokens = max(p.tokens, key=len)
        if ambiguous(p, tokens):
            continue  # stays a person of its own
        target = _same_document(p, tokens, by_full, by_token, profiles, uf)
        if target is not None and uf.union(target, p.uid):
            stats.attached_by_name += 1
            continue
        # Mentions of one name are one person within a document, never across:
        # two memos naming "Jean Tremblay" may be about two people.
        first = groups.setdefault((nm.full_key(tokens), p.location), p.uid)
        if first != p.uid:
            uf.union(first, p.uid)


def _namesakes(roots: set[int], uf: People) -> bool:
    """Two people of one name: clusters that cannot be one person (two SINs, two births).

    Clusters of one name without such a conflict may be one person the
    data did not link; they do not make the name ambiguous.
    """
    if len(roots) > AMBIGUITY_CAP:
        return True
    ordered = sorted(roots)
    return any(uf.conflict(a, b) for i, a in enumerate(ordered) for b in ordered[i + 1:])


def _same_document(p: Profile, tokens: nm.Tokens, by_full: Mapping[Any, set[int]],
                   by_token: Mapping[Any, set[int]], profiles: Sequence[Profile],
                   uf: People) -> int | None:
    loc = p.location
    if loc is None:
        return None
    candidates = by_full.get((loc, nm.full_key(tokens)))
    if not candidates:
        pools = [by_token.get((loc, w), set()) for w in tokens if not nm.is_initial(w)]
        if any(len(s) > AMBIGUITY_CAP for s in pools):
            return None
        candidates = set().union(*pools) if pools else set()
        candidates = {u for u in candidates
                      if any(nm.compatible(tokens, t) for t in profiles[u].tokens)}
    roots = {uf.find(u) for u in candidates}
    return next(iter(roots)) if len(roots) == 1 else None


# -- persons --------------------------------------------------------------------------

def _persons(profiles: Sequence[Profile], uf: People, shared: set[Key],
             dropped: set[int], today: date) -> list[AffectedPerson]:
    clusters: dict[int, list[Profile]] = defaultdict(list)
    for p in profiles:
        if p.uid not in dropped:
            clusters[uf.find(p.uid)].append(p)
    out = [person for members in clusters.values()
           if (person := _person(members, shared, today)) is not None]
    seen: Counter[str] = Counter()
    for i, p in enumerate(out):  # ids are content hashes: a clash is next to impossible, but
        seen[p.individual_id] += 1  # letters are named after them, so make sure
        if seen[p.individual_id] > 1:
            out[i] = replace(p, individual=replace(
                p.individual, individual_id=f"{p.individual_id}-{seen[p.individual_id]}"))
    out.sort(key=lambda a: (_TIER_RANK.get(a.sensitivity, 9),
                            nm.fold(a.individual.names[0]) if a.individual.names else "~",
                            a.individual_id))
    return out


_TIER_RANK = {"highest": 0, "high": 1, "moderate": 2, "low": 3}


def _person(members: list[Profile], shared: set[Key], today: date) -> AffectedPerson | None:
    findings = [f for p in members if not p.reference for f in p.findings]
    if not findings:
        return None  # only on the reference list: not affected
    refs = [p for p in members if p.reference]
    names = _ordered([n for p in refs for n in p.names] +
                     [n for p in members if not p.reference for n in p.names])
    identifiers: dict[str, list[str]] = {}
    shared_ids: dict[str, list[str]] = {}
    seen: set[tuple[E, str]] = set()
    seen_contact: set[tuple[E, str]] = set()
    for f in sorted(findings, key=lambda f: _ORDER[f.entity_type]):
        if f.entity_type is E.PERSON or (f.entity_type, f.value_hash) in seen:
            continue
        seen.add((f.entity_type, f.value_hash))
        shown = f.value if f.value is not None else f.masked
        identifiers.setdefault(str(f.entity_type), []).append(shown)
        if _value_key(f) in shared:
            shared_ids.setdefault(str(f.entity_type), []).append(shown)
    contacts: dict[str, list[str]] = {}
    for f in [*findings, *(f for p in refs for f in p.findings)]:
        if f.entity_type in CONTACT_TYPES and f.value and (f.entity_type, f.value_hash) not in seen_contact:
            seen_contact.add((f.entity_type, f.value_hash))
            contacts.setdefault(str(f.entity_type), []).append(f.value)
    elements = sorted({f.entity_type for f in findings}, key=_ORDER.__getitem__)
    ident = Individual(
        individual_id=_stable_id(findings),
        names=tuple(names),
        identifiers={k: tuple(v) for k, v in identifiers.items()},
        data_elements=tuple(elements),
        locations=tuple(sorted({f.location for f in findings})),
        contacts={k: tuple(v) for k, v in contacts.items()},
    )
    return AffectedPerson(
        individual=ident, sensitivity=tier_of(elements), categories=categories_of(elements),
        linked_by=_linked_by(members, shared), shared_identifiers={k: tuple(v) for k, v in shared_ids.items()},
        reference=bool(refs), minor=_minor(findings, today), findings=tuple(findings))


_ORDER = {e: i for i, e in enumerate(E)}


def _ordered(values: Iterable[str]) -> list[str]:
    """Distinct values, most frequent first, then first seen (whitespace-insensitive)."""
    counts: Counter[str] = Counter()
    shown: dict[str, str] = {}
    for v in values:
        k = " ".join(v.split())
        if not k:
            continue
        counts[k] += 1
        shown.setdefault(k, k)
    first = {k: i for i, k in enumerate(shown)}
    return sorted(shown.values(), key=lambda k: (-counts[k], first[k]))


def _linked_by(members: Sequence[Profile], shared: set[Key]) -> tuple[str, ...]:
    if len(members) == 1:
        p = members[0]
        return ("name only",) if not [k for k in p.keys if k not in shared] else ("one record",)
    counts: Counter[str] = Counter()
    for p in members:
        for k in p.keys:
            if k not in shared:
                counts[k[0] if k[0] != NAME_DOB else "name+date of birth"] += 1
    out = [k for k, n in counts.items() if n > 1]
    if any(p.reference for p in members):
        out.append("people list")
    if any(not p.keys or all(k in shared for k in p.keys) for p in members):
        out.append("name in the same document" if counts else "name only")
    return tuple(sorted(set(out)))


def _minor(findings: Sequence[Finding], today: date) -> bool | None:
    ages = []
    for f in findings:
        if f.entity_type is E.DATE_OF_BIRTH:
            born = f.attributes.get("raw_birth_date")
            if born:
                try:
                    b = date.fromisoformat(born)
                except ValueError:
                    continue
                ages.append(today.year - b.year - ((today.month, today.day) < (b.month, b.day)))
            elif f.attributes.get("age", "").isdigit():
                ages.append(int(f.attributes["age"]))
    return min(ages) < 18 if ages else None


def _stable_id(findings: Sequence[Finding]) -> str:
    """Same scope, same key → same id across runs, so letters keep their file names.

    Built from keyed hashes and places (never values); places keep apart two
    people known by one name only.
    """
    h = hashlib.sha256()
    for v in sorted({f"{f.value_hash}|{unit_key(f)}" for f in findings}):
        h.update(v.encode())
    return "ind-" + h.hexdigest()[:12]
