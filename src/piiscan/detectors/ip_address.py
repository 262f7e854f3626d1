"""IP addresses (IPv4 and IPv6)."""

from __future__ import annotations

import ipaddress
import re
from typing import Iterator

from ..model import EntityType, Match, Segment
from .context import DIGITS, ContextualDetector

_IPV4 = r"(?:\d{1,3}\.){3}\d{1,3}"
_IPV6 = r"(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|" + _IPV4 + r")?"


def scope(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """'global' or 'private'; None for addresses that point at no one (loopback, netmasks…)."""
    if (ip.is_unspecified or ip.is_loopback or ip.is_multicast or ip.is_link_local
            or ip.is_reserved):
        return None
    # Not global: RFC 1918 and unique-local ranges, but also the documentation ranges.
    return "global" if ip.is_global else "private"


class IpAddressDetector(ContextualDetector):
    """IP address: dotted-quad IPv4 (192.0.2.17) or IPv6 (2001:db8::17), parsed by `ipaddress`.

    Check: `ipaddress.ip_address` accepts it (octets ≤ 255, no leading
    zeros, one "::" at most). Reserved: unspecified, loopback, multicast,
    link-local, the 240/4 block and netmasks (255.x) point at no one and
    are dropped; non-global ranges (10/8, 172.16/12, 192.168/16, fc00::/7,
    and the documentation ranges) are kept with scope=private at 0.5. Attribute `version`.
    Version numbers are the classic false positive: a version / build /
    release / section label nearer than any IP label drops the value, and
    "v1.2.3.4" never matches (a letter may not touch the address). Times
    and MAC addresses do not parse as IPv6.
    Reference: RFC 791, RFC 4291, RFC 5952; RFC 1918 and RFC 6890 for
    special-purpose ranges.
    Known false positives: four-part version numbers and OIDs without a label.
    """

    name = "ip_address"
    entity = EntityType.IP_ADDRESS
    pattern = re.compile(rf"(?<![\w.:])(?P<value>{_IPV6}|{_IPV4})(?![\w:]|\.\d)")
    keywords = DIGITS
    validated_score = 0.6
    context = ("IP", "IP address", "adresse IP", "IPv4", "IPv6", "remote_addr", "client_ip",
               "x-forwarded-for", "host", "hôte", "connexion", "connection", "login", "logged in")
    against = ("version", "ver", "v", "build", "release", "firmware", "driver", "pilote",
               "section", "article", "chapter", "chapitre", "clause", "oid", "§")
    examples = {
        "Connexion depuis l'adresse IP 203.0.113.42": True,
        "login from 2001:db8:85a3::8a2e:370:7334": True,
        "client 198.51.100.7 refused": True,
        "Version 10.0.19041.1": False,
        "v1.2.3.4 released": False,
        "IP 256.1.1.1": False,  # octet over 255
        "localhost is 127.0.0.1": False,
        "meeting at 12:30:45": False,
        "netmask 255.255.255.0": False,
    }

    def detect(self, segment: Segment) -> Iterator[Match]:
        text = segment.text
        for m in self.pattern.finditer(text):
            value = m.group("value")
            start, end = m.span("value")
            try:
                ip = ipaddress.ip_address(value)
            except ValueError:
                continue
            where = scope(ip)
            if where is None:
                continue
            label = self.label(segment, start, end)
            if label is False:
                continue
            if label:
                score = self.context_score
            else:
                score = self.validated_score if where == "global" else 0.5
            yield Match(self.entity, start, end, score, self.name, value, ip.compressed,
                        {"version": str(ip.version), "scope": where})
