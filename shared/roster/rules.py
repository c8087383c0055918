"""Pure rules for single roster values: UPN check letters, UK dates, gender codes, names, year groups.

Every `ValueError` raised here has a message that is safe to show and to log: it describes what is
wrong, never the value itself, because the value is a child's personal data (DESIGN.md §2).
"""

from __future__ import annotations

import contextlib
import functools
import re
import unicodedata
from collections.abc import Iterable
from datetime import date
from enum import StrEnum
from importlib import resources

from shared.organisation.model import DobPolicy
from shared.roster.model import MAX_AGE, MAX_NAME_LENGTH, MIN_AGE, Gender

# --- UPN (DfE "Unique Pupil Numbers", check letter at position 1) ---------------------------------------

UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
_UPN_SHAPE = re.compile(r"[A-Z]\d{11}[0-9A-Z]")


def upn_check_letter(first12: str) -> str:
    """The check letter for the 12 characters that follow it (UPN positions 2–13).

    Positions 2–12 are digits; position 13 is a digit, or for a temporary UPN a letter from
    `UPN_LETTERS` valued by its index in that alphabet.
    """
    body = first12.upper()
    if len(body) != 12 or not body[:11].isascii() or not body[:11].isdigit():
        raise ValueError("a UPN body is 11 digits followed by a digit or letter")
    last = body[11]
    if last.isascii() and last.isdigit():
        last_value = int(last)
    elif last in UPN_LETTERS:
        last_value = UPN_LETTERS.index(last)
    else:
        raise ValueError("the last character of a UPN is a digit or one of " + UPN_LETTERS)
    total = sum(int(ch) * weight for weight, ch in enumerate(body[:11], start=2)) + last_value * 13
    return UPN_LETTERS[total % 23]


# DfE's "UPN not known" reasons (UN1 to UN5) stand in for a UPN in census returns: they mean no UPN.
UPN_UNKNOWN = frozenset(f"UN{n}" for n in range(1, 6))


@functools.cache
def la_numbers() -> frozenset[str]:
    """DfE's 3-digit local-authority numbers (the data file names its source)."""
    text = resources.files("shared.roster").joinpath("la_codes.tsv").read_text(encoding="utf-8")
    rows = (line.split("\t")[0] for line in text.splitlines() if line and not line.startswith("#"))
    return frozenset(code for code in rows if code.isdigit())


def is_valid_upn(upn: str) -> bool:
    """True for a permanent or temporary UPN with the right check letter and a DfE LA number."""
    candidate = upn.upper()
    if not _UPN_SHAPE.fullmatch(candidate) or not candidate.isascii() or candidate[1:4] not in la_numbers():
        return False
    try:
        return upn_check_letter(candidate[1:]) == candidate[0]
    except ValueError:
        return False


def clean_upn(text: str) -> str | None:
    """The UPN as stored (upper case), None when blank or UN1-UN5; ValueError when malformed or mis-checked."""
    upn = text.strip().upper()
    if not upn or upn in UPN_UNKNOWN:
        return None
    if not _UPN_SHAPE.fullmatch(upn) or not upn.isascii():
        raise ValueError("must be 13 characters: a check letter, 11 digits, then a digit or letter")
    if upn_check_letter(upn[1:]) != upn[0]:
        raise ValueError("has a check letter that does not match the rest of the number")
    if upn[1:4] not in la_numbers():
        raise ValueError("does not start with a DfE local-authority number (characters 2 to 4)")
    return upn


# --- Dates: ISO or UK day-first, never month-first -------------------------------------------------------

_TIME = r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_FLAGS = re.IGNORECASE | re.ASCII
_YEAR_FIRST = re.compile(r"(\d{4})([-/])(\d{1,2})\2(\d{1,2})" + _TIME, _FLAGS)
_DAY_FIRST = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d+)" + _TIME, _FLAGS)
_DAY_MONTH_NAME = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[\s/.-]+([a-z]+)\.?,?[\s/.-]+(\d+)" + _TIME, _FLAGS)
_MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)

_MSG_FORMAT = "is not a date in a recognised format: use DD/MM/YYYY or YYYY-MM-DD"
_MSG_TWO_DIGIT = "has a two-digit year, which is ambiguous: write the year in full (DD/MM/YYYY)"
_MSG_MONTH_FIRST = "looks month-first, which is not accepted: use day-first DD/MM/YYYY or YYYY-MM-DD"
_MSG_NOT_REAL = "is not a real calendar date"


def _month_number(word: str) -> int | None:
    # Accept "Mar", "March" and the common "Sept"; anything shorter than three letters is too loose.
    if len(word) < 3:
        return None
    if word == "sept":
        return 9
    for number, name in enumerate(_MONTHS, start=1):
        if name.startswith(word):
            return number
    return None


def _make_date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        # `from None`: the underlying message quotes the numbers, which are part of a date of birth.
        raise ValueError(_MSG_NOT_REAL) from None


