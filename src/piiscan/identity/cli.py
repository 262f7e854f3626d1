"""`piiscan breach`: who is affected by an incident, and what to tell whom.

Scans the exposed scope in this process (raw values in memory only, the
shared store untouched), links findings into individuals, and writes into
an owner-only folder: individuals.jsonl / .csv, summary.html, the incident
register entry (.md, .json) and, with --letters, one letter per person.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click

from ..redact import load_or_create_key
from ..registry import Registry
from ..runner import UsageError, resolve_sources
from .assessment import assess
from .letters import LetterError, copy_templates, write_letters
from .link import link
from .outputs import private_dir, write_csv, write_jsonl, write_text
from .people import PeopleListError, load_people
from .register import register_entry, register_markdown
from .scan import breach_options, scan_scope
from .summary import render_summary

EXIT_OK, EXIT_USAGE, EXIT_FAILED = 0, 2, 3

WARNING = {
    "en": ("piiscan: WARNING: {out} holds the personal information of {n} people (names, "
           "identifiers, contact details) in clear. Keep it owner-only, share it only with those "
           "handling the incident, and destroy it securely once the incident is closed."),
    "fr": ("piiscan : ATTENTION : {out} contient en clair les renseignements personnels de {n} "
           "personnes (noms, identifiants, coordonnées). Gardez-le en accès restreint, ne le "
           "partagez qu'avec l'équipe qui gère l'incident et détruisez-le de façon sécuritaire à "
           "la fermeture du dossier."),
}


def _fail(message: str, code: int = EXIT_USAGE) -> None:
    click.echo(f"piiscan: {message}", err=True)
    sys.exit(code)


def _out_dir(path: str) -> Path:
    out = Path(path)
    try:
        return private_dir(out)
    except PermissionError:
        _fail(f"cannot make {out} private (owner-only): choose a folder of your own with --out")
    except OSError as exc:
        _fail(f"cannot create {out}: {exc.strerror}")
    raise AssertionError("unreachable")


def _inside(out_dir: Path, scope: tuple[str, ...]) -> list[str]:
    """Exclude patterns for the output folder where it lies within a scanned folder."""
    patterns = []
    for target in scope:
        if "://" in target or not Path(target).is_dir():
            continue
        try:
            rel = out_dir.resolve().relative_to(Path(target).resolve())
        except ValueError:
            continue
        if str(rel) != ".":
            patterns.append(f"/{rel.as_posix()}/")
    return patterns


def _progress(scan: object) -> None:
    if sys.stderr.isatty():
        items = getattr(scan, "items", 0)
        if items % 25 == 0:
            sys.stderr.write(f"\r  {items} items, {len(getattr(scan, 'findings', []))} findings ")
            sys.stderr.flush()


@click.command()
@click.argument("scope", nargs=-1, required=True)
@click.option("--out", "out", required=True, type=click.Path(file_okay=False),
              help="Folder for the outputs (created owner-only, 0700).")
@click.option("--people", type=click.Path(dir_okay=False),
              help="Reference list of people (CSV or XLSX: nom, prénom, courriel, NAS, "
                   "date de naissance, téléphone…) to name those found only by an identifier.")
@click.option("--lang", type=click.Choice(["en", "fr"]), default="en", show_default=True,
              help="Language of the summary and the register entry (letters are in both).")
@click.option("--letters", is_flag=True, help="Also write one notification letter per person.")
@click.option("--templates", "templates", type=click.Path(exists=True, file_okay=False),
              help="Letter templates to use (default: DIR/templates, copied on first run).")
@click.option("--occurred", help="Date or period of the incident, for the register entry.")
@click.option("--discovered", help="Date the incident became known (YYYY-MM-DD), for the register.")
@click.option("--no-ocr", is_flag=True, help="Do not OCR images and scanned PDF pages.")
@click.option("--min-score", type=click.FloatRange(0, 1), default=0.5, show_default=True)
@click.option("--max-depth", type=int, default=5, show_default=True, help="Archive/mail nesting limit.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Processes reading the scope (default: one per CPU; 1 reads in this process).")
def breach(scope: tuple[str, ...], out: str, people: str | None, lang: str, letters: bool,
           templates: str | None, occurred: str | None, discovered: str | None, no_ocr: bool,
           min_score: float, max_depth: int, workers: int | None) -> None:
    """Assess a breach: who is affected, which of their data was exposed.

    SCOPE is what was exposed: folders, files, archives, mailboxes, database URLs.
    Every database row is read (no sampling).

    \b
    Examples:
      piiscan breach /mnt/stolen-laptop-copy --out incident-2026-11
      piiscan breach shared/ exports.zip --people crm-participants.csv --out inc --lang fr --letters
      piiscan breach shared/ --out inc --letters --templates inc/templates
    """
    if discovered:
        try:
            date.fromisoformat(discovered)
        except ValueError:
            raise click.BadParameter(f"{discovered!r} is not a date; write it as YYYY-MM-DD",
                                     param_hint="--discovered") from None
    try:
        key = load_or_create_key()
    except (OSError, ValueError) as exc:
        _fail(f"cannot use the hashing key: {exc}")
    registry = Registry.from_entry_points()
    options = breach_options(ocr=not no_ocr, min_score=min_score, max_depth=max_depth)
    try:
        resolve_sources(registry, scope)  # a mistyped path fails before anything is created
    except UsageError as exc:
        _fail(str(exc))
    letters = letters or bool(templates)
    out_dir = _out_dir(out)
    options.exclude = tuple(_inside(out_dir, scope))  # never scan our own outputs on a re-run

    reference = []
    if people:
        from .scan import LineRedactor
        try:
            reference = load_people(people, registry, LineRedactor(key))
        except PeopleListError as exc:
            _fail(str(exc))
        except OSError as exc:
            _fail(f"cannot read {people}: {exc.strerror}")
    try:
        scanned = scan_scope(registry, key, options, list(scope), on_item=_progress,
                             workers=workers)
    except UsageError as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        _fail("interrupted; nothing was written", EXIT_FAILED)
    except Exception as exc:
        if type(exc).__name__ == "SourceError":
            _fail(f"the scan could not complete: {exc}", EXIT_FAILED)
        raise
    finally:
        if sys.stderr.isatty():
            sys.stderr.write("\r" + " " * 60 + "\r")

    result = link(scanned.findings, reference, as_of=options.as_of)
    persons = result.persons
    assessment = assess(result, scanned)
    write_jsonl(persons, out_dir / "individuals.jsonl")
    write_csv(persons, out_dir / "individuals.csv")
    write_text(out_dir / "summary.html", render_summary(assessment, lang))
    entry = register_entry(assessment, lang, occurred=occurred, discovered=discovered)
    write_text(out_dir / "incident-register.json", json.dumps(entry, ensure_ascii=False, indent=2) + "\n")
    write_text(out_dir / "incident-register.md", register_markdown(entry))
    written = 0
    if letters:
        copied = copy_templates(out_dir)
        try:
            written = write_letters(persons, Path(templates) if templates else copied, out_dir, lang)
        except LetterError as exc:
            _fail(str(exc))

    click.echo(WARNING[lang].format(out=out_dir, n=len(persons)), err=True)
    click.echo(f"piiscan: {scanned.items} items read, {len(scanned.findings)} findings, "
               f"{len(persons)} individuals, {len(scanned.errors)} items not (fully) read; "
               f"{result.stats.unattributed} findings not tied to a person.", err=True)
    if letters:
        click.echo(f"piiscan: {written} letters in {out_dir / 'letters'}; edit the templates in "
                   f"{out_dir / 'templates'} and re-run with --templates {out_dir / 'templates'}",
                   err=True)
    for name in ("individuals.jsonl", "individuals.csv", "summary.html", "incident-register.md",
                 "incident-register.json"):
        click.echo(str(out_dir / name))
    sys.exit(EXIT_OK)
