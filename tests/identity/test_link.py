"""Linking findings into persons: exact clusters on hand-made findings, and the work it takes."""

from __future__ import annotations

from datetime import date

import pytest

from piiscan.identity import names as nm
from piiscan.identity.link import AffectedPerson, link, unit_key
from piiscan.model import EntityType, Finding, Pointer
from tests.identity.helpers import cell, member, prose, row, sin

S1, S2, S3, S4, S5 = (sin(i) for i in range(1, 6))


def clusters(persons: list[AffectedPerson]) -> set[frozenset[str]]:
    """Each person as the set of their identifier values (names excluded)."""
    return {frozenset(v for vals in p.individual.identifiers.values() for v in vals)
            for p in persons}


def by_value(persons: list[AffectedPerson], value: str) -> AffectedPerson:
    (hit,) = [p for p in persons if any(value in v for v in p.individual.identifiers.values())]
    return hit


# -- name keys ----------------------------------------------------------------------

@pytest.mark.parametrize("name, tokens", [
    ("Marie Tremblay", ("marie", "tremblay")),
    ("TREMBLAY, Marie", ("marie", "tremblay")),
    ("Mme Tremblay", ("tremblay",)),
    ("M. Jean-Luc Côté", ("jean-luc", "cote")),
    ("Dr. Ahmad Shah Popalzai", ("ahmad", "shah", "popalzai")),
    ("Nguyễn Thị Lan", ("nguyen", "thi", "lan")),
    ("Hélène O’Neil", ("helene", "o'neil")),
])
def test_name_tokens(name: str, tokens: tuple[str, ...]) -> None:
    assert nm.name_tokens(name) == tokens


@pytest.mark.parametrize("a, b, same", [
    ("Marie Tremblay", "TREMBLAY, Marie", True),
    ("Marie Tremblay", "Mme Tremblay", True),
    ("Marie Tremblay", "M. Tremblay", True),
    ("Marie Tremblay", "Marie-Ève Tremblay", False),
    ("Jean Tremblay", "Marie Tremblay", False),
    ("Tremblay", "Gagnon", False),
    ("J. Tremblay", "Jean Tremblay", True),
])
def test_compatible_names(a: str, b: str, same: bool) -> None:
    assert nm.compatible(nm.name_tokens(a), nm.name_tokens(b)) is same


@pytest.mark.parametrize("header, role", [
    ("prénom", nm.GIVEN), ("First name", nm.GIVEN), ("nom", nm.NOM), ("Nom de famille", nm.FAMILY),
    ("last_name", nm.FAMILY), ("client", nm.FULL), ("courriel", None), ("notes", None),
])
def test_field_roles(header: str, role: str | None) -> None:
    assert nm.field_role(header) == role


# -- clusters -------------------------------------------------------------------------

def test_name_variants_join_through_identifiers() -> None:
    found = [
        *row("participants.csv", 2, nom="Tremblay", prenom="Marie",
             courriel="marie.tremblay@example.org", nas=S1),
        prose("PERSON", "Tremblay", "notes/suivi.txt", 4),  # "Mme Tremblay (…)"
        prose("EMAIL_ADDRESS", "marie.tremblay@example.org", "notes/suivi.txt", 4),
        member("PERSON", "TREMBLAY, Marie", "dossiers.json", 0, "client"),
        member("CA_SIN", S1, "dossiers.json", 0, "nas"),
    ]
    (person,) = link(found).persons
    assert set(person.individual.names) == {"Marie Tremblay", "Tremblay", "TREMBLAY, Marie"}
    assert person.individual.names[0] == "Marie Tremblay"  # the composed, most frequent form
    assert person.individual.identifiers == {"CA_SIN": (S1,),
                                             "EMAIL_ADDRESS": ("marie.tremblay@example.org",)}
    assert person.individual.locations == ("dossiers.json", "notes/suivi.txt", "participants.csv")
    assert person.sensitivity == "highest"


def test_namesakes_with_different_sins_stay_two() -> None:
    found = [
        *row("paie.csv", 2, nom="Tremblay", prenom="Jean", nas=S1),
        *row("paie.csv", 3, nom="Tremblay", prenom="Jean", nas=S2),
        *row("benevoles.csv", 7, name="Jean Tremblay", courriel="jt@example.org", nas=S2),
        prose("PERSON", "Jean Tremblay", "memo.txt", 1),  # which one? neither
    ]
    result = link(found)
    assert clusters(result.persons) == {frozenset({S1}), frozenset({S2, "jt@example.org"}),
                                        frozenset()}
    bare = [p for p in result.persons if not p.individual.identifiers]
    assert bare[0].linked_by == ("name only",)
    assert bare[0].individual.locations == ("memo.txt",)


