"""Canadian Social Insurance Number (SIN / NAS)."""

from __future__ import annotations

import re

from ..checks import digits_only, luhn_ok
from ..model import EntityType
from .context import DIGITS, ContextualDetector


class CaSinDetector(ContextualDetector):
    """Canadian Social Insurance Number: 9 digits, written 123 456 789, 123-456-789 or 123456789.

    Check: Luhn (mod 10) over the nine digits. Reserved: a first digit of 0
    (fictitious numbers, such as the government's sample 046 454 286) or 8
    is never issued to a person and is rejected; 9 marks a temporary
    resident (attribute temporary_resident=true).
    Reference: ESDC, "Social Insurance Number – Code of Practice" and the
    SIN Regulations; python-stdnum `stdnum.ca.sin` applies the same rules.
    Scoring: one Luhn-valid number in ten is a coincidence, so a bare
    ungrouped 9-digit number is reported only beside a SIN label or under a
    column named for it; a grouped one alone is medium.
    Known false positives: 9-digit invoice, order and reference numbers that
    happen to pass Luhn. A label for one of those (invoice, facture,
    commande, référence, tracking, confirmation…) nearer than any SIN label
    rejects the value, which Presidio's CaSinRecognizer does not do. CRA
    business numbers share the SIN's shape and Luhn check: a BN label or a
    program account suffix (123456782 RR0001) rejects the value.
    """

    name = "ca_sin"
    entity = EntityType.CA_SIN
    pattern = re.compile(
        r"(?<![\d.])(?P<value>\d{3}(?P<sep>[ -]?)\d{3}(?P=sep)\d{3})"
        # not followed by a CRA program account (123456782 RR0001 is a charity's BN)
        r"(?!\d|[.,]\d|[ -]?R[A-Z][ -]?\d{4})")
    keywords = DIGITS
    context = (
        "SIN", "S.I.N.", "SIN no", "social insurance", "social insurance number",
        "NAS", "N.A.S.", "assurance sociale", "numéro d'assurance sociale",
        "no d'assurance sociale", "n° d'assurance sociale",
    )
    against = (
        "invoice", "facture", "order", "commande", "bon de commande", "reference", "référence",
        "ref", "réf", "tracking", "numéro de suivi", "no de suivi", "confirmation", "receipt",
        "reçu", "transaction", "ticket", "billet", "purchase order", "account", "compte",
        "phone", "téléphone", "tél", "tel", "fax", "poste", "ext",
        "BN", "business number", "numéro d'entreprise", "NEQ", "charity", "bienfaisance",
        "registration number", "numéro d'enregistrement",
    )
    examples = {
        "NAS : 130 692 544": True,
        "Numéro d'assurance sociale : 130-692-544": True,
        "Social Insurance Number: 130692544": True,
        "Employee SIN 923 456 784 (temporary resident)": True,
        "Le dossier mentionne 130 692 544 sans plus.": True,
        "NAS : 130 692 545": False,  # wrong check digit
        "SIN 046 454 286": False,  # first digit 0: never issued
        "SIN 812 345 676": False,  # first digit 8: never issued
        "Invoice no. 123456782": False,
        "Référence 123 456 782": False,
        "Numéro de commande : 130-692-544": False,
        "Tracking 271828188 shipped": False,
        "Charity registration 130692544 RR0001": False,  # a CRA business number
        "Reading 130692544 on the meter": False,  # bare and unlabelled
        "Carte 4111 1111 1111 1111": False,
    }

    def validate(self, value: str) -> bool:
        digits = digits_only(value)
        return digits[0] not in "08" and luhn_ok(digits)

    def needs_context(self, value: str) -> bool:
        return value.isdigit()

    def normalize(self, value: str) -> str:
        return digits_only(value)

    def attributes(self, value: str) -> dict[str, str]:
        return {"temporary_resident": "true"} if value.startswith("9") else {}
