"""Generate a labelled, synthetic shared drive of a bilingual non-profit.

    python benchmarks/corpus.py OUT_DIR [--scale N] [--seed S]

OUT_DIR/share/ holds the files (case notes, donor letters, HR memos, CVs,
intake forms in English and French; donor, participant, payroll and
beneficiary tables with English and French headers) in txt, csv, json,
html, and docx/xlsx/pdf when asked. OUT_DIR/gold.jsonl lists, per file,
every piece of personal information written into it (entity type, exact
value, language) and every hard negative (a value that looks like PII but
is not: invoice and tracking numbers, Luhn-valid reference numbers,
organisations, streets, places). Same seed, same corpus.

Templates mark values inline (`self.p(value)`), so the gold can never
drift from the text: the marks are stripped when a file is written.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import re
import sys
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from html import escape
from pathlib import Path
from typing import Callable, Iterable

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import values as V  # noqa: E402
from benchmarks.names import PersonName, make_name  # noqa: E402

FORMATS_BASIC = ("txt", "csv", "json", "html")
FORMATS_OFFICE = ("docx", "xlsx", "pdf")

# -- hard negatives: organisations, streets and places ----------------------

ORGS_FR = ["Ville de Montréal", "Banque Nationale", "Services Québec", "Caisse Desjardins",
           "Hydro-Québec", "Université Laval", "Université de Montréal", "Hôpital Sainte-Justine",
           "Centre de services scolaire de Laval", "CLSC Saint-Michel", "Croix-Rouge canadienne",
           "Fondation Marie-Vincent", "Hôpital Maisonneuve-Rosemont", "Centre Jean-Coutu",
           "Cégep Marie-Victorin", "Commission scolaire Marguerite-Bourgeoys",
           "Régie de l'assurance maladie du Québec", "Ministère de l'Immigration",
           "Société de transport de Montréal", "Centre communautaire Bon Courage",
           "Groupe Saint-Laurent inc.", "Pavillon Jean-Brillant", "Clinique Jean-Talon"]
ORGS_EN = ["City of Toronto", "Royal Bank of Canada", "Service Canada", "Canada Revenue Agency",
           "University of Ottawa", "McGill University", "St. Michael's Hospital",
           "Red Cross Society", "United Way Centraide", "Ontario Trillium Foundation",
           "Salvation Army", "Maple Leaf Community Centre", "Bank of Montreal",
           "Immigration, Refugees and Citizenship Canada", "Children's Aid Society",
           "Sherbrooke Street Clinic", "Legal Aid Ontario", "Mount Sinai Hospital",
           "Northern Lights Housing Co-op", "Harbourfront Centre", "Dawson College"]
STREETS = ["rue Saint-Denis", "boulevard René-Lévesque", "avenue du Parc", "rue Jean-Talon Est",
           "chemin de la Côte-des-Neiges", "rue Sainte-Catherine Ouest", "boulevard Saint-Laurent",
           "avenue Papineau", "rue Notre-Dame", "boulevard Henri-Bourassa", "rue Beaubien",
           "Sherbrooke Street West", "Bloor Street", "Yonge Street", "Bank Street",
           "Rideau Street", "Dundas Street East", "avenue Christophe-Colomb", "rue Laurier"]
PLACES = ["Montréal", "Laval", "Longueuil", "Gatineau", "Québec", "Sherbrooke", "Trois-Rivières",
          "Saint-Jérôme", "Toronto", "Ottawa", "Mississauga", "Hamilton", "Winnipeg",
          "Saint-Hyacinthe", "Rivière-du-Loup", "Drummondville", "Brossard", "Terrebonne"]
COUNTRIES_FR = ["Syrie", "Afghanistan", "Érythrée", "Somalie", "République démocratique du Congo",
                "Haïti", "Colombie", "Ukraine", "Sri Lanka", "Inde", "Vietnam", "Chine",
                "Philippines", "Iran", "Liban", "Algérie"]
COUNTRIES_EN = ["Syria", "Afghanistan", "Eritrea", "Somalia", "the Democratic Republic of the Congo",
                "Haiti", "Colombia", "Ukraine", "Sri Lanka", "India", "Vietnam", "China",
                "the Philippines", "Iran", "Lebanon", "Algeria"]
CORPORATE_DONORS = ["Fondation Lucie-et-André", "Groupe Cascades inc.", "Banque Laurentienne",
                    "Maple Leaf Foods Inc.", "Rotary Club de Laval", "Caisse populaire Desjardins",
                    "Metro Richelieu inc.", "Pharmacie Jean Coutu", "Association des infirmières",
                    "Sun Life Financial", "Fondation du Grand Montréal", "Telus Communications"]

MARK = re.compile(r"\x01([A-Z_:a-z]+)\x02([a-z]{2})\x02(.*?)\x03", re.S)


@dataclass(frozen=True, slots=True)
class Label:
    location: str
    entity_type: str  # an EntityType value, or "HARD_NEGATIVE"
    value: str
    language: str
    kind: str  # document kind, or hard-negative category
    format: str


def strip_marks(text: str) -> tuple[str, list[tuple[str, str, str]]]:
    """Remove value marks; return the clean text and (type, language, value) triples."""
    found: list[tuple[str, str, str]] = []

    def repl(m: re.Match[str]) -> str:
        found.append((m.group(1), m.group(2), m.group(3)))
        return m.group(3)
    return MARK.sub(repl, text), found


class Marks:
    """Inline markers for one language: template text stays a plain f-string."""

    def __init__(self, lang: str):
        self.lang = lang

    def mark(self, kind: str, value: str) -> str:
        return f"\x01{kind}\x02{self.lang}\x02{value}\x03"

    def p(self, v: str) -> str:
        return self.mark("PERSON", v)

    def sin(self, v: str) -> str:
        return self.mark("CA_SIN", v)

    def card(self, v: str) -> str:
        return self.mark("CREDIT_CARD", v)

    def passport(self, v: str) -> str:
        return self.mark("PASSPORT", v)

    def email(self, v: str) -> str:
        return self.mark("EMAIL_ADDRESS", v)

    def phone(self, v: str) -> str:
        return self.mark("PHONE_NUMBER", v)

    def dob(self, v: str) -> str:
        return self.mark("DATE_OF_BIRTH", v)

    def health(self, v: str) -> str:
        return self.mark("CA_HEALTH_NUMBER", v)

    def postal(self, v: str) -> str:
        return self.mark("CA_POSTAL_CODE", v)

    def iban(self, v: str) -> str:
        return self.mark("IBAN_CODE", v)

    def ip(self, v: str) -> str:
        return self.mark("IP_ADDRESS", v)

    def neg(self, category: str, v: str) -> str:
        return self.mark(f"NEG:{category}", v)


@dataclass
class Document:
    """Prose (paragraphs) or a table (header + rows of marked cells)."""

    name: str  # path under share/, without extension
    lang: str
    kind: str
    formats: tuple[str, ...]
    paragraphs: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    nested: bool = False  # json: records with a nested address object


# -- the people and facts a document is about -------------------------------

@dataclass
class Person:
    name: PersonName
    born: date
    sin: str
    email: str
    phone: str
    postal: str
    street_no: int
    street: str
    city: str


def make_person(rng: random.Random, origin: str | None = None, minor: bool = False) -> Person:
    name = make_name(rng, origin)
    return Person(name, V.birth_date(rng, minor), V.sin(rng), V.email(rng, name.given, name.family),
                  V.phone(rng), V.postal_code(rng), rng.randint(10, 9999), rng.choice(STREETS),
                  rng.choice(PLACES))


def title_fr(p: Person) -> str:
    return "Mme" if p.name.female else "M."


def title_en(p: Person) -> str:
    return "Ms." if p.name.female else "Mr."


def health_number(rng: random.Random, p: Person) -> str:
    kind = rng.choice(("ramq", "ramq", "ohip", "bc"))
    if kind == "ramq":
        return V.ramq(rng, p.name.family, p.name.given, p.born, p.name.female)
    return V.ohip(rng) if kind == "ohip" else V.bc_phn_number(rng)


def given_first_token(p: Person) -> str:
    return p.name.given.split()[0] if p.name.origin != "vietnamese" else p.name.given.split()[-1]


# -- prose templates ----------------------------------------------------------

def case_note(rng: random.Random, lang: str) -> list[str]:
    m = Marks(lang)
    c, worker, other = make_person(rng), make_person(rng), make_person(rng)
    code, ref = V.case_code(rng), V.reference_number(rng)
    org, org2 = rng.choice(ORGS_FR if lang == "fr" else ORGS_EN), rng.choice(ORGS_FR + ORGS_EN)
    visit = date(2025, 1, 1) + timedelta(days=rng.randint(0, 300))
    hn = health_number(rng, c)
    if lang == "fr":
        country = rng.choice(COUNTRIES_FR)
        t = title_fr(c)
        head = rng.choice((
            f"Dossier {m.neg('code', code)} — notes de suivi\nCliente : {m.p(c.name.surname_first())}",
            f"Notes d'intervention ({m.neg('code', code)})\nNom : {m.p(c.name.full)}",
            f"NOTE DE SUIVI — {m.p(c.name.full.upper())}\nDossier : {m.neg('code', code)}",
        ))
        paras = [
            head,
            f"Le {V.date_text(rng, visit, 'fr')}, {m.p(worker.name.full)} a rencontré "
            f"{t} {m.p(c.name.full)}, arrivée de {country} en {rng.randint(2015, 2024)}. "
            f"{t} {m.p(c.name.family)} est née le {m.dob(V.date_text(rng, c.born, 'fr'))} et "
            f"son NAS est le {m.sin(c.sin)}. Numéro d'assurance maladie : {m.health(hn)}.",
            rng.choice((
                f"Elle habite au {c.street_no}, {m.neg('street', c.street)}, "
                f"{m.neg('place', c.city)} ({m.postal(c.postal)}). On peut la joindre au "
                f"{m.phone(c.phone)} ou par courriel à {m.email(c.email)}.",
                f"Coordonnées : {m.phone(c.phone)}, {m.email(c.email)}. Adresse : "
                f"{c.street_no} {m.neg('street', c.street)}, {m.neg('place', c.city)} "
                f"{m.postal(c.postal)}.",
            )),
            rng.choice((
                f"Elle a été orientée vers {m.neg('org', org)} pour une évaluation. Son frère, "
                f"{m.p(other.name.full)}, l'accompagnait. La référence du transfert est "
                f"{m.neg('reference', ref)}.",
                f"{m.p(given_first_token(c))} souhaite s'inscrire aux cours de francisation offerts "
                f"par {m.neg('org', org)}. Un rendez-vous est prévu avec {m.p(other.name.full)} "
                f"de {m.neg('org', org2)} (numéro de référence {m.neg('reference', ref)}).",
                f"Suivi avec {m.neg('org', org)} : le dossier a été transmis à "
                f"Me {m.p(other.name.family)}, avocate. Référence interne : {m.neg('reference', ref)}.",
            )),
            f"Intervenant(e) : {m.p(worker.name.full)}",
        ]
    else:
        country = rng.choice(COUNTRIES_EN)
        t = title_en(c)
        head = rng.choice((
            f"Case {m.neg('code', code)} — follow-up notes\nClient: {m.p(c.name.surname_first())}",
            f"Case notes ({m.neg('code', code)})\nName: {m.p(c.name.full)}",
            f"FOLLOW-UP NOTE — {m.p(c.name.full.upper())}\nFile: {m.neg('code', code)}",
        ))
        paras = [
            head,
            f"On {V.date_text(rng, visit, 'en')}, {m.p(worker.name.full)} met with "
            f"{t} {m.p(c.name.full)}, who arrived from {country} in {rng.randint(2015, 2024)}. "
            f"{t} {m.p(c.name.family)} was born on {m.dob(V.date_text(rng, c.born, 'en'))}; "
            f"SIN {m.sin(c.sin)}. Health card number: {m.health(hn)}.",
            rng.choice((
                f"She lives at {c.street_no} {m.neg('street', c.street)}, {m.neg('place', c.city)} "
                f"{m.postal(c.postal)} and can be reached at {m.phone(c.phone)} or "
                f"{m.email(c.email)}.",
                f"Contact: {m.phone(c.phone)}, {m.email(c.email)}. Address: {c.street_no} "
                f"{m.neg('street', c.street)}, {m.neg('place', c.city)} {m.postal(c.postal)}.",
            )),
            rng.choice((
                f"She was referred to {m.neg('org', org)} for an assessment. Her brother "
                f"{m.p(other.name.full)} came with her. The transfer reference is "
                f"{m.neg('reference', ref)}.",
                f"{m.p(given_first_token(c))} wants to enrol in language classes at "
                f"{m.neg('org', org)}. An appointment is booked with {m.p(other.name.full)} from "
                f"{m.neg('org', org2)} (reference number {m.neg('reference', ref)}).",
                f"Follow-up with {m.neg('org', org)}: the file was sent to Dr. "
                f"{m.p(other.name.family)}. Internal reference: {m.neg('reference', ref)}.",
            )),
            f"Caseworker: {m.p(worker.name.full)}",
        ]
    return paras


def donor_letter(rng: random.Random, lang: str) -> list[str]:
    m = Marks(lang)
    d, director = make_person(rng), make_person(rng)
    amount = rng.choice((50, 100, 150, 250, 500, 1000))
    inv, track = V.invoice_number(rng, lang), V.tracking_number(rng)
    sent = date(2025, 1, 1) + timedelta(days=rng.randint(0, 300))
    card = V.card(rng)
    if lang == "fr":
        t = "Madame" if d.name.female else "Monsieur"
        return [
            f"{m.neg('place', rng.choice(PLACES))}, le {V.date_text(rng, sent, 'fr')}",
            f"{title_fr(d)} {m.p(d.name.full)}\n{d.street_no}, {m.neg('street', d.street)}\n"
            f"{m.neg('place', d.city)} (Québec) {m.postal(d.postal)}",
            f"Objet : reçu de don no {m.neg('invoice', inv)}",
            f"{t} {m.p(d.name.family)},",
            f"Au nom de toute l'équipe, merci pour votre don de {amount},00 $ versé par carte "
            f"{m.card(card)}. Votre reçu officiel vous sera envoyé par la poste "
            f"(numéro de suivi {m.neg('tracking', track)}). Grâce à vous, "
            f"{m.neg('org', rng.choice(ORGS_FR))} pourra accueillir plus de familles cette année.",
            f"Pour toute question, écrivez-nous ou joignez {m.p(director.name.full)} au "
            f"{m.phone(director.phone)}.",
            f"Cordialement,\n\n{m.p(director.name.full)}\nDirectrice générale",
        ]
    t = "Ms." if d.name.female else "Mr."
    return [
        f"{m.neg('place', rng.choice(PLACES))}, {V.date_text(rng, sent, 'en')}",
        f"{t} {m.p(d.name.full)}\n{d.street_no} {m.neg('street', d.street)}\n"
        f"{m.neg('place', d.city)}, ON {m.postal(d.postal)}",
        f"Re: donation receipt {m.neg('invoice', inv)}",
        f"Dear {t} {m.p(d.name.family)},",
        f"Thank you for your gift of ${amount}.00, charged to card {m.card(card)}. Your official "
        f"tax receipt is in the mail (tracking number {m.neg('tracking', track)}). Thanks to you, "
        f"{m.neg('org', rng.choice(ORGS_EN))} can welcome more families this year.",
        f"If you have any questions, please write to us or call {m.p(director.name.full)} at "
        f"{m.phone(director.phone)}.",
        f"Sincerely,\n\n{m.p(director.name.full)}\nExecutive Director",
    ]


def hr_memo(rng: random.Random, lang: str) -> list[str]:
    m = Marks(lang)
    e, mgr, hr = make_person(rng), make_person(rng), make_person(rng)
    ref = V.reference_number(rng)
    start = date(2025, 1, 1) + timedelta(days=rng.randint(0, 300))
    if lang == "fr":
        return [
            f"NOTE DE SERVICE — RESSOURCES HUMAINES\nDe : {m.p(hr.name.full)}\n"
            f"À : {m.p(mgr.name.full)}",
            f"Objet : embauche de {m.p(e.name.full)}",
            f"{m.p(e.name.full)} entrera en fonction le {V.date_text(rng, start, 'fr')} au poste "
            f"de conseillère à l'accueil, sous la supervision de {m.p(mgr.name.full)}. "
            f"Date de naissance : {m.dob(V.date_text(rng, e.born, 'fr'))}. NAS : {m.sin(e.sin)}.",
            f"Le dépôt direct sera fait à la {m.neg('org', rng.choice(('Banque Nationale', 'Caisse Desjardins')))}"
            f" (IBAN de son ancien compte à l'étranger : {m.iban(V.iban(rng))}). Le numéro de "
            f"commande du matériel informatique est {m.neg('reference', ref)} ; le poste portera "
            f"l'adresse IP {m.ip(V.ip_address(rng))}.",
            f"Merci de transmettre le formulaire signé à {m.p(hr.name.full)} "
            f"({m.email(hr.email)}).",
        ]
    return [
        f"MEMO — HUMAN RESOURCES\nFrom: {m.p(hr.name.full)}\nTo: {m.p(mgr.name.full)}",
        f"Subject: new hire {m.p(e.name.full)}",
        f"{m.p(e.name.full)} starts on {V.date_text(rng, start, 'en')} as intake counsellor, "
        f"reporting to {m.p(mgr.name.full)}. Date of birth: {m.dob(V.date_text(rng, e.born, 'en'))}. "
        f"SIN: {m.sin(e.sin)}.",
        f"Direct deposit goes to {m.neg('org', rng.choice(('Royal Bank of Canada', 'Bank of Montreal')))}"
        f" (IBAN of the former account abroad: {m.iban(V.iban(rng))}). The purchase order for the "
        f"laptop is {m.neg('reference', ref)}; the workstation will get IP address "
        f"{m.ip(V.ip_address(rng))}.",
        f"Please return the signed form to {m.p(hr.name.full)} ({m.email(hr.email)}).",
    ]


def cv(rng: random.Random, lang: str) -> list[str]:
    m = Marks(lang)
    c, ref1, ref2 = make_person(rng), make_person(rng), make_person(rng)
    org1, org2 = rng.sample(ORGS_FR + ORGS_EN, 2)
    upper = rng.random() < 0.5
    head = m.p(c.name.full.upper() if upper else c.name.full)
    pp = V.passport(rng)
    if lang == "fr":
        return [
            f"{head}\n{c.street_no}, {m.neg('street', c.street)}, {m.neg('place', c.city)} "
            f"{m.postal(c.postal)}\n{m.phone(c.phone)} | {m.email(c.email)}",
            "EXPÉRIENCE",
            f"{rng.randint(2016, 2020)}–{rng.randint(2021, 2025)} : intervenante communautaire, "
            f"{m.neg('org', org1)}, {m.neg('place', rng.choice(PLACES))}.",
            f"{rng.randint(2010, 2015)}–{rng.randint(2016, 2019)} : préposée aux bénéficiaires, "
            f"{m.neg('org', org2)}.",
            f"FORMATION\nBaccalauréat en travail social, {m.neg('org', rng.choice(ORGS_FR[5:7]))}.",
            f"RENSEIGNEMENTS\nNée le {m.dob(V.date_text(rng, c.born, 'fr'))}. Passeport canadien "
            f"no {m.passport(pp)}.",
            f"RÉFÉRENCES\n{m.p(ref1.name.full)}, coordonnatrice, {m.phone(ref1.phone)}\n"
            f"{m.p(ref2.name.full)}, {m.email(ref2.email)}",
        ]
    return [
        f"{head}\n{c.street_no} {m.neg('street', c.street)}, {m.neg('place', c.city)} "
        f"{m.postal(c.postal)}\n{m.phone(c.phone)} | {m.email(c.email)}",
        "EXPERIENCE",
        f"{rng.randint(2016, 2020)}–{rng.randint(2021, 2025)}: Settlement worker, "
        f"{m.neg('org', org1)}, {m.neg('place', rng.choice(PLACES))}.",
        f"{rng.randint(2010, 2015)}–{rng.randint(2016, 2019)}: Personal support worker, "
        f"{m.neg('org', org2)}.",
        f"EDUCATION\nBachelor of Social Work, {m.neg('org', rng.choice(ORGS_EN[4:6]))}.",
        f"PERSONAL\nDate of birth: {m.dob(V.date_text(rng, c.born, 'en'))}. Canadian passport "
        f"number {m.passport(pp)}.",
        f"REFERENCES\n{m.p(ref1.name.full)}, Program Coordinator, {m.phone(ref1.phone)}\n"
        f"{m.p(ref2.name.full)}, {m.email(ref2.email)}",
    ]


def passport_copy(rng: random.Random, lang: str) -> list[str]:
    """The text of a scanned passport data page, MRZ included."""
    m = Marks(lang)
    c = make_person(rng)
    pp = V.passport(rng)
    line1, line2 = V.mrz(c.name.family, c.name.given, pp, c.born, c.name.female, rng)
    # The MRZ repeats the number, the name and the birth date: each is labelled again.
    return [
        "PASSPORT / PASSEPORT\nCANADA",
        f"Type/Type P   Issuing Country/Pays émetteur CAN   Passport No./No du passeport "
        f"{m.passport(pp)}",
        f"Surname/Nom {m.p(c.name.family.upper())}\nGiven names/Prénoms {m.p(c.name.given.upper())}",
        f"Date of birth/Date de naissance {m.dob(c.born.strftime('%d %b %Y').upper())}",
        f"{line1[:5]}{m.p(line1[5:].rstrip('<'))}{line1[5:][len(line1[5:].rstrip('<')):]}\n"
        f"{m.passport(pp)}{line2[len(pp):13]}{m.dob(line2[13:19])}{line2[19:]}",
    ]


def bilingual_notice(rng: random.Random, lang: str) -> list[str]:
    """An English paragraph then a French one: language is decided per paragraph."""
    en, fr = Marks("en"), Marks("fr")
    p, q = make_person(rng), make_person(rng)
    return [
        f"Notice to participants — Avis aux participants",
        f"The group session led by {en.p(p.name.full)} is moved to {en.neg('org', rng.choice(ORGS_EN))}. "
        f"Questions can be sent to {en.p(q.name.full)} at {en.email(q.email)}.",
        f"La séance de groupe animée par {fr.p(p.name.full)} est déplacée au "
        f"{fr.neg('org', rng.choice(ORGS_FR))}. Pour toute question, écrivez à {fr.p(q.name.full)} "
        f"à l'adresse {fr.email(q.email)}.",
    ]


def intake_form(rng: random.Random, lang: str) -> list[str]:
    """A filled form as text: 'Label: value' lines, as exported from web forms."""
    m = Marks(lang)
    c, parent = make_person(rng, minor=True), make_person(rng)
    c.name = PersonName(c.name.given, parent.name.family, parent.name.origin, c.name.female)
    if lang == "fr":
        return [
            "FORMULAIRE D'INSCRIPTION — HALTE-GARDERIE",
            f"Nom de l'enfant : {m.p(c.name.full)}\nDate de naissance : "
            f"{m.dob(c.born.isoformat())}\nParent ou tuteur : {m.p(parent.name.full)}\n"
            f"Téléphone : {m.phone(parent.phone)}\nCourriel : {m.email(parent.email)}\n"
            f"Code postal : {m.postal(parent.postal)}\nÉcole : {m.neg('org', rng.choice(ORGS_FR))}",
            f"Allergies : aucune. Personne à joindre en cas d'urgence : "
            f"{m.p(make_name(rng).full)}, {m.phone(V.phone(rng))}.",
        ]
    return [
        "REGISTRATION FORM — DROP-IN CHILDCARE",
        f"Child's name: {m.p(c.name.full)}\nDate of birth: {m.dob(c.born.isoformat())}\n"
        f"Parent or guardian: {m.p(parent.name.full)}\nPhone: {m.phone(parent.phone)}\n"
        f"Email: {m.email(parent.email)}\nPostal code: {m.postal(parent.postal)}\n"
        f"School: {m.neg('org', rng.choice(ORGS_EN))}",
        f"Allergies: none. Emergency contact: {m.p(make_name(rng).full)}, {m.phone(V.phone(rng))}.",
    ]


PROSE: dict[str, Callable[[random.Random, str], list[str]]] = {
    "case_note": case_note, "donor_letter": donor_letter, "hr_memo": hr_memo, "cv": cv,
    "passport_copy": passport_copy, "intake_form": intake_form,
}

# -- tables -------------------------------------------------------------------

def donors_table(rng: random.Random, rows: int) -> Document:
    m = Marks("en")
    header = ["donor_id", "first_name", "last_name", "email", "phone", "card_number", "amount",
              "invoice_no", "tracking_no", "city", "postal_code"]
    out = []
    for i in range(rows):
        p = make_person(rng)
        out.append([str(1000 + i), m.p(p.name.given), m.p(p.name.family), m.email(p.email),
                    m.phone(p.phone), m.card(V.card(rng)), f"{rng.choice((25, 50, 100))}.00",
                    m.neg("invoice", V.invoice_number(rng, "en")),
                    m.neg("tracking", V.tracking_number(rng)), m.neg("place", p.city),
                    m.postal(p.postal)])
    return Document("", "en", "donors_table", (), header=header, rows=out)


def donations_table(rng: random.Random, rows: int) -> Document:
    """One 'Donor' column holding people and companies (companies are not persons)."""
    m = Marks("en")
    header = ["Donor", "Donor type", "Gift date", "Amount", "Receipt", "Reference"]
    out = []
    for _ in range(rows):
        if rng.random() < 0.3:
            donor, kind = m.neg("org", rng.choice(CORPORATE_DONORS)), "Corporate"
        else:
            n = make_name(rng)
            donor, kind = m.p(rng.choice((n.full, n.surname_first()))), "Individual"
        day = date(2024, 1, 1) + timedelta(days=rng.randint(0, 600))
        out.append([donor, kind, day.isoformat(), f"{rng.randint(20, 900)}.00",
                    m.neg("invoice", V.invoice_number(rng, "en")),
                    m.neg("reference", V.reference_number(rng))])
    return Document("", "en", "donations_table", (), header=header, rows=out)


def participants_table(rng: random.Random, rows: int) -> Document:
    m = Marks("fr")
    header = ["Nom", "Prénom", "Date de naissance", "NAS", "Courriel", "Téléphone", "Ville",
              "Programme", "No de dossier", "Référence"]
    programmes = ["Francisation", "Aide à l'emploi", "Halte-garderie", "Soutien aux devoirs",
                  "Accueil des nouveaux arrivants"]
    out = []
    for _ in range(rows):
        p = make_person(rng)
        family = p.name.family.upper() if rng.random() < 0.3 else p.name.family
        out.append([m.p(family), m.p(p.name.given), m.dob(V.date_text(rng, p.born, "fr")),
                    m.sin(p.sin), m.email(p.email), m.phone(p.phone), m.neg("place", p.city),
                    rng.choice(programmes), m.neg("code", V.case_code(rng)),
                    m.neg("reference", V.reference_number(rng))])
    return Document("", "fr", "participants_table", (), header=header, rows=out)


def payroll_table(rng: random.Random, rows: int) -> Document:
    m = Marks("fr")
    header = ["Employé / Employee", "NAS / SIN", "Date de naissance / Date of birth",
              "Service / Department", "Bon de commande / PO"]
    depts = ["Accueil", "Finances", "Programmes jeunesse", "Communications", "Direction"]
    out = []
    for _ in range(rows):
        p = make_person(rng)
        out.append([m.p(rng.choice((p.name.surname_first(), p.name.full))), m.sin(p.sin),
                    m.dob(p.born.isoformat()), rng.choice(depts),
                    m.neg("reference", V.reference_number(rng))])
    return Document("", "fr", "payroll_table", (), header=header, rows=out)


def beneficiaries_records(rng: random.Random, rows: int, lang: str) -> Document:
    m = Marks(lang)
    if lang == "fr":
        header = ["nom_complet", "date_naissance", "carte_assurance_maladie", "telephone",
                  "intervenant", "organisme_referent", "code_postal"]
    else:
        header = ["full_name", "date_of_birth", "health_card", "phone", "caseworker",
                  "referring_organization", "postal_code"]
    out = []
    for _ in range(rows):
        p, w = make_person(rng), make_person(rng)
        out.append([m.p(rng.choice((p.name.full, p.name.surname_first(), p.name.full.upper()))),
                    m.dob(p.born.isoformat()), m.health(health_number(rng, p)), m.phone(p.phone),
                    m.p(w.name.full), m.neg("org", rng.choice(ORGS_FR if lang == "fr" else ORGS_EN)),
                    m.postal(p.postal)])
    return Document("", lang, "beneficiaries", (), header=header, rows=out)


def board_table(rng: random.Random, lang: str, rows: int) -> Document:
    """An HTML table of board members and their employers."""
    m = Marks(lang)
    header = (["Nom", "Rôle", "Organisme"] if lang == "fr" else ["Name", "Role", "Organization"])
    roles = (["Présidente", "Trésorier", "Secrétaire", "Administratrice"] if lang == "fr"
             else ["Chair", "Treasurer", "Secretary", "Director"])
    out = [[m.p(make_name(rng).full), rng.choice(roles),
            m.neg("org", rng.choice(ORGS_FR + ORGS_EN))] for _ in range(rows)]
    return Document("", lang, "board_table", (), header=header, rows=out)


# -- writing ------------------------------------------------------------------

def _clean_table(doc: Document) -> tuple[list[list[str]], list[tuple[str, str, str]]]:
    rows, labels = [], []
    for row in doc.rows:
        clean_row = []
        for cell in row:
            text, found = strip_marks(cell)
            clean_row.append(text)
            labels.extend(found)
        rows.append(clean_row)
    return rows, labels


def _prose_text(doc: Document) -> tuple[list[str], list[tuple[str, str, str]]]:
    paras, labels = [], []
    for p in doc.paragraphs:
        text, found = strip_marks(p)
        paras.append(text)
        labels.extend(found)
    return paras, labels


def write_prose(path: Path, fmt: str, paras: list[str], lang: str, title: str) -> None:
    if fmt == "txt":
        path.write_text("\n\n".join(paras) + "\n", encoding="utf-8")
    elif fmt == "html":
        body = "\n".join("<p>" + escape(p).replace("\n", "<br>\n") + "</p>" for p in paras)
        path.write_text(f"<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">"
                        f"<title>{escape(title)}</title></head>\n<body>\n{body}\n</body></html>\n",
                        encoding="utf-8")
    elif fmt == "json":
        path.write_text(json.dumps({"title": title, "language": lang, "body": paras},
                                   ensure_ascii=False, indent=1), encoding="utf-8")
    elif fmt == "docx":
        import docx
        d = docx.Document()
        for p in paras:
            d.add_paragraph(p)
        d.save(str(path))
    elif fmt == "pdf":
        _write_pdf(path, paras)
    else:
        raise ValueError(f"prose cannot be written as {fmt}")


def _write_pdf(path: Path, paras: list[str]) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    font = _unicode_font()
    if font:
        pdf.add_font("body", fname=font)
        pdf.set_font("body", size=10)
    else:
        pdf.set_font("helvetica", size=10)
    for p in paras:
        text = p if font else p.encode("latin-1", "replace").decode("latin-1")
        pdf.multi_cell(0, 5, text)
        pdf.ln(3)
    pdf.output(str(path))


def _unicode_font() -> str | None:
    for candidate in ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                      "/usr/share/fonts/TTF/DejaVuSans.ttf"):
        if Path(candidate).exists():
            return candidate
    return None


def write_table(path: Path, fmt: str, header: list[str], rows: list[list[str]],
                nested: bool = False) -> None:
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(header)
        w.writerows(rows)
        path.write_text(buf.getvalue(), encoding="utf-8")
    elif fmt == "json":
        records = [dict(zip(header, r)) for r in rows]
        path.write_text(json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8")
    elif fmt == "html":
        head = "".join(f"<th>{escape(h)}</th>" for h in header)
        body = "\n".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>"
                         for r in rows)
        path.write_text(f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>\n"
                        f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>"
                        f"</table>\n</body></html>\n", encoding="utf-8")
    elif fmt == "xlsx":
        import openpyxl
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(header)
        for r in rows:
            ws.append(r)
        wb.save(str(path))
    else:
        raise ValueError(f"a table cannot be written as {fmt}")


def generate(out: Path, scale: float = 1, seed: int = 20261101,
             formats: Iterable[str] = FORMATS_BASIC) -> list[Label]:
    """Write the share under out/share and the gold labels to out/gold.jsonl."""
    rng = random.Random(seed)
    formats = tuple(formats)
    prose_formats = [f for f in ("txt", "html", "json", "docx", "pdf") if f in formats]
    table_formats = [f for f in ("csv", "json", "html", "xlsx") if f in formats]
    share = out / "share"
    labels: list[Label] = []
    docs: list[tuple[Document, str]] = []
    for i in range(max(1, round(6 * scale))):
        for lang in ("en", "fr"):
            for kind, make in PROSE.items():
                if kind == "passport_copy" and i % 3:
                    continue
                folder = {"case_note": "cases", "donor_letter": "donors", "hr_memo": "hr",
                          "cv": "hr/candidates", "passport_copy": "hr/documents",
                          "intake_form": "programs"}[kind]
                doc = Document(f"{lang}/{folder}/{kind}_{i:03d}", lang, kind, (),
                               paragraphs=make(rng, lang))
                docs.append((doc, rng.choice(prose_formats)))
        if i % 2 == 0:
            doc = Document(f"shared/notice_{i:03d}", "en", "bilingual_notice", (),
                           paragraphs=bilingual_notice(rng, "en"))
            docs.append((doc, rng.choice(prose_formats)))
    rows = max(4, round(25 * min(scale, 1)))
    for i in range(max(1, round(scale))):
        tables = [
            (donors_table(rng, rows), "finance/donors_{i}"),
            (donations_table(rng, rows), "finance/donations_{i}"),
            (participants_table(rng, rows), "programmes/participants_{i}"),
            (payroll_table(rng, rows), "rh/paie_{i}"),
            (beneficiaries_records(rng, rows, "fr"), "programmes/beneficiaires_{i}"),
            (beneficiaries_records(rng, rows, "en"), "programs/beneficiaries_{i}"),
            (board_table(rng, "fr", 8), "admin/conseil_{i}"),
            (board_table(rng, "en", 8), "admin/board_{i}"),
        ]
        for doc, name in tables:
            doc.name = name.format(i=i)
            docs.append((doc, rng.choice(table_formats)))
    for doc, fmt in docs:
        path = share / f"{doc.name}.{fmt}"
        path.parent.mkdir(parents=True, exist_ok=True)
        location = path.relative_to(share).as_posix()
        if doc.paragraphs:
            paras, found = _prose_text(doc)
            write_prose(path, fmt, paras, doc.lang, doc.kind)
        else:
            table, found = _clean_table(doc)
            write_table(path, fmt, doc.header, table)
        for etype, lang, value in found:
            if etype.startswith("NEG:"):
                labels.append(Label(location, "HARD_NEGATIVE", value, lang, etype[4:], fmt))
            else:
                labels.append(Label(location, etype, value, lang, doc.kind, fmt))
    with open(out / "gold.jsonl", "w", encoding="utf-8") as fh:
        for lab in labels:
            fh.write(json.dumps(asdict(lab), ensure_ascii=False) + "\n")
    return labels


def load_gold(path: Path) -> list[Label]:
    with open(path, encoding="utf-8") as fh:
        return [Label(**json.loads(line)) for line in fh if line.strip()]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--scale", type=float, default=1)
    ap.add_argument("--seed", type=int, default=20261101)
    ap.add_argument("--formats", default=",".join(FORMATS_BASIC + FORMATS_OFFICE))
    args = ap.parse_args(argv)
    labels = generate(args.out, args.scale, args.seed, args.formats.split(","))
    counts: dict[str, int] = {}
    for lab in labels:
        counts[lab.entity_type] = counts.get(lab.entity_type, 0) + 1
    print(json.dumps(counts, indent=1, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