def test_name_with_birth_date_links_records() -> None:
    found = [
        *row("inscriptions.csv", 2, name="Amina Haddad", naissance="2001-07-04",
             telephone="514 555 0111"),
        member("PERSON", "HADDAD, Amina", "dossiers.json", 3, "client"),
        member("DATE_OF_BIRTH", "2001-07-04", "dossiers.json", 3, "ddn"),
        member("CA_SIN", S3, "dossiers.json", 3, "nas"),
        # Same name, another birth date: another person.
        *row("camp.csv", 5, name="Amina Haddad", naissance="2012-01-30", courriel="a.h@example.net"),
    ]
    persons = link(found, as_of=date(2026, 11, 1)).persons
    assert clusters(persons) == {frozenset({"2001-07-04", "514 555 0111", S3}),
                                 frozenset({"2012-01-30", "a.h@example.net"})}
    assert by_value(persons, S3).linked_by == ("name+date of birth",)
    assert by_value(persons, "2012-01-30").minor is True


def test_shared_family_email_does_not_merge() -> None:
    family = "gagnon.lavoie@example.net"  # nothing in the address says it is a household's
    found = [
        *row("participants.csv", 2, name="Luc Gagnon", courriel=family, nas=S1),
        *row("participants.csv", 3, name="Sophie Gagnon", courriel=family, nas=S2),
        *row("camp.csv", 9, name="Sophie Gagnon", nas=S2, telephone="438 555 0123"),
        cell("EMAIL_ADDRESS", family, "infolettre.csv", 40, "courriel"),  # whose? nobody's alone
    ]
    result = link(found)
    assert clusters(result.persons) == {frozenset({S1, family}),
                                        frozenset({S2, family, "438 555 0123"})}
    for p in result.persons:
        assert p.shared_identifiers == {"EMAIL_ADDRESS": (family,)}
        assert p.individual.contacts["EMAIL_ADDRESS"] == (family,)
    assert [f.location for f in result.unattributed] == ["infolettre.csv"]


@pytest.mark.parametrize("address, role", [
    ("famille.gagnon@example.net", True), ("info@example.org", True),
    ("accueil@example.qc.ca", True), ("marie.tremblay@example.org", False),
    ("infographiste.roy@example.org", False),
])
def test_role_and_household_addresses_link_nobody(address: str, role: bool) -> None:
    found = [*row("a.csv", 2, name="Luc Gagnon", nas=S1, courriel=address),
             *row("b.csv", 2, courriel=address, telephone="514 555 0142")]
    persons = link(found).persons
    assert len(persons) == (2 if role else 1)
    luc = by_value(persons, S1)
    assert luc.individual.contacts["EMAIL_ADDRESS"] == (address,)
    assert bool(luc.shared_identifiers) is role


def test_office_phone_seen_with_many_people_links_nobody() -> None:
    office = "514 555 0100"
    found = [f for i in range(5)
             for f in row("rh.csv", i + 2, name=f"Personne{i} Test", nas=sin(10 + i), telephone=office)]
    persons = link(found).persons
    assert len(persons) == 5
    assert all(len(p.individual.identifiers["CA_SIN"]) == 1 for p in persons)


def test_a_row_with_two_names_does_not_merge_them() -> None:
    found = [
        *row("inscriptions.csv", 2, enfant="Léa Roy", parent="Julie Roy", courriel="julie.roy@example.org",
             nas=S4),
        *row("benevoles.csv", 3, name="Julie Roy", courriel="julie.roy@example.org"),
    ]
    persons = link(found).persons
    # The row cannot say whose SIN it is: it stands alone; Léa is known by name only.
    julie = by_value(persons, "julie.roy@example.org")
    assert set(julie.individual.names) == {"Julie Roy"}
    assert S4 not in julie.individual.identifiers.get("CA_SIN", ())
    assert clusters(persons) == {frozenset({"julie.roy@example.org"}), frozenset({S4}), frozenset()}
    assert {n for p in persons for n in p.individual.names} == {"Julie Roy", "Léa Roy"}


def test_people_in_one_document_are_told_apart_by_line() -> None:
    found = [
        prose("PERSON", "Marie Tremblay", "memo.txt", 1),
        prose("EMAIL_ADDRESS", "marie.tremblay@example.org", "memo.txt", 1),
        prose("PERSON", "Jean Dupont", "memo.txt", 2),
        prose("CA_SIN", S2, "memo.txt", 2),
        # Two names and one email on a line: no telling whose.
        prose("PERSON", "Omar Haddad", "memo.txt", 3),
        prose("PERSON", "Lise Roy", "memo.txt", 3),
        prose("EMAIL_ADDRESS", "o.haddad@example.org", "memo.txt", 3),
        # Later, a bare "Mme Tremblay": the one Tremblay of this document.
        prose("PERSON", "Tremblay", "memo.txt", 9),
    ]
    result = link(found)
    marie = by_value(result.persons, "marie.tremblay@example.org")
    assert set(marie.individual.names) == {"Marie Tremblay", "Tremblay"}
    assert "name in the same document" in marie.linked_by
    assert by_value(result.persons, S2).individual.names == ("Jean Dupont",)
    contact = by_value(result.persons, "o.haddad@example.org")
    assert contact.individual.names == ()
    assert {p.individual.names for p in result.persons if not p.individual.identifiers} == \
        {("Omar Haddad",), ("Lise Roy",)}


