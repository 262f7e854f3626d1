"""Email addresses."""

from __future__ import annotations

import re

from ..model import EntityType
from .base import RegexDetector

# Image and asset names ("logo@2x.png") have an "@" and a dotted suffix too.
_FILE_SUFFIXES = frozenset({"png", "jpg", "jpeg", "gif", "svg", "webp", "bmp", "ico", "tif",
                            "tiff", "pdf", "css", "js", "txt", "zip"})


class EmailDetector(RegexDetector):
    """Email address: local-part@domain, the domain ending in an alphabetic top-level label.

    Check: the shape of RFC 5321 mailbox addresses as people write them: a
    dot-atom local part of letters, digits and _%+- (at most 64 characters),
    host labels of letters, digits and inner hyphens, and a TLD of 2–63
    letters or an IDN "xn--" label.
    No public-suffix list is consulted, so nothing is downloaded (Presidio's
    tldextract would try to). Reference: RFC 5321 §4.1.2, RFC 5322 §3.4.1.
    Scoring: the shape is specific, so an address alone is reported at the
    top of the medium band; a label (courriel, email…) raises it.
    Known false positives: asset names such as "logo@2x.png" (rejected when
    the suffix is a file extension), package specifiers ("pkg@1.2.3" has no
    alphabetic TLD and is rejected), role addresses (info@, noreply@), which
    are not personal but are reported.
    """

    name = "email"
    entity = EntityType.EMAIL_ADDRESS
    pattern = re.compile(
        r"(?<![\w.%+\-@])(?P<value>[A-Za-z0-9_%+\-]+(?:\.[A-Za-z0-9_%+\-]+)*"
        r"@(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+"
        r"(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9\-]{1,59}))(?![\w\-@]|\.[A-Za-z0-9])")
    keywords = ("@",)
    validated_score = 0.8
    context = ("email", "e-mail", "courriel", "mail", "adresse électronique", "adresse courriel",
               "mél", "contact")
    examples = {
        "Courriel : marie.tremblay@example.org": True,
        "write to j.doe+dons@mail.example.ca today": True,
        "<a href='mailto:a.b@example.com'>": True,
        "logo@2x.png": False,
        "npm install left-pad@1.3.0": False,
        "user@localhost": False,
        "no at sign here.example.com": False,
    }

    def validate(self, value: str) -> bool:
        local, _, domain = value.rpartition("@")
        if len(local) > 64 or len(domain) > 253:
            return False
        return domain.rsplit(".", 1)[-1].lower() not in _FILE_SUFFIXES

    def normalize(self, value: str) -> str:
        return value.lower()
