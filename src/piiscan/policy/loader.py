"""Read a policy file: YAML → `Policy`, with errors that name the line and the fix.

The YAML is composed into nodes (not loaded into plain dicts) so every
value keeps the line it was written on; unknown keys, duplicate keys and
wrong types are all reported against that line.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Callable, TypeVar

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..model import EntityType, Severity
from .durations import HINT, Duration, parse_duration
from .locations import LocationPattern
from .spec import (
    DOCUMENT,
    MTIME,
    MinorsRule,
    Policy,
    PublicRule,
    Purpose,
    UndeclaredRule,
    WorldReadableRule,
    fold_field,
)

T = TypeVar("T")

TOP_KEYS = ("version", "organisation", "organization", "language", "description", "date_order",
            "purposes", "rules")
PURPOSE_KEYS = ("name", "description", "locations", "categories", "exclusive", "retention",
                "measured_from")
RULE_KEYS = ("minors", "public", "world_readable", "undeclared_locations")
ALL_CATEGORIES = ("all", "any", "*")
DEFAULT_RETENTION = ("other", "all", "*", "default")
ENTITY_NAMES = ", ".join(e.value for e in EntityType)


class PolicyError(Exception):
    """A policy file that cannot be used; str() names the file, the line and the fix."""


class _Doc:
    """Walks the node tree of one file; every error carries the node's line."""

    def __init__(self, name: str):
        self.name = name

    def error(self, node: Node | None, message: str) -> PolicyError:
        if node is None:
            return PolicyError(f"{self.name}: {message}")
        return PolicyError(f"{self.name} line {node.start_mark.line + 1}: {message}")

    def mapping(self, node: Node, what: str, allowed: tuple[str, ...]) -> dict[str, tuple[Node, Node]]:
        if not isinstance(node, MappingNode):
            raise self.error(node, f"{what} must be a mapping of `key: value` lines; "
                                   f"expected keys: {', '.join(allowed)}")
        out: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            key = self.scalar(key_node, f"a key of {what}")
            if key in out:
                first = out[key][0].start_mark.line + 1
                raise self.error(key_node, f"'{key}' is given twice in {what} (first on line "
                                           f"{first}); keep one")
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                fix = f"did you mean '{close[0]}'?" if close else f"use one of: {', '.join(allowed)}"
                raise self.error(key_node, f"unknown key '{key}' in {what}; {fix}")
            out[key] = (key_node, value_node)
        return out

    def scalar(self, node: Node, what: str) -> str:
        if not isinstance(node, ScalarNode):
            raise self.error(node, f"{what} must be a single value, not a list or mapping")
        return str(node.value).strip()

    def text(self, node: Node, what: str) -> str:
        value = self.scalar(node, what)
        if not value:
            raise self.error(node, f"{what} is empty")
        return value

    def strings(self, node: Node, what: str) -> list[tuple[str, Node]]:
        """A value or a list of values (`locations: hr/**` or a `- item` list)."""
        if isinstance(node, ScalarNode):
            return [(self.text(node, what), node)]
        if isinstance(node, SequenceNode):
            if not node.value:
                raise self.error(node, f"{what} is an empty list")
            return [(self.text(n, f"an entry of {what}"), n) for n in node.value]
        raise self.error(node, f"{what} must be a value or a list of values")

    def boolean(self, node: Node, what: str) -> bool:
        value = self.scalar(node, what).lower()
        if value in ("true", "yes", "on"):
            return True
        if value in ("false", "no", "off"):
            return False
        raise self.error(node, f"{what} must be true or false, not '{value}'")

    def integer(self, node: Node, what: str, low: int, high: int) -> int:
        value = self.scalar(node, what)
        if not value.isdigit() or not low <= int(value) <= high:
            raise self.error(node, f"{what} must be a whole number from {low} to {high}, "
                                   f"not '{value}'")
        return int(value)

    def entity(self, text: str, node: Node) -> EntityType:
        try:
            return EntityType(text.strip().upper())
        except ValueError:
            close = difflib.get_close_matches(text.strip().upper(), [e.value for e in EntityType], n=1)
            fix = f"did you mean {close[0]}?" if close else f"use one of: {ENTITY_NAMES}"
            raise self.error(node, f"unknown category '{text}'; {fix}") from None

    def entities(self, node: Node, what: str) -> frozenset[EntityType]:
        return frozenset(self.entity(t, n) for t, n in self.strings(node, what))

    def severity(self, node: Node, what: str) -> Severity:
        try:
            return Severity.parse(self.scalar(node, what))
        except ValueError as exc:
            raise self.error(node, f"{what}: {exc}") from None

    def locations(self, node: Node, what: str) -> tuple[LocationPattern, ...]:
        out = []
        for text, n in self.strings(node, what):
            try:
                out.append(LocationPattern.parse(text))
            except ValueError as exc:
                raise self.error(n, f"{exc} in {what}; write a path glob such as "
                                    "'finance/dons/**' or a table pattern such as "
                                    "'*#crm.donors'") from None
        return tuple(out)


