"""The real `piiscan scan` on a hostile share: every input ends as a result or a
recorded error, none crashes or hangs, nothing raw leaks, and nothing on the
share changes.

One scan of the whole corpus (see corpus.py) serves every test here: it is
the expensive part, with all readers and detectors, OCR and NER included.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

import pytest

from piiscan.model import EntityType
from piiscan.redact import Redactor
from tests.hostile.corpus import (CARD, EMAIL, PHONE, PLANTED, SIN, XXE_SIN, Entry, build,
                                  can_drop_dac, drop_dac_capabilities, is_root)
from tests.hostile.scanning import (Cli, Outcome, Snap, Stored, age, atime_updates_on_read,
                                    env_for, files_under, leaks, outcome, run, snapshot, stored)

pytestmark = pytest.mark.slow  # a real scan of hundreds of files

SECTIONS = ("formats", "encrypted", "bombs", "specials", "links", "unreadable", "large",
            "encodings", "names")


@dataclass
class CorpusScan:
    base: Path
    root: Path
    entries: list[Entry]
    cli: Cli
    report: Cli
    store: Stored
    before: dict[bytes, Snap]
    after: dict[bytes, Snap]
    atime_moves: bool
    permissions_enforced: bool

    @property
    def out(self) -> Path:
        return self.base / "out"

    def outcomes(self) -> list[Outcome]:
        return [outcome(e, self.store) for e in self.entries]


@pytest.fixture(scope="module")
def scan(tmp_path_factory: pytest.TempPathFactory) -> CorpusScan:
    base = tmp_path_factory.mktemp("hostile")
    root = base / "share"
    root.mkdir()
    (base / "out").mkdir(mode=0o700)
    # As root, mode 000 blocks nobody: the scan runs without the capabilities
    # that bypass file modes, when the kernel lets us drop them.
    dropped = is_root() and can_drop_dac(base)
    enforced = dropped or not is_root()
    entries = build(root, enforce_permissions=enforced)
    age(root)
    before = snapshot(root)
    env = env_for(base / "home", base / "tmp")
    cli = run(["-vv", "--log-file", str(base / "out" / "piiscan.log"), "scan", str(root),
               "--format", "jsonl", "--db", str(base / "out" / "piiscan.db"),
               "--max-file-size", "64M"],
              env, base / "out" / "scan", timeout=900,
              preexec=drop_dac_capabilities if dropped else None)
    after = snapshot(root)
    report = run(["report", "--format", "html", "--output", str(base / "out" / "report.html"),
                  "--db", str(base / "out" / "piiscan.db")], env, base / "out" / "report",
                 timeout=300)
    return CorpusScan(base, root, entries, cli, report, stored(base / "out" / "piiscan.db"),
                      before, after, atime_updates_on_read(base), enforced)


def test_the_scan_ends_normally(scan: CorpusScan) -> None:
    assert scan.cli.returncode == 0, scan.cli.text()
    assert scan.store.status == "done"
    assert b"Traceback" not in scan.cli.stderr
    assert b"Traceback" not in (scan.out / "piiscan.log").read_bytes()
    assert scan.report.returncode == 0, scan.report.text()


def test_nothing_crashed(scan: CorpusScan) -> None:
    crashed = [e for e in scan.store.errors if e[1] == "crashed"]
    assert crashed == []


@pytest.mark.parametrize("section", SECTIONS)
def test_every_input_is_a_result_or_a_recorded_error(scan: CorpusScan, section: str) -> None:
    """Accounted for in the store, with a reason that says what happened."""
    if section == "unreadable" and not scan.permissions_enforced:
        pytest.skip("running as root with CAP_DAC_OVERRIDE that cannot be dropped: "
                    "mode-000 files are readable, nothing to prove")
    outcomes = [o for o in scan.outcomes() if o.entry.location.startswith(section + "/")]
    assert outcomes
    problems = {f"{o.entry.location} ({o.entry.case})": o.problems() for o in outcomes}
    assert {k: v for k, v in problems.items() if v} == {}


def test_each_format_was_tried_damaged_in_many_ways(scan: CorpusScan) -> None:
    per_format: dict[str, int] = {}
    for e in scan.entries:
        if e.location.startswith("formats/"):
            per_format[e.fmt] = per_format.get(e.fmt, 0) + 1
    assert len(per_format) == 27 and min(per_format.values()) >= 10


def test_damaged_files_mostly_fail_as_corrupt_not_as_something_vague(scan: CorpusScan) -> None:
    damaged = [o for o in scan.outcomes() if o.entry.location.startswith("formats/")
               and o.entry.case.startswith(("cut", "flip"))]
    reasons = {o.error for o in damaged if o.error}
    assert reasons <= {"corrupt", "encrypted", "unsupported format", "too large", "undecodable",
                       "database error"}, reasons


def test_an_external_entity_pulls_nothing_in(scan: CorpusScan) -> None:
    """bombs/xxe.xml names a file outside the share; its SIN must never be read."""
    redactor = Redactor((scan.base / "home" / "hmac.key").read_bytes())
    assert redactor.hash(EntityType.CA_SIN, XXE_SIN) not in {f[2] for f in scan.store.findings}


# -- never leak ----------------------------------------------------------------------

def outputs(scan: CorpusScan) -> list[Path]:
    return files_under(scan.out, scan.base / "home", scan.base / "tmp")


def test_no_raw_value_reaches_any_output_log_store_or_temp_file(scan: CorpusScan) -> None:
    files = outputs(scan)
    names = {p.name for p in files}
    assert {"piiscan.db", "piiscan.log", "report.html", "scan.stdout", "scan.stderr",
            "hmac.key"} <= names, names
    assert leaks(files, [v for vs in PLANTED.values() for v in vs] + [XXE_SIN]) == []


def test_temp_files_are_gone(scan: CorpusScan) -> None:
    assert list((scan.base / "tmp").iterdir()) == []


def test_the_search_would_see_a_leak(scan: CorpusScan) -> None:
    """The planted values are in the share and were found: absent from outputs by design."""
    assert leaks([scan.root / "formats" / "txt" / "suivi.txt"]) != []
    redactor = Redactor((scan.base / "home" / "hmac.key").read_bytes())
    found = {f[2] for f in scan.store.findings}
    # as the detectors normalise them (a phone number is hashed in E.164)
    for entity, value in (("CA_SIN", SIN), ("CREDIT_CARD", CARD), ("EMAIL_ADDRESS", EMAIL),
                          ("PHONE_NUMBER", "+1" + PHONE.replace("-", ""))):
        assert redactor.hash(EntityType(entity), value) in found, entity


def test_outputs_and_the_store_are_owner_only(scan: CorpusScan) -> None:
    for p in outputs(scan):
        if p.parent == scan.out and p.suffix in (".stdout", ".stderr"):
            continue  # the test's own captures
        assert stat.S_IMODE(p.stat().st_mode) & 0o077 == 0, p
    assert stat.S_IMODE((scan.base / "home").stat().st_mode) & 0o077 == 0


def test_jsonl_on_stdout_is_valid_and_masked(scan: CorpusScan) -> None:
    lines = scan.cli.stdout.decode().splitlines()
    assert lines, "jsonl on stdout"
    rows = [json.loads(line) for line in lines]
    assert all("value" not in r for r in rows if r.get("kind") == "finding")


# -- read-only -------------------------------------------------------------------------

def test_the_scan_changed_nothing_in_the_share(scan: CorpusScan) -> None:
    """Contents, sizes, modes, mtimes, and access times (O_NOATIME) of every entry."""
    assert scan.before.keys() == scan.after.keys()
    changed = {os.fsdecode(k): (scan.before[k], scan.after[k]) for k in scan.before
               if scan.before[k] != scan.after[k]}
    assert changed == {}


def test_access_times_were_checked_where_the_file_system_keeps_them(scan: CorpusScan) -> None:
    if not scan.atime_moves:
        pytest.skip("this file system does not update access times on read (noatime)")
    # every timestamp is still the aged one, so a read would have shown
    aged = 1_577_836_800 * 10**9
    files = [s for s in scan.after.values() if stat.S_ISREG(s.mode)]
    assert files and all(s.atime_ns == aged for s in files)
