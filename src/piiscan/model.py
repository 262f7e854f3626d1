"""The values that flow through a scan: Item → Segment → Match → Finding.

Everything here is immutable. Detectors produce `Match`es (raw text, spans);
only the engine turns them into `Finding`s, through a `Redactor`, so no
detector ever handles the secret key or decides what gets revealed.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, fields
from dataclasses import field as dc_field
from typing import IO, Any, Callable, Mapping


class EntityType(enum.StrEnum):
    """Entity names used in every output; Presidio's name where it has one."""

    CA_SIN = "CA_SIN"
    CREDIT_CARD = "CREDIT_CARD"
    PASSPORT = "PASSPORT"
    EMAIL_ADDRESS = "EMAIL_ADDRESS"
    PHONE_NUMBER = "PHONE_NUMBER"
    PERSON = "PERSON"
    DATE_OF_BIRTH = "DATE_OF_BIRTH"
    CA_HEALTH_NUMBER = "CA_HEALTH_NUMBER"
    IBAN_CODE = "IBAN_CODE"
    CA_BANK_ACCOUNT = "CA_BANK_ACCOUNT"
    CA_POSTAL_CODE = "CA_POSTAL_CODE"
    STREET_ADDRESS = "STREET_ADDRESS"
    IP_ADDRESS = "IP_ADDRESS"
    CA_DRIVERS_LICENCE = "CA_DRIVERS_LICENCE"
    CA_UCI = "CA_UCI"


class Severity(enum.IntEnum):
    """Ordered so `--fail-on` can compare; names are what users type."""

    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @classmethod
    def parse(cls, text: str) -> "Severity":
        try:
            return cls[text.strip().upper()]
        except KeyError:
            names = ", ".join(s.name.lower() for s in cls)
            raise ValueError(f"unknown severity {text!r}; use one of: {names}") from None

    def __str__(self) -> str:
        return self.name.lower()


# How bad one exposed value of each type is, on its own.
SENSITIVITY: Mapping[EntityType, Severity] = {
    EntityType.CA_SIN: Severity.HIGH,
    EntityType.CREDIT_CARD: Severity.HIGH,
    EntityType.PASSPORT: Severity.HIGH,
    EntityType.CA_HEALTH_NUMBER: Severity.HIGH,
    EntityType.CA_UCI: Severity.HIGH,
    EntityType.CA_BANK_ACCOUNT: Severity.HIGH,
    EntityType.IBAN_CODE: Severity.MEDIUM,
    EntityType.CA_DRIVERS_LICENCE: Severity.MEDIUM,
    EntityType.DATE_OF_BIRTH: Severity.MEDIUM,
    EntityType.PERSON: Severity.LOW,
    EntityType.EMAIL_ADDRESS: Severity.LOW,
    EntityType.PHONE_NUMBER: Severity.LOW,
    EntityType.CA_POSTAL_CODE: Severity.LOW,
    EntityType.STREET_ADDRESS: Severity.LOW,
    EntityType.IP_ADDRESS: Severity.LOW,
}


@dataclass(frozen=True, slots=True)
class Pointer:
    """Where inside an item a value sits; only the fields that apply are set."""

    page: int | None = None
    line: int | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    path: str | None = None  # JSON path, XML/HTML element path
    slide: int | None = None
    part: str | None = None  # "header", "footer", "comment", "notes", "body", mail header name …
    table: str | None = None  # schema.table for databases and dumps
    key: str | None = None  # primary key of a database row
    offset: int | None = None  # character offset of the segment within a large text

    def as_dict(self) -> dict[str, Any]:
        return {n: v for n in _POINTER_FIELDS if (v := getattr(self, n)) is not None}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Pointer":
        return cls(**{k: v for k, v in data.items() if k in _POINTER_FIELDS})

    def __reduce__(self) -> tuple[Any, ...]:
        # Positional, not dataclasses' per-field __setstate__: half the cost for the
        # millions of pointers a pool's workers send to the parent.
        return (Pointer, tuple(getattr(self, n) for n in _POINTER_FIELDS))


_POINTER_FIELDS = tuple(f.name for f in fields(Pointer))


@dataclass(frozen=True, slots=True)
class ItemInfo:
    """File-system facts about an item, for incremental rescans and exposure rules."""

    size: int | None = None
    mtime: float | None = None
    inode: int | None = None
    mode: int | None = None  # st_mode; world-readable checks use it


