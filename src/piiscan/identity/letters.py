"""Notification letters in English and French, merged per individual from editable templates.

The first run copies the templates into DIR/templates; staff edit them
(organisation name, what happened, whom to call) and re-run with
`--templates DIR/templates`. Templates run in Jinja2's sandbox: a template
is text from a colleague, not code. A letter shows masked values only
("*** *** 544"): it may be misdelivered.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any, Sequence

from jinja2 import FileSystemLoader, StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from ..model import EntityType
from .link import AffectedPerson
from .outputs import private_dir, private_file
from .sensitivity import ADVICE, label

TEMPLATES = Path(__file__).parent / "templates"
LETTER_TEMPLATES = ("letter-en.txt.j2", "letter-fr.txt.j2")
NO_PREVIEW = {str(EntityType.PERSON), str(EntityType.DATE_OF_BIRTH)}


class LetterError(Exception):
    """A template cannot be read or rendered; the message names the template."""


def copy_templates(out_dir: Path) -> Path:
    """DIR/templates with the default letters, unless staff already have their own there."""
    target = private_dir(out_dir / "templates")
    for name in LETTER_TEMPLATES:
        dest = target / name
        if not dest.exists():
            with private_file(dest) as fh, open(TEMPLATES / name, encoding="utf-8") as src:
                shutil.copyfileobj(src, fh)
    return target


def letter_context(p: AffectedPerson, lang: str, today: date) -> dict[str, Any]:
    ind = p.individual
    masked = p.masked()
    exposed = []
    for e in ind.data_elements:
        code = str(e)
        previews = [] if code in NO_PREVIEW else masked.get(code, [])
        exposed.append({"type": code, "label": label(code, lang), "masked": ", ".join(previews),
                        "advice": ADVICE[lang].get(code, "")})
    return {"individual_id": ind.individual_id, "name": ind.names[0] if ind.names else None,
            "names": list(ind.names), "exposed": exposed,
            "contacts": {k: list(v) for k, v in ind.contacts.items()},
            "minor": bool(p.minor), "today": today.isoformat(), "lang": lang}


def _header(p: AffectedPerson) -> str:
    """For staff, above the letters: where to send, and what to watch for."""
    ind = p.individual
    lines = [f"Individual / Personne : {ind.individual_id}"]
    for kind, title in (("EMAIL_ADDRESS", "Email / Courriel"), ("PHONE_NUMBER", "Phone / Téléphone"),
                        ("STREET_ADDRESS", "Address / Adresse")):
        if ind.contacts.get(kind):
            lines.append(f"{title} : {' ; '.join(ind.contacts[kind])}")
    for kind, values in p.shared_identifiers.items():
        if kind in ("EMAIL_ADDRESS", "PHONE_NUMBER"):
            lines.append(f"CAUTION / ATTENTION : shared by several people / partagé par plusieurs "
                         f"personnes : {' ; '.join(values)}")
    if p.minor:
        lines.append("Minor: address the parent or guardian / Mineur : écrire au parent ou tuteur")
    return "\n".join(lines)


def write_letters(persons: Sequence[AffectedPerson], template_dir: Path, out_dir: Path,
                  lang: str = "en", today: date | None = None) -> int:
    """One file per individual in out_dir/letters: both languages, `lang` first."""
    env = SandboxedEnvironment(loader=FileSystemLoader(template_dir), undefined=StrictUndefined,
                               trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                               autoescape=False)
    order = ("fr", "en") if lang == "fr" else ("en", "fr")
    try:
        templates = {lg: env.get_template(f"letter-{lg}.txt.j2") for lg in order}
    except TemplateError as exc:
        raise LetterError(f"cannot read the letter templates in {template_dir}: {exc}") from None
    letters = private_dir(out_dir / "letters")
    today = today or date.today()
    n = 0
    for p in persons:
        parts = [_header(p)]
        for lg in order:
            try:
                parts.append(templates[lg].render(**letter_context(p, lg, today)))
            except TemplateError as exc:
                raise LetterError(f"letter-{lg}.txt.j2: {type(exc).__name__}: {exc.message}") from None
        with private_file(letters / f"{p.individual_id}.txt") as fh:
            fh.write(("\n" + "=" * 72 + "\n\n").join(part.strip("\n") + "\n" for part in parts))
        n += 1
    return n
