"""The JSONL writer puts finding lines together from stored rows: the bytes must be those of
`json.dumps(finding.as_dict(), ensure_ascii=False)`, for findings of every shape."""

from __future__ import annotations

import io
import itertools
import json

import pytest

from piiscan.model import EntityType, Finding, Pointer, ScanError, Severity, Violation
from piiscan.reports import RunReport, writer
from piiscan.store import Store

POINTERS = [
    Pointer(),
    Pointer(page=3),
    Pointer(line=0),
    Pointer(line=12, offset=40_000),
    Pointer(sheet="Données été", row=2, column="C"),
    Pointer(sheet='quote " and \\ backslash', row=1_048_576, column="XFD"),
    Pointer(path='$.participants[3]["nom"]'),
    Pointer(slide=4, part="notes"),
    Pointer(part="header", page=1),
    Pointer(table="public.donors", column="nas", key="id=17,branch=2"),
    Pointer(table="main.t", column="c", row=5, offset=0),
]
LOCATIONS = ["hr/payroll.csv", "archive.zip!inner/été.docx", 'odd "name"\\with\ttab.txt',
             "ctrl\x01char\u2028sep.txt", "emoji 📁/fichier.txt",
             "postgresql://db.local/crm#public.donors"]
SCORES = [0.9, 0.875, 0.125, 1.0, 0.1 + 0.2, 1 / 3, 0.0, 1e-5, 0.555]
ATTRIBUTES = [{}, {"age": "17"}, {"note": 'é "quoted" \\ and \n newline'}]
VALUES = [None, "046 454 286", "line\nbreak \u2028 and 😀", 'say "hi"']


def _findings() -> list[Finding]:
    out = []
    combos = itertools.product(LOCATIONS, POINTERS)
    for i, ((location, pointer), entity) in enumerate(zip(combos, itertools.cycle(EntityType))):
        out.append(Finding(
            entity, location, pointer, masked=f"***{i} é\"\\", value_hash=f"hmac-sha256:{i:064x}",
            score=SCORES[i % len(SCORES)], detector=("ca_sin", "person", "presidio:x")[i % 3],
            language=(None, "fr", "en")[i % 3], value=VALUES[i % len(VALUES)],
            record=(None, f"row:{i}", 'rec "q"')[i % 3], field=(None, "NAS")[i % 2],
            attributes=ATTRIBUTES[i % len(ATTRIBUTES)]))
    return out


@pytest.fixture()
def report(tmp_path):
    with Store(tmp_path / "p.db") as store:
        run = store.begin_run(["share"], {}, revealed=True)
        for f in _findings():
            store.add_finding(run, f)
        store.add_violations(run, [Violation("retention_exceeded", Severity.HIGH, "hr/payroll.csv",
                                             "Kept « too » long", "payroll", (EntityType.CA_SIN,), 2)])
        store.add_error(run, ScanError("archive.zip!x.pdf", "encrypted", "password-protected"))
        store.finish_run(run, "done")
        yield RunReport.load(store, run)


def _through_dataclasses(report: RunReport) -> str:
    """The writer as it was: every finding built, then `as_dict()` and `json.dumps`."""
    lines = [json.dumps(f.as_dict(), ensure_ascii=False) for f in report.findings()]
    lines += [json.dumps(v.as_dict(), ensure_ascii=False) for v in report.violations]
    lines += [json.dumps(e.as_dict(), ensure_ascii=False) for e in report.errors]
    return "".join(line + "\n" for line in lines)


def test_lines_are_byte_for_byte_those_of_the_dataclasses(report):
    out = io.StringIO()
    writer("jsonl")(report, out)
    expected = _through_dataclasses(report)
    assert out.getvalue().encode("utf-8") == expected.encode("utf-8")
    # every shape was there to compare
    rows = [json.loads(line) for line in expected.split("\n") if line]
    found = [r for r in rows if r["kind"] == "finding"]
    assert len(found) == len(LOCATIONS) * len(POINTERS)
    assert {json.dumps(r["pointer"], sort_keys=True) for r in found} == \
        {json.dumps(p.as_dict(), sort_keys=True) for p in POINTERS}
    assert any("value" in r for r in found) and any("value" not in r for r in found)
    assert any("attributes" in r for r in found) and any("record" not in r for r in found)
    assert {r["kind"] for r in rows} == {"finding", "violation", "error"}


def test_a_run_without_findings_writes_only_its_violations_and_errors(tmp_path):
    with Store(tmp_path / "p.db") as store:
        run = store.begin_run(["share"], {})
        store.add_error(run, ScanError("a.pdf", "corrupt", ""))
        store.finish_run(run, "done")
        report = RunReport.load(store, run)
        out = io.StringIO()
        writer("jsonl")(report, out)
        assert out.getvalue() == _through_dataclasses(report)
        assert out.getvalue().count("\n") == 1


@pytest.mark.parametrize("pieces", [1, 2, 5])
def test_the_same_bytes_when_the_encoded_pieces_do_not_all_fit(report, monkeypatch, pieces):
    from piiscan.reports import jsonl
    monkeypatch.setattr(jsonl, "PIECES", pieces)
    monkeypatch.setattr(jsonl, "CHUNK", 7)  # and in writes of a few lines
    out = io.StringIO()
    writer("jsonl")(report, out)
    assert out.getvalue() == _through_dataclasses(report)
