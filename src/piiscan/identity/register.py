"""A pre-filled incident register entry (Law 25 s. 3.8, PIPEDA s. 10.3), as Markdown and JSON.

The scan fills what it knows — the personal information involved, the
number of persons, the sensitivity side of the risk — and marks every
other field "TO COMPLETE" so nothing is silently left out.
"""

from __future__ import annotations

from typing import Any

from .assessment import Assessment, count_of
from .sensitivity import label
from .texts import LEGEND, REGISTER, REGISTER_FIELDS, TO_COMPLETE

PREFILLED, PARTLY, TODO = "pre-filled", "partly pre-filled", "to complete"


def register_entry(a: Assessment, lang: str = "en", *, occurred: str | None = None,
                   discovered: str | None = None) -> dict[str, Any]:
    r = REGISTER[lang]
    todo = TO_COMPLETE[lang]
    highest = count_of(a.by_tier, "highest")
    cats = ", ".join(label(f"cat.{c}", lang) for c, _ in a.by_category
                     if c in ("immigration", "health", "sin", "financial")) or "—"
    elements = ", ".join(f"{label(e, lang)} ({n})" for e, n in a.by_element) or "—"
    pi = r["pi"].format(n=a.individuals, elements=elements, highest=highest, cats=cats)
    unread = sum(n for _, n in a.errors)
    if unread:
        pi += r["pi.unread"].format(errors=unread, reasons=", ".join(f"{k}: {n}" for k, n in a.errors))
    values: dict[str, tuple[str, str]] = {
        "personal_information": (pi, PREFILLED),
        "circumstances": (f"{todo}. {r['scope']}: {', '.join(a.scope)}", PARTLY),
        "occurred": (occurred, PREFILLED) if occurred else (todo, TODO),
        "discovered": (discovered, PREFILLED) if discovered else (todo, TODO),
        "persons": (r["persons"].format(n=a.individuals, name_only=a.name_only), PREFILLED),
        "risk_assessment": (r["risk"].format(highest=highest, theft=a.identity_theft,
                                             minors=a.minors, todo=todo), PARTLY),
        "notice_individuals": (f"{todo}. " + r["individuals_hint"].format(**a.reachable), PARTLY),
    }
    fields = []
    for fid, en, fr, basis in REGISTER_FIELDS:
        value, status = values.get(fid, (todo, TODO))
        fields.append({"id": fid, "label": en if lang == "en" else fr, "label_en": en,
                       "label_fr": fr, "basis": basis, "value": value, "status": status})
    return {"generated": a.generated, "language": lang, "scope": a.scope,
            "legend": LEGEND[lang], "fields": fields}


def register_markdown(entry: dict[str, Any]) -> str:
    lang = entry["language"]
    r = REGISTER[lang]
    todo = TO_COMPLETE[lang]
    lines = [f"# {r['title']}", "",
             r["intro"].format(date=entry["generated"], todo=todo), "",
             f"_{entry['legend']}_", ""]
    for f in entry["fields"]:
        lines.append(f"## {f['label']}")
        if f["basis"]:
            lines.append(f"_{r['basis']}: {f['basis']}_")
        lines.append("")
        value = f["value"]
        if f["status"] == TODO:
            lines.append(f"**{todo}**")
        else:
            lines.append(value.replace(todo, f"**{todo}**"))
        lines.append("")
    return "\n".join(lines)
