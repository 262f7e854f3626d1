"""What a user sees of each entity once the Redactor has turned a match into a finding."""

from __future__ import annotations

import pytest

from piiscan.detectors.ca_passport import CaPassportDetector
from piiscan.detectors.ca_postal_code import CaPostalCodeDetector
from piiscan.detectors.ca_sin import CaSinDetector
from piiscan.detectors.credit_card import CreditCardDetector
from piiscan.detectors.date_of_birth import DateOfBirthDetector
from piiscan.detectors.email import EmailDetector
from piiscan.detectors.iban import IbanDetector
from piiscan.detectors.ip_address import IpAddressDetector
from piiscan.detectors.ohip import OhipNumberDetector
from piiscan.detectors.phone import PhoneDetector
from piiscan.detectors.ramq import RamqNumberDetector
from piiscan.model import Finding, Pointer, Segment
from piiscan.redact import Redactor

REDACTOR = Redactor(b"k" * 32)


def findings(det, text: str, reveal: bool = False) -> list[Finding]:
    seg = Segment(text, "a.txt")
    redactor = Redactor(b"k" * 32, reveal=reveal) if reveal else REDACTOR
    return [redactor.finding(m, seg) for m in det.detect(seg) if m.score >= 0.5]


@pytest.mark.parametrize("det, text, masked", [
    (CaSinDetector(), "NAS 130 692 544", "*** *** 544"),
    (CreditCardDetector(), "Carte 4111 1111 1111 1111", "**** **** **** 1111"),
    (CaPassportDetector(), "Passeport AB123456", "******56"),
    (EmailDetector(), "courriel marie.tremblay@example.org", "m***@e***.org"),
    (PhoneDetector(), "Tél. 514-555-0147", "***-***-**47"),
    (DateOfBirthDetector(), "Né le 12 mars 1987", "** **** ****"),
    (RamqNumberDetector(), "RAMQ TREM 8703 1215", "**** **** **15"),
    (OhipNumberDetector(), "OHIP 1234-567-897", "****-***-*97"),
    (CaPostalCodeDetector(), "Code postal H2X 1Y4", "*** ***"),
    (IbanDetector(), "IBAN DE89370400440532013000", "********************00"),
    (IpAddressDetector(), "IP 203.0.113.42", "***.*.***.**"),
])
def test_masked_preview(det, text: str, masked: str) -> None:
    (f,) = findings(det, text)
    assert f.masked == masked
    assert f.value is None


@pytest.mark.parametrize("det, a, b", [
    (CaSinDetector(), "NAS 130 692 544", "SIN 130-692-544"),
    (CreditCardDetector(), "Visa 4111 1111 1111 1111", "card 4111-1111-1111-1111"),
    (PhoneDetector(), "Tél. (514) 555-0147", "phone +1 514 555 0147"),
    (DateOfBirthDetector(), "Date de naissance : 12 mars 1987", "DOB: 1987-03-12"),
    (RamqNumberDetector(), "RAMQ TREM 8703 1215", "RAMQ trem87031215"),
    (EmailDetector(), "Marie@Example.org", "marie@example.org"),
])
def test_one_value_written_two_ways_has_one_hash(det, a: str, b: str) -> None:
    (fa,), (fb,) = findings(det, a), findings(det, b)
    assert fa.value_hash == fb.value_hash


def test_birth_date_becomes_an_age_unless_revealed() -> None:
    (f,) = findings(DateOfBirthDetector(), "Date de naissance : 12 mars 1987")
    assert "raw_birth_date" not in f.attributes and f.attributes["age"].isdigit()
    (f,) = findings(DateOfBirthDetector(), "Date de naissance : 12 mars 1987", reveal=True)
    assert f.attributes["raw_birth_date"] == "1987-03-12"
    assert f.value == "12 mars 1987"


class ColumnsReader:
    """Test reader: 'header=value' per line, so each value sits under a column."""

    name = "columns"
    media_types = ("text/plain",)

    def read(self, item, ctx):
        with item.open() as fh:
            for n, line in enumerate(fh.read().decode().splitlines(), 1):
                column, _, value = line.partition("=")
                yield Segment(value, item.location, Pointer(row=n, column=column), field=column,
                              record=f"row:{n}")


def test_through_the_engine_columns_give_context_and_nothing_raw_comes_out() -> None:
    import io

    from piiscan.engine import Scanner, ScanOptions
    from piiscan.model import Item
    from piiscan.registry import Registry

    names = ["ca_sin", "credit_card", "ca_passport", "mrz", "email", "phone", "date_of_birth",
             "ramq", "ohip", "bc_phn", "ca_postal_code", "iban", "ip_address"]
    reg = Registry.from_entry_points(only=names)
    reg.add_reader(ColumnsReader())
    data = ("NAS=130692544\nemployee_id=130692544\ndate_naissance=1987-03-12\n"
            "date_inscription=2019-05-02\nOHIP=1234567897\npasseport=AB123456\n").encode()
    item = Item("hr/export.txt", "export.txt", lambda: io.BytesIO(data), media_type="text/plain")
    with Scanner(reg, Redactor(b"k" * 32), ScanOptions()) as sc:
        found = [e for e in sc.scan_item(item) if isinstance(e, Finding)]
    got = {(f.pointer.column, str(f.entity_type), f.masked) for f in found}
    assert got == {("NAS", "CA_SIN", "******544"),
                   ("date_naissance", "DATE_OF_BIRTH", "****-**-**"),
                   ("OHIP", "CA_HEALTH_NUMBER", "********97"),
                   ("passeport", "PASSPORT", "******56")}
    assert all(f.score >= 0.85 for f in found)
    dob = next(f for f in found if f.entity_type == "DATE_OF_BIRTH")
    assert "raw_birth_date" not in dob.attributes and int(dob.attributes["age"]) >= 30
    dump = repr([f.as_dict() for f in found])
    for raw in ("130692544", "1987-03-12", "1234567897", "AB123456"):
        assert raw not in dump