def test_a_bare_name_two_people_bear_stays_alone() -> None:
    found = [
        *row("participants.csv", 2, name="Zhiwei Leung", nas=S1, courriel="zleung@example.net"),
        *row("paie.csv", 2, name="Zhiwei Leung", nas=S2),
        prose("PERSON", "Zhiwei Leung", "memo.txt", 1),
        prose("EMAIL_ADDRESS", "zleung@example.net", "memo.txt", 1),
        prose("PERSON", "Zhiwei Leung", "memo.txt", 5),  # which one? the memo cannot say
        prose("PERSON", "Zhiwei Leung", "memo.txt", 8),
    ]
    persons = link(found).persons
    assert clusters(persons) == {frozenset({S1, "zleung@example.net"}), frozenset({S2}), frozenset()}
    bare = [p for p in persons if not p.individual.identifiers]
    assert len(bare) == 2 and len({p.individual_id for p in bare}) == 2


def test_a_bare_name_joins_a_person_split_by_the_data() -> None:
    found = [
        *row("paie.csv", 2, name="Dawit Zerai", nas=S1),
        prose("PERSON", "Dawit Zerai", "memo.txt", 3),
        prose("EMAIL_ADDRESS", "dawit.zerai@example.ca", "memo.txt", 3),
        prose("PERSON", "Dawit Zerai", "memo.txt", 4),
    ]
    persons = link(found).persons
    # Nothing ties the payroll row to the memo (the name alone may not), but
    # the two clusters do not conflict: the memo's bare mention is its own Dawit.
    assert clusters(persons) == {frozenset({S1}), frozenset({"dawit.zerai@example.ca"})}
    memo = by_value(persons, "dawit.zerai@example.ca")
    assert len(memo.findings) == 3


def test_a_bare_surname_beside_a_household_address_is_not_attached() -> None:
    family = "famille.mohamud@example.net"
    found = [
        prose("PERSON", "Ubah Mohamud", "memo.txt", 1),
        prose("EMAIL_ADDRESS", "ubah.mohamud@example.com", "memo.txt", 1),
        prose("PERSON", "Mohamud", "memo.txt", 2),  # "M. Mohamud (famille.mohamud@…)"
        prose("EMAIL_ADDRESS", family, "memo.txt", 2),
        prose("PERSON", "Mohamud", "memo.txt", 6),
        prose("EMAIL_ADDRESS", family, "memo.txt", 6),
    ]
    persons = link(found).persons
    ubah = by_value(persons, "ubah.mohamud@example.com")
    assert set(ubah.individual.identifiers["EMAIL_ADDRESS"]) == {"ubah.mohamud@example.com"}
    assert len(persons) == 3  # each household mention stands alone


def test_a_chain_of_contacts_cannot_merge_two_people() -> None:
    found = [
        *row("a.csv", 2, name="Marie Tremblay", nas=S1, telephone="514 555 0199"),
        *row("b.csv", 2, telephone="514 555 0199", courriel="tremblay.gagnon@example.org"),
        *row("c.csv", 2, name="Luc Gagnon", nas=S2, courriel="tremblay.gagnon@example.org"),
    ]
    result = link(found)
    assert result.stats.refused == 1
    assert all(len(p.individual.identifiers.get("CA_SIN", ())) == 1 for p in result.persons)
    assert {p.individual.names for p in result.persons} == {("Marie Tremblay",), ("Luc Gagnon",)}


def test_free_text_column_about_someone_else_is_its_own_unit() -> None:
    found = [
        *row("dossiers.csv", 2, name="Marie Tremblay", courriel="marie.tremblay@example.org"),
        cell("PERSON", "Lise Roy", "dossiers.csv", 2, "notes"),
        cell("EMAIL_ADDRESS", "lise.roy@example.org", "dossiers.csv", 2, "notes"),
    ]
    persons = link(found).persons
    assert {(p.individual.names, p.individual.identifiers["EMAIL_ADDRESS"]) for p in persons} == {
        (("Marie Tremblay",), ("marie.tremblay@example.org",)),
        (("Lise Roy",), ("lise.roy@example.org",)),
    }