def load_policy(path: str | Path) -> Policy:
    """Read and validate a policy file; raise PolicyError naming the line and the fix."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise PolicyError(f"{name}: not UTF-8 text; save the policy file as UTF-8") from None
    except OSError as exc:
        raise PolicyError(f"{name}: cannot read it ({exc.strerror or exc})") from None
    return parse_policy(text, name)


def parse_policy(text: str, name: str = "policy.yaml") -> Policy:
    doc = _Doc(name)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{name} line {mark.line + 1}" if mark else name
        raise PolicyError(f"{where}: not valid YAML ({exc.problem or exc.context}); check the "
                          "indentation, and quote values that contain ': ' or start with '*'") from None
    except yaml.YAMLError as exc:
        raise PolicyError(f"{name}: not valid YAML ({exc})") from None
    if root is None:
        raise PolicyError(f"{name}: the file is empty; a policy needs `purposes:` or `rules:` "
                          "(see docs/policy.md)")
    top = doc.mapping(root, "the policy", TOP_KEYS)
    if "purposes" not in top and "rules" not in top:
        raise doc.error(root, "a policy needs `purposes:`, `rules:` or both (see docs/policy.md)")
    if "version" in top:
        version = doc.scalar(top["version"][1], "version")
        if version != "1":
            raise doc.error(top["version"][1], f"version {version} is not supported; this piiscan "
                                               "reads version 1")
    language = "en"
    if "language" in top:
        language = doc.scalar(top["language"][1], "language").lower()
        if language not in ("en", "fr"):
            raise doc.error(top["language"][1], f"language must be en or fr, not '{language}'")
    day_first = True
    if "date_order" in top:
        order = doc.scalar(top["date_order"][1], "date_order").lower()
        if order not in ("dmy", "mdy"):
            raise doc.error(top["date_order"][1], f"date_order must be dmy (12/03/2025 is 12 "
                                                  f"March) or mdy, not '{order}'")
        day_first = order == "dmy"
    organisation = ""
    for key in ("organisation", "organization"):
        if key in top:
            organisation = doc.scalar(top[key][1], key)
    purposes = _purposes(doc, top["purposes"][1]) if "purposes" in top else ()
    rules = doc.mapping(top["rules"][1], "rules", RULE_KEYS) if "rules" in top else {}
    known = {p.name for p in purposes}
    return Policy(
        source=name, purposes=purposes, organisation=organisation, language=language,
        day_first=day_first,
        minors=_optional(rules, "minors", lambda k, n: _minors(doc, k, n, known)),
        public=_optional(rules, "public", lambda k, n: _public(doc, k, n)),
        world_readable=_optional(rules, "world_readable", lambda k, n: _world_readable(doc, n, known)),
        undeclared=_optional(rules, "undeclared_locations", lambda k, n: _undeclared(doc, n)),
    )


def _optional(rules: dict[str, tuple[Node, Node]], key: str,
              build: Callable[[Node, Node], T | None]) -> T | None:
    """Build a rule from its (key, value) nodes; missing parts are reported on the key's line."""
    return build(*rules[key]) if key in rules else None


