"""SARIF export: the 2.1.0 structure tools require, and locations they can follow.

Also here, because SARIF is one of four: no planted raw value reaches any
export (HTML, SARIF, CSV, JSONL) of a real scan made without --reveal.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from piiscan.engine import ScanOptions
from piiscan.model import EntityType, ScanError
from piiscan.registry import Registry
from piiscan.reports import RunReport, writer
from piiscan.reports.sarif import artifact_uri
from piiscan.runner import Placement, run_scan
from piiscan.store import Store
from tests.auditkit import KEY, add_run, finding, value_hash, violation
from tests.share import PLANTED, make_share

LEVELS = {"none", "note", "warning", "error"}
URI = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+$")  # RFC 3986 characters only


def check_sarif(doc: dict) -> list[str]:
    """The required fields and constraints of SARIF 2.1.0 that consumers enforce."""
    problems: list[str] = []

    def need(cond: bool, what: str) -> None:
        if not cond:
            problems.append(what)

    need(doc.get("version") == "2.1.0", "version must be 2.1.0")
    need(isinstance(doc.get("runs"), list) and doc["runs"], "runs must be a non-empty array")
    for run in doc.get("runs", []):
        driver = run.get("tool", {}).get("driver", {})
        need(isinstance(driver.get("name"), str) and driver["name"], "tool.driver.name is required")
        rules = driver.get("rules", [])
        ids = [r.get("id") for r in rules]
        need(all(isinstance(i, str) and i for i in ids), "every rule needs an id")
        need(len(ids) == len(set(ids)), "rule ids must be unique")
        for r in rules:
            level = r.get("defaultConfiguration", {}).get("level", "warning")
            need(level in LEVELS, f"rule {r.get('id')}: bad level {level}")
            need("text" in r.get("shortDescription", {"text": ""}), "shortDescription needs text")
            tags = r.get("properties", {}).get("tags", [])
            need(len(tags) == len(set(tags)), "tags must be unique")
        for inv in run.get("invocations", []):
            need(isinstance(inv.get("executionSuccessful"), bool), "invocation.executionSuccessful is required")
            for n in inv.get("toolExecutionNotifications", []):
                need("text" in n.get("message", {}), "notification.message.text is required")
                need(n.get("level", "warning") in LEVELS, "notification level")
        for res in run.get("results", []):
            msg = res.get("message", {})
            need("text" in msg or "id" in msg, "result.message needs text or id")
            need(res.get("level", "warning") in LEVELS, f"result level {res.get('level')}")
            if "ruleIndex" in res:
                i = res["ruleIndex"]
                need(0 <= i < len(rules) and rules[i]["id"] == res.get("ruleId"),
                     f"ruleIndex {i} does not point at {res.get('ruleId')}")
            for loc in res.get("locations", []):
                phys = loc.get("physicalLocation", {})
                uri = phys.get("artifactLocation", {}).get("uri", "")
                need(bool(URI.match(uri)), f"artifact uri is not a URI: {uri!r}")
                region = phys.get("region")
                if region is not None:
                    need(region.get("startLine", 1) >= 1 and region.get("charOffset", 0) >= 0,
                         "region start must be positive")
                    need(any(k in region for k in ("startLine", "charOffset", "byteOffset")),
                         "a region needs a start")
            for fp in res.get("partialFingerprints", {}).values():
                need(isinstance(fp, str), "fingerprints are strings")
            for sup in res.get("suppressions", []):
                need(sup.get("kind") in ("inSource", "external"), "suppression kind")
                need(sup.get("status", "accepted") in ("accepted", "underReview", "rejected"),
                     "suppression status")
    return problems


@pytest.fixture()
def sarif(tmp_path: Path) -> dict:
    """Written by the writer and read back, as a tool would."""
    with Store(tmp_path / "s.db") as store:
        run = add_run(store, [
            finding("CA_SIN", "hr/payroll.csv", "046 454 286", row=2, column="NAS"),
            finding("CA_SIN", "hr/paie 2024.xlsx", "130 692 544", sheet="2024", row=12, column="NAS"),
            finding("CREDIT_CARD", "mail/2023.zip!exports/donors.csv", "4111 1111 1111 1111", row=5),
            finding("EMAIL_ADDRESS", "notes/suivi.txt", "ana@example.org", line=7),
            finding("PASSPORT", "participants/dossier.pdf", "AB123456", page=2),
            finding("EMAIL_ADDRESS", "docs/é.txt", "bob@example.org", offset=120),
        ], [violation("retention_exceeded", "high", "finance/2019.csv", "Kept too long", "donations",
                      ("CREDIT_CARD",), 42),
            violation("retention_exceeded", "medium", "finance/2020.csv", "Kept too long", "donations")],
            [ScanError("secret.docx", "encrypted")])
        store.add_mark("notes/*", "test_data")
        buf = io.StringIO()
        writer("sarif")(RunReport.load(store, run), buf)
    return json.loads(buf.getvalue())


def results_by_uri(doc: dict) -> dict[str, dict]:
    return {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r
            for r in doc["runs"][0]["results"]}


def test_the_structure_is_valid_sarif(sarif: dict) -> None:
    assert check_sarif(sarif) == []
    assert sarif["$schema"].endswith("sarif-2.1.0.json")


def test_one_rule_per_entity_type_and_per_policy_rule(sarif: dict) -> None:
    rules = {r["id"]: r for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert set(rules) == {"pii/CA_SIN", "pii/CREDIT_CARD", "pii/EMAIL_ADDRESS", "pii/PASSPORT",
                          "policy/retention_exceeded"}
    assert rules["pii/CA_SIN"]["defaultConfiguration"]["level"] == "error"
    assert rules["pii/EMAIL_ADDRESS"]["defaultConfiguration"]["level"] == "note"
    # the policy rule takes the worst severity it was raised with
    assert rules["policy/retention_exceeded"]["properties"]["severity"] == "high"


@pytest.mark.parametrize("uri, region", [
    ("hr/payroll.csv", {"startLine": 2}),                          # a CSV row is a line
    ("hr/paie%202024.xlsx", None),                                 # a sheet row is not
    ("mail/2023.zip!exports/donors.csv", {"startLine": 5}),        # archive member kept whole
    ("notes/suivi.txt", {"startLine": 7}),
    ("participants/dossier.pdf", None),
    ("docs/%C3%A9.txt", {"charOffset": 120}),
])
def test_locations_and_regions(sarif: dict, uri: str, region: dict | None) -> None:
    res = results_by_uri(sarif)[uri]
    assert res["locations"][0]["physicalLocation"].get("region") == region


def test_results_carry_masked_value_hash_and_pointer(sarif: dict) -> None:
    res = results_by_uri(sarif)["hr/paie%202024.xlsx"]
    assert res["ruleId"] == "pii/CA_SIN"
    props = res["properties"]
    assert props["masked"] == "*** *** 544"
    assert props["value_hash"] == value_hash(EntityType.CA_SIN, "130 692 544")
    assert props["pointer"] == {"sheet": "2024", "row": 12, "column": "NAS"}
    assert props["location"] == "hr/paie 2024.xlsx"
    assert res["partialFingerprints"]["piiscanValueHash/v1"] == props["value_hash"]
    assert "value" not in props
    pdf = results_by_uri(sarif)["participants/dossier.pdf"]
    assert pdf["locations"][0]["message"]["text"] == "page 2"


def test_triaged_findings_are_suppressed_not_dropped(sarif: dict) -> None:
    res = results_by_uri(sarif)["notes/suivi.txt"]
    assert res["suppressions"] == [{"kind": "external", "status": "accepted",
                                    "justification": "piiscan triage: test_data"}]
    assert "suppressions" not in results_by_uri(sarif)["hr/payroll.csv"]


def test_unreadable_items_are_notifications(sarif: dict) -> None:
    inv = sarif["runs"][0]["invocations"][0]
    assert inv["executionSuccessful"] is True
    assert inv["toolExecutionNotifications"][0]["message"]["text"] == "encrypted"
    assert inv["startTimeUtc"].endswith("Z")


@pytest.mark.parametrize("location, uri", [
    ("a b/c.csv", "a%20b/c.csv"),
    ("x.zip!y/z.csv", "x.zip!y/z.csv"),
    ("postgresql://scanner@db.local/crm#public.people", "postgresql://scanner@db.local/crm#public.people"),
])
def test_artifact_uris(location: str, uri: str) -> None:
    assert artifact_uri(location) == uri


# -- no leak in any export ---------------------------------------------------------

PLUGINS = ["filesystem", "text", "csv", "json", "markup", "ca_sin", "credit_card", "email", "phone",
           "ca_passport"]


def exports(tmp_path: Path, reveal: bool) -> dict[str, str]:
    share = make_share(tmp_path / "share")
    registry = Registry.from_entry_points(only=PLUGINS)
    with Store(tmp_path / f"s{int(reveal)}.db") as store:
        run = run_scan(store, registry, KEY, ScanOptions(reveal=reveal), [str(share)],
                       placement=Placement("inline"), guess_language=False)
        report = RunReport.load(store, run)
        assert sum(report.counts.values()) >= 5, report.counts
        out = {}
        for fmt in ("html", "sarif", "csv", "jsonl"):
            buf = io.StringIO()
            writer(fmt)(report, buf)
            out[fmt] = buf.getvalue()
    return out


def leaked(text: str) -> list[str]:
    return [v for values in PLANTED.values() for v in values if v in text]


def test_no_planted_value_in_any_export_without_reveal(tmp_path: Path) -> None:
    for fmt, text in exports(tmp_path, reveal=False).items():
        assert leaked(text) == [], fmt


def test_with_reveal_the_values_are_there(tmp_path: Path) -> None:
    # proves the search above would see a leak
    for fmt, text in exports(tmp_path, reveal=True).items():
        assert leaked(text), fmt
