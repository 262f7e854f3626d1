"""Check-digit algorithms, each written once and shared by every detector."""

from __future__ import annotations

import string


def digits_only(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def luhn_ok(number: str) -> bool:
    """ISO/IEC 7812 (mod 10) check, used by SINs, payment cards and OHIP."""
    if not number.isdigit() or len(number) < 2:
        return False
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


_MRZ_VALUES = {c: i for i, c in enumerate(string.digits + string.ascii_uppercase)}
_MRZ_VALUES["<"] = 0


def mrz_check_digit(field: str) -> str:
    """ICAO 9303 check digit: weights 7, 3, 1 over digits, letters A=10…Z=35, '<'=0."""
    total = 0
    for i, ch in enumerate(field):
        value = _MRZ_VALUES.get(ch)
        if value is None:
            raise ValueError("character outside the MRZ alphabet")
        total += value * (7, 3, 1)[i % 3]
    return str(total % 10)


def mrz_check_ok(field: str, check: str) -> bool:
    try:
        expected = mrz_check_digit(field)
    except ValueError:
        return False
    # A field of fillers may carry a filler check digit (optional data).
    return check == expected or (check == "<" and set(field) <= {"<"})


def iban_ok(iban: str) -> bool:
    """ISO 13616 mod-97 check on an IBAN without spaces."""
    iban = iban.replace(" ", "").upper()
    if len(iban) < 15 or len(iban) > 34 or not iban[:2].isalpha() or not iban[2:4].isdigit():
        return False
    rearranged = iban[4:] + iban[:4]
    try:
        number = int("".join(str(int(c, 36)) for c in rearranged))
    except ValueError:
        return False
    return number % 97 == 1


def ramq_birth_ok(digits: str) -> bool:
    """The YYMMDD part of a Quebec health number (RAMQ): women's months are +50.

    The century is not encoded, so 29 February is accepted when either
    century makes it a leap day (every YY divisible by 4, 00 for 2000).
    """
    if len(digits) != 6 or not digits.isdigit():
        return False
    yy, mm, dd = int(digits[:2]), int(digits[2:4]), int(digits[4:])
    if mm > 50:
        mm -= 50
    if not 1 <= mm <= 12 or dd < 1:
        return False
    days = (31, 29 if yy % 4 == 0 else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[mm - 1]
    return dd <= days
