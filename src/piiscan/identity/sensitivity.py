"""How sensitive exposed data is, for the risk assessment and the letters.

Tiers follow what Canadian regulators treat as most harmful when exposed:
immigration documents (passport, UCI — work and study permits carry one),
health numbers, SINs and financial data are the highest tier; a date of
birth or a driver's licence (identity theft with a name) next; contact
points next; a name alone last. (OPC, "What you need to know about
mandatory reporting of breaches of security safeguards"; CAI, "Incidents
de confidentialité", risk factors.)
"""

from __future__ import annotations

from typing import Iterable

from ..model import EntityType

E = EntityType

CATEGORIES: dict[str, tuple[EntityType, ...]] = {
    "immigration": (E.PASSPORT, E.CA_UCI),
    "health": (E.CA_HEALTH_NUMBER,),
    "sin": (E.CA_SIN,),
    "financial": (E.CREDIT_CARD, E.CA_BANK_ACCOUNT, E.IBAN_CODE),
    "identity": (E.DATE_OF_BIRTH, E.CA_DRIVERS_LICENCE),
    "contact": (E.EMAIL_ADDRESS, E.PHONE_NUMBER, E.STREET_ADDRESS, E.CA_POSTAL_CODE),
    "online": (E.IP_ADDRESS,),
    "name": (E.PERSON,),
}
TIERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("highest", ("immigration", "health", "sin", "financial")),
    ("high", ("identity",)),
    ("moderate", ("contact", "online")),
    ("low", ("name",)),
)
_CATEGORY_OF = {e: c for c, es in CATEGORIES.items() for e in es}
_TIER_OF_CATEGORY = {c: t for t, cs in TIERS for c in cs}


def categories_of(elements: Iterable[EntityType]) -> tuple[str, ...]:
    present = {_CATEGORY_OF.get(e, "contact") for e in elements}
    return tuple(c for c in CATEGORIES if c in present)


def tier_of(elements: Iterable[EntityType]) -> str:
    cats = set(categories_of(elements))
    for tier, members in TIERS:
        if cats & set(members):
            return tier
    return "low"


LABELS: dict[str, dict[str, str]] = {
    "en": {
        "CA_SIN": "Social Insurance Number", "CREDIT_CARD": "payment card number",
        "PASSPORT": "passport number", "EMAIL_ADDRESS": "email address",
        "PHONE_NUMBER": "telephone number", "PERSON": "name",
        "DATE_OF_BIRTH": "date of birth", "CA_HEALTH_NUMBER": "health insurance number",
        "IBAN_CODE": "bank account number (IBAN)", "CA_BANK_ACCOUNT": "bank account number",
        "CA_POSTAL_CODE": "postal code", "STREET_ADDRESS": "home address",
        "IP_ADDRESS": "IP address", "CA_DRIVERS_LICENCE": "driver's licence number",
        "CA_UCI": "immigration client identifier (UCI)",
        "cat.immigration": "immigration", "cat.health": "health", "cat.sin": "SIN",
        "cat.financial": "financial", "cat.identity": "identity (date of birth, licence)",
        "cat.contact": "contact details", "cat.online": "online identifiers", "cat.name": "name",
        "tier.highest": "highest", "tier.high": "high", "tier.moderate": "moderate", "tier.low": "low",
    },
    "fr": {
        "CA_SIN": "numéro d'assurance sociale", "CREDIT_CARD": "numéro de carte de paiement",
        "PASSPORT": "numéro de passeport", "EMAIL_ADDRESS": "adresse courriel",
        "PHONE_NUMBER": "numéro de téléphone", "PERSON": "nom",
        "DATE_OF_BIRTH": "date de naissance", "CA_HEALTH_NUMBER": "numéro d'assurance maladie",
        "IBAN_CODE": "numéro de compte bancaire (IBAN)", "CA_BANK_ACCOUNT": "numéro de compte bancaire",
        "CA_POSTAL_CODE": "code postal", "STREET_ADDRESS": "adresse de domicile",
        "IP_ADDRESS": "adresse IP", "CA_DRIVERS_LICENCE": "numéro de permis de conduire",
        "CA_UCI": "identificateur client de l'immigration (IUC)",
        "cat.immigration": "immigration", "cat.health": "santé", "cat.sin": "NAS",
        "cat.financial": "financier", "cat.identity": "identité (date de naissance, permis)",
        "cat.contact": "coordonnées", "cat.online": "identifiants en ligne", "cat.name": "nom",
        "tier.highest": "la plus élevée", "tier.high": "élevée", "tier.moderate": "modérée",
        "tier.low": "faible",
    },
}

# What a person can do about each kind of exposed data, for the letters.
ADVICE: dict[str, dict[str, str]] = {
    "en": {
        "CA_SIN": "Contact Service Canada if you suspect your SIN is being "
                  "misused, and watch your credit reports (Equifax, TransUnion).",
        "CREDIT_CARD": "Call the number on the back of your card to have it replaced, and check "
                       "your statements.",
        "PASSPORT": "Report the exposure to Passport Canada; ask whether a new "
                    "passport is advisable.",
        "CA_UCI": "Be wary of anyone contacting you about your immigration file; use only "
                  "official IRCC channels.",
        "CA_HEALTH_NUMBER": "Contact your provincial health insurance plan (RAMQ, OHIP, …) if you "
                            "notice services you did not receive.",
        "CA_BANK_ACCOUNT": "Tell your bank and watch your account for unusual transactions.",
        "IBAN_CODE": "Tell your bank and watch your account for unusual transactions.",
        "DATE_OF_BIRTH": "Consider a fraud alert with Equifax and TransUnion.",
        "CA_DRIVERS_LICENCE": "Contact your provincial licensing office (SAAQ, ServiceOntario, …).",
    },
    "fr": {
        "CA_SIN": "Communiquez avec Service Canada si vous soupçonnez une "
                  "utilisation frauduleuse de votre NAS, et surveillez vos dossiers de crédit "
                  "(Equifax, TransUnion).",
        "CREDIT_CARD": "Appelez le numéro au dos de votre carte pour la faire remplacer et "
                       "vérifiez vos relevés.",
        "PASSPORT": "Signalez l'incident à Passeport Canada et demandez s'il "
                    "convient de remplacer votre passeport.",
        "CA_UCI": "Méfiez-vous de toute personne qui vous contacte au sujet de votre dossier "
                  "d'immigration ; utilisez uniquement les canaux officiels d'IRCC.",
        "CA_HEALTH_NUMBER": "Communiquez avec votre régime d'assurance maladie (RAMQ, OHIP…) si "
                            "vous remarquez des services que vous n'avez pas reçus.",
        "CA_BANK_ACCOUNT": "Avisez votre institution financière et surveillez votre compte.",
        "IBAN_CODE": "Avisez votre institution financière et surveillez votre compte.",
        "DATE_OF_BIRTH": "Envisagez une alerte à la fraude auprès d'Equifax et de TransUnion.",
        "CA_DRIVERS_LICENCE": "Communiquez avec l'organisme qui délivre votre permis (SAAQ…).",
    },
}


def label(key: str, lang: str) -> str:
    return LABELS.get(lang, LABELS["en"]).get(key) or LABELS["en"].get(key, key)
