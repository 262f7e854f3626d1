"""Person names: what a user of a bilingual non-profit expects to see tagged, and not."""

from __future__ import annotations

import pytest

from piiscan.detectors.person import PersonDetector, is_name_field, looks_like_name
from piiscan.model import EntityType, Match, Segment

MIN_SCORE = 0.5


@pytest.fixture(scope="module")
def det() -> PersonDetector:
    d = PersonDetector()
    d.detect_many([Segment("Marie Tremblay", "warm-up")])  # load spaCy once for the module
    return d


def names(det: PersonDetector, text: str, language: str | None = None,
          field: str | None = None) -> list[str]:
    seg = Segment(text, "t.txt", field=field, language=language)
    out = []
    for m in det.detect(seg):
        assert m.entity_type is EntityType.PERSON and m.detector == "person"
        assert text[m.start:m.end] == m.text
        if m.score >= MIN_SCORE:
            out.append(m.text)
    return out


PROSE = [
    # (language, text, the name that must be found)
    ("fr", "Rencontre avec Mme Nguyễn Thị Lan ce matin au bureau.", "Nguyễn Thị Lan"),
    ("en", "Yesterday Abdirahman Warsame came in to renew his permit.", "Abdirahman Warsame"),
    ("fr", "La séance animée par Yonas Tesfay Gebremedhin est reportée.", "Yonas Tesfay Gebremedhin"),
    ("en", "The file was referred to Dr. Shirin Karimzadeh for an assessment.", "Shirin Karimzadeh"),
    ("fr", "Le dossier a été transmis à Me Wahidullah Popalzai, avocat.", "Wahidullah Popalzai"),
    ("en", "Hodan Abdi Warsame arrived from Somalia in 2021.", "Hodan Abdi Warsame"),
    ("fr", "Mbuyi Kabongo souhaite s'inscrire aux cours de francisation.", "Mbuyi Kabongo"),
    ("fr", "M. Wilner Pierre-Louis a téléphoné deux fois.", "Wilner Pierre-Louis"),
    ("en", "Please send the form to María José García López by Friday.", "María José García López"),
    ("fr", "Entretien avec Oksana Kovalenko, arrivée d'Ukraine en mars.", "Oksana Kovalenko"),
    ("en", "Her sister Kavitha Subramaniam will interpret.", "Kavitha Subramaniam"),
    ("en", "Harpreet Kaur Sandhu starts as intake counsellor on Monday.", "Harpreet Kaur Sandhu"),
    ("en", "Questions can be sent to Wang Xiuying at the front desk.", "Wang Xiuying"),
    ("fr", "Mme Maricel Dimaculangan est née aux Philippines.", "Maricel Dimaculangan"),
    ("en", "Dear Ms. Olivia MacDonald,", "Olivia MacDonald"),
    ("fr", "Bonjour Marie-Ève Tremblay, voici votre reçu.", "Marie-Ève Tremblay"),
    ("en", "Client: TREMBLAY, Marie-Ève", "TREMBLAY, Marie-Ève"),
    ("fr", "Cliente : GEBREMEDHIN, Selam", "GEBREMEDHIN, Selam"),
    ("en", "MARIE-ÈVE TREMBLAY\n514-555-0134 | marie@example.org", "MARIE-ÈVE TREMBLAY"),
    ("fr", "Parent ou tuteur : Dariush Tehrani", "Dariush Tehrani"),
    ("en", "Emergency contact: Selam Haile, 514-555-0199.", "Selam Haile"),
    ("en", "Caseworker: Jean-François Côté", "Jean-François Côté"),
]


@pytest.mark.parametrize("language,text,name", PROSE, ids=[p[2] for p in PROSE])
def test_names_of_every_origin_in_prose(det: PersonDetector, language: str, text: str,
                                        name: str) -> None:
    assert name in names(det, text, language)


TITLES = [
    ("fr", "Rendez-vous avec M. Haddad demain.", "Haddad"),
    ("fr", "Mme Côté a signé le formulaire.", "Côté"),
    ("fr", "Mlle Bélanger sera absente.", "Bélanger"),
    ("fr", "Dre Sivapalan a vu la patiente.", "Sivapalan"),
    ("en", "Mr. Okbazghi called back.", "Okbazghi"),
    ("en", "Mrs. Nasser left a message.", "Nasser"),
    ("en", "Ms Rahimi will attend.", "Rahimi"),
    ("fr", "Me Toussaint représente la famille.", "Toussaint"),
    ("fr", "Pr Mukendi donnera la formation.", "Mukendi"),
    ("en", "Dr. Nguyễn Văn Minh signed the referral.", "Nguyễn Văn Minh"),
]


@pytest.mark.parametrize("language,text,name", TITLES, ids=[t[2] for t in TITLES])
def test_names_after_titles(det: PersonDetector, language: str, text: str, name: str) -> None:
    found = names(det, text, language)
    assert name in found
    assert not any(f.startswith(("M.", "Mme", "Dr", "Mr", "Ms", "Me ", "Pr")) for f in found)


