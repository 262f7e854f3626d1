"""phone_finder finds what libphonenumber's PhoneNumberMatcher finds, faster.

The matcher (region CA, leniency VALID) is the reference the phone detector
was built on: same spans, same E.164 number, region and extension, on
North American numbers in every usual way of writing them, embedded in text
with labels, lists, card numbers, dates and noise around them. There is no
known difference; a failure here is a number a user would see appear or
vanish. `PIISCAN_FUZZ_EXAMPLES=5000 PIISCAN_FUZZ_RANDOM=1` digs deeper by hand.
"""

from __future__ import annotations

import os
import random

import phonenumbers
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneMetadata, PhoneNumber

from piiscan.detectors.phone_finder import find_numbers, nanp_region

EXAMPLES = int(os.environ.get("PIISCAN_FUZZ_EXAMPLES", "300"))
RANDOM = bool(os.environ.get("PIISCAN_FUZZ_RANDOM"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=not RANDOM, database=None,
                suppress_health_check=[HealthCheck.too_slow])


def reference(text: str) -> list[tuple[int, int, str, str, str]]:
    e164 = phonenumbers.PhoneNumberFormat.E164
    return [(m.start, m.end, phonenumbers.format_number(m.number, e164),
             phonenumbers.region_code_for_number(m.number) or "unknown", m.number.extension or "")
            for m in phonenumbers.PhoneNumberMatcher(text, "CA")]


def found(text: str) -> list[tuple[int, int, str, str, str]]:
    return [tuple(f) for f in find_numbers(text)]  # type: ignore[misc]


@pytest.mark.parametrize("text, spans", [
    ("Tél. : 514 555-0147, poste 123", ["514 555-0147"]),
    ("Call (613) 555-0199 ext. 45 after 5", ["(613) 555-0199 ext. 45"]),
    ("+1 902 566 7127 / 1-800-555-0199", ["+1 902 566 7127", "1-800-555-0199"]),
    ("514-555-0147 613-555-0199", ["514-555-0147", "613-555-0199"]),
    ("(514) 555-0147 (613) 555-0199", ["(514) 555-0147", "(613) 555-0199"]),
    ("12345 - 514-555-0147 is mine", ["514-555-0147"]),
    ("Réf. 12345. 514 555 0147", ["514 555 0147"]),
    ("Tél. : 514-555-0147 2 pm", ["514-555-0147"]),
    ("Tél. : 514 555 0147 2 pm", []),  # libphonenumber tries the pieces, not "514 555 0147"
    ("International: +33 1 23 45 67 89", ["+33 1 23 45 67 89"]),
    ("numéro 011 33 1 23 45 67 89", ["011 33 1 23 45 67 89"]),
    ("tel 310-4636", ["310-4636"]),  # a seven-digit Canadian number (310-xxxx)
    ("５１４ ５５５ ０１４７", ["５１４ ５５５ ０１４７"]),
    ("514\u00a0555\u00a00147", ["514\u00a0555\u00a00147"]),
    ("Carte 4111 1111 1111 1111, colis 7015 9010 9281 5908", []),
    ("4199-3518-1909-3782 7027601895559796", []),
    ("le 12/03/1987 à 10:30, réf. 2012-01-02 08:00:00", []),
    ("Pages 211-227 (2003)", []),
    ("ABC5145550147 5145550147abc $5145550147 5145550147%", []),
    ("Numéro 123-456-7890", []),
])
def test_same_numbers_as_libphonenumber(text: str, spans: list[str]) -> None:
    assert found(text) == reference(text)
    assert [text[f.start:f.end] for f in find_numbers(text)] == spans


AREAS = ["514", "438", "613", "416", "905", "819", "418", "604", "204", "212", "310", "800",
         "888", "900", "876", "268", "809", "787", "555", "123", "911", "011", "100"]
FORMATS = ["({a}) {e}-{l}", "{a}-{e}-{l}", "{a} {e} {l}", "{a}.{e}.{l}", "{a}{e}{l}",
           "+1 {a} {e} {l}", "+1-{a}-{e}-{l}", "+1.{a}.{e}.{l}", "+1{a}{e}{l}", "+1 ({a}) {e}-{l}",
           "1-{a}-{e}-{l}", "1 {a} {e} {l}", "1 ({a}) {e}-{l}", "1{a}{e}{l}", "{a}/{e}-{l}",
           "{a} {e}-{l}", "{a}\u00a0{e}\u00a0{l}", "{a} - {e} - {l}", "({a}){e}-{l}", "{e}-{l}"]
EXTENSIONS = ["", "", "", "", " ext. 45", " ext 1234", " x 45", "x123", " #12", ";ext=9",
              " poste 123", ", poste 12", " p. 22", " - 12#"]
FILLERS = ["Tél. : ", "Phone ", "Cell ", "call ", " ou ", " or ", ", ", "; ", " / ", "/", " - ",
           "-", ". ", ".", "\n", " ", "", "(", ")", "NAS ", "Facture ", "$", "%", "é", "x", "a",
           "le 2024-03-12 ", "à 10:30 ", "2012-01-02 08", "4111 1111 1111 1111", "H2X 1Y4",
           "130 692 544", "12/03/1987", "p. 211-227 (2003)"]
DIGITS = "0123456789"


def digits(n: int) -> st.SearchStrategy[str]:
    return st.text(DIGITS, min_size=n, max_size=n)


@st.composite
def nanp(draw: st.DrawFn) -> str:
    """A North American number as people write it, with or without an extension."""
    area = draw(st.one_of(st.sampled_from(AREAS), digits(3)))
    number = draw(st.sampled_from(FORMATS)).format(a=area, e=draw(digits(3)), l=draw(digits(4)))
    return number + draw(st.sampled_from(EXTENSIONS))


FILLER = st.one_of(st.sampled_from(FILLERS), st.text("abé xX0123456789-./()+,:#%$\n", max_size=5))
IN_TEXT = st.builds(lambda parts, tail: "".join(f + n for f, n in parts) + tail,
                    st.lists(st.tuples(FILLER, nanp()), min_size=1, max_size=4), FILLER)


@FUZZ
@given(text=IN_TEXT)
def test_numbers_in_text_as_libphonenumber(text: str) -> None:
    assert found(text) == reference(text)


# Everything the matcher reads: digits of other scripts, its punctuation, "+",
# brackets, extension marks, letters and signs that may not touch a number.
NOISE = st.text("0123456789" * 3 + "١٢３ -.()[]/+＋x~～#;,–—\u00a0\u3000éaB%$€:\n", max_size=40)


@FUZZ
@given(text=NOISE)
def test_any_phone_like_text_as_libphonenumber(text: str) -> None:
    assert found(text) == reference(text)


def _phonenumbers_region(nsn: str) -> str | None:
    number = PhoneNumber(country_code=1, national_number=int(nsn))
    return phonenumbers.region_code_for_number(number) if phonenumbers.is_valid_number(number) \
        else None


def test_validity_and_region_as_phonenumbers() -> None:
    """Every area code, with exchanges in and out of service, and 7-digit numbers."""
    rng = random.Random(7)
    def exchanges() -> tuple[str, ...]:  # fictional, special, any, never in service
        return ("555", "911", str(rng.randrange(200, 1000)), f"{rng.randrange(200):03d}")

    sample = [f"{area}{exchange}{rng.randrange(10000):04d}" for area in range(200, 1000)
              for exchange in exchanges()]
    sample += [f"{rng.randrange(2_000_000, 10_000_000)}" for _ in range(300)]
    sample += [f"310{rng.randrange(10000):04d}" for _ in range(20)]
    assert [nanp_region(n) for n in sample] == [_phonenumbers_region(n) for n in sample]
    assert {"CA", "US", "JM", None} <= {nanp_region(n) for n in sample}


def test_no_national_prefix_is_ever_required_for_country_code_1() -> None:
    """Why phone_finder skips that part of leniency VALID: no +1 format asks for the "1"."""
    for fmt in PhoneMetadata.metadata_for_region("US").number_format:
        assert (not fmt.national_prefix_formatting_rule
                or fmt.national_prefix_optional_when_formatting)
