"""Column names (EN/FR) → what they probably hold, and the field label detectors see."""

from __future__ import annotations

import pytest

from piiscan.model import EntityType as E
from piiscan.sources.columns import (classify, field_label, parse_sampled_key, pieces,
                                     sampled_key, tokens)


@pytest.mark.parametrize("name, entity", [
    ("nas", E.CA_SIN), ("NAS", E.CA_SIN), ("sin", E.CA_SIN), ("no_ass_soc", E.CA_SIN),
    ("social_insurance_number", E.CA_SIN), ("clientSIN", E.CA_SIN),
    ("numero_assurance_sociale", E.CA_SIN),
    ("courriel", E.EMAIL_ADDRESS), ("email", E.EMAIL_ADDRESS), ("E-Mail", E.EMAIL_ADDRESS),
    ("adresse_courriel", E.EMAIL_ADDRESS), ("emailAddress", E.EMAIL_ADDRESS),
    ("date_naissance", E.DATE_OF_BIRTH), ("dateNaissance", E.DATE_OF_BIRTH), ("DOB", E.DATE_OF_BIRTH),
    ("birth_date", E.DATE_OF_BIRTH), ("ddn", E.DATE_OF_BIRTH),
    ("nom", E.PERSON), ("prénom", E.PERSON), ("Prenom", E.PERSON), ("first_name", E.PERSON),
    ("LastName", E.PERSON), ("nom_famille", E.PERSON), ("surname", E.PERSON),
    ("telephone", E.PHONE_NUMBER), ("téléphone", E.PHONE_NUMBER), ("tel_cellulaire", E.PHONE_NUMBER),
    ("carte", E.CREDIT_CARD), ("card_number", E.CREDIT_CARD), ("no_carte_credit", E.CREDIT_CARD),
    ("passport", E.PASSPORT), ("passeport", E.PASSPORT), ("no_passeport", E.PASSPORT),
    ("ramq", E.CA_HEALTH_NUMBER), ("nam", E.CA_HEALTH_NUMBER), ("health_card", E.CA_HEALTH_NUMBER),
    ("carte_sante", E.CA_HEALTH_NUMBER), ("ohip", E.CA_HEALTH_NUMBER),
    ("code_postal", E.CA_POSTAL_CODE), ("postalCode", E.CA_POSTAL_CODE),
    ("adresse", E.STREET_ADDRESS), ("ip_address", E.IP_ADDRESS), ("iban", E.IBAN_CODE),
    ("permis_conduire", E.CA_DRIVERS_LICENCE), ("uci", E.CA_UCI),
])
def test_names_that_say_what_they_hold(name: str, entity: E) -> None:
    assert classify(name) is entity


@pytest.mark.parametrize("name", [
    "id", "montant", "created_at", "statut", "email_verified", "has_email", "card_type",
    "sin_hash", "nom_fichier", "product_name", "nom_organisme", "lieu_naissance", "phone_count",
    "nb_courriels", "notes",
])
def test_names_that_do_not(name: str) -> None:
    assert classify(name) is None


@pytest.mark.parametrize("name, type_, entity", [
    ("email_sent", "TIMESTAMP", None),  # a time, not an address
    ("dob", "DATE", E.DATE_OF_BIRTH),
    ("nas", "INTEGER", E.CA_SIN),  # SINs stored as numbers are still SINs
    ("email", "BOOLEAN", None),
    ("photo_passeport", "BYTEA", None),  # binary: read (or not) as a file, not by name
    ("telephone", "DOUBLE PRECISION", None),
])
def test_types_veto_names(name: str, type_: str, entity: E | None) -> None:
    assert classify(name, type_) is entity


@pytest.mark.parametrize("name, label", [
    ("nas", "nas"),  # already a context word: left alone
    ("courriel", "courriel"),
    ("no_ass_soc", "no_ass_soc (SIN / NAS)"),
    ("dateNaissance", "dateNaissance (date of birth / date de naissance)"),
    ("prénom", "prénom"),
    ("montant", "montant"),
])
def test_field_labels_add_context_words_only_when_missing(name: str, label: str) -> None:
    assert field_label(name) == label


def test_tokens_split_camel_case_and_fold_accents() -> None:
    assert tokens("dateNaissanceÉlève_2") == ("date", "naissance", "eleve", "2")
    assert tokens("HTTPServerName") == ("http", "server", "name")


def test_long_text_is_cut_in_overlapping_pieces() -> None:
    text = "x" * 45_000
    parts = list(pieces(text, size=20_000, overlap=200))
    assert [(o, r) for o, r, _ in parts] == [(0, 0), (19_800, 200), (39_600, 200)]
    assert parts[-1][0] + len(parts[-1][2]) == len(text)
    assert list(pieces("short")) == [(None, 0, "short")]


def test_sampled_keys_round_trip() -> None:
    key = sampled_key("postgresql://h/db#public.t", "public.t", "a.b#c")
    assert parse_sampled_key(key) == ("postgresql://h/db#public.t", "public.t", "a.b#c")
    assert parse_sampled_key("ocr_skipped") is None
