"""Which header is which: the MIS header variants we recognise, and which columns carry special-category data.

Matching ignores case, spaces, punctuation and bracketed hints, so `Date of Birth (dd/mm/yyyy)`,
`date_of_birth`, `DOB` and `birthDate` are the same column. A `Pupil`/`Student`/`Child` prefix is ignored
too (`Student Forename`, `Pupil UPN`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

FIRST_NAME = "first_name"
LAST_NAME = "last_name"
DATE_OF_BIRTH = "date_of_birth"
GENDER = "gender"
UPN = "upn"
# OneRoster `users.csv` mixes students with teachers and parents; the role column says which is which.
ROLE = "role"

REQUIRED_FIELDS = (FIRST_NAME, LAST_NAME, DATE_OF_BIRTH, GENDER)
STORED_FIELDS = (*REQUIRED_FIELDS, UPN)

FIELD_LABELS = {
    FIRST_NAME: "first name",
    LAST_NAME: "last name",
    DATE_OF_BIRTH: "date of birth",
    GENDER: "gender",
    UPN: "UPN",
    ROLE: "role",
}

# Lower rank wins when a file has several columns for one field. The name a pupil is known by is the one
# that goes on their login card and certificates, so preferred names outrank plain ones, which outrank
# legal ones (Wonde's `forename` is already the preferred name, with `legal_forename` beside it).
_SYNONYMS: dict[str, tuple[tuple[str, ...], ...]] = {
    FIRST_NAME: (
        ("preferredforename", "preferredfirstname", "preferredgivenname", "preferredname", "knownas", "knownasname",
         "knownasforename"),
        ("forename", "forenames", "firstname", "givenname", "first"),
        ("legalforename", "legalforenames", "legalfirstname", "legalgivenname", "officialforename"),
    ),
    LAST_NAME: (
        ("preferredsurname", "preferredlastname", "preferredfamilyname"),
        ("surname", "lastname", "familyname", "last"),
        ("legalsurname", "legallastname", "legalfamilyname", "officialsurname"),
    ),
    DATE_OF_BIRTH: (("dateofbirth", "dob", "birthdate", "birthday", "dateofbirthddmmyyyy"),),
    GENDER: (("gender",), ("sex",)),
    UPN: (("upn", "uniquepupilnumber", "upnid", "upnnumber"),),
    ROLE: (("role",),),
}
_RANK: dict[str, tuple[str, int]] = {
    name: (field_name, rank)
    for field_name, ranks in _SYNONYMS.items()
    for rank, names in enumerate(ranks)
    for name in names
}
_SUBJECT_PREFIXES = ("students", "student", "pupils", "pupil", "childs", "child", "learner")

# Special-category (UK GDPR Art. 9) and other sensitive pupil data the DPIA forbids us to hold.
# A header is split into words (camelCase, run-together capitals, digits and punctuation all split), so
# `FSMeligible`, `EverFSM6`, `SEN Status` and `fsm_eligible` all contain the word FSM or SEN. Short codes
# count only as whole words, so they do not fire inside other words (`present`, `absent`, `consent`);
# longer stems may appear anywhere in the squashed header (`Free School Meals Eligible`, `upfsm_date_ranges`).
_SPECIAL_WORDS = frozenset(
    {"sen", "send", "senco", "ehc", "ehcp", "fsm", "eal", "cla", "lac", "pp", "ppg", "cin", "cp", "gypsy",
     "traveller", "religion", "faith", "belief", "beliefs", "asylum", "refugee", "allergy", "allergies", "eypp",
     "eyppbasis", "race", "races", "racial", "asian", "white", "black", "hispanic", "latino", "latina", "gp",
     "doctor", "forces", "diplomatic", "attendance", "absence", "absences", "exclusion", "exclusions",
     "excluded", "behaviour", "behavior", "sexuality", "caste"}
)
_SPECIAL_STEMS = (
    "ethnic", "specialeducational", "specialneed", "learningdifficult", "medical", "medication", "health",
    "allerg", "disab", "dietary", "freeschoolmeal", "freemeal", "pupilpremium", "everfsm", "ever6", "upfsm",
    "fsmelig", "servicechild", "servicepremium", "armedforces", "forceschild", "additionallanguage",
    "firstlanguage", "homelanguage", "language", "religio", "nationalit", "countryofbirth", "birthcountry",
    "placeofbirth", "birthplace", "cityofbirth", "townofbirth", "stateofbirth", "countyofbirth", "birthcounty",
    "immigration", "lookedafter", "incare", "careleaver", "childinneed", "childprotection", "safeguarding",
    "socialcare", "socialworker", "youngcarer", "sexualorientation", "genderidentity", "transgender",
    "americanindian", "alaskanative", "africanamerican", "hawaiian", "pacificisland", "tworace", "moreraces",
    "earlyyearspupil", "earlyyearspremium", "exclusion", "behaviour", "attendance",
)
# Words: a run of capitals that is itself a word (`FSM` in `FSMeligible`, `SEN` in `SENStatus`), a
# capitalised or lower-case word, or digits.
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_CAPITALS = re.compile(r"[A-Z]{2,}")
_BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]")


def header_key(header: str) -> str:
    """The comparable form of a header: bracketed hints removed, only lower-case letters and digits kept."""
    return re.sub(r"[^0-9a-z]", "", _BRACKETED.sub("", header).casefold())


def display_name(header: str) -> str:
    """A header as reported back: as written, with whitespace tidied and length bounded."""
    return " ".join(header.replace("\ufeff", "").split())[:100]


# Cached: JSON items repeat the same keys on every pupil (bounded, as the keys come from the upload).
@functools.lru_cache(maxsize=512)
def recognise(header: str) -> tuple[str, int] | None:
    """The (field, rank) a header stands for, or None for a column we do not keep."""
    key = header_key(header)
    if key in _RANK:
        return _RANK[key]
    for prefix in _SUBJECT_PREFIXES:
        if key.startswith(prefix) and key[len(prefix):] in _RANK:
            return _RANK[key[len(prefix):]]
    return None


def header_words(header: str) -> set[str]:
    """The normalised words of a header, with both readings of a capital run before a lower-case word."""
    text = header.replace("\ufeff", "")
    words = {w.lower() for w in _WORD.findall(text)}
    # `FSMeligible` reads as "FS" + "Meligible" to the word pattern; the whole capital run is a word too.
    words |= {run.lower() for run in _CAPITALS.findall(text)}
    return words


def is_special_category(header: str) -> bool:
    if header_words(header) & _SPECIAL_WORDS:
        return True
    squashed = re.sub(r"[^0-9a-z]", "", header.casefold())
    return any(stem in squashed for stem in _SPECIAL_STEMS)


@dataclass
class ColumnPlan:
    """Where each kept field sits in a row, and what the report says about every other column.

    `index` lists a field's columns best first: a row whose preferred forename is blank falls back to
    its forename, then its legal forename (Arbor and Bromcom leave the preferred name blank when it is
    the legal one). Columns that may be stored this way are not reported as dropped.
    """

    index: dict[str, tuple[int, ...]] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)
    special: list[str] = field(default_factory=list)
    unnamed: frozenset[int] = frozenset()
    width: int = 0
    _seen: set[str] = field(default_factory=set, repr=False, compare=False)  # headers already dropped

    @property
    def missing(self) -> list[str]:
        return [f for f in REQUIRED_FIELDS if f not in self.index]

    def drop(self, header: str) -> None:
        # Each JSON item names its columns again: decide each header once.
        if header in self._seen:
            return
        self._seen.add(header)
        name = display_name(header)
        if name not in self.dropped:
            self.dropped.append(name)
            if is_special_category(header):
                self.special.append(name)


def plan_columns(headers: Sequence[str]) -> ColumnPlan:
    """Map each field to its columns, best rank first (the leftmost wins a tie); drop every other column."""
    plan = ColumnPlan(width=len(headers))
    candidates: dict[str, list[tuple[int, int]]] = {}
    for position, header in enumerate(headers):
        if found := recognise(header):
            field_name, rank = found
            candidates.setdefault(field_name, []).append((rank, position))
    plan.index = {name: tuple(position for _, position in sorted(found)) for name, found in candidates.items()}
    # The role column steers which rows are pupils but is never stored, so the report lists it as dropped.
    stored = {position for name, positions in plan.index.items() if name != ROLE for position in positions}
    unnamed = set()
    for position, header in enumerate(headers):
        if position in stored:
            continue
        if display_name(header):
            plan.drop(header)
        else:
            unnamed.add(position)
    plan.unnamed = frozenset(unnamed)
    return plan


def unnamed_column(position: int) -> str:
    """How a column without a header is named in the report (1-based, as a spreadsheet user counts)."""
    return f"(unnamed column {position + 1})"
