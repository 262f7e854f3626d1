"""EMAIL_ADDRESS: shape, labels, and what only looks like an address."""

from __future__ import annotations

import pytest

from piiscan.detectors.email import EmailDetector
from tests.detectors.helpers import HIGH, MEDIUM, hits, reported

DET = EmailDetector()


@pytest.mark.parametrize("text, expected", [
    ("Courriel : marie.tremblay@example.org", [("marie.tremblay@example.org", HIGH)]),
    ("E-mail: J.Doe+dons@Mail.Example.CA.", [("J.Doe+dons@Mail.Example.CA", HIGH)]),
    ("write to a_b-c@sub.example.co.uk today", [("a_b-c@sub.example.co.uk", MEDIUM)]),
    ("<a href='mailto:a.b@example.com'>", [("a.b@example.com", MEDIUM)]),
    ("jean@example.org, marie@example.net",
     [("jean@example.org", MEDIUM), ("marie@example.net", MEDIUM)]),
    ("idn@exemple.xn--p1ai", [("idn@exemple.xn--p1ai", MEDIUM)]),
    ("logo@2x.png", []),
    ("npm install left-pad@1.3.0", []),
    ("user@localhost", []),
    ("@example.org", []),
    ("no at sign here.example.com", []),
    ("a..b@example.com", []),
])
def test_vectors(text: str, expected: list[tuple[str, str]]) -> None:
    assert hits(DET, text) == expected


def test_column_named_for_it() -> None:
    assert hits(DET, "x@example.org", field="courriel") == [("x@example.org", HIGH)]


def test_canonical_is_lower_case() -> None:
    (m,) = reported(DET, "Marie.Tremblay@Example.ORG")
    assert m.canonical == "marie.tremblay@example.org"

