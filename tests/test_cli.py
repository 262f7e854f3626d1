"""The command line end to end, as a user runs it, on a generated share."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.share import EMAIL, SIN, make_share


def piiscan(*args: str, cwd: Path | None = None, check: bool = False) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "piiscan", *args], capture_output=True,
                          text=True, cwd=cwd, env=os.environ.copy(), timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="module")
def share(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_share(tmp_path_factory.mktemp("share"))


@pytest.fixture(scope="module")
def jsonl(share: Path, tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    db = tmp_path_factory.mktemp("db") / "s.db"
    proc = piiscan("scan", str(share), "--format", "jsonl", "--db", str(db), check=True)
    return [json.loads(line) for line in proc.stdout.splitlines()]


def test_jsonl_findings_follow_the_design_schema(jsonl: list[dict]) -> None:
    findings = [r for r in jsonl if r["kind"] == "finding"]
    assert findings
    for f in findings:
        assert {"entity_type", "location", "pointer", "masked", "value_hash", "score",
                "detector", "language"} <= set(f)
        assert f["value_hash"].startswith("hmac-sha256:")
        assert "value" not in f


def test_sin_in_payroll_points_at_its_column(jsonl: list[dict]) -> None:
    sins = [r for r in jsonl if r.get("entity_type") == "CA_SIN" and r["location"] == "hr/payroll.csv"]
    assert len(sins) == 1
    assert sins[0]["pointer"] == {"row": 2, "column": "NAS"}
    assert sins[0]["masked"] == "*** *** 233"
    assert sins[0]["score"] >= 0.85  # a validated value under a column named for it


def test_every_planted_type_is_found_where_it_was_put(jsonl: list[dict]) -> None:
    got = {(r["entity_type"], r["location"]) for r in jsonl if r["kind"] == "finding"}
    for expected in [("CA_SIN", "hr/payroll.csv"), ("EMAIL_ADDRESS", "hr/payroll.csv"),
                     ("CREDIT_CARD", "finance/donors.json"), ("PHONE_NUMBER", "finance/donors.json"),
                     ("CA_SIN", "notes/suivi.txt"), ("PASSPORT", "notes/suivi.txt"),
                     ("EMAIL_ADDRESS", "notes/page.html")]:
        assert expected in got
    assert not any(loc.startswith("clean/") for _, loc in got)


def test_same_value_in_two_places_has_the_same_hash(jsonl: list[dict]) -> None:
    emails = {r["location"]: r["value_hash"] for r in jsonl if r.get("entity_type") == "EMAIL_ADDRESS"}
    assert emails["hr/payroll.csv"] == emails["notes/page.html"]


def test_reveal_adds_raw_values(share: Path, tmp_path: Path) -> None:
    proc = piiscan("scan", str(share), "--format", "jsonl", "--reveal", "--db", str(tmp_path / "d.db"),
                   check=True)
    values = {json.loads(l).get("value") for l in proc.stdout.splitlines()}
    assert SIN in values and EMAIL in values


def test_output_file_is_owner_only(share: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports" / "f.csv"
    piiscan("scan", str(share), "--format", "csv", "--output", str(out), "--db", str(tmp_path / "d.db"),
            check=True)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "d.db").stat().st_mode) == 0o600
    assert out.read_text().startswith("kind,entity_type")


def test_fail_on_gives_exit_1_only_at_or_above_the_level(share: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "d.db")
    assert piiscan("scan", str(share), "--fail-on", "high", "--db", db).returncode == 1
    assert piiscan("scan", str(share / "clean"), "--fail-on", "low", "--db", db).returncode == 0
    assert piiscan("scan", str(share), "--db", db).returncode == 0


def test_entities_filter(share: Path, tmp_path: Path) -> None:
    proc = piiscan("scan", str(share), "--entities", "CA_SIN", "--format", "jsonl",
                   "--db", str(tmp_path / "d.db"), check=True)
    types = {json.loads(l)["entity_type"] for l in proc.stdout.splitlines()
             if json.loads(l)["kind"] == "finding"}
    assert types == {"CA_SIN"}


@pytest.mark.parametrize("args, says", [
    (["scan", "/no/such/folder"], "does not exist"),
    (["scan", ".", "--entities", "SSN"], "unknown entity type"),
    (["scan", ".", "--as-of", "yesterday"], "YYYY-MM-DD"),
])
def test_usage_errors_exit_2_and_say_what_to_do(args: list[str], says: str, tmp_path: Path) -> None:
    proc = piiscan(*args, "--db", str(tmp_path / "d.db"))
    assert proc.returncode == 2
    assert says in proc.stderr


def test_table_summary_is_readable(share: Path, tmp_path: Path) -> None:
    proc = piiscan("scan", str(share), "--db", str(tmp_path / "d.db"), check=True)
    assert "Findings by type" in proc.stdout
    assert "CA_SIN" in proc.stdout and "hr/payroll.csv" in proc.stdout
    assert SIN not in proc.stdout


def test_listing_commands_show_versions() -> None:
    dets = piiscan("detectors", check=True).stdout
    assert "ca_sin" in dets and "CA_SIN" in dets and "0.1.0" in dets
    assert "filesystem" in piiscan("sources", check=True).stdout
    assert "--version" in piiscan("--help", check=True).stdout
    assert piiscan("--version", check=True).stdout.startswith("piiscan")


def test_report_renders_a_past_run_again(share: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "d.db")
    first = piiscan("scan", str(share), "--format", "jsonl", "--db", db, check=True).stdout
    again = piiscan("report", "1", "--format", "jsonl", "--db", db, check=True).stdout
    assert sorted(first.splitlines()) == sorted(again.splitlines())
