"""Where telephone numbers are in text: libphonenumber's rules, without its cost.

The reference is `phonenumbers.PhoneNumberMatcher(text, region)` at leniency
VALID. It takes runs of digits and phone punctuation, tries each whole run,
then pieces of it cut at slashes, brackets, spaced hyphens, full stops and
spaces, and keeps the first piece that parses to a valid number. Nearly all
of its time (60 µs a candidate, several candidates per card number) goes to
`parse` and to `is_valid_number`, which tries the 25 regions of country code
1 one by one.

`find_numbers` applies the same rules with patterns of its own, and decides
a candidate written with ASCII digits and punctuation only - almost all of
them - without parsing: the digit count says which digits are the national
number, and validity comes from the numbering plan's patterns, read from
phonenumbers' metadata (so they follow the installed version) and compiled
once per number length. The rest (a country code other than +1, the 011
international prefix, an extension, a digit count that could still hide a
valid number) goes through `phonenumbers.parse` and `is_valid_number`.

The default region must use country code 1 (the detector's is "CA"): the
shortcut assumes it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Iterator, NamedTuple

import phonenumbers
from phonenumbers import NumberParseException, PhoneMetadata

# libphonenumber gives up on a text after this many candidates that failed.
MAX_TRIES = 65535

# Characters libphonenumber accepts between digits, its "+" signs and brackets.
_PUNCT = ("-x\u2010-\u2015\u2212\u30fc\uff0d-\uff0f \u00a0\u00ad\u200b\u2060\u3000"
          "()\uff08\uff09\uff3b\uff3d.\\[\\]/~\u2053\u223c\uff5e")
_PLUS = "+\uff0b"
_OPEN = "(\\[\uff08\uff3b"
_CLOSE = ")\\]\uff09\uff3d"
_LEAD = "[" + _OPEN + _PLUS + "]"

# An extension after the number: "ext. 45", "extension 45", "x45", "#45", ";ext=45", "- 45#".
_EXTENSION = (
    r";ext=\d{1,20}"
    r"|[ \u00a0\t,]*(?:e?xt(?:ensi(?:o\u0301?|\u00f3))?n?|\uff45?\uff58\uff54\uff4e?"
    r"|\u0434\u043e\u0431|anexo)[:.\uff0e]?[ \u00a0\t,-]*\d{1,20}#?"
    r"|[ \u00a0\t,]*(?:[x\uff58#\uff03~\uff5e]|int|\uff49\uff4e\uff54)"
    r"[:.\uff0e]?[ \u00a0\t,-]*\d{1,9}#?"
    r"|[- ]+\d{1,6}#")

# A run that may hold numbers: at most two leading "+"/brackets, digit blocks
# joined by up to four punctuation characters, maybe an extension.
# (libphonenumber ignores case throughout; only "x" and the extension's words have one,
# and a case-blind class is slower to scan.)
_RUN = re.compile("(?:" + _LEAD + "[" + _PUNCT + "X]{0,4}){0,2}"
                  r"\d{1,20}(?:[" + _PUNCT + r"X]{0,4}\d{1,20}){0,20}"
                  "(?i:" + _EXTENSION + ")?")
_RUN_START = re.compile("[" + _OPEN + _PLUS + r"\d]")
# "514-555-0147 / x 45": what follows the slash is another number.
_SECOND_NUMBER = re.compile(r"[\\/] *x")
# Runs that are something else: dates with slashes, timestamps, page ranges.
_SLASH_DATE = re.compile(r"(?:[0-3]?\d/[01]?\d|[01]?\d/[0-3]?\d)/(?:[12]\d)?\d{2}")
_TIMESTAMP = re.compile(r"[12]\d{3}[-/]?[01]\d[-/]?[0-3]\d +[0-2]\d$")
_MINUTES = re.compile(r":[0-5]\d")
_PAGES = re.compile(r"\d{1,5}-+\d{1,5}\s{0,4}\(\d{1,4}")
# Brackets must pair up (a leading one may stay open, a first closing one may
# have lost its opening), at most four pairs.
_NOT_BRACKET = "[^" + _OPEN + _CLOSE + "]"
_BRACKETS = re.compile("(?:[" + _OPEN + "])?(?:" + _NOT_BRACKET + "+[" + _CLOSE + "])?"
                       + _NOT_BRACKET + "+(?:[" + _OPEN + "]" + _NOT_BRACKET + "+[" + _CLOSE
                       + "]){0,3}" + _NOT_BRACKET + "*")
_STARTS_WITH_LEAD = re.compile(_LEAD)
_TRAILING = re.compile(r"(?:_|[^#\w])+$")
# Where a run that is not one number is cut into pieces, most specific first;
# group 1 is the piece after the cut; the character each cut needs, if one.
_CUTS = tuple((re.compile(p), needs) for p, needs in (
    (r"/+(.*)", "/"),                         # 514-555-0147/613-555-0199
    (r"(\([^(]*)", "("),                      # (514) 555 0147 (613) 555 0199
    (r"(?:\s-|-\s)\s*(.+)", "-"),             # 12345 - 514-555-0147
    ("[\u2012-\u2015\uff0d]\\s*(.+)", None),  # wide hyphens
    (r"\.+\s*([^.]+)", "."),                  # 12345. 514-555-0147
    (r"\s+(\S+)", None),                       # 5145550147 6135550199
))
_CUT_AT = re.compile("[/(\\s.\u2012-\u2015\uff0d]")

# A candidate the shortcut can decide: ASCII digits, punctuation, one leading "+"
# (no "x" or "~": they may start an extension).
_NO_X = _PUNCT.replace("x", "").replace("~", "").replace("\uff5e", "")
_PLAIN = re.compile("[" + _NO_X + "]*(?:[" + _PLUS + "][" + _NO_X + "]*)?[0-9][" + _NO_X + "0-9]*")
_NOT_DIGIT = re.compile(r"\D")
_UNSURE = object()
# The regions of country code 1, in the order libphonenumber gives them a number.
_NANP = phonenumbers.region_codes_for_country_code(1)


class FoundNumber(NamedTuple):
    """A valid number's span in the text, its E.164 form, region and extension."""

    start: int
    end: int
    e164: str
    region: str  # "unknown" when no region owns the number
    extension: str  # "" when none