def _full_year(digits: str) -> int:
    if len(digits) == 2:
        raise ValueError(_MSG_TWO_DIGIT)
    if len(digits) != 4:
        raise ValueError(_MSG_FORMAT)
    return int(digits)


def parse_uk_date(text: str) -> date:
    """A date written ISO (`2016-03-04`, optionally with a time) or UK day-first.

    Day-first forms: `04/03/2016`, `4/3/2016`, `04-03-2016`, `04.03.2016`, `4 Mar 2016`, `4th March 2016`,
    `04-Mar-2016`. Two-digit years and month-first dates are refused rather than guessed.
    """
    value = text.strip().lower()
    if not value:
        raise ValueError("is blank")
    if match := _YEAR_FIRST.fullmatch(value):
        return _make_date(int(match[1]), int(match[3]), int(match[4]))
    if match := _DAY_FIRST.fullmatch(value):
        day, month = int(match[1]), int(match[3])
        year = _full_year(match[4])
        if month > 12 and day <= 12:
            raise ValueError(_MSG_MONTH_FIRST)
        return _make_date(year, month, day)
    if match := _DAY_MONTH_NAME.fullmatch(value):
        month = _month_number(match[2])
        if month is None:
            raise ValueError(_MSG_FORMAT)
        return _make_date(_full_year(match[3]), month, int(match[1]))
    raise ValueError(_MSG_FORMAT)


# --- Dates decided per file ------------------------------------------------------------------------------


class DateOrder(StrEnum):
    """How a file writes numeric dates, decided from all of its dates before any row is read."""

    ISO = "iso"  # no numeric day/month date at all (ISO or month names only)
    DAY_FIRST = "day-first"  # the UK default, and every file that does not prove otherwise
    MONTH_FIRST = "month-first"  # some date has a second part over 12, and none a first part over 12
    MIXED = "mixed"  # both proven: the file was damaged (a US-locale spreadsheet); ambiguous dates are refused


_MSG_AMBIGUOUS = (
    "is ambiguous: this file has both day-first and month-first dates (it may have been through a"
    " spreadsheet set to another country), so a date whose day and month are both 12 or less cannot be read;"
    " write it as YYYY-MM-DD"
)
_MSG_CENTURY = "has a two-digit year that gives no age in the programme's range: write the year in full"


def date_order_of(texts: Iterable[str]) -> DateOrder:
    """The file's date order: day-first unless some date proves month-first; both proven = mixed."""
    numeric = day_first = month_first = False
    for text in texts:
        match = _DAY_FIRST.fullmatch(text.strip())
        if match is None:
            continue
        numeric = True
        first, second = int(match[1]), int(match[3])
        day_first |= first > 12 >= second
        month_first |= second > 12 >= first
    if day_first and month_first:
        return DateOrder.MIXED
    if month_first:
        return DateOrder.MONTH_FIRST
    return DateOrder.DAY_FIRST if numeric else DateOrder.ISO


def _two_digit_year(digits: str, day: int, month: int, today: date) -> date:
    """A date whose year has two digits: the century is the one that gives an age in the band (3-19)."""
    _make_date(2000, month, day)  # a leap year: refuses only dates that exist in no year
    fits = []
    for century in (1900, 2000):
        with contextlib.suppress(ValueError):
            candidate = date(century + int(digits), month, day)
            if MIN_AGE <= age_on(candidate, today) <= MAX_AGE:
                fits.append(candidate)
    if len(fits) != 1:
        raise ValueError(_MSG_CENTURY)
    return fits[0]


def read_date(text: str, order: DateOrder, today: date) -> tuple[date, bool]:
    """A date of birth read in the file's date order; also whether its year was written with two digits.

    ISO and month-name dates read the same in any order. A two-digit year is accepted where the
    programme's age band fixes the century (a band of 17 years cannot straddle two centuries).
    """
    value = text.strip().lower()
    match = _DAY_FIRST.fullmatch(value)
    if match is None:
        named = _DAY_MONTH_NAME.fullmatch(value)
        if named is not None and len(named[3]) == 2 and (month := _month_number(named[2])) is not None:
            return _two_digit_year(named[3], int(named[1]), month, today), True
        return parse_uk_date(text), False
    first, second, digits = int(match[1]), int(match[3]), match[4]
    if order is DateOrder.MIXED and first <= 12 and second <= 12 and first != second:
        raise ValueError(_MSG_AMBIGUOUS)
    month_first = second > 12 >= first if order is DateOrder.MIXED else order is DateOrder.MONTH_FIRST
    day, month = (second, first) if month_first else (first, second)
    if not month_first and month > 12 and day <= 12:
        raise ValueError(_MSG_MONTH_FIRST)
    if len(digits) == 2:
        return _two_digit_year(digits, day, month, today), True
    return _make_date(_full_year(digits), month, day), False


