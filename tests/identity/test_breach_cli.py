"""`piiscan breach` end to end: a generated scope, the real registry, exact clusters, private files."""

from __future__ import annotations

import csv
import json
import os
import re
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # one real scan in a subprocess: spaCy loads (~15 s of CPU)

from tests.identity.helpers import sin

SIN = {k: sin(i) for i, k in enumerate(("marie", "jean1", "jean2", "luc", "sophie", "omar",
                                        "amina", "nadia"), start=20)}
FAMILY = "famille.gagnon@example.net"

# Who is in the scope, as the set of their identifiers (digits for numbers).
EXPECTED = {
    "marie": {SIN["marie"], "marie.tremblay@example.org", "1985-03-12", "5145550199"},
    "jean1": {SIN["jean1"], "jean.tremblay@example.org", "4505550134"},  # + the database row
    "jean2": {SIN["jean2"], "4385550142"},
    "luc": {SIN["luc"], FAMILY},
    "sophie": {SIN["sophie"], FAMILY, "8195550177"},
    "omar": {SIN["omar"]},
    "amina": {SIN["amina"], "2001-07-04", "5145550111"},
}


def write_database(root: Path) -> str:
    """A volunteers table reached by URL: the same Jean Tremblay, with a phone."""
    path = root / "crm.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE benevoles (id INTEGER PRIMARY KEY, nom TEXT, prenom TEXT,"
                   " courriel TEXT, telephone TEXT)")
        db.execute("INSERT INTO benevoles (nom, prenom, courriel, telephone) VALUES (?, ?, ?, ?)",
                   ("Tremblay", "Jean", "jean.tremblay@example.org", "450-555-0134"))
    return f"sqlite:///{path}"


