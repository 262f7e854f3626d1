"""What `piiscan breach` writes: owner-only files, safe CSV cells, summary, register, letters."""

from __future__ import annotations

import csv
import json
import re
import stat
from datetime import date
from pathlib import Path

import pytest

from piiscan.identity.assessment import assess
from piiscan.identity.letters import LetterError, copy_templates, write_letters
from piiscan.identity.link import LinkResult, link
from piiscan.identity.outputs import private_dir, safe_cell, write_csv, write_jsonl
from piiscan.identity.register import register_entry, register_markdown
from piiscan.identity.scan import ScopeScan
from piiscan.identity.summary import render_summary
from piiscan.model import ScanError
from tests.identity.helpers import cell, row, sin

S1, S2 = sin(41), sin(42)


@pytest.fixture
def result() -> LinkResult:
    found = [
        *row("participants.csv", 2, name="Marie Tremblay", nas=S1, courriel="marie.tremblay@example.org",
             naissance="2012-06-01"),
        *row("participants.csv", 3, name="Omar Haddad", nas=S2),
        cell("PHONE_NUMBER", "+1 514 555 0111", "participants.csv", 3, "téléphone"),
        cell("PERSON", "=HYPERLINK(\"x\")", "dons.csv", 9, "donateur"),
    ]
    return link(found, as_of=date(2026, 11, 1))


def scope_scan(result: LinkResult) -> ScopeScan:
    findings = [f for p in result.persons for f in p.findings]
    return ScopeScan(["/srv/partage"], findings, [ScanError("x.pdf", "encrypted")], items=5)


@pytest.mark.parametrize("value, cell_text", [
    ("=1+1", "'=1+1"), ("+1 514 555 0111", "'+1 514 555 0111"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
    ("Marie Tremblay", "Marie Tremblay"), ("", ""),
])
def test_safe_cell(value: str, cell_text: str) -> None:
    assert safe_cell(value) == cell_text


def test_files_are_owner_only_and_csv_is_formula_safe(tmp_path: Path, result: LinkResult) -> None:
    out = private_dir(tmp_path / "inc")
    (out / "individuals.csv").write_text("old", encoding="utf-8")
    (out / "individuals.csv").chmod(0o644)  # a leftover with wider rights gets tightened
    write_jsonl(result.persons, out / "individuals.jsonl")
    write_csv(result.persons, out / "individuals.csv")
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    for name in ("individuals.jsonl", "individuals.csv"):
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o600
    with open(out / "individuals.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["names"] for r in rows} == {"Marie Tremblay", "Omar Haddad", "'=HYPERLINK(\"x\")"}
    omar = next(r for r in rows if r["names"] == "Omar Haddad")
    assert omar["PHONE_NUMBER"] == "'+1 514 555 0111"
    lines = [json.loads(l) for l in (out / "individuals.jsonl").read_text("utf-8").splitlines()]
    marie = next(d for d in lines if d["names"] == ["Marie Tremblay"])
    assert marie["identifiers"]["CA_SIN"] == [S1]
    assert marie["minor"] is True and marie["sensitivity"] == "highest"
    assert set(marie) >= {"individual_id", "names", "identifiers", "data_elements", "locations",
                          "contacts", "sensitivity"}


@pytest.mark.parametrize("lang, heading", [("en", "Individuals by data element"),
                                           ("fr", "Personnes par renseignement")])
def test_summary(result: LinkResult, lang: str, heading: str) -> None:
    html = render_summary(assess(result, scope_scan(result)), lang)
    assert heading in html
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert "<script" not in html and "<link" not in html
    assert S1 not in html and "Tremblay" not in html  # counts only
    assert "x.pdf" in html  # what could not be read is listed for a manual check
    assert "HYPERLINK" not in html


def test_register_entry(result: LinkResult) -> None:
    a = assess(result, scope_scan(result))
    entry = register_entry(a, "en", discovered="2026-11-02")
    fields = {f["id"]: f for f in entry["fields"]}
    assert {"personal_information", "circumstances", "occurred", "discovered", "persons",
            "risk_assessment", "measures", "notice_cai", "notice_opc", "notice_individuals",
            "kept_until"} <= set(fields)
    assert fields["persons"]["value"].startswith("3 ")
    assert fields["discovered"] == {**fields["discovered"], "value": "2026-11-02", "status": "pre-filled"}
    assert fields["measures"]["status"] == "to complete"
    assert "1 items could not be read (encrypted: 1)" in fields["personal_information"]["value"]
    md = register_markdown(entry)
    assert md.count("**TO COMPLETE**") >= 8
    assert S1 not in md


def test_letters_from_edited_templates(tmp_path: Path, result: LinkResult) -> None:
    out = private_dir(tmp_path / "inc")
    templates = copy_templates(out)
    n = write_letters(result.persons, templates, out, "en", today=date(2026, 11, 3))
    assert n == len(result.persons)
    letters = {p.name: p.read_text("utf-8") for p in (out / "letters").iterdir()}
    marie = next(t for t in letters.values() if "Dear Marie Tremblay" in t)
    assert "Bonjour Marie Tremblay" in marie
    assert "your Social Insurance Number (*** *** " + S1[-3:] + ")" in marie
    assert S1 not in marie
    assert "parent or guardian" in marie  # born 2012: a minor
    # Staff edit the template; a second copy does not overwrite it; the letters follow it.
    (templates / "letter-en.txt.j2").write_text("Hello {{ name }} — Fondation Exemple\n", "utf-8")
    copy_templates(out)
    write_letters(result.persons, templates, out, "en")
    again = {p.name: p.read_text("utf-8") for p in (out / "letters").iterdir()}
    assert again.keys() == letters.keys()  # same people, same file names
    assert sum("Hello Marie Tremblay — Fondation Exemple" in t for t in again.values()) == 1
    assert {stat.S_IMODE(p.stat().st_mode) for p in (out / "letters").iterdir()} == {0o600}
    (templates / "letter-en.txt.j2").write_text("{{ nom_inconnu }}", "utf-8")
    with pytest.raises(LetterError, match="letter-en.txt.j2"):
        write_letters(result.persons, templates, out, "en")