# -- validity of a +1 number, from the metadata -------------------------------

def _fits(desc: object, length: int) -> bool:
    pattern = getattr(desc, "national_number_pattern", None)
    lengths = getattr(desc, "possible_length", ())
    return bool(pattern) and (not lengths or length in lengths)


@cache
def _valid_pattern(region: str, length: int) -> re.Pattern[str] | None:
    """Numbers of `length` digits of some type in `region` (is_valid_number's test)."""
    md = PhoneMetadata.metadata_for_region(region)
    if md is None or not _fits(md.general_desc, length):
        return None
    types = [d.national_number_pattern for d in (
        md.premium_rate, md.toll_free, md.shared_cost, md.voip, md.personal_number, md.pager,
        md.uan, md.voicemail, md.fixed_line, md.mobile) if _fits(d, length)]
    if not types:
        return None
    general = md.general_desc.national_number_pattern
    return re.compile(f"(?=(?:{general})\\Z)(?:" + "|".join(f"(?:{t})" for t in types) + ")\\Z")


@cache
def _region_steps(length: int) -> tuple[tuple[str | None, re.Pattern[str]], ...]:
    """How a number of `length` digits is given a region, in libphonenumber's order.

    Each region of country code 1 in turn: one that declares leading digits
    owns the numbers starting with them; one that does not (US, CA) owns the
    numbers valid in it. Consecutive leading-digit regions become one pattern
    with a named group per region (the first alternative that matches wins,
    as the first region in the list would).
    """
    steps: list[tuple[str | None, re.Pattern[str]]] = []
    leads: list[str] = []

    def flush() -> None:
        if leads:
            steps.append((None, re.compile("|".join(leads))))
            leads.clear()

    for region in _NANP:
        md = PhoneMetadata.metadata_for_region(region)
        if md is None:
            continue
        if md.leading_digits is not None:
            leads.append(f"(?P<{region}>(?:{md.leading_digits}))")
        elif (valid := _valid_pattern(region, length)) is not None:
            flush()
            steps.append((region, valid))
    flush()
    return tuple(steps)


