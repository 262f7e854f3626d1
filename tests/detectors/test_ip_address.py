"""IP_ADDRESS: parsed by ipaddress; addresses of no one and version numbers are dropped."""

from __future__ import annotations

import pytest

from piiscan.detectors.ip_address import IpAddressDetector
from tests.detectors.helpers import HIGH, MEDIUM, hits, reported

DET = IpAddressDetector()


@pytest.mark.parametrize("text, expected", [
    ("Connexion depuis l'adresse IP 203.0.113.42", [("203.0.113.42", HIGH)]),
    ("login from 2001:db8:85a3::8a2e:370:7334", [("2001:db8:85a3::8a2e:370:7334", HIGH)]),
    ("request 8.8.8.8 GET /", [("8.8.8.8", MEDIUM)]),
    ("request 2606:4700::1111 GET /", [("2606:4700::1111", MEDIUM)]),
    ("client 192.168.1.20 refused", [("192.168.1.20", MEDIUM)]),  # private: 0.5
    ("Version 1.2.3.4", []),
    ("version 10.0.0.1 du logiciel", []),
    ("v1.2.3.4 released", []),
    ("Section 1.2.3.4 of the policy", []),
    ("IP 256.1.1.1", []),
    ("IP 01.02.03.04", []),  # leading zeros are not an address
    ("localhost is 127.0.0.1", []),
    ("bind 0.0.0.0", []),
    ("netmask 255.255.255.0", []),
    ("meeting at 12:30:45", []),
    ("MAC 00:1A:2B:3C:4D:5E", []),
    ("OID 1.3.6.1.4.1", []),
    ("std::vector<int>", []),
])
def test_vectors(text: str, expected: list[tuple[str, str]]) -> None:
    assert hits(DET, text) == expected


def test_attributes_and_canonical() -> None:
    (m,) = reported(DET, "IP 2001:DB8:0:0:0:0:0:1")
    assert m.canonical == "2001:db8::1"
    assert m.attributes == {"version": "6", "scope": "private"}
    (m,) = reported(DET, "IP 8.8.4.4")
    assert m.attributes == {"version": "4", "scope": "global"}