def test_two_sins_in_one_row_break_it_up() -> None:
    found = row("paie.csv", 2, name="Marie Tremblay", nas=S1, nas2=S2, courriel="mt@example.org")
    persons = link(found).persons
    assert clusters(persons) == {frozenset({S1}), frozenset({S2}), frozenset({"mt@example.org"}),
                                 frozenset()}


def test_reference_list_names_a_lone_sin_and_adds_contacts() -> None:
    found = [prose("CA_SIN", S5, "paie/releve.txt", 1),
             *row("a.csv", 2, name="Marie Tremblay", nas=S1)]
    people = [
        [cell("PERSON", "Omar Haddad", "people-list", 2, "name"), cell("CA_SIN", S5, "people-list", 2, "nas"),
         cell("EMAIL_ADDRESS", "omar.haddad@example.org", "people-list", 2, "courriel")],
        [cell("PERSON", "Nadia Benali", "people-list", 3, "name"), cell("CA_SIN", S3, "people-list", 3, "nas")],
    ]
    persons = link(found, people).persons
    assert len(persons) == 2  # Nadia is on the list but not in the breach
    omar = by_value(persons, S5)
    assert omar.individual.names == ("Omar Haddad",)
    assert omar.reference and "people list" in omar.linked_by
    assert omar.individual.contacts == {"EMAIL_ADDRESS": ("omar.haddad@example.org",)}
    # What was exposed is what was found, not what the list holds.
    assert omar.individual.data_elements == ("CA_SIN",)
    assert omar.individual.locations == ("paie/releve.txt",)


def test_prose_without_a_name_and_two_addresses_is_two_people() -> None:
    found = [prose("EMAIL_ADDRESS", "a@example.org", "m.eml", 3),
             prose("EMAIL_ADDRESS", "b@example.org", "m.eml", 3)]
    assert clusters(link(found).persons) == {frozenset({"a@example.org"}), frozenset({"b@example.org"})}


def test_unit_keys() -> None:
    a = cell("CA_SIN", S1, "x.csv", 4, "nas")
    b = cell("PERSON", "Marie Tremblay", "x.csv", 4, "nom")
    c = prose("PERSON", "Marie Tremblay", "x.txt", 4)
    d = prose("PERSON", "Marie Tremblay", "x.txt", 5)
    assert unit_key(a) == unit_key(b)
    assert unit_key(c) != unit_key(d)


def test_ids_are_stable() -> None:
    found = row("a.csv", 2, name="Marie Tremblay", nas=S1)
    assert link(found).persons[0].individual_id == link(list(reversed(found))).persons[0].individual_id


# -- work done ------------------------------------------------------------------------

def synthetic(people: int) -> list[Finding]:
    """Each person in two rows of different files, plus a shared office phone everywhere."""
    def f(entity: str, value: str, location: str, number: int, column: str) -> Finding:
        attrs = {"raw_birth_date": value} if entity == "DATE_OF_BIRTH" else {}
        return Finding(EntityType(entity), location, Pointer(row=number, column=column), "***",
                       f"t:{entity}:{value}", 0.9, "test", value=value, record=f"row:{number}",
                       field=column, attributes=attrs)

    out: list[Finding] = []
    for i in range(people):
        s, n = sin(i), i + 2
        out += [f("PERSON", f"Nom{i}", "rh/a.csv", n, "nom"), f("PERSON", "Test", "rh/a.csv", n, "prénom"),
                f("CA_SIN", s, "rh/a.csv", n, "nas"), f("PHONE_NUMBER", "514 555 0100", "rh/a.csv", n, "tél"),
                f("PERSON", f"Test Nom{i}", "rh/b.csv", n, "name"), f("CA_SIN", s, "rh/b.csv", n, "sin"),
                f("EMAIL_ADDRESS", f"p{i}@example.org", "rh/b.csv", n, "email"),
                f("DATE_OF_BIRTH", f"19{50 + i % 50}-01-{1 + i % 28:02d}", "rh/b.csv", n, "dob")]
    return out


def test_linking_is_linear_in_the_number_of_findings() -> None:
    small, large = synthetic(5_000), synthetic(12_500)  # 40 000 and 100 000 findings
    assert len(large) == 100_000
    a, b = link(small), link(large)
    assert len(b.persons) == 12_500
    assert all(len(p.individual.locations) == 2 for p in b.persons)
    for r, n in ((a, len(small)), (b, len(large))):
        assert r.stats.union_calls <= n  # at most one per key occurrence
        assert r.stats.find_steps <= 2 * n  # path halving keeps trees flat
        assert r.stats.shared_keys == 1  # the office phone
    # Same shape at 2.5× the size: the work grows by the same factor, not its square.
    assert b.stats.union_calls / a.stats.union_calls == pytest.approx(2.5, rel=0.01)
    assert b.stats.find_steps <= 2.5 * a.stats.find_steps * 1.2 + 100