@cache
def _valid_lengths() -> frozenset[int]:
    """Lengths a valid +1 national number can have (7 and 10 today)."""
    return frozenset(n for n in range(2, 18) for region in _NANP
                     if _valid_pattern(region, n) is not None)


def nanp_region(nsn: str) -> str | None:
    """The region of a valid +1 national number, None if it is not valid.

    Same answer as `is_valid_number` then `region_code_for_number` on
    PhoneNumber(country_code=1, national_number=nsn), without their cost.
    """
    for region, pattern in _region_steps(len(nsn)):
        m = pattern.match(nsn)
        if m is None:
            continue
        if region is not None:
            return region  # matched its own validity pattern
        owner = m.lastgroup
        valid = _valid_pattern(owner, len(nsn)) if owner else None
        return owner if valid is not None and valid.match(nsn) else None
    return None


# -- candidates ----------------------------------------------------------------

def _foreign(char: str) -> bool:
    """A Latin letter, "%" or currency sign: the digits beside it are not a phone number."""
    if char == "%":
        return True
    category = unicodedata.category(char)
    if category == "Sc":
        return True
    if category[0] != "L" and category != "Mn":
        return False
    return char <= "\u024f" or "\u0300" <= char <= "\u036f" or "\u1e00" <= char <= "\u1eff"


def _plain(candidate: str) -> tuple[str, str] | None | object:
    """(national number, region), None if no valid number, _UNSURE if parse must say.

    How libphonenumber reads digits in region CA: "+1" then the national
    number; without "+", ten digits are the national number, eleven starting
    with 1 are the country code then the national number. Other forms
    strip up to three leading 1s (country code, national prefix), so a
    number none of those readings makes valid is not one.
    """
    plus = "+" in candidate or "\uff0b" in candidate
    digits = candidate.replace(" ", "").replace("-", "").replace(".", "").replace(
        "(", "").replace(")", "").replace("+", "")
    if not digits.isdigit():
        digits = _NOT_DIGIT.sub("", candidate)
    n = len(digits)
    if plus:
        if digits[0] != "1":
            return _UNSURE  # another country
        if n == 11 and digits[1] > "1":
            return _with_region(digits[1:])
        first = 1
    else:
        if n == 10 and digits[0] > "1":
            return _with_region(digits)
        if n == 11 and digits[0] == "1" and digits[1] > "1":
            return _with_region(digits[1:])
        if digits.startswith("011"):
            return _UNSURE  # international prefix
        first = 0
    lengths = _valid_lengths()
    for k in range(first, 4):
        if k and digits[k - 1:k] != "1":
            break
        if n - k in lengths and nanp_region(digits[k:]):
            return _UNSURE
    return None


def _with_region(nsn: str) -> tuple[str, str] | None:
    region = nanp_region(nsn)
    return (nsn, region) if region else None


def _x_chars_ok(number: phonenumbers.PhoneNumber, candidate: str) -> bool:
    """An "x" in the candidate starts the extension, or ("xx") a second copy of the number."""
    i = 0
    while i < len(candidate) - 1:
        if candidate[i] in "xX":
            if candidate[i + 1] in "xX":
                i += 1
                if phonenumbers.is_number_match(number, candidate[i:]) != \
                        phonenumbers.MatchType.NSN_MATCH:
                    return False
            elif phonenumbers.normalize_digits_only(candidate[i:]) != number.extension:
                return False
        i += 1
    return True


