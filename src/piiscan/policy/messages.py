"""What a violation says, in English or French: what, why, since when, and what to do.

Messages name kinds of data and counts, never values.
"""

from __future__ import annotations

from typing import Any, Iterable

from ..model import EntityType

LABELS: dict[EntityType, tuple[str, str]] = {
    EntityType.CA_SIN: ("SIN", "NAS"),
    EntityType.CREDIT_CARD: ("payment card number", "numéro de carte de paiement"),
    EntityType.PASSPORT: ("passport number", "numéro de passeport"),
    EntityType.EMAIL_ADDRESS: ("email address", "adresse courriel"),
    EntityType.PHONE_NUMBER: ("phone number", "numéro de téléphone"),
    EntityType.PERSON: ("name", "nom"),
    EntityType.DATE_OF_BIRTH: ("date of birth", "date de naissance"),
    EntityType.CA_HEALTH_NUMBER: ("health insurance number", "numéro d'assurance maladie"),
    EntityType.IBAN_CODE: ("IBAN", "IBAN"),
    EntityType.CA_BANK_ACCOUNT: ("bank account number", "numéro de compte bancaire"),
    EntityType.CA_POSTAL_CODE: ("postal code", "code postal"),
    EntityType.STREET_ADDRESS: ("street address", "adresse postale"),
    EntityType.IP_ADDRESS: ("IP address", "adresse IP"),
    EntityType.CA_DRIVERS_LICENCE: ("driver's licence number", "numéro de permis de conduire"),
    EntityType.CA_UCI: ("UCI (immigration client number)", "IUC (identificateur unique de client)"),
}

UNITS_FR = {"days": "jours", "weeks": "semaines", "months": "mois", "years": "ans",
            "day": "jour", "week": "semaine", "month": "mois", "year": "an"}

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "retention_exceeded":
            "{n_values} ({types}) kept longer than the {limit} that purpose '{purpose}' "
            "allows, counted from {start_from}; the limit passed on {since} for the oldest.",
        "retention_exceeded.action": "Delete or anonymise the records older than the limit.",
        "category_not_allowed":
            "{n_values} ({types}) in a location of purpose '{purpose}', which is not declared "
            "to hold them.",
        "category_not_allowed.confined":
            "{n_values} ({types}) here, but the policy allows this data only in: {owners}.",
        "category_not_allowed.action": "Move them to {where}, or delete them.",
        "category_not_allowed.nowhere": "a location declared for them",
        "undeclared_location":
            "{n_values} ({types}) in a location that no purpose of the policy covers.",
        "undeclared_location.action":
            "Delete or anonymise them, move them to a declared location, or declare the purpose "
            "this location serves in the policy.",
        "minor_data":
            "{n_records} of people under {under} (date of birth; age {ages} on {as_of}).",
        "minor_data.action": "Delete or anonymise the minors' data, unless a guardian's consent "
                             "is on file.",
        "world_readable":
            "{n_values} ({types}) in a file every account on the server can read (mode {mode}).",
        "world_readable.action": "Restrict access: remove read permission for others "
                                 "(chmod o-r) and check the share's permissions.",
        "public_location":
            "{n_values} ({types}) in a public location ({public}).",
        "public_location.action": "Remove them from the public location now, then find out "
                                  "whether they were published.",
        "from.mtime": "the file's modification time",
        "from.document": "the latest date written in the document",
        "from.field": "the field '{field}'",
        "value": "value", "values": "values", "record": "record", "records": "records",
        "and": "and",
    },
    "fr": {
        "retention_exceeded":
            "{n_values} ({types}) : conservation au-delà des {limit} permis pour la finalité "
            "« {purpose} », comptés à partir {start_from}; délai dépassé depuis le {since} "
            "pour la plus ancienne.",
        "retention_exceeded.action": "Supprimer ou anonymiser les enregistrements plus anciens "
                                     "que le délai.",
        "category_not_allowed":
            "{n_values} ({types}) dans un emplacement de la finalité « {purpose} », qui n'est "
            "pas déclarée pour ces données.",
        "category_not_allowed.confined":
            "{n_values} ({types}) ici, alors que la politique ne permet ces données que dans : "
            "{owners}.",
        "category_not_allowed.action": "Les déplacer vers {where}, ou les supprimer.",
        "category_not_allowed.nowhere": "un emplacement déclaré pour ces données",
        "undeclared_location":
            "{n_values} ({types}) dans un emplacement qu'aucune finalité de la politique ne "
            "couvre.",
        "undeclared_location.action":
            "Les supprimer ou les anonymiser, les déplacer vers un emplacement déclaré, ou "
            "déclarer dans la politique la finalité de cet emplacement.",
        "minor_data":
            "{n_records} de personnes de moins de {under} ans (date de naissance; âge {ages} "
            "au {as_of}).",
        "minor_data.action": "Supprimer ou anonymiser les données des mineurs, sauf "
                             "consentement du titulaire de l'autorité parentale au dossier.",
        "world_readable":
            "{n_values} ({types}) dans un fichier que tous les comptes du serveur peuvent lire "
            "(mode {mode}).",
        "world_readable.action": "Restreindre l'accès : retirer la lecture aux autres "
                                 "(chmod o-r) et vérifier les permissions du partage.",
        "public_location":
            "{n_values} ({types}) dans un emplacement public ({public}).",
        "public_location.action": "Les retirer de l'emplacement public sans attendre, puis "
                                  "vérifier si elles ont été publiées.",
        "from.mtime": "de la date de modification du fichier",
        "from.document": "de la date la plus récente inscrite dans le document",
        "from.field": "du champ « {field} »",
        "value": "valeur", "values": "valeurs", "record": "enregistrement",
        "records": "enregistrements",
        "and": "et",
    },
}


def text(lang: str, key: str, **values: Any) -> str:
    table = TEXTS.get(lang, TEXTS["en"])
    if "count" in values:
        n = values["count"]
        values.setdefault("n_values", f"{n} {table['value' if n == 1 else 'values']}")
        values.setdefault("n_records", f"{n} {table['record' if n == 1 else 'records']}")
    return table[key].format(**values)


def label(entity: EntityType, lang: str) -> str:
    en, fr = LABELS.get(entity, (str(entity), str(entity)))
    return fr if lang == "fr" else en


def labels(entities: Iterable[EntityType], lang: str) -> str:
    return ", ".join(label(e, lang) for e in entities)


def duration(d: Any, lang: str) -> str:
    """'60 days' / '60 jours'; open-ended limits as declared."""
    shown = str(d)
    if lang != "fr" or d.amount is None:
        return shown
    amount, _, unit = shown.partition(" ")
    return f"{amount} {UNITS_FR.get(unit, unit)}"


def join(words: Iterable[str], lang: str) -> str:
    words = list(words)
    if len(words) < 2:
        return "".join(words)
    return ", ".join(words[:-1]) + f" {text(lang, 'and')} " + words[-1]