# --- Gender ------------------------------------------------------------------------------------------------

_GENDER_CODES: dict[str, Gender] = {
    **dict.fromkeys(("f", "female", "girl", "g"), Gender.FEMALE),
    **dict.fromkeys(("m", "male", "boy", "b"), Gender.MALE),
    **dict.fromkeys(
        (
            "o", "other", "x", "nonbinary", "nb", "enby", "genderqueer", "genderfluid", "agender",
            "intersex", "selfdescribe", "selfdescribed",
        ),
        Gender.OTHER,
    ),
}
# Explicit "don't know" answers. Gender is required, and "other" is an identity, not a stand-in for
# missing data, so these are errors with their own message rather than being mapped to OTHER.
_GENDER_UNKNOWN = frozenset(
    {"u", "unknown", "notknown", "unspecified", "notspecified", "notstated", "notrecorded", "na", "prefernottosay",
     "withheld", "indeterminate"}
)


def parse_gender(text: str) -> Gender:
    """A gender from MIS codes (F/M, Female/Male, Girl/Boy, B/G) or an "other" answer (Other, X, Non-binary)."""
    code = re.sub(r"[\s_\-/.]", "", text.strip().casefold())
    if not code:
        raise ValueError("is blank")
    if code in _GENDER_CODES:
        return _GENDER_CODES[code]
    if code in _GENDER_UNKNOWN:
        raise ValueError("is recorded as not known: record female, male or other")
    raise ValueError("is not recognised: use F, M or other (Female, Male, Girl, Boy, X and Non-binary also work)")


# --- Names -------------------------------------------------------------------------------------------------


_JOINERS = frozenset("\u200c\u200d")


def normalise_name(text: str) -> str:
    """Trimmed, inner whitespace collapsed to single spaces, Unicode NFC; case kept as the school wrote it."""
    return unicodedata.normalize("NFC", " ".join(text.split()))


def clean_name(text: str) -> str:
    """A normalised name, or ValueError when it is blank, too long, has control characters or no letter."""
    name = normalise_name(text)
    if not name:
        raise ValueError("is blank")
    if len(name) > MAX_NAME_LENGTH:
        raise ValueError(f"is longer than {MAX_NAME_LENGTH} characters")
    # Cc: control characters; Cs: lone surrogates, which is how undecodable bytes arrive.
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in name):
        raise ValueError("contains control characters or bytes that are not text")
    # Invisible formatting (right-to-left overrides, zero-width spaces) can make a name on a login card or
    # certificate read differently from what is stored; the joiners are kept because scripts need them.
    if any(unicodedata.category(ch) == "Cf" and ch not in _JOINERS for ch in name):
        raise ValueError("contains invisible formatting characters")
    if not any(ch.isalpha() for ch in name):
        raise ValueError("must contain at least one letter")
    return name


# --- Derived values ----------------------------------------------------------------------------------------


def apply_dob_policy(dob: date, policy: DobPolicy) -> date:
    """The date of birth a school keeps: all of it, or (generic) 1 January of the birth year."""
    if policy is DobPolicy.GENERIC:
        return date(dob.year, 1, 1)
    return dob


def age_on(dob: date, today: date) -> int:
    """Completed years of age on `today` (a 29 February birthday falls on 1 March in other years)."""
    return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))


def _school_year_start(day: date) -> int:
    """The calendar year in which the English school year containing `day` began (1 September cut-off)."""
    return day.year if day.month >= 9 else day.year - 1


def cohort_of(dob: date) -> int:
    """The school cohort of a date of birth: the year its English school year (1 September) began."""
    return _school_year_start(dob)


def year_group_of_cohort(cohort: int, today: date) -> int:
    return _school_year_start(today) - cohort - 5


def year_group(dob: date, today: date) -> int:
    """English year group on `today`: Reception = 0, Year 1 = 1 … (negative for nursery, >13 past Year 13).

    Children born between 1 September and 31 August form one cohort, which starts Reception in the
    September after the youngest turns four.
    """
    return _school_year_start(today) - _school_year_start(dob) - 5


# Letters that NFKD does not decompose into a base letter plus accent.
_FOLD = str.maketrans({"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i", "ħ": "h"})


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_FOLD))
    # Dropping everything but letters and digits also makes "Anne-Marie", "Anne Marie" and "AnneMarie",
    # or "O'Brien" and "O’Brien", the same: MIS re-exports differ in exactly these ways.
    return "".join(ch for ch in decomposed if ch.isalnum())


def match_key(first_name: str, last_name: str, dob: date) -> str:
    """A key that is equal for the same pupil however case, accents, spacing or punctuation differ.

    Pass the date of birth as stored (after the school's DobPolicy) so uploads and stored pupils compare
    like with like.
    """
    return f"{_fold(first_name)}|{_fold(last_name)}|{dob.isoformat()}"
