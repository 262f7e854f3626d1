"""The example policies against the example share, through the real CLI: exactly these violations.

This is the README's demo. Git keeps no permission bits but the execute one,
so the share is copied and given the modes a checkout gets under the usual
umask 022 (files 0644): world_readable then fires as the README says.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # three full scans, names included (spaCy)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

CCR = {
    ("undeclared_location", "benevoles/contacts-benevoles.csv", None),
    ("category_not_allowed", "divers/liste.txt", None),
    ("undeclared_location", "divers/liste.txt", None),
    ("retention_exceeded", "finance/donations/one-time-2026-q3.csv", "one_time_donations"),
    ("world_readable", "hr/payroll/paie-2026-10.csv", "payroll"),
    ("retention_exceeded", "hr/recruitment/not-selected/cv-ahmadi-farid-2026-06.txt", "job_candidates"),
    ("category_not_allowed", "hr/recruitment/not-selected/cv-beaulieu-sarah-2026-09.txt",
     "job_candidates"),
    ("world_readable", "participants/inscriptions-2019.json", "case_files"),
    ("minor_data", "participants/inscriptions-2026.csv", "case_files"),
    ("world_readable", "participants/inscriptions-2026.csv", "case_files"),
    ("world_readable", "participants/notes-de-suivi/dossier-0977.txt", "case_files"),
    ("minor_data", "participants/notes-de-suivi/dossier-1042.txt", "case_files"),
    ("world_readable", "participants/notes-de-suivi/dossier-1042.txt", "case_files"),
    ("public_location", "site-web/evenements/camp-ete-2026.html", None),
}
CITIM = {
    ("category_not_allowed", "divers/liste.txt", None),
    ("category_not_allowed", "hr/recruitment/not-selected/cv-beaulieu-sarah-2026-09.txt", None),
    ("retention_exceeded", "participants/inscriptions-2019.json", "participants"),
    ("minor_data", "participants/inscriptions-2026.csv", "participants"),
    ("minor_data", "participants/notes-de-suivi/dossier-1042.txt", "participants"),
}
REGIONAL = {
    ("minor_data", "participants/inscriptions-2026.csv", None),
    ("minor_data", "site-web/evenements/camp-ete-2026.html", None),
}


@pytest.fixture(scope="module")
def share(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("example") / "share"
    shutil.copytree(EXAMPLES / "share", root)
    for path in [root, *root.rglob("*")]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    return root


def scan(share: Path, tmp: Path, policy: str, *extra: str) -> list[dict]:
    env = os.environ | {"PIISCAN_HOME": str(tmp / "home")}
    proc = subprocess.run(
        [sys.executable, "-m", "piiscan", "scan", str(share), "--policy",
         str(EXAMPLES / "policies" / policy), "--as-of", "2026-11-01", "--format", "jsonl",
         "--db", str(tmp / "x.db"), *extra],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=900)
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]


def violations(rows: list[dict]) -> set[tuple[str, str, str | None]]:
    return {(r["rule"], r["location"], r["purpose"]) for r in rows if r["kind"] == "violation"}


@pytest.fixture(scope="module")
def ccr(share: Path, tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    return scan(share, tmp_path_factory.mktemp("ccr"), "ccr-en.yaml")  # the README's command


def test_ccr_policy_reports_exactly_these(ccr: list[dict]) -> None:
    assert violations(ccr) == CCR


def test_ccr_policy_fires_every_rule(ccr: list[dict]) -> None:
    assert {rule for rule, _, _ in violations(ccr)} == {
        "retention_exceeded", "category_not_allowed", "undeclared_location", "minor_data",
        "world_readable", "public_location"}


def test_ccr_details_a_user_reads(ccr: list[dict]) -> None:
    by_key = {(r["rule"], r["location"]): r for r in ccr if r["kind"] == "violation"}
    cards = by_key[("retention_exceeded", "finance/donations/one-time-2026-q3.csv")]
    # 2026-07-14 and 2026-09-01 are past 60 days on 2026-11-01; 2026-09-03 and 2026-10-20 are not.
    assert (cards["count"], cards["entity_types"], cards["severity"]) == (2, ["CREDIT_CARD"], "high")
    assert "the limit passed on 2026-09-13" in cards["message"]
    camp = by_key[("public_location", "site-web/evenements/camp-ete-2026.html")]
    assert (camp["entity_types"], camp["count"]) == (["DATE_OF_BIRTH"], 3)
    stray = by_key[("category_not_allowed", "divers/liste.txt")]
    assert stray["entity_types"] == ["CA_SIN"] and "payroll and case_files" in stray["message"]


def test_the_clean_areas_stay_clean(ccr: list[dict]) -> None:
    touched = {r["location"] for r in ccr if r["kind"] in ("finding", "violation", "error")}
    assert not any(loc.startswith("communications/") for loc in touched)
    flagged = {r["location"] for r in ccr if r["kind"] == "violation"}
    # Personal data where the policy allows it, for as long as it allows it:
    for allowed in ("finance/donations/monthly-donors.csv", "site-web/equipe.html"):
        assert allowed in touched and allowed not in flagged


def test_citim_policy_in_french(share: Path, tmp_path: Path) -> None:
    rows = scan(share, tmp_path, "citim-fr.yaml", "--lang", "fr", "--executor", "inline")
    assert violations(rows) == CITIM
    old = next(r for r in rows if r.get("rule") == "retention_exceeded")
    assert "6 ans" in old["message"] and "du champ « date_fermeture »" in old["message"]
    assert old["action"].startswith("Supprimer ou anonymiser")


def test_regional_business_policy(share: Path, tmp_path: Path) -> None:
    rows = scan(share, tmp_path, "regional-business-en.yaml", "--executor", "inline")
    assert violations(rows) == REGIONAL
    camp = next(r for r in rows if r.get("location") == "site-web/evenements/camp-ete-2026.html"
                and r["kind"] == "violation")
    assert camp["count"] == 3 and "age 8, 11 and 13" in camp["message"]
