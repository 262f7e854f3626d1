"""DATE_OF_BIRTH: a real past date, labelled as a birth date, in English or French."""

from __future__ import annotations

from datetime import date

import pytest

from piiscan.detectors.date_of_birth import DateOfBirthDetector
from tests.detectors.helpers import HIGH, hits, reported

DET = DateOfBirthDetector()


@pytest.mark.parametrize("text, value, iso", [
    ("Date de naissance : 12 mars 1987", "12 mars 1987", "1987-03-12"),
    ("Née le 1er mars 1987 à Gatineau", "1er mars 1987", "1987-03-01"),
    ("Né à Trois-Rivières le 12/03/1987", "12/03/1987", "1987-03-12"),
    ("né(e) le : 25-12-1990", "25-12-1990", "1990-12-25"),
    ("D.D.N. 03.04.1950", "03.04.1950", "1950-04-03"),
    ("Naissance : 12 MARS 1987", "12 MARS 1987", "1987-03-12"),
    ("ddn 7 févr. 2001", "7 févr. 2001", "2001-02-07"),
    ("Born March 12, 1987 in Toronto", "March 12, 1987", "1987-03-12"),
    ("born on the 12th of March 1987", "12th of March 1987", "1987-03-12"),
    ("DOB: 1987-03-12", "1987-03-12", "1987-03-12"),
    ("Date of birth 12/25/1990", "12/25/1990", "1990-12-25"),
    ("Birth date: Sept. 3, 1945", "Sept. 3, 1945", "1945-09-03"),
    ("12 mars 1987 (date de naissance)", "12 mars 1987", "1987-03-12"),
])
def test_labelled_dates(text: str, value: str, iso: str) -> None:
    (m,) = reported(DET, text)
    assert (text[m.start:m.end], m.score >= 0.85) == (value, True)
    assert m.attributes["raw_birth_date"] == iso
    assert m.canonical == iso


@pytest.mark.parametrize("text, language, iso", [
    ("Date de naissance : 03/04/1987", None, "1987-04-03"),  # French label: day first
    ("Date of birth: 03/04/1987", None, "1987-03-04"),  # English label: month first
    ("Anniversaire : 03/04/1987", "fr", "1987-04-03"),
    ("DOB 03/04/1987", "fr", "1987-04-03"),  # a French document wins over the label
])
def test_ambiguous_day_month(text: str, language: str | None, iso: str) -> None:
    (m,) = reported(DET, text, language=language)
    assert m.attributes["raw_birth_date"] == iso
    assert m.attributes["ambiguous"] == "true"


@pytest.mark.parametrize("text", [
    "Meeting on 12 March 1987",  # a date, but not a birth date
    "1987-03-12",
    "Date de naissance : 31/02/1987",  # no such day, either way round
    "Date of birth: 2999-01-01",  # the future
    "Date de naissance : 1850-01-01",  # before 1900
    "Date d'embauche : 2019-05-02",
    "Signé le 12/03/2024",
    "Date de naissance : 12 mars 1987. Date d'arrivée : 2019-05-02",  # only the first
    "Born in Toronto. Version 1.2.3",
])
def test_unlabelled_or_impossible_dates(text: str) -> None:
    assert [m for m in reported(DET, text) if m.attributes["raw_birth_date"] != "1987-03-12"] == []


def test_a_later_date_does_not_inherit_the_label() -> None:
    text = "Date de naissance : 12 mars 1987. Date d'arrivée : 2019-05-02"
    assert hits(DET, text) == [("12 mars 1987", HIGH)]


@pytest.mark.parametrize("field", ["DOB", "birth_date", "date_naissance", "Date de naissance",
                                   "DateOfBirth", "ddn"])
def test_column_named_for_it(field: str) -> None:
    assert hits(DET, "1987-03-12", field=field) == [("1987-03-12", HIGH)]


def test_other_date_columns_are_not_birth_dates() -> None:
    assert hits(DET, "1987-03-12", field="date_inscription") == []
    assert hits(DET, "1987-03-12", field="created_at") == []


def test_two_digit_years_resolve_to_the_past() -> None:
    yy = (date.today().year + 1) % 100
    (m,) = reported(DET, f"DOB: 12/25/{yy:02d}")
    assert m.attributes["raw_birth_date"] == f"19{yy:02d}-12-25"
