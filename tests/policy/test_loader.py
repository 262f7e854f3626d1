"""Policy files: what loads, and errors that name the file, the line and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from piiscan.model import EntityType, Severity
from piiscan.policy import PolicyError, load_policy, parse_policy
from piiscan.policy.spec import DOCUMENT, MTIME

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "policies"

GOOD = """\
version: 1
organisation: Example
language: fr
purposes:
  - name: donations
    locations: [finance/**]
    categories: [person, Email_Address, CREDIT_CARD]
    retention:
      CREDIT_CARD: 60 jours
      other: 6 ans
    measured_from: [date_transaction, mtime]
  - name: participants
    locations: participants/**
    categories: all
    exclusive: [CA_SIN]
    retention: 6y
    measured_from: document
rules:
  minors: {under: 18, purposes: [participants], severity: critical}
  public: [site-web/**]
  world_readable: true
  undeclared_locations: false
"""


def test_a_valid_policy() -> None:
    pol = parse_policy(GOOD)
    donations, participants = pol.purposes
    assert pol.language == "fr" and pol.organisation == "Example"
    assert donations.categories == {EntityType.PERSON, EntityType.EMAIL_ADDRESS, EntityType.CREDIT_CARD}
    assert str(donations.retention_for(EntityType.CREDIT_CARD)) == "60 days"
    assert str(donations.retention_for(EntityType.PERSON)) == "6 years"
    assert donations.measured_from == ("date_transaction", MTIME)
    assert participants.categories is None and participants.measured_from == (DOCUMENT,)
    assert pol.minors and pol.minors.under == 18 and pol.minors.severity is Severity.CRITICAL
    assert pol.public and pol.public.covers("site-web/index.html")
    assert pol.world_readable is not None and pol.world_readable.purposes is None
    assert pol.undeclared is None


@pytest.mark.parametrize("name", ["ccr-en.yaml", "citim-fr.yaml", "regional-business-en.yaml"])
def test_the_example_policies_load(name: str) -> None:
    pol = load_policy(EXAMPLES / name)
    assert pol.minors is not None


BAD = [
    # (policy text, line, what the message must say)
    ("purposes:\n  - name: a\n    locations: [a/**]\n    categories: all\n    retention: 60 dayz\n",
     5, "retention '60 dayz' is not a duration; write e.g. 60d, 3 months, 6y or 'until expiry'"),
    ("purposes:\n  - name: a\n    locations: [a/**]\n    categories: all\n    retention:\n"
     "      CREDIT_CARD: soon\n", 6, "retention for CREDIT_CARD 'soon' is not a duration"),
    ("purposes:\n  - name: a\n    locatons: [a/**]\n    categories: all\n",
     3, "unknown key 'locatons' in a purpose; did you mean 'locations'?"),
    ("purposes:\n  - name: a\n    locations: [a/**]\n    categories: [PERSON, CA_SNI]\n",
     4, "unknown category 'CA_SNI'; did you mean CA_SIN?"),
    ("purposes:\n  - name: a\n    locations: [a/**]\n",
     2, "purpose 'a' has no `categories:`"),
    ("purposes:\n  - name: a\n    categories: all\n", 2, "purpose 'a' has no `locations:`"),
    ("purposes:\n  - name: a\n    locations: [a/**]\n    categories: all\n"
     "  - name: a\n    locations: [b/**]\n    categories: all\n",
     5, "purpose 'a' is declared twice (first on line 2)"),
    ("rules:\n  minors:\n    under: 18\n  minors: 14\n", 4, "'minors' is given twice in rules"),
    ("rules:\n  minors:\n    under: eighteen\n", 3, "must be a whole number from 1 to 25"),
    ("rules:\n  minors:\n    purposes: [x]\n", 2, "needs `under:`"),
    ("purposes:\n  - name: participants\n    locations: [p/**]\n    categories: all\n"
     "rules:\n  minors:\n    under: 18\n    purposes: [participant]\n",
     8, "names purpose 'participant', which is not declared; did you mean 'participants'?"),
    ("rules:\n  world_readable: maybe\n", 2, "world_readable must be true or false"),
    ("rules:\n  public:\n    allow: [EMAIL_ADDRESS]\n", 2, "rules: public needs `locations:`"),
    ("language: de\nrules:\n  minors: 14\n", 1, "language must be en or fr"),
    ("version: 2\nrules:\n  minors: 14\n", 1, "version 2 is not supported"),
    ("organisation: x\n", 1, "a policy needs `purposes:`, `rules:` or both"),
    ("purposes:\n  - name: a\n    locations: [a/**]\n   categories: all\n", 4, "not valid YAML"),
    ("purposes:\n  name: a\n", 2, "purposes must be a list"),
    ("rules:\n  minor: 14\n", 2, "unknown key 'minor' in rules; did you mean 'minors'?"),
    ("purposes:\n  - name: a\n    locations: [a/**]\n    categories: [PERSON]\n    retention:\n"
     "      CREDIT_CARD: 60d\n", 6, "sets a retention for CREDIT_CARD but does not hold it"),
]


@pytest.mark.parametrize("text, line, says", BAD)
def test_errors_name_the_line_and_the_fix(tmp_path: Path, text: str, line: int, says: str) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    message = str(info.value)
    assert message.startswith(f"{path} line {line}: "), message
    assert says in message


@pytest.mark.parametrize("content, says", [(None, "cannot read it"), (b"", "the file is empty"),
                                          (b"\xff\xfe rules", "not UTF-8")])
def test_file_level_errors(tmp_path: Path, content: bytes | None, says: str) -> None:
    path = tmp_path / "p.yaml"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(PolicyError, match=says):
        load_policy(path)


def test_an_error_deep_in_a_valid_file_names_its_own_line() -> None:
    text = GOOD.replace("other: 6 ans", "other: 6 ans\n      EMAIL_ADDRESS: 60 jours pile")
    with pytest.raises(PolicyError, match=r"^policy.yaml line 11: retention for EMAIL_ADDRESS"):
        parse_policy(text)