def write_scope(root: Path) -> tuple[Path, Path]:
    scope = root / "partage"
    (scope / "rh").mkdir(parents=True)
    (scope / "suivi").mkdir()
    with open(scope / "participants.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["nom", "prénom", "courriel", "nas", "date_naissance", "téléphone"])
        w.writerow(["Tremblay", "Marie", "marie.tremblay@example.org", SIN["marie"], "1985-03-12",
                    "514-555-0199"])
        w.writerow(["Tremblay", "Jean", "jean.tremblay@example.org", SIN["jean1"], "", ""])
        w.writerow(["Gagnon", "Luc", FAMILY, SIN["luc"], "", ""])
        w.writerow(["Gagnon", "Sophie", FAMILY, SIN["sophie"], "", ""])
    with open(scope / "rh" / "paie.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["nom", "prénom", "nas", "téléphone"])
        w.writerow(["Tremblay", "Jean", SIN["jean2"], "438-555-0142"])  # another Jean Tremblay
    (scope / "rh" / "releve-2025.txt").write_text(
        f"Relevé annuel 2025\nNAS : {SIN['omar']}\nMontant : 12 400,00 $\n", encoding="utf-8")
    (scope / "suivi" / "notes.txt").write_text(
        "Suivi du 3 mars\n"
        "Mme Tremblay (marie.tremblay@example.org) a appelé au sujet de son dossier.\n"
        "Rencontre d'équipe prévue jeudi.\n", encoding="utf-8")
    (scope / "dossiers.json").write_text(json.dumps([
        {"client": "TREMBLAY, Marie", "nas": SIN["marie"]},
        {"client": "Amina Haddad", "date_naissance": "2001-07-04", "nas": SIN["amina"]},
        {"name": "Sophie Gagnon", "nas": SIN["sophie"], "téléphone": "819-555-0177"},
    ], ensure_ascii=False, indent=1), encoding="utf-8")
    with open(scope / "inscriptions.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["participant", "date_naissance", "téléphone"])
        w.writerow(["Amina Haddad", "2001-07-04", "514-555-0111"])
    with open(scope / "infolettre.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["courriel"])
        w.writerow([FAMILY])
    people = root / "participants-crm.csv"
    with open(people, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Nom", "Prénom", "Courriel", "NAS", "Date de naissance"])
        w.writerow(["Haddad", "Omar", "omar.haddad@example.org", SIN["omar"].replace(" ", ""), ""])
        w.writerow(["Tremblay", "Marie", "marie.tremblay@example.org", SIN["marie"], "1985-03-12"])
        w.writerow(["Benali", "Nadia", "nadia.benali@example.org", SIN["nadia"], ""])
    return scope, people


def canonical(value: str) -> str:
    return value.lower() if "@" in value or "-" in value[4:5] else re.sub(r"\D", "", value)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    root = tmp_path_factory.mktemp("breach")
    scope, people = write_scope(root)
    database = write_database(root)
    out = root / "incident"
    env = {**os.environ, "PIISCAN_HOME": str(root / "home")}
    env.pop("PIISCAN_PLUGINS", None)
    proc = subprocess.run(
        [sys.executable, "-m", "piiscan", "breach", str(scope), database, "--out", str(out),
         "--people", str(people), "--letters", "--lang", "fr", "--discovered", "2026-11-02",
         "--no-ocr"],
        capture_output=True, text=True, env=env, timeout=600)
    return proc, out


def individuals(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "individuals.jsonl").read_text("utf-8").splitlines()]


def test_exact_clusters(run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    proc, out = run
    assert proc.returncode == 0, proc.stderr
    people = individuals(out)
    found = [{canonical(v) for vals in p["identifiers"].values() for v in vals} for p in people]
    expected = [{canonical(v) for v in values} for values in EXPECTED.values()]
    assert sorted(map(sorted, found)) == sorted(map(sorted, expected))
    assert len(people) == len(EXPECTED)  # no name-only extras, Nadia (list only) absent


def test_people_and_names(run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    _, out = run
    by_sin = {canonical(p["identifiers"]["CA_SIN"][0]): p for p in individuals(out)}
    omar = by_sin[canonical(SIN["omar"])]
    assert omar["names"] == ["Omar Haddad"]  # from --people: the file holds only the SIN
    assert omar["matched_people_list"] is True
    assert omar["contacts"] == {"EMAIL_ADDRESS": ["omar.haddad@example.org"]}
    assert omar["data_elements"] == ["CA_SIN"]
    assert omar["locations"] == ["partage/rh/releve-2025.txt"]  # several targets: named by root
    marie = by_sin[canonical(SIN["marie"])]
    assert {"Marie Tremblay", "TREMBLAY, Marie", "Tremblay"} <= set(marie["names"])
    assert marie["locations"] == ["partage/dossiers.json", "partage/participants.csv",
                                  "partage/suivi/notes.txt"]
    assert marie["sensitivity"] == "highest"
    for who in ("luc", "sophie"):
        assert by_sin[canonical(SIN[who])]["shared_identifiers"] == {"EMAIL_ADDRESS": [FAMILY]}
    jean1 = by_sin[canonical(SIN["jean1"])]
    assert jean1["names"] == ["Jean Tremblay"]
    assert jean1["locations"][0] == "partage/participants.csv"
    assert re.fullmatch(r"sqlite:///.*crm\.db#main\.benevoles", jean1["locations"][1])
    assert by_sin[canonical(SIN["jean2"])]["names"] == ["Jean Tremblay"]
    assert "name+date of birth" in by_sin[canonical(SIN["amina"])]["linked_by"]


def test_outputs_are_owner_only(run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    proc, out = run
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    files = [p for p in out.rglob("*") if p.is_file()]
    dirs = [p for p in out.rglob("*") if p.is_dir()]
    assert {p.name for p in files} >= {"individuals.jsonl", "individuals.csv", "summary.html",
                                       "incident-register.md", "incident-register.json",
                                       "letter-en.txt.j2", "letter-fr.txt.j2"}
    assert {p.name for p in dirs} == {"letters", "templates"}
    assert {oct(stat.S_IMODE(p.stat().st_mode)) for p in files} == {oct(0o600)}
    assert {oct(stat.S_IMODE(p.stat().st_mode)) for p in dirs} == {oct(0o700)}
    assert "ATTENTION" in proc.stderr and "détruisez" in proc.stderr


def test_summary_is_self_contained(run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    _, out = run
    html = (out / "summary.html").read_text("utf-8")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert not re.search(r"<script|<link|@import|url\(", html, re.I)
    assert "<html lang=\"fr\">" in html
    assert "Personnes par renseignement" in html and "risque de préjudice sérieux" in html
    # Counts only: no identifier in the summary.
    assert SIN["marie"] not in html and "marie.tremblay@example.org" not in html


def test_register_and_letters(run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    _, out = run
    entry = json.loads((out / "incident-register.json").read_text("utf-8"))
    fields = {f["id"]: f for f in entry["fields"]}
    assert fields["persons"]["value"].startswith(f"{len(EXPECTED)} ")
    assert fields["discovered"]["value"] == "2026-11-02"
    assert fields["notice_cai"]["status"] == "to complete"
    assert "**À COMPLÉTER**" in (out / "incident-register.md").read_text("utf-8")
    letters = sorted((out / "letters").iterdir())
    assert len(letters) == len(EXPECTED)
    text = next(p for p in letters if "Omar Haddad" in p.read_text("utf-8")).read_text("utf-8")
    assert text.index("Bonjour Omar Haddad") < text.index("Dear Omar Haddad")  # --lang fr first
    assert "numéro d'assurance sociale (*** *** " in text  # masked, never the number
    assert SIN["omar"] not in text and SIN["omar"].replace(" ", "") not in text
    assert "omar.haddad@example.org" in text.split("=" * 72)[0]  # where to send it


def test_csv_matches_jsonl(run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    _, out = run
    with open(out / "individuals.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["individual_id"] for r in rows] == [p["individual_id"] for p in individuals(out)]
    assert {r["CA_SIN"] for r in rows} == {p["identifiers"]["CA_SIN"][0] for p in individuals(out)}


def test_unknown_scope_is_a_usage_error(tmp_path: Path) -> None:
    env = {**os.environ, "PIISCAN_HOME": str(tmp_path / "home")}
    proc = subprocess.run([sys.executable, "-m", "piiscan", "breach", str(tmp_path / "nope"),
                           "--out", str(tmp_path / "out")], capture_output=True, text=True, env=env)
    assert proc.returncode == 2
    assert "does not exist" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_pool_and_single_process_find_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The breach scan reads with a process pool by default; one process must see the same,
    and the revealed values stay in memory: nothing is left in the temp folder."""
    import tempfile

    from piiscan.identity.scan import breach_options, scan_scope
    from piiscan.registry import Registry

    scope, _ = write_scope(tmp_path)
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    registry = Registry.from_entry_points()
    key = b"breach-pool-test-key-0123456789!"
    seen = []
    for workers in (2, 1):
        scanned = scan_scope(registry, key, breach_options(ocr=False), [str(scope)], workers=workers)
        assert not scanned.errors
        seen.append((scanned.items, sorted(
            (f.location, str(f.entity_type), f.value, json.dumps(f.pointer.as_dict(), sort_keys=True),
             json.dumps(dict(f.attributes), sort_keys=True)) for f in scanned.findings)))
    assert seen[0] == seen[1]
    values = {f[2] for f in seen[0][1]}
    assert SIN["marie"] in values and "marie.tremblay@example.org" in values  # revealed, for letters
    assert any('"line_in_segment"' in f[4] for f in seen[0][1])  # the worker's redactor kept lines
    assert list(temp.rglob("*")) == []  # the run's private folder is gone, with whatever it held
