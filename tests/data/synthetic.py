"""Realistic, entirely fictional SIMS-style exports of any size, for tests and benchmarks.

Names are drawn at random from common given names and surnames, so no row describes a real child; UPNs
carry correct DfE check letters. Dates of birth cover Reception to Year 6 in the 2024/25 school year, so
parse with `today=SYNTHETIC_TODAY` (or any day up to 31 August 2025).
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta

from shared.roster.rules import UPN_LETTERS, upn_check_letter

SYNTHETIC_TODAY = date(2025, 3, 1)
OLDEST = date(2013, 9, 1)
YOUNGEST = date(2020, 8, 31)

FIRST_NAMES = (
    "Amelia", "Olivia", "Isla", "Ava", "Freya", "Lily", "Ivy", "Florence", "Willow", "Sophia", "Mia", "Grace",
    "Evie", "Poppy", "Ella", "Aisha", "Zara", "Maryam", "Priya", "Niamh", "Siân", "Zoë", "Chloé", "Anne-Marie",
    "Oliver", "George", "Noah", "Arthur", "Leo", "Muhammad", "Harry", "Oscar", "Archie", "Henry", "Theodore",
    "Jack", "Freddie", "Alfie", "Charlie", "Finley", "Rhys", "Callum", "Kai", "Tomás", "Mateusz", "Ibrahim",
    "Jayden", "Reuben", "Eli", "Rory",
)
SURNAMES = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Robinson",
    "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Thomas", "Clarke",
    "Jackson", "Wood", "Harris", "Edwards", "Turner", "Martin", "Cooper", "Hill", "Ward", "Hughes", "Moore",
    "Clark", "King", "Harrison", "Lewis", "Baker", "Lee", "Allen", "Morris", "Khan", "Scott", "Watson",
    "Davis", "Parker", "O'Connor", "Nowak", "Okafor", "Begum", "Ahmed", "Fitzgerald-Hughes", "McAllister",
    "Nguyen", "Kowalski", "Ó Briain", "ap Rhys",
)
ETHNICITIES = ("WBRI", "WOTH", "AIND", "APKN", "ABAN", "BAFR", "BCRB", "MWBC", "CHNE", "REFU", "NOBT")
SEN_STATUSES = ("N", "N", "N", "N", "K", "E")
LANGUAGES = ("ENG", "ENG", "ENG", "POL", "URD", "PAN", "BEN", "ARA", "SOM")

SIMS_HEADER = (
    "Adno", "UPN", "Legal Surname", "Legal Forename", "Preferred Surname", "Preferred Forename", "Gender", "DOB",
    "Year", "Reg", "Ethnicity", "SEN Status", "FSM Eligible", "EAL", "First Language",
)


def make_upn(la: int, establishment: int, year: int, serial: int, *, temporary: bool = False) -> str:
    """A UPN with a correct check letter; a temporary one ends in a letter chosen by `serial`."""
    if temporary:
        body = f"{la:03d}{establishment:04d}{year % 100:02d}{serial % 100:02d}{UPN_LETTERS[serial % 23]}"
    else:
        body = f"{la:03d}{establishment:04d}{year % 100:02d}{serial % 1000:03d}"
    return upn_check_letter(body) + body


def _random_dob(rng: random.Random) -> date:
    return OLDEST + timedelta(days=rng.randrange((YOUNGEST - OLDEST).days + 1))


def _year_label(dob: date) -> str:
    cohort = dob.year if dob.month >= 9 else dob.year - 1
    group = 2024 - cohort - 5
    return "R" if group == 0 else str(group)


def synthetic_sims_csv(n_rows: int, seed: int) -> bytes:
    """A SIMS "Student List" CSV (UTF-8 with BOM, CRLF) of `n_rows` distinct fictional pupils, all valid.

    Each pupil has a unique UPN (about one in fifty is temporary) and a unique name and date of birth;
    Ethnicity, SEN Status, FSM Eligible, EAL and First Language columns are there to be dropped.
    """
    rng = random.Random(seed)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(SIMS_HEADER)
    seen: set[tuple[str, str, date]] = set()
    for index in range(n_rows):
        while True:
            first, last, dob = rng.choice(FIRST_NAMES), rng.choice(SURNAMES), _random_dob(rng)
            if (first, last, dob) not in seen:
                seen.add((first, last, dob))
                break
        # Distinct (establishment, serial) pairs keep every UPN in the file unique.
        establishment, serial = 2000 + index // 1000, index % 1000
        upn = make_upn(330, establishment, dob.year + 4, serial, temporary=rng.random() < 0.02)
        language = rng.choice(LANGUAGES)
        writer.writerow(
            (
                1000 + index, upn, last, first, last, first, rng.choice("MF"), dob.strftime("%d/%m/%Y"),
                _year_label(dob), f"{_year_label(dob)}{rng.choice('ABC')}", rng.choice(ETHNICITIES),
                rng.choice(SEN_STATUSES), rng.choice(("Yes", "No", "No", "No")),
                "No" if language == "ENG" else "Yes", language,
            )
        )
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")