@dataclass(frozen=True, slots=True)
class Item:
    """Something a reader can read: a file, an archive member, an attachment, a table.

    `open` returns a fresh binary stream each call; container readers hand
    out children whose `open` reads from the parent, so nothing is extracted
    to disk unless a reader must.
    """

    location: str
    name: str
    open: Callable[[], IO[bytes]] | None = None
    info: ItemInfo = ItemInfo()
    media_type: str | None = None  # set when the source knows better than sniffing
    payload: Any = None  # source-specific handle (a database table)
    depth: int = 0  # container nesting level

    def child(self, member: str, open: Callable[[], IO[bytes]] | None, *,
              size: int | None = None, mtime: float | None = None,
              media_type: str | None = None, payload: Any = None) -> "Item":
        name = member.rsplit("/", 1)[-1]
        return Item(
            location=f"{self.location}!{member}",
            name=name,
            open=open,
            info=ItemInfo(size=size, mtime=mtime if mtime is not None else self.info.mtime,
                          mode=self.info.mode),
            media_type=media_type,
            payload=payload,
            depth=self.depth + 1,
        )


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of text to run detectors on, with the way back to its source.

    `field` is the column header or key the text sits under (detectors use
    it as context: a 9-digit number under "NAS" is a SIN). `record` groups
    segments of one row or document, so a name and a date of birth in the
    same record can be tied to one person.
    """

    text: str
    location: str
    pointer: Pointer = Pointer()
    field: str | None = None
    record: str | None = None
    language: str | None = None
    # Leading characters repeated from the previous piece of a forced cut:
    # a match lying wholly inside them was already reported there.
    overlap: int = 0

    def with_language(self, language: str | None) -> "Segment":
        return Segment(self.text, self.location, self.pointer, self.field, self.record, language,
                       self.overlap)


@dataclass(frozen=True, slots=True)
class Match:
    """A detector's raw hit inside a segment. Holds the raw value: never output as is."""

    entity_type: EntityType
    start: int
    end: int
    score: float
    detector: str
    text: str  # the raw matched text
    normalized: str = ""  # canonical form for hashing ("130692544"); defaults to text
    attributes: Mapping[str, str] = dc_field(default_factory=dict)

    @property
    def canonical(self) -> str:
        return self.normalized or self.text


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of personal information found, as every output format sees it."""

    entity_type: EntityType
    location: str
    pointer: Pointer
    masked: str
    value_hash: str
    score: float
    detector: str
    language: str | None = None
    value: str | None = None  # only with --reveal
    record: str | None = None
    field: str | None = None
    attributes: Mapping[str, str] = dc_field(default_factory=dict)

    @property
    def severity(self) -> Severity:
        return SENSITIVITY.get(self.entity_type, Severity.LOW)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Finding, (self.entity_type, self.location, self.pointer, self.masked,
                          self.value_hash, self.score, self.detector, self.language, self.value,
                          self.record, self.field, self.attributes))

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": "finding",
            "entity_type": str(self.entity_type),
            "location": self.location,
            "pointer": self.pointer.as_dict(),
            "masked": self.masked,
            "value_hash": self.value_hash,
            "score": round(self.score, 2),
            "detector": self.detector,
            "language": self.language,
            "severity": str(self.severity),
        }
        if self.record is not None:
            out["record"] = self.record
        if self.attributes:
            out["attributes"] = dict(self.attributes)
        if self.value is not None:
            out["value"] = self.value
        return out


@dataclass(frozen=True, slots=True)
class ScanError:
    """An item that could not be read (fully), and why. Never holds content."""

    location: str
    reason: str  # short category: "encrypted", "corrupt", "permission denied", …
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"kind": "error", "location": self.location, "reason": self.reason,
                "detail": self.detail}


@dataclass(frozen=True, slots=True)
class Violation:
    """A policy rule broken at a location."""

    rule: str
    severity: Severity
    location: str
    message: str
    purpose: str | None = None
    entity_types: tuple[EntityType, ...] = ()
    count: int = 0
    action: str = ""
    finding_hashes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": "violation",
            "rule": self.rule,
            "severity": str(self.severity),
            "location": self.location,
            "purpose": self.purpose,
            "entity_types": [str(e) for e in self.entity_types],
            "count": self.count,
            "message": self.message,
            "action": self.action,
        }


@dataclass(frozen=True, slots=True)
class Individual:
    """One affected person, linked from findings that belong together."""

    individual_id: str
    names: tuple[str, ...]
    identifiers: Mapping[str, tuple[str, ...]]
    data_elements: tuple[EntityType, ...]
    locations: tuple[str, ...]
    contacts: Mapping[str, tuple[str, ...]] = dc_field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "individual_id": self.individual_id,
            "names": list(self.names),
            "identifiers": {k: list(v) for k, v in self.identifiers.items()},
            "data_elements": [str(e) for e in self.data_elements],
            "locations": list(self.locations),
            "contacts": {k: list(v) for k, v in self.contacts.items()},
        }


class ItemError(Exception):
    """A reader could not read an item; `reason` is what the user sees.

    Messages must never contain content from the item.
    """

    reason = "unreadable"

    def __init__(self, detail: str = "", reason: str | None = None):
        super().__init__(detail)
        if reason:
            self.reason = reason
        self.detail = detail


class EncryptedError(ItemError):
    reason = "encrypted"


class CorruptError(ItemError):
    reason = "corrupt"


class TooLargeError(ItemError):
    reason = "too large"


class UnsupportedError(ItemError):
    reason = "unsupported format"


class SkippedError(ItemError):
    """Not an error of the item: a capability is missing (OCR not installed)."""

    reason = "skipped"
