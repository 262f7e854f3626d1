"""The --people reference list: columns recognised, identifiers hashed as the scan hashes them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from piiscan.identity.link import link
from piiscan.identity.people import PeopleListError, classify, load_people
from piiscan.identity.scan import LineRedactor
from piiscan.model import EntityType
from piiscan.registry import Registry
from tests.identity.helpers import REDACTOR, prose, sin

S1, S2 = sin(31), sin(32)


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.from_entry_points(only=["ca_sin", "email", "phone", "date_of_birth"])


@pytest.mark.parametrize("header, entity, role", [
    ("Courriel", EntityType.EMAIL_ADDRESS, None),
    ("Adresse courriel", EntityType.EMAIL_ADDRESS, None),
    ("Numéro d'assurance sociale", EntityType.CA_SIN, None),
    ("NAS", EntityType.CA_SIN, None),
    ("date_naissance", EntityType.DATE_OF_BIRTH, None),
    ("Téléphone cellulaire", EntityType.PHONE_NUMBER, None),
    ("No RAMQ", EntityType.CA_HEALTH_NUMBER, None),
    ("Prénom", None, "given"),
    ("Nom", None, "nom"),
    ("Last name", None, "family"),
])
def test_columns(header: str, entity: EntityType | None, role: str | None) -> None:
    (col,) = classify([header])
    assert (col.entity, col.name_role) == (entity, role)


def test_csv_list_names_a_lone_sin(tmp_path: Path, registry: Registry) -> None:
    people = tmp_path / "crm.csv"
    people.write_bytes(("Nom;Prénom;Courriel;NAS;Date de naissance;Téléphone\n"
                        f"Côté;Hélène;helene.cote@example.org;{S1.replace(' ', '')};1979-04-02;"
                        "514.555.0147\n"
                        f"Roy;Lise;;{S2};;\n").encode("cp1252"))
    rows = load_people(people, registry, LineRedactor(b"k" * 32))
    assert [sorted(str(f.entity_type) for f in r) for r in rows] == [
        ["CA_SIN", "DATE_OF_BIRTH", "EMAIL_ADDRESS", "PERSON", "PHONE_NUMBER"], ["CA_SIN", "PERSON"]]
    assert rows[0][0].value == "Hélène Côté"
    # The scan's keyed hash of "130 692 544" is the list's hash of "130692544".
    found = [prose("CA_SIN", S1, "paie/releve.txt", 2)]
    rows = load_people(people, registry, REDACTOR)
    (person,) = link(found, rows, as_of=date(2026, 11, 1)).persons
    assert person.individual.names == ("Hélène Côté",)
    assert person.individual.contacts == {"EMAIL_ADDRESS": ("helene.cote@example.org",),
                                          "PHONE_NUMBER": ("514.555.0147",)}


def test_xlsx_list(tmp_path: Path, registry: Registry) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Full name", "Email", "SIN", "Date of birth"])
    ws.append(["Omar Haddad", "omar.haddad@example.org", int(S1.replace(" ", "")), date(1990, 5, 17)])
    path = tmp_path / "staff.xlsx"
    wb.save(path)
    (row,) = load_people(path, registry, REDACTOR)
    got = {str(f.entity_type): f for f in row}
    assert got["PERSON"].value == "Omar Haddad"
    assert got["CA_SIN"].value_hash == REDACTOR.hash(EntityType.CA_SIN, S1)
    assert got["DATE_OF_BIRTH"].attributes["raw_birth_date"] == "1990-05-17"


@pytest.mark.parametrize("content, message", [
    ("Courriel,NAS\na@example.org,130692544\n", "no name column"),
    ("", "empty"),
])
def test_unusable_lists(tmp_path: Path, registry: Registry, content: str, message: str) -> None:
    path = tmp_path / "list.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(PeopleListError, match=message) as err:
        load_people(path, registry, REDACTOR)
    assert "130692544" not in str(err.value)
