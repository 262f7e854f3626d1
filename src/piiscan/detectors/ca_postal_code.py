"""Canadian postal codes."""

from __future__ import annotations

import re

from ..model import EntityType
from .context import DIGITS, ContextualDetector

# Never used anywhere: D F I O Q U (they read like digits to OCR); W and Z never first.
_FIRST = "ABCEGHJKLMNPRSTVXY"
_OTHER = "ABCEGHJKLMNPRSTVWXYZ"


class CaPostalCodeDetector(ContextualDetector):
    """Canadian postal code: A1A 1A1 — letter, digit, letter, optional space, digit, letter, digit.

    Check: the letter sets Canada Post uses — the first letter (the postal
    district) one of ABCEGHJKLMNPRSTVXY, the others never D, F, I, O, Q or
    U. Upper case only: lower-case runs of that shape are mostly hashes and
    identifiers. Reference: Canada Post, "Addressing Guidelines" §5.
    Scoring: low-sensitivity; a value alone is medium, beside an address
    label (code postal, postal code, adresse…) high. A label for a code of
    another kind (product, model, serial, part, SKU) nearer than any address
    label drops it.
    Known false positives: model and part numbers of the same shape
    ("K1A 0B1" is also Canada Post's own example, reported).
    """

    name = "ca_postal_code"
    entity = EntityType.CA_POSTAL_CODE
    pattern = re.compile(
        rf"(?<![A-Za-z0-9])(?P<value>[{_FIRST}]\d[{_OTHER}] ?\d[{_OTHER}]\d)(?![A-Za-z0-9])")
    keywords = DIGITS
    context = ("postal code", "code postal", "postal", "CP", "C.P.", "adresse", "address",
               "zip", "apt", "app", "rue", "street", "avenue", "boulevard", "boul")
    against = ("model", "modèle", "serial", "série", "part", "pièce", "sku", "product", "produit",
               "ref", "réf", "lot")
    examples = {
        "Code postal : H2X 1Y4": True,
        "123 rue Principale, Gatineau (Québec) J8Y 6T3": True,
        "Ottawa ON K1A0B1": True,
        "Code postal : D2X 1Y4": False,  # D is never used
        "Postal code: W1A 1A1": False,  # W is never first (that one is London's)
        "Model K1A 0B1-X": False,
        "hash a1b2c3 in the log": False,
    }

    def validate(self, value: str) -> bool:
        return True

    def normalize(self, value: str) -> str:
        return value.replace(" ", "")