def _purposes(doc: _Doc, node: Node) -> tuple[Purpose, ...]:
    if not isinstance(node, SequenceNode) or not node.value:
        raise doc.error(node, "purposes must be a list, one `- name: …` entry per purpose")
    out: list[Purpose] = []
    seen: dict[str, int] = {}
    for item in node.value:
        p = _purpose(doc, item)
        if p.name in seen:
            raise doc.error(item, f"purpose '{p.name}' is declared twice (first on line "
                                  f"{seen[p.name]}); give each purpose its own name")
        seen[p.name] = p.line
        out.append(p)
    return tuple(out)


def _purpose(doc: _Doc, node: Node) -> Purpose:
    fields = doc.mapping(node, "a purpose", PURPOSE_KEYS)
    if "name" not in fields:
        raise doc.error(node, "this purpose has no `name:`; add one (e.g. name: payroll)")
    name = doc.text(fields["name"][1], "name")
    what = f"purpose '{name}'"
    for required, example in (("locations", "locations: [hr/payroll/**]"),
                              ("categories", "categories: [PERSON, CA_SIN] (or: all)")):
        if required not in fields:
            raise doc.error(node, f"{what} has no `{required}:`; add e.g. `{example}`")
    cat_node = fields["categories"][1]
    categories: frozenset[EntityType] | None
    listed = [t.lower() for t, _ in doc.strings(cat_node, f"the categories of {what}")]
    if any(t in ALL_CATEGORIES for t in listed):
        categories = None
    else:
        categories = doc.entities(cat_node, f"the categories of {what}")
    exclusive = (doc.entities(fields["exclusive"][1], f"the exclusive categories of {what}")
                 if "exclusive" in fields else frozenset())
    held = None if categories is None else categories | exclusive
    retention = _retention(doc, fields["retention"][1], what, held) if "retention" in fields else {}
    measured: tuple[str, ...] = (MTIME,)
    if "measured_from" in fields:
        values = []
        for text, _ in doc.strings(fields["measured_from"][1], f"measured_from of {what}"):
            low = text.lower()
            if low in (MTIME, DOCUMENT):
                values.append(low)
            elif not fold_field(text):
                raise doc.error(fields["measured_from"][1], f"'{text}' is not a field name; write "
                                "mtime, document or a column name such as date_transaction")
            else:
                values.append(text)
        measured = tuple(values)
    description = doc.scalar(fields["description"][1], "description") if "description" in fields else ""
    return Purpose(name=name, locations=doc.locations(fields["locations"][1], f"locations of {what}"),
                   categories=categories, description=description, exclusive=exclusive,
                   retention=retention, measured_from=measured, line=node.start_mark.line + 1)


def _duration(doc: _Doc, node: Node, what: str) -> Duration:
    text = doc.scalar(node, what)
    try:
        return parse_duration(text)
    except ValueError:
        raise doc.error(node, f"{what} '{text}' is not a duration; {HINT}") from None


def _retention(doc: _Doc, node: Node, what: str,
               held: frozenset[EntityType] | None) -> dict[EntityType | None, Duration]:
    if isinstance(node, ScalarNode):
        return {None: _duration(doc, node, "retention")}
    if not isinstance(node, MappingNode):
        raise doc.error(node, f"the retention of {what} must be a duration (6y) or a mapping of "
                              "category: duration (CREDIT_CARD: 60d)")
    out: dict[EntityType | None, Duration] = {}
    for key_node, value_node in node.value:
        key = doc.scalar(key_node, "a retention category")
        entity = None if key.lower() in DEFAULT_RETENTION else doc.entity(key, key_node)
        if entity in out:
            raise doc.error(key_node, f"the retention of '{key}' is given twice; keep one")
        if entity is not None and held is not None and entity not in held:
            raise doc.error(key_node, f"{what} sets a retention for {entity} but does not hold it; "
                                      f"add {entity} to its categories")
        out[entity] = _duration(doc, value_node, f"retention for {key}")
    return out


