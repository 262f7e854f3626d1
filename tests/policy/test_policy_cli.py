"""`piiscan policy check` and `piiscan scan --policy` with a bad policy, as a user runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from piiscan.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "policies"
BAD = "purposes:\n  - name: dons\n    locations: [finance/**]\n    categories: all\n    retention: 60 dayz\n"


@pytest.fixture
def bad(tmp_path: Path) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text(BAD, encoding="utf-8")
    return path


def test_check_summarises_a_valid_policy() -> None:
    result = CliRunner().invoke(main, ["policy", "check", str(EXAMPLES / "ccr-en.yaml")])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "ccr-en.yaml: valid" in out
    assert "one_time_donations: finance/donations/one-time-*.csv" in out
    assert "retention: CREDIT_CARD 60 days; measured from field 'date_transaction'" in out
    assert "minor_data: dates of birth of people under 18 (case_files)" in out
    assert "world_readable: files of case_files, payroll" in out


def test_check_says_which_rules_are_off() -> None:
    result = CliRunner().invoke(main, ["policy", "check", str(EXAMPLES / "regional-business-en.yaml")])
    assert result.exit_code == 0
    assert "Not checked (not in rules:): undeclared_location, public_location, world_readable" in result.output


def test_check_rejects_an_invalid_policy_with_exit_2(bad: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "piiscan", "policy", "check", str(bad)],
                          capture_output=True, text=True, env=os.environ.copy(), timeout=120)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.strip() == (
        f"piiscan: {bad} line 5: retention '60 dayz' is not a duration; "
        "write e.g. 60d, 3 months, 6y or 'until expiry'")


def test_scan_with_an_invalid_policy_stops_before_scanning(bad: Path, tmp_path: Path) -> None:
    share = tmp_path / "share"
    share.mkdir()
    result = CliRunner().invoke(main, ["scan", str(share), "--policy", str(bad),
                                       "--db", str(tmp_path / "s.db")])
    assert result.exit_code == 2
    assert "bad.yaml line 5: retention '60 dayz' is not a duration" in result.output
    assert not (tmp_path / "s.db").exists()
