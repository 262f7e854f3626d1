"""Synthetic identifiers with valid check digits, and the look-alikes that are not PII.

Every value is made up. Valid ones pass the check a real detector applies
(Luhn for SINs, cards and OHIP numbers, mod 11 for BC PHNs, ICAO 9303 for
MRZ lines, mod 97 for IBANs); hard negatives are built to fool a detector
that skips context: Luhn-valid 9-digit reference numbers, 16-digit
Luhn-valid parcel tracking numbers, invoice numbers, codes.
"""

from __future__ import annotations

import random
import string
import unicodedata
from datetime import date, timedelta

from stdnum.ca import bc_phn


def luhn_complete(body: str) -> str:
    """Append the Luhn check digit to `body`."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return body + str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def group(number: str, sizes: tuple[int, ...], sep: str) -> str:
    out, pos = [], 0
    for s in sizes:
        out.append(number[pos:pos + s])
        pos += s
    return sep.join(out)


# -- personal identifiers ---------------------------------------------------

def sin(rng: random.Random) -> str:
    """A SIN as people write it: '130 692 544', '130-692-544' or '130692544'."""
    number = luhn_complete(rng.choice("1234567") + digits(rng, 7))
    return group(number, (3, 3, 3), rng.choice((" ", " ", "-", "")))


def card(rng: random.Random) -> str:
    """Visa, Mastercard (51–55 and 2221–2720) or Amex, grouped as printed."""
    kind = rng.choice(("visa", "visa", "mc", "mc2", "amex"))
    if kind == "visa":
        number = luhn_complete("4" + digits(rng, 14))
    elif kind == "mc":
        number = luhn_complete("5" + rng.choice("12345") + digits(rng, 13))
    elif kind == "mc2":
        number = luhn_complete(str(rng.randint(2221, 2720)) + digits(rng, 11))
    else:
        number = luhn_complete(rng.choice(("34", "37")) + digits(rng, 12))
    sep = rng.choice((" ", "-", ""))
    sizes = (4, 6, 5) if len(number) == 15 else (4, 4, 4, 4)
    return group(number, sizes, sep)


def passport(rng: random.Random) -> str:
    """A Canadian passport number: two letters, six digits."""
    letters = "".join(rng.choice(string.ascii_uppercase) for _ in range(2))
    return letters + digits(rng, 6)


def _mrz_digit(text: str) -> str:
    values = {c: i for i, c in enumerate(string.digits + string.ascii_uppercase)}
    values["<"] = 0
    return str(sum(values[c] * (7, 3, 1)[i % 3] for i, c in enumerate(text)) % 10)


def _mrz_name(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if c.isascii() and (c.isalpha() or c in " -'"))
    return text.upper().replace("-", "<").replace(" ", "<").replace("'", "")


def mrz(family: str, given: str, number: str, born: date, female: bool,
        rng: random.Random) -> tuple[str, str]:
    """The two lines of a passport data page (ICAO 9303 TD3), check digits valid."""
    line1 = f"P<CAN{_mrz_name(family)}<<{_mrz_name(given)}"
    line1 = (line1 + "<" * 44)[:44]
    num = (number + "<" * 9)[:9]
    dob = born.strftime("%y%m%d")
    expiry = (date.today() + timedelta(days=rng.randint(200, 3000))).strftime("%y%m%d")
    personal = "<" * 14
    body = (num + _mrz_digit(num) + "CAN" + dob + _mrz_digit(dob) + ("F" if female else "M")
            + expiry + _mrz_digit(expiry) + personal + _mrz_digit(personal))
    composite = body[0:10] + body[13:20] + body[21:43]
    return line1, body + _mrz_digit(composite)


def birth_date(rng: random.Random, minor: bool = False) -> date:
    start = date(2008, 1, 1) if minor else date(1942, 1, 1)
    end = date(2016, 12, 31) if minor else date(2003, 12, 31)
    return start + timedelta(days=rng.randint(0, (end - start).days))


MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")
MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
             "septembre", "octobre", "novembre", "décembre")


def date_text(rng: random.Random, day: date, lang: str) -> str:
    """A date as forms and letters write it in each language."""
    if lang == "fr":
        style = rng.choice(("iso", "long", "slash"))
        if style == "long":
            return f"{day.day} {MONTHS_FR[day.month - 1]} {day.year}"
        if style == "slash":
            return day.strftime("%d/%m/%Y")
    else:
        style = rng.choice(("iso", "long", "iso"))
        if style == "long":
            return f"{MONTHS_EN[day.month - 1]} {day.day}, {day.year}"
    return day.isoformat()


def ramq(rng: random.Random, family: str, given: str, born: date, female: bool) -> str:
    """A Quebec health card number: 3 letters of the surname, 1 of the given name,
    YYMMDD with 50 added to the month for women, two administrative digits."""
    def letters(s: str) -> str:
        s = unicodedata.normalize("NFKD", s)
        return "".join(c for c in s if c.isascii() and c.isalpha()).upper()
    fam = (letters(family) + "XXX")[:3]
    giv = (letters(given) + "X")[:1]
    month = born.month + (50 if female else 0)
    code = f"{fam}{giv}{born:%y}{month:02d}{born.day:02d}{rng.randint(10, 98)}"
    return group(code, (4, 4, 4), rng.choice((" ", " ", "")))


def ohip(rng: random.Random) -> str:
    """An Ontario health number: 10 digits, Luhn check, often with a version code."""
    number = luhn_complete(rng.choice("123456789") + digits(rng, 8))
    text = group(number, (4, 3, 3), rng.choice(("-", " ")))
    if rng.random() < 0.5:
        text += "-" + "".join(rng.choice(string.ascii_uppercase) for _ in range(2))
    return text


def bc_phn_number(rng: random.Random) -> str:
    """A BC Personal Health Number: 9 + eight digits + mod-11 check digit."""
    while True:
        body = "9" + digits(rng, 8)
        check = bc_phn.calc_check_digit(body[1:])
        if len(check) == 1:
            number = body + check
            if bc_phn.is_valid(number):
                return group(number, (4, 3, 3), " ")


POSTAL_FIRST = "ABCEGHJKLMNPRSTVXY"
POSTAL_OTHER = "ABCEGHJKLMNPRSTVWXYZ"


def postal_code(rng: random.Random) -> str:
    return (rng.choice(POSTAL_FIRST) + rng.choice(string.digits) + rng.choice(POSTAL_OTHER) + " "
            + rng.choice(string.digits) + rng.choice(POSTAL_OTHER) + rng.choice(string.digits))


def iban(rng: random.Random) -> str:
    """A French or Belgian IBAN with valid mod-97 check digits, printed in groups of 4."""
    country, bban = rng.choice((("FR", digits(rng, 10) + "0" + digits(rng, 12)),
                                ("BE", digits(rng, 12))))
    rearranged = bban + country + "00"
    number = int("".join(str(int(c, 36)) for c in rearranged))
    text = f"{country}{98 - number % 97:02d}{bban}"
    return " ".join(text[i:i + 4] for i in range(0, len(text), 4))


def ip_address(rng: random.Random) -> str:
    return rng.choice((f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                       f"192.168.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                       f"172.{rng.randint(16, 31)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"))


AREA_CODES = ("514", "438", "450", "418", "819", "613", "416", "647", "604", "403", "506", "902")


def phone(rng: random.Random) -> str:
    area = rng.choice(AREA_CODES)
    exch = str(rng.randint(2, 9)) + digits(rng, 2)
    line = digits(rng, 4)
    return rng.choice((f"({area}) {exch}-{line}", f"{area}-{exch}-{line}",
                       f"{area} {exch} {line}", f"+1 {area} {exch} {line}",
                       f"{area}.{exch}.{line}"))


EMAIL_DOMAINS = ("example.org", "courriel.example.ca", "mail.example.com", "exemple.qc.ca",
                 "example.net")


def email(rng: random.Random, given: str, family: str) -> str:
    def ascii_part(s: str) -> str:
        s = unicodedata.normalize("NFKD", s)
        return "".join(c for c in s if c.isascii() and (c.isalnum() or c == "-")).lower()
    g, f = ascii_part(given.split()[0]), ascii_part(family.split()[-1])
    local = rng.choice((f"{g}.{f}", f"{g[:1]}{f}", f"{g}_{f}{rng.randint(1, 99)}", f"{f}.{g}"))
    return f"{local}@{rng.choice(EMAIL_DOMAINS)}"


# -- hard negatives ---------------------------------------------------------

def reference_number(rng: random.Random) -> str:
    """9 digits, Luhn-valid, first digit a SIN could have: a SIN only by its shape."""
    return luhn_complete(rng.choice("1234567") + digits(rng, 7))


def tracking_number(rng: random.Random) -> str:
    """A 16-digit Luhn-valid parcel tracking number (carrier prefix 7)."""
    number = luhn_complete("70" + digits(rng, 13))
    return group(number, (4, 4, 4, 4), rng.choice((" ", "")))


def invoice_number(rng: random.Random, lang: str) -> str:
    year = rng.randint(2019, 2025)
    return rng.choice((f"INV-{year}-{digits(rng, 5)}", f"FAC-{year}-{digits(rng, 4)}",
                       f"{year}{digits(rng, 5)}", f"F{digits(rng, 7)}"))


def case_code(rng: random.Random) -> str:
    return rng.choice((f"CN-{rng.randint(2019, 2025)}-{digits(rng, 4)}",
                       f"DOS-{digits(rng, 6)}", f"{rng.choice(string.ascii_uppercase)}"
                       f"{rng.choice(string.ascii_uppercase)}-{digits(rng, 2)}-"
                       f"{rng.choice(string.ascii_uppercase)}{rng.choice(string.ascii_uppercase)}"))