def _check_purposes(doc: _Doc, node: Node, known: set[str], what: str) -> tuple[str, ...]:
    out = []
    for text, n in doc.strings(node, what):
        if text not in known:
            close = difflib.get_close_matches(text, sorted(known), n=1)
            fix = f"did you mean '{close[0]}'?" if close else (
                f"declared purposes: {', '.join(sorted(known))}" if known else "declare it under purposes:")
            raise doc.error(n, f"{what} names purpose '{text}', which is not declared; {fix}")
        out.append(text)
    return tuple(out)


def _minors(doc: _Doc, key: Node, node: Node, known: set[str]) -> MinorsRule | None:
    if isinstance(node, ScalarNode) and node.value.strip().isdigit():
        return MinorsRule(doc.integer(node, "minors", 1, 25))
    if isinstance(node, ScalarNode) and node.value.strip().lower() in ("false", "no", "off"):
        return None
    fields = doc.mapping(node, "rules: minors", ("under", "purposes", "severity"))
    if "under" not in fields:
        raise doc.error(key, "rules: minors needs `under:`, the age limit (e.g. under: 18)")
    return MinorsRule(
        under=doc.integer(fields["under"][1], "minors: under", 1, 25),
        purposes=(_check_purposes(doc, fields["purposes"][1], known, "rules: minors")
                  if "purposes" in fields else None),
        severity=doc.severity(fields["severity"][1], "severity") if "severity" in fields
        else Severity.HIGH)


def _public(doc: _Doc, key: Node, node: Node) -> PublicRule:
    if not isinstance(node, MappingNode):
        return PublicRule(doc.locations(node, "rules: public"))
    fields = doc.mapping(node, "rules: public", ("locations", "allow", "severity"))
    if "locations" not in fields:
        raise doc.error(key, "rules: public needs `locations:`, the public folders "
                              "(e.g. locations: [site-web/**])")
    return PublicRule(
        locations=doc.locations(fields["locations"][1], "rules: public"),
        allow=doc.entities(fields["allow"][1], "public: allow") if "allow" in fields else frozenset(),
        severity=doc.severity(fields["severity"][1], "severity") if "severity" in fields else None)


def _world_readable(doc: _Doc, node: Node, known: set[str]) -> WorldReadableRule | None:
    if isinstance(node, ScalarNode):
        return WorldReadableRule() if doc.boolean(node, "world_readable") else None
    fields = doc.mapping(node, "rules: world_readable", ("purposes", "min_severity", "severity"))
    return WorldReadableRule(
        purposes=(_check_purposes(doc, fields["purposes"][1], known, "rules: world_readable")
                  if "purposes" in fields else None),
        min_severity=(doc.severity(fields["min_severity"][1], "min_severity")
                      if "min_severity" in fields else Severity.LOW),
        severity=doc.severity(fields["severity"][1], "severity") if "severity" in fields else None)


def _undeclared(doc: _Doc, node: Node) -> UndeclaredRule | None:
    if isinstance(node, ScalarNode):
        return UndeclaredRule() if doc.boolean(node, "undeclared_locations") else None
    fields = doc.mapping(node, "rules: undeclared_locations", ("ignore", "severity"))
    return UndeclaredRule(
        ignore=doc.locations(fields["ignore"][1], "undeclared_locations: ignore")
        if "ignore" in fields else (),
        severity=doc.severity(fields["severity"][1], "severity") if "severity" in fields else None)
