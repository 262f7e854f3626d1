"""Masking and keyed hashing: how a raw value becomes something safe to store.

The hash is HMAC-SHA256 under a per-installation secret key. A SIN has only
10^9 possible values, so a plain hash would be reversed by enumeration; with
a key it can be matched across places and runs, but not reversed by someone
who holds only the outputs.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import unicodedata
from datetime import date
from pathlib import Path

from .model import EntityType, Finding, Match, Segment

KEY_BYTES = 32


def home_dir() -> Path:
    """Where piiscan keeps its key and default store: $PIISCAN_HOME or XDG data dir."""
    env = os.environ.get("PIISCAN_HOME")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "piiscan"


def private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def load_or_create_key(path: Path | None = None) -> bytes:
    """Read the HMAC key, creating it owner-only (0600) on first use.

    Losing the key does not expose anything, but hashes from earlier runs
    can then no longer be matched against new ones (triage marks, trends).
    """
    path = path or home_dir() / "hmac.key"
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        private_dir(path.parent)
        data = secrets.token_bytes(KEY_BYTES)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        return data
    if len(data) < 16:
        raise ValueError(f"the key file {path} is damaged (too short); move it away to create a new one")
    return data


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


def canonical(entity: EntityType, value: str) -> str:
    """The form that is hashed, so formatting differences do not split a value."""
    if entity in (EntityType.CA_SIN, EntityType.CREDIT_CARD, EntityType.PHONE_NUMBER):
        return "".join(c for c in value if c.isdigit())
    if entity is EntityType.PERSON:
        return " ".join(sorted(_fold(value).replace(",", " ").split()))
    if entity is EntityType.EMAIL_ADDRESS:
        return value.strip().lower()
    return "".join(value.split()).upper()


def mask(entity: EntityType, value: str) -> str:
    """A preview that helps a person recognise the value without revealing it."""
    if entity is EntityType.EMAIL_ADDRESS and "@" in value:
        local, _, domain = value.partition("@")
        host, dot, tld = domain.rpartition(".")
        return f"{local[:1]}***@{host[:1]}***{dot}{tld}" if host else f"{local[:1]}***@***"
    if entity is EntityType.PERSON:
        return " ".join(w[:1] + "***" for w in value.replace(",", " ").split())
    keep = {EntityType.CA_SIN: 3, EntityType.CREDIT_CARD: 4, EntityType.PHONE_NUMBER: 2,
            EntityType.IP_ADDRESS: 0, EntityType.CA_POSTAL_CODE: 0}.get(entity, 2)
    if entity is EntityType.DATE_OF_BIRTH:
        keep = 0
    alnum = sum(c.isalnum() for c in value)
    keep = min(keep, alnum // 3)
    out, seen = [], 0
    for c in value:
        if c.isalnum():
            seen += 1
            out.append(c if seen > alnum - keep else "*")
        else:
            out.append(c)
    return "".join(out)


class Redactor:
    """Turns matches into findings: masked preview, keyed hash, raw value only if asked."""

    def __init__(self, key: bytes, reveal: bool = False, as_of: date | None = None):
        self._key = key
        self.reveal = reveal
        self.as_of = as_of or date.today()

    def hash(self, entity: EntityType, value: str) -> str:
        msg = f"{entity}:{canonical(entity, value)}".encode()
        return "hmac-sha256:" + hmac.new(self._key, msg, hashlib.sha256).hexdigest()

    def finding(self, match: Match, segment: Segment) -> Finding:
        attrs = dict(match.attributes)
        born = attrs.get("raw_birth_date")
        if born:
            # Policies need an age (minors), not the birth date itself.
            try:
                attrs["age"] = str(age_on(date.fromisoformat(born), self.as_of))
            except ValueError:
                pass
        if not self.reveal:
            attrs = {k: v for k, v in attrs.items() if not k.startswith("raw_")}
        return Finding(
            entity_type=match.entity_type,
            location=segment.location,
            pointer=segment.pointer,
            masked=mask(match.entity_type, match.text),
            value_hash=self.hash(match.entity_type, match.canonical),
            score=match.score,
            detector=match.detector,
            language=segment.language,
            value=match.text if self.reveal else None,
            record=segment.record,
            field=segment.field,
            attributes=attrs,
        )


def age_on(born: date, when: date) -> int:
    return when.year - born.year - ((when.month, when.day) < (born.month, born.day))