CELLS = [
    ("Nom", "Tremblay"), ("Prénom", "Marie-Ève"), ("nom de famille", "Al-Masri"),
    ("Nom complet", "TREMBLAY, Marie"), ("full_name", "Nguyễn Thị Lan"),
    ("first_name", "Abdirahman"), ("last name", "O'Brien"), ("Bénéficiaire", "Mbuyi Kabongo"),
    ("Donateur", "Gurpreet Singh Gill"), ("donor", "Hodan Warsame"), ("Participant", "Taras Melnyk"),
    ("Client", "Rowena dela Cruz"), ("Employé / Employee", "KOVALENKO, Oksana"),
    ("Candidat", "Kourosh Farahani"), ("$[3].beneficiary.fullName", "Selam Haile"),
    ("Intervenante", "Zarghuna Noorzai"),
]


@pytest.mark.parametrize("field,cell", CELLS, ids=[c[0] for c in CELLS])
def test_cells_under_name_columns_are_names_without_ner(det: PersonDetector, field: str,
                                                        cell: str) -> None:
    seg = Segment(cell, "t.csv", field=field)
    [m] = list(det.detect(seg))
    assert (m.text, m.score >= 0.85) == (cell, True)


NOT_PERSONS = [
    ("fr", "Le dossier a été transmis à la Ville de Montréal.", None),
    ("fr", "Dépôt direct à la Banque Nationale le 15 du mois.", None),
    ("fr", "Elle a été orientée vers Services Québec.", None),
    ("fr", "Elle habite au 4238, rue Saint-Denis, Montréal.", None),
    ("fr", "Rendez-vous au Centre Jean-Coutu puis à l'Université Laval.", None),
    ("fr", "Référée à la Fondation Marie-Vincent et à l'Hôpital Sainte-Justine.", None),
    ("fr", "Bureau sur le boulevard René-Lévesque, près de l'avenue du Parc.", None),
    ("en", "Invoice INV-2024-00123, reference 046454286.", None),
    ("en", "Tracking number 7023 2109 8765 4329, order F1234567.", None),
    ("en", "Code AB-77-QX, file CN-2023-0042.", None),
    ("en", "1234567890", None),
    ("en", "ZB373237", None),
    ("en", "She studied at McGill University and worked at Harbourfront Centre.", None),
    ("en", "Montréal, March 3, 2025", None),
    ("fr", "Présidente", None),
    ("en", "EDUCATION", None),
    ("fr", "Donateur", "Groupe Cascades inc."),
    ("en", "donor", "Sun Life Financial"),
    ("fr", "Nom", "Caisse Desjardins"),
    ("en", "name", "4500"),
    ("en", "Ville", "Saint-Jérôme"),
]


@pytest.mark.parametrize("language,text,field", NOT_PERSONS, ids=[n[1][:40] for n in NOT_PERSONS])
def test_organisations_places_and_codes_are_not_persons(det: PersonDetector, language: str,
                                                        text: str, field: str | None) -> None:
    if field is not None:  # a cell: `text` is the header, `field` the value
        text, field = field, text
    assert names(det, text, language, field) == []


def test_mixed_document_uses_each_paragraphs_language(det: PersonDetector) -> None:
    text = ("The group session led by Hoàng Đức Anh is moved to the library. Questions can be "
            "sent to the front desk before noon.\n\n"
            "La séance de groupe animée par Hoàng Đức Anh est déplacée à la bibliothèque. "
            "Pour toute question, adressez-vous à l'accueil avant midi.")
    assert names(det, text) == ["Hoàng Đức Anh", "Hoàng Đức Anh"]


def test_later_mentions_of_a_found_name(det: PersonDetector) -> None:
    text = "Rencontre avec Mme Mounir Boubou. Mounir souhaite suivre les cours du soir."
    assert names(det, text, "fr") == ["Mounir Boubou", "Mounir"]


def test_detect_many_yields_one_list_per_segment(det: PersonDetector) -> None:
    segs = [Segment("Dear Mr. Yonas Tesfay,", "a"), Segment("1234", "b"),
            Segment("Rencontre avec Mme Lan.", "c", language="fr"), Segment("", "d")]
    out = list(det.detect_many(segs))
    assert [[m.text for m in ms] for ms in out] == [["Yonas Tesfay"], [], ["Lan"], []]


def test_prior_matches_of_other_types_win(det: PersonDetector) -> None:
    seg = Segment("Contact Dr. Haile today", "a")
    email = Match(EntityType.EMAIL_ADDRESS, 12, 17, 0.9, "email", "Haile")
    assert list(det.detect_many([seg], [[email]])) == [[]]


@pytest.mark.parametrize("field,expected", [
    ("Nom", True), ("prénom", True), ("Nom de famille", True), ("donor_name", True),
    ("firstName", True), ("Bénéficiaire", True), ("Nom de l'organisme", False),
    ("Company name", False), ("donor_email", False), ("username", False), ("file name", False),
    ("Donor type", False), ("nom de la rue", False), (None, False),
])
def test_name_columns(field: str | None, expected: bool) -> None:
    assert is_name_field(field) is expected


@pytest.mark.parametrize("text,expected", [
    ("Nguyễn Thị Lan", True), ("TREMBLAY, Marie", True), ("María José de la Cruz", True),
    ("O'Brien", True), ("Marie 2", False), ("INV-2024-001", False), ("Banque Nationale", False),
    ("rue Saint-Denis", False), ("a@b.org", False), ("the client", False),
])
def test_name_shape(text: str, expected: bool) -> None:
    assert looks_like_name(text) is expected


def test_examples_hold(det: PersonDetector) -> None:
    for text, expected in det.examples.items():
        assert bool(names(det, text)) is expected, text
