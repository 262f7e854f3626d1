"""summary.html: counts, sensitivity tiers and the risk factors, self-contained.

No script, no font, no image from anywhere: the file is opened on the
privacy officer's machine, possibly offline, and must not call out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from .assessment import Assessment, count_of
from .sensitivity import label
from .texts import HARMS_BY_CATEGORY, SUMMARY, TO_COMPLETE

TEMPLATES = Path(__file__).parent / "templates"
MAX_ERRORS_SHOWN = 50


def _env() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]),
                       trim_blocks=True, lstrip_blocks=True)


def factors(a: Assessment, lang: str) -> list[dict[str, str]]:
    """The checklist: what the scan knows, and what staff must assess."""
    s = SUMMARY[lang]
    highest = count_of(a.by_tier, "highest")
    cats = ", ".join(label(f"cat.{c}", lang) for c, _ in a.by_category
                     if c in ("immigration", "health", "sin", "financial")) or "—"
    harms: list[str] = []
    for c, _ in a.by_category:
        for h in HARMS_BY_CATEGORY.get(c, ()):
            if s[f"harm.{h}"] not in harms:
                harms.append(s[f"harm.{h}"])
    return [
        {"name": s["f.sensitivity"], "known": s["f.sensitivity.known"].format(
            highest=highest, n=a.individuals, cats=cats, theft=a.identity_theft, minors=a.minors),
         "staff": s["f.sensitivity.staff"]},
        {"name": s["f.probability"], "known": s["f.probability.known"].format(
            items=a.items - sum(n for _, n in a.errors), encrypted=a.encrypted),
         "staff": s["f.probability.staff"]},
        {"name": s["f.consequences"], "known": s["f.consequences.known"].format(
            harms=", ".join(harms) or "—"), "staff": s["f.consequences.staff"]},
        {"name": s["f.number"], "known": s["f.number.known"].format(
            n=a.individuals, name_only=a.name_only, unattributed=a.unattributed),
         "staff": s["f.number.staff"]},
        {"name": s["f.conclusion"], "known": "—", "staff": s["f.conclusion.staff"]},
    ]


def render_summary(a: Assessment, lang: str = "en") -> str:
    s = SUMMARY[lang]
    view: dict[str, Any] = {
        "lang": lang, "s": s, "a": a, "todo": TO_COMPLETE[lang],
        "elements": [(label(e, lang), e, n) for e, n in a.by_element],
        "tiers": [(label(f"tier.{t}", lang), t, n) for t, n in a.by_tier],
        "categories": [(label(f"cat.{c}", lang), n) for c, n in a.by_category],
        "factors": factors(a, lang),
        "reach": [(s[f"reach.{k}"], n) for k, n in a.reachable.items()],
        "errors": a.errors,
        "error_locations": a.error_locations[:MAX_ERRORS_SHOWN],
        "more_errors": max(0, len(a.error_locations) - MAX_ERRORS_SHOWN),
        "unread": sum(n for _, n in a.errors),
    }
    return _env().get_template("summary.html.j2").render(**view)
