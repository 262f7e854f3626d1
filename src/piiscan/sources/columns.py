"""What a column probably holds, from its name (English or French) and type;
and the few helpers every tabular reader (tables, dumps) shares.

A database column or dump field named `nas`, `courriel` or `dateNaissance`
says more than any value in it. The name is used two ways: as the segment's
`field`, so a detector's context words fire on the values beneath it, and in
the per-column roll-up, where a name that agrees with the values raises the
confidence. A name alone is never a finding: values still have to match.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from ..detectors.base import fold
from ..model import EntityType

E = EntityType

# (tokens, entity): the tokens must appear consecutively in the folded name.
# Longer phrases win; on a tie the earlier rule wins (so "health_card" is a
# health number, not a credit card, and "email_address" an email).
_RULES: tuple[tuple[tuple[str, ...], EntityType], ...] = (
    (("nas",), E.CA_SIN), (("sin",), E.CA_SIN), (("ssn",), E.CA_SIN),
    (("social", "insurance"), E.CA_SIN), (("socialinsurance",), E.CA_SIN),
    (("assurance", "sociale"), E.CA_SIN), (("ass", "soc"), E.CA_SIN),
    (("ip",), E.IP_ADDRESS), (("ip", "address"), E.IP_ADDRESS), (("ipaddress",), E.IP_ADDRESS),
    (("adresse", "ip"), E.IP_ADDRESS),
    (("email",), E.EMAIL_ADDRESS), (("e", "mail"), E.EMAIL_ADDRESS), (("mail",), E.EMAIL_ADDRESS),
    (("courriel",), E.EMAIL_ADDRESS), (("emailaddress",), E.EMAIL_ADDRESS),
    (("adresse", "electronique"), E.EMAIL_ADDRESS), (("mel",), E.EMAIL_ADDRESS),
    (("dob",), E.DATE_OF_BIRTH), (("ddn",), E.DATE_OF_BIRTH), (("birth",), E.DATE_OF_BIRTH),
    (("birthdate",), E.DATE_OF_BIRTH), (("birthday",), E.DATE_OF_BIRTH),
    (("dateofbirth",), E.DATE_OF_BIRTH), (("naissance",), E.DATE_OF_BIRTH),
    (("datenaissance",), E.DATE_OF_BIRTH), (("date", "naissance"), E.DATE_OF_BIRTH),
    (("date", "de", "naissance"), E.DATE_OF_BIRTH), (("date", "of", "birth"), E.DATE_OF_BIRTH),
    (("ramq",), E.CA_HEALTH_NUMBER), (("nam",), E.CA_HEALTH_NUMBER),
    (("ohip",), E.CA_HEALTH_NUMBER), (("phn",), E.CA_HEALTH_NUMBER),
    (("health",), E.CA_HEALTH_NUMBER), (("carte", "sante"), E.CA_HEALTH_NUMBER),
    (("assurance", "maladie"), E.CA_HEALTH_NUMBER), (("health", "card"), E.CA_HEALTH_NUMBER),
    (("passport",), E.PASSPORT), (("passeport",), E.PASSPORT),
    (("card", "number"), E.CREDIT_CARD), (("cardnumber",), E.CREDIT_CARD),
    (("credit", "card"), E.CREDIT_CARD), (("creditcard",), E.CREDIT_CARD),
    (("carte",), E.CREDIT_CARD), (("carte", "credit"), E.CREDIT_CARD),
    (("cc", "number"), E.CREDIT_CARD), (("ccnum",), E.CREDIT_CARD), (("pan",), E.CREDIT_CARD),
    (("card",), E.CREDIT_CARD),
    (("iban",), E.IBAN_CODE),
    (("bank", "account"), E.CA_BANK_ACCOUNT), (("compte", "bancaire"), E.CA_BANK_ACCOUNT),
    (("transit",), E.CA_BANK_ACCOUNT),
    (("drivers", "licence"), E.CA_DRIVERS_LICENCE), (("driver", "license"), E.CA_DRIVERS_LICENCE),
    (("drivers", "license"), E.CA_DRIVERS_LICENCE), (("driver", "licence"), E.CA_DRIVERS_LICENCE),
    (("permis", "conduire"), E.CA_DRIVERS_LICENCE),
    (("uci",), E.CA_UCI), (("iuc",), E.CA_UCI),
    (("telephone",), E.PHONE_NUMBER), (("phone",), E.PHONE_NUMBER), (("tel",), E.PHONE_NUMBER),
    (("cell",), E.PHONE_NUMBER), (("cellulaire",), E.PHONE_NUMBER), (("mobile",), E.PHONE_NUMBER),
    (("cellphone",), E.PHONE_NUMBER), (("phonenumber",), E.PHONE_NUMBER), (("fax",), E.PHONE_NUMBER),
    (("telecopieur",), E.PHONE_NUMBER),
    (("code", "postal"), E.CA_POSTAL_CODE), (("postal", "code"), E.CA_POSTAL_CODE),
    (("postal",), E.CA_POSTAL_CODE), (("postcode",), E.CA_POSTAL_CODE),
    (("postalcode",), E.CA_POSTAL_CODE), (("zip",), E.CA_POSTAL_CODE), (("zipcode",), E.CA_POSTAL_CODE),
    (("address",), E.STREET_ADDRESS), (("adresse",), E.STREET_ADDRESS),
    (("street",), E.STREET_ADDRESS), (("rue",), E.STREET_ADDRESS), (("addr",), E.STREET_ADDRESS),
    (("nom",), E.PERSON), (("prenom",), E.PERSON), (("name",), E.PERSON),
    (("firstname",), E.PERSON), (("lastname",), E.PERSON), (("surname",), E.PERSON),
    (("givenname",), E.PERSON), (("fullname",), E.PERSON), (("patronyme",), E.PERSON),
)

# Tokens that make a name describe something about the value, not the value
# itself: `email_verified`, `card_type`, `sin_hash`, `phone_count`.
_NOT_THE_VALUE = frozenset({
    "verified", "verifie", "opt", "optin", "optout", "consent", "consentement", "flag", "count",
    "nb", "nombre", "is", "has", "status", "statut", "type", "format", "template", "domain",
    "domaine", "hash", "hashed", "length", "valid", "validated", "sent", "envoye", "bounce",
    "bounced", "expiry", "expiration", "exp", "issued", "country", "pays", "province", "lang",
    "langue", "language", "pref", "preference", "preferences",
})
# Tokens that make `name`/`nom` something other than a person's name.
_NOT_A_PERSON = frozenset({
    "file", "fichier", "product", "produit", "company", "compagnie", "entreprise", "organisation",
    "organization", "organisme", "org", "table", "column", "colonne", "user", "host", "server",
    "serveur", "event", "evenement", "program", "programme", "projet", "project", "service",
    "city", "ville", "street", "rue", "school", "ecole", "bank", "banque", "group", "groupe",
    "category", "categorie", "role", "tag", "app", "display", "class", "classe", "site",
    "campaign", "campagne", "fund", "fonds", "activity", "activite", "course", "cours",
})
# `lieu_naissance` is where someone was born, not when.
_NOT_A_BIRTH_DATE = frozenset({"lieu", "place", "city", "ville", "country", "pays"})

LABELS: dict[EntityType, str] = {
    E.CA_SIN: "SIN / NAS",
    E.EMAIL_ADDRESS: "email / courriel",
    E.DATE_OF_BIRTH: "date of birth / date de naissance",
    E.PERSON: "name / nom / prénom",
    E.PHONE_NUMBER: "phone / téléphone",
    E.CREDIT_CARD: "card number / numéro de carte",
    E.PASSPORT: "passport / passeport",
    E.CA_HEALTH_NUMBER: "health number / RAMQ",
    E.CA_POSTAL_CODE: "postal code / code postal",
    E.STREET_ADDRESS: "address / adresse",
    E.IP_ADDRESS: "IP address / adresse IP",
    E.CA_BANK_ACCOUNT: "bank account / compte bancaire",
    E.IBAN_CODE: "IBAN",
    E.CA_DRIVERS_LICENCE: "driver's licence / permis de conduire",
    E.CA_UCI: "UCI / IUC",
}

_SPLIT = re.compile(r"[^a-z0-9]+|(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])")


def tokens(name: str) -> tuple[str, ...]:
    """`dateNaissance_2` → ('date', 'naissance', '2'); accents and case folded."""
    spaced = "".join(" " + c if _starts_word(name, i) else c for i, c in enumerate(name))
    return tuple(t for t in _SPLIT.split(fold(spaced)) if t)


def _starts_word(name: str, i: int) -> bool:
    """camelCase and HTTPServer boundaries, accented capitals included (dateÉlève)."""
    if i == 0 or not name[i].isupper():
        return False
    before = name[i - 1]
    return before.islower() or before.isdigit() or (
        before.isupper() and i + 1 < len(name) and name[i + 1].islower())


def _contains(haystack: tuple[str, ...], needle: tuple[str, ...]) -> bool:
    n = len(needle)
    return any(haystack[i:i + n] == needle for i in range(len(haystack) - n + 1))


def _type_family(type_: Any) -> str:
    """'bool', 'float', 'date', 'binary' or '' from a SQLAlchemy type or a type name."""
    if type_ is None:
        return ""
    if isinstance(type_, str):
        text = type_
    else:
        try:
            text = f"{type(type_).__name__} {type_}"
        except Exception:  # some dialect types cannot render without a dialect
            text = type(type_).__name__
    text = text.lower()
    if "bool" in text or text.strip() in ("bit", "bit(1)", "tinyint(1)"):
        return "bool"
    if any(k in text for k in ("blob", "binary", "bytea", "image")):
        return "binary"
    if any(k in text for k in ("date", "time")):
        return "date"
    if any(k in text for k in ("float", "double", "real")):
        return "float"
    return ""


def classify(name: str, type_: Any = None) -> EntityType | None:
    """The entity a column named `name` (of type `type_`, optional) most likely holds."""
    toks = tokens(name)
    if not toks or _NOT_THE_VALUE & set(toks):
        return None
    family = _type_family(type_)
    if family in ("bool", "float", "binary"):
        return None
    best: tuple[int, EntityType] | None = None
    for phrase, entity in _RULES:
        if (best is None or len(phrase) > best[0]) and _contains(toks, phrase):
            best = (len(phrase), entity)
    if best is None:
        return None
    entity = best[1]
    if entity is E.PERSON and _NOT_A_PERSON & set(toks):
        return None
    if entity is E.DATE_OF_BIRTH and _NOT_A_BIRTH_DATE & set(toks):
        return None
    if family == "date" and entity is not E.DATE_OF_BIRTH:
        return None  # `email_sent_at` is a timestamp, not an address
    return entity


def field_label(name: str, type_: Any = None) -> str:
    """The segment `field` for a column: its name, plus the EN/FR words for what it holds.

    Detectors look for context words in the field; `no_ass_soc` or
    `dateNaissance` contain none of theirs, so the label adds them. A name
    that already is one of those words is left as it is.
    """
    entity = classify(name, type_)
    if entity is None:
        return name
    label = LABELS.get(entity, str(entity))
    plain = " ".join(tokens(name))
    if any(plain == " ".join(tokens(word)) for word in label.split(" / ")):
        return name
    return f"{name} ({label})"


# -- cells --------------------------------------------------------------------

SEGMENT_CHARS = 20_000  # one large text cell becomes several segments of this size
OVERLAP = 200  # so a value cut at a boundary is whole in one of the two pieces


def pieces(text: str, size: int = SEGMENT_CHARS,
           overlap: int = OVERLAP) -> Iterator[tuple[int | None, int, str]]:
    """(offset, repeated, piece) over a cell's text; offset None when it fits in one piece.

    `repeated` is how many leading characters the piece shares with the one
    before (Segment.overlap), so a value inside them is not reported twice.
    """
    if len(text) <= size:
        yield None, 0, text
        return
    start = 0
    while True:
        yield start, (overlap if start else 0), text[start:start + size]
        if start + size >= len(text):
            return
        start += size - overlap


def sampled_key(location: str, table: str, column: str) -> str:
    """The counter under which a reader records how many values of a column it read.

    Tab-separated because locations, table and column names may hold any of
    `.`, `#`, `!` or `:`, but never a tab in practice.
    """
    return f"sampled\t{location}\t{table}\t{column}"


def parse_sampled_key(key: str) -> tuple[str, str, str] | None:
    parts = key.split("\t")
    if len(parts) != 4 or parts[0] != "sampled":
        return None
    return parts[1], parts[2], parts[3]