def find_numbers(text: str, region: str = "CA") -> Iterator[FoundNumber]:
    """Every valid telephone number in `text`, as PhoneNumberMatcher(text, region) finds them.

    A number found ends the run it came from; the search goes on after it
    (a list "514-555-0147 613-555-0199" is one run, two numbers).
    """
    if region not in _NANP:
        raise ValueError(f"phone_finder reads national numbers as +1, not as {region}'s")
    tries, index = MAX_TRIES, 0
    while tries > 0 and (head := _RUN_START.search(text, index)) is not None:
        # A run can only start at a digit, "+" or an opening bracket: finding
        # those first spares the regex engine trying _RUN at every position.
        start = head.start()
        if (run := _RUN.match(text, start)) is None:
            index = start + 1
            continue
        candidate = run.group()
        if "x" in candidate and (cut := _SECOND_NUMBER.search(candidate)) is not None:
            candidate = candidate[:cut.start()]
        found = None
        if len(candidate) >= 7 or "+" in candidate or "\uff0b" in candidate:  # _may_hold
            found, tries = _in_run(text, candidate, start, region, tries)
        if found is not None:
            yield found
            index = found.end
        else:
            tries -= 1
            index = start + len(candidate)


def _in_run(text: str, candidate: str, offset: int, region: str,
            tries: int) -> tuple[FoundNumber | None, int]:
    """The first number in a run, whole or piece by piece; and the tries left."""
    if "/" in candidate and _SLASH_DATE.search(candidate):
        return None, tries
    if " " in candidate and _TIMESTAMP.search(candidate) \
            and _MINUTES.match(text, offset + len(candidate)):
        return None, tries
    found = _number(text, candidate, offset, region)
    if found is not None or _CUT_AT.search(candidate) is None:
        return found, tries  # "4111-1111-1111-1111": one piece, already tried
    for cut, needs in _CUTS:
        if needs is not None and needs not in candidate:
            continue
        m = cut.search(candidate)
        first = True
        while m is not None and tries > 0:
            if first:
                first = False
                piece = candidate[:m.start()]
                if _may_hold(piece) and (found := _number(text, _trim(piece), offset, region)):
                    return found, tries
                tries -= 1
            piece = m.group(1)
            if _may_hold(piece) and (found := _number(text, _trim(piece), offset + m.start(1),
                                                      region)):
                return found, tries
            tries -= 1
            m = cut.search(candidate, m.start() + 1)
    return None, tries


def _number(text: str, candidate: str, offset: int, region: str) -> FoundNumber | None:
    """The valid number `candidate` (at `offset` in `text`) is, if it is one.

    Every test here can only reject, so the cheap ones that reject most
    (the digits) go first.
    """
    verdict = _plain(candidate) if _PLAIN.fullmatch(candidate) else _UNSURE
    if verdict is None:
        return None
    if _BRACKETS.fullmatch(candidate) is None or ("(" in candidate and _PAGES.search(candidate)):
        return None
    end = offset + len(candidate)
    if offset > 0 and not _STARTS_WITH_LEAD.match(candidate) and _foreign(text[offset - 1]):
        return None
    if end < len(text) and _foreign(text[end]):
        return None
    if verdict is _UNSURE:
        return _parsed(candidate, offset, end, region)
    nsn, owner = verdict  # type: ignore[misc]
    return FoundNumber(offset, end, "+1" + nsn, owner, "")


def _parsed(candidate: str, offset: int, end: int, region: str) -> FoundNumber | None:
    try:
        number = phonenumbers.parse(candidate, region, keep_raw_input=True)
    except NumberParseException:
        return None
    # Leniency VALID also wants a national prefix where the region writes
    # one; no format of country code 1 does, and other countries need "+".
    if not phonenumbers.is_valid_number(number) or not _x_chars_ok(number, candidate):
        return None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    owner = phonenumbers.region_code_for_number(number) or "unknown"
    return FoundNumber(offset, end, e164, owner, number.extension or "")


def _may_hold(candidate: str) -> bool:
    """False when too short for a valid number: without "+", country code 1
    needs 7 digits and the 011 prefix more; the postal code "H2X 1Y4" and
    the pieces of a card number stop here."""
    return len(candidate) >= 7 or "+" in candidate or "\uff0b" in candidate


def _trim(piece: str) -> str:
    """A piece without the punctuation it ends with."""
    m = _TRAILING.search(piece)
    return piece[:m.start()] if m else piece


def warm() -> None:
    """Compile the numbering-plan patterns now (~20 ms) rather than on the first number."""
    for length in _valid_lengths():
        _region_steps(length)
