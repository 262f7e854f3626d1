"""A small synthetic share with planted values, written by the tests.

Every value is invented: SINs and cards carry valid check digits but
belong to nobody. PLANTED maps entity type → the raw strings a leak test
looks for in the scanner's outputs.
"""

from __future__ import annotations

import json
from pathlib import Path

SIN = "463 212 233"
SIN_FR = "130 692 544"
CARD = "4111 1111 1111 1111"
EMAIL = "marie.tremblay@example.org"
PHONE = "514-555-0147"
PASSPORT = "AB123456"
RAMQ = "TREM 8703 1215"

PLANTED = {
    "CA_SIN": [SIN, SIN.replace(" ", ""), SIN_FR, SIN_FR.replace(" ", "")],
    "CREDIT_CARD": [CARD, CARD.replace(" ", "")],
    "EMAIL_ADDRESS": [EMAIL],
    "PHONE_NUMBER": [PHONE, "5145550147"],
    "PASSPORT": [PASSPORT],
}


def make_share(root: Path) -> Path:
    (root / "hr").mkdir(parents=True, exist_ok=True)
    (root / "finance").mkdir(exist_ok=True)
    (root / "notes").mkdir(exist_ok=True)
    (root / "clean").mkdir(exist_ok=True)
    (root / "hr" / "payroll.csv").write_text(
        "employee_id,nom,NAS,courriel\n"
        f"17,Marie Tremblay,{SIN},{EMAIL}\n", encoding="utf-8")
    (root / "finance" / "donors.json").write_text(json.dumps(
        {"donors": [{"name": "Jean Dupont", "card": CARD, "phone": PHONE}]}), encoding="utf-8")
    (root / "notes" / "suivi.txt").write_text(
        "Notes de suivi — participante.\n"
        f"Numéro d'assurance sociale : {SIN_FR}\n"
        f"Passeport canadien no {PASSPORT}, téléphone {PHONE}.\n", encoding="cp1252")
    (root / "notes" / "page.html").write_text(
        f"<html><body><p>Contact: <a href='mailto:{EMAIL}'>{EMAIL}</a></p>"
        "<script>var x = 1;</script></body></html>", encoding="utf-8")
    (root / "clean" / "menu.txt").write_text("Soupe du jour et salade.\n", encoding="utf-8")
    return root
