"""`piiscan policy check FILE`: validate a policy alone and say what it will check."""

from __future__ import annotations

import sys
from typing import Iterator

import click

from .loader import PolicyError, load_policy
from .spec import DOCUMENT, MTIME, Policy, Purpose

EXIT_OK, EXIT_USAGE = 0, 2


def _names(entities: object) -> str:
    return ", ".join(sorted(str(e) for e in entities))  # type: ignore[attr-defined]


def _measured(p: Purpose) -> str:
    shown = {MTIME: "the file's modification time", DOCUMENT: "the latest date in the document"}
    return ", then ".join(shown.get(s, f"field '{s}'") for s in p.measured_from)


def describe(policy: Policy) -> Iterator[str]:
    """The policy as a reader should understand it, one line at a time."""
    if policy.organisation:
        yield f"Organisation: {policy.organisation} (policy language: {policy.language})"
    yield f"Purposes ({len(policy.purposes)}):"
    for p in policy.purposes:
        yield f"  {p.name}: {', '.join(str(loc) for loc in p.locations)}"
        if p.description:
            yield f"      {p.description}"
        yield f"      may hold: {'any category' if p.categories is None else _names(p.categories)}"
        if p.exclusive:
            yield f"      only here: {_names(p.exclusive)}"
        if p.retention:
            default = "every category" if len(p.retention) == 1 else "every other category"
            limits = ", ".join(f"{default if e is None else e} {d}" for e, d in p.retention.items())
            yield f"      retention: {limits}; measured from {_measured(p)}"
    yield "Rules:"
    if policy.purposes:
        yield "  category_not_allowed, retention_exceeded: from the purposes above"
    if policy.undeclared:
        ignored = ", ".join(str(x) for x in policy.undeclared.ignore)
        yield "  undeclared_location: data outside every purpose" + (
            f" (ignoring {ignored})" if ignored else "")
    if policy.minors:
        scope = ", ".join(policy.minors.purposes) if policy.minors.purposes else "everywhere"
        yield f"  minor_data: dates of birth of people under {policy.minors.under} ({scope})"
    if policy.public:
        allow = f"; allowed there: {_names(policy.public.allow)}" if policy.public.allow else ""
        yield (f"  public_location: {', '.join(str(x) for x in policy.public.locations)}{allow}")
    if policy.world_readable:
        wr = policy.world_readable
        scope = f"files of {', '.join(wr.purposes)}" if wr.purposes else "every file with findings"
        yield f"  world_readable: {scope} (at least {wr.min_severity} sensitivity)"
    off = [name for name, rule in (("undeclared_location", policy.undeclared),
                                   ("minor_data", policy.minors),
                                   ("public_location", policy.public),
                                   ("world_readable", policy.world_readable)) if rule is None]
    if off:
        yield f"Not checked (not in rules:): {', '.join(off)}"


@click.group()
def policy() -> None:
    """Policy files: purposes, retention limits and rules (docs/policy.md)."""


@policy.command()
@click.argument("file", type=click.Path(dir_okay=False))
def check(file: str) -> None:
    """Validate a policy file and summarise what it checks; exit 2 when it is invalid.

    \b
    Example:
      piiscan policy check examples/policies/ccr-en.yaml
    """
    try:
        loaded = load_policy(file)
    except PolicyError as exc:
        click.echo(f"piiscan: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(f"{file}: valid")
    for line in describe(loaded):
        click.echo(line)
    sys.exit(EXIT_OK)
