"""MRZ: every check digit must hold; passport number, holder's name and birth date come out."""

from __future__ import annotations

from datetime import date

import pytest

from piiscan.checks import mrz_check_digit as check
from piiscan.detectors.mrz import MrzDetector, birth_date, holder_name
from piiscan.model import EntityType
from tests.detectors.helpers import HIGH, hits, reported

DET = MrzDetector()


def td3(name: str = "TREMBLAY<<MARIE<CLAIRE", number: str = "AB123456", state: str = "CAN",
        born: str = "870312", sex: str = "F", expires: str = "310101",
        optional: str = "") -> tuple[str, str]:
    """A synthetic passport MRZ whose check digits are all right."""
    line1 = f"P<{state}{name}".ljust(44, "<")
    number, optional = number.ljust(9, "<"), optional.ljust(14, "<")
    opt_check = check(optional) if optional.strip("<") else "<"
    body = (number + check(number), born + check(born), expires + check(expires),
            optional + opt_check)
    line2 = body[0] + state + body[1] + sex + body[2] + body[3]
    return line1, line2 + check(body[0] + body[1] + body[2] + body[3])


def td1(name: str = "OKAFOR<<DANIEL", number: str = "PR1234567", state: str = "CAN",
        born: str = "010203", sex: str = "M", expires: str = "290615") -> tuple[str, str, str]:
    line1 = f"C<{state}{number}{check(number)}".ljust(30, "<")
    line2 = f"{born}{check(born)}{sex}{expires}{check(expires)}{state}".ljust(29, "<")
    line2 += check(line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29])
    return line1, line2, name.ljust(30, "<")


def with_digit(line: str, at: int, digit: str) -> str:
    return line[:at] + digit + line[at + 1:]


def test_passport_number_name_and_birth_date() -> None:
    l1, l2 = td3()
    text = f"Copie du passeport :\n{l1}\n{l2}\n"
    got = {m.entity_type: m for m in reported(DET, text)}
    assert set(got) == {EntityType.PASSPORT, EntityType.PERSON, EntityType.DATE_OF_BIRTH}
    number, person, born = (got[EntityType.PASSPORT], got[EntityType.PERSON],
                            got[EntityType.DATE_OF_BIRTH])
    assert text[number.start:number.end] == "AB123456"
    assert number.attributes == {"document": "passport", "country": "CAN"}
    assert person.text == "MARIE CLAIRE TREMBLAY"
    assert text[person.start:person.end] == "TREMBLAY<<MARIE<CLAIRE"
    assert born.attributes["raw_birth_date"] == "1987-03-12"
    assert text[born.start:born.end] == "870312"
    assert all(m.score >= 0.85 for m in got.values())


@pytest.mark.parametrize("field, at", [
    ("document number", 9), ("birth date", 19), ("expiry", 27), ("optional data", 42),
    ("composite", 43),
])
def test_a_wrong_check_digit_reports_nothing(field: str, at: int) -> None:
    l1, l2 = td3(optional="A1B2C3")
    wrong = str((int(l2[at]) + 1) % 10)
    assert reported(DET, f"{l1}\n{with_digit(l2, at, wrong)}") == []


@pytest.mark.parametrize("layout", [
    "{l1}\n{l2}", "{l1}\r\n{l2}", "{l1} {l2}", "{l1}{l2}",
    "{l1a} {l1b}\n{l2a}  {l2b}",  # OCR cut the lines
    "MRZ: {l1}\n{l2} end",
])
def test_ocr_whitespace_and_line_breaks_are_tolerated(layout: str) -> None:
    l1, l2 = td3()
    text = layout.format(l1=l1, l2=l2, l1a=l1[:20], l1b=l1[20:], l2a=l2[:15], l2b=l2[15:])
    got = reported(DET, text)
    assert [m.entity_type for m in got] == [
        EntityType.PASSPORT, EntityType.PERSON, EntityType.DATE_OF_BIRTH]
    assert got[0].text == "AB123456" and got[1].text == "MARIE CLAIRE TREMBLAY"


def test_line_two_alone_still_gives_the_number() -> None:
    _, l2 = td3()
    assert hits(DET, l2, entity=EntityType.PASSPORT) == [("AB123456", HIGH)]
    assert hits(DET, l2, entity=EntityType.PERSON) == []


def test_icao_specimen() -> None:
    text = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
            "L898902C36UTO7408122F1204159ZE184226B<<<<<10")
    got = {m.entity_type: m for m in reported(DET, text)}
    assert got[EntityType.PASSPORT].text == "L898902C3"
    assert got[EntityType.PASSPORT].attributes["country"] == "UTO"
    assert got[EntityType.PERSON].text == "ANNA MARIA ERIKSSON"
    assert got[EntityType.DATE_OF_BIRTH].attributes["raw_birth_date"] == "1974-08-12"


def test_td1_identity_card() -> None:
    text = "\n".join(td1())
    got = {m.entity_type: m for m in reported(DET, text)}
    assert got[EntityType.PASSPORT].text == "PR1234567"
    assert got[EntityType.PASSPORT].attributes == {"document": "id card", "country": "CAN"}
    assert got[EntityType.PERSON].text == "DANIEL OKAFOR"
    assert got[EntityType.DATE_OF_BIRTH].attributes["raw_birth_date"] == "2001-02-03"
    l1, l2, l3 = td1()
    assert reported(DET, "\n".join((l1, with_digit(l2, 29, str((int(l2[29]) + 1) % 10)), l3))) == []


def test_two_passports_in_one_segment() -> None:
    first, second = td3(), td3(name="OKAFOR<<DANIEL", number="GK654321", born="010203", sex="M")
    text = "\n".join((*first, "", *second))
    numbers = [m.text for m in reported(DET, text) if m.entity_type is EntityType.PASSPORT]
    assert numbers == ["AB123456", "GK654321"]


@pytest.mark.parametrize("yymmdd, today, expected", [
    ("870312", date(2026, 11, 1), date(1987, 3, 12)),
    ("250101", date(2026, 11, 1), date(2025, 1, 1)),
    ("270101", date(2026, 11, 1), date(1927, 1, 1)),
    ("260101", date(2026, 11, 1), date(2026, 1, 1)),
    ("870230", date(2026, 11, 1), None),
])
def test_century_of_birth_dates(yymmdd: str, today: date, expected: date | None) -> None:
    assert birth_date(yymmdd, today) == expected


@pytest.mark.parametrize("field, name", [
    ("TREMBLAY<<MARIE<CLAIRE<<<<<<<<<<<<<<<<<", "MARIE CLAIRE TREMBLAY"),
    ("NGUYEN<THI<<LAN<<<<<<<<<<<<<<<<<<<<<<<<", "LAN NGUYEN THI"),
    ("WARSAME<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<", "WARSAME"),
])
def test_holder_name(field: str, name: str) -> None:
    assert holder_name(field) == name


def test_no_mrz_no_match() -> None:
    assert reported(DET, "<<< see attached <<< P<CAN") == []
