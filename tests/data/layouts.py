"""Generated files in the layouts schools really send, written from the published column lists (never copied).

- `census_csv`: a DfE school-census-style pupil extract (the CTF/census column names: UPN, Surname,
  Forename, PreferredSurname, PreferredForename, DOB, Gender, FSMeligible, EverFSM6, Ethnicity, SENprovision,
  ServiceChild, EYPP basis...). Dates ISO, as census XML and most CTF tools write them.
- `us_damaged_csv`: a UK file that went through a spreadsheet set to the US: the dates it held as real
  dates it writes back month-first and short (`1/13/05`), the ones typed in by hand stay as typed
  (`01/12/2005`, day-first). Read with one order, half of the file would be wrong.

Every name is invented; UPNs carry correct check letters and real DfE LA numbers.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import date, timedelta

from tests.data.synthetic import FIRST_NAMES, SURNAMES, make_upn

CENSUS_HEADER = (
    "UPN", "Surname", "Forename", "PreferredSurname", "PreferredForename", "DOB", "Gender", "NCyearActual",
    "FSMeligible", "EverFSM6", "Ethnicity", "SENprovision", "ServiceChild", "Basis for EYPP", "LookedAfter",
    "Birth Place", "FirstLanguage",
)


@dataclass(frozen=True)
class Child:
    first: str
    last: str
    preferred: str
    dob: date
    gender: str
    upn: str


def children(n: int, seed: int, *, today: date) -> list[Child]:
    rng = random.Random(seed)
    out, seen = [], set()
    while len(out) < n:
        first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
        dob = today - timedelta(days=rng.randrange(5 * 365, 11 * 365))
        if (first, last, dob) in seen:
            continue
        seen.add((first, last, dob))
        preferred = first[:3] + "ie" if rng.random() < 0.2 else ""
        # One establishment per thousand children keeps every UPN distinct.
        out.append(Child(first, last, preferred, dob, rng.choice("MF"),
                         make_upn(873, 2104 + len(out) // 1000, dob.year + 4, len(out))))
    return out


def _csv(header: tuple[str, ...], rows: list[tuple]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def census_csv(kids: list[Child]) -> bytes:
    rows = [
        (c.upn, c.last, c.first, "", c.preferred, c.dob.isoformat(), c.gender, "4", "false", "0", "WBRI", "N",
         "N", "", "false", "Luton", "ENG")
        for c in kids
    ]
    return _csv(CENSUS_HEADER, rows)


def us_damaged_csv(kids: list[Child], *, with_upns: bool = True) -> bytes:
    """Every other date a real date written US-style `M/D/YY`; the rest typed UK-style `DD/MM/YYYY`."""
    rows = []
    for i, c in enumerate(kids):
        us_style = f"{c.dob.month}/{c.dob.day}/{c.dob.year % 100:02d}"
        written = us_style if i % 2 == 0 else c.dob.strftime("%d/%m/%Y")
        rows.append((c.first, c.last, written, c.gender, c.upn if with_upns else ""))
    return _csv(("Forename", "Surname", "Date of Birth", "Gender", "UPN"), rows)


# --- OneRoster CSV bundles (1EdTech OneRoster 1.1 and 1.2 CSV binding column lists) --------------------------

OR11_USERS = ("sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role", "username",
              "userIds", "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone",
              "agentSourcedIds", "grades", "password")
OR12_USERS = ("sourcedId", "status", "dateLastModified", "enabledUser", "username", "userIds", "givenName",
              "familyName", "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades",
              "password", "userMasterIdentifier", "resourceSourcedIds", "preferredFirstName", "preferredMiddleName",
              "preferredLastName", "primaryOrgSourcedId", "pronouns")
OR12_ROLES = ("sourcedId", "status", "dateLastModified", "userSourcedId", "roleType", "role", "beginDate", "endDate",
              "orgSourcedId", "userProfileSourcedId")
OR_DEMOGRAPHICS = ("sourcedId", "status", "dateLastModified", "birthDate", "sex", "americanIndianOrAlaskaNative",
                   "asian", "blackOrAfricanAmerican", "nativeHawaiianOrOtherPacificIslander", "white",
                   "demographicRaceTwoOrMoreRaces", "hispanicOrLatinoEthnicity", "countryOfBirthCode",
                   "stateOfBirthAbbreviation", "cityOfBirth", "publicSchoolResidenceStatus")
OR_ORGS = ("sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId")
OR_DEMOGRAPHIC_SPECIAL = OR_DEMOGRAPHICS[5:15]


@dataclass
class RosterUser:
    child: Child | None  # None: a teacher
    sourced_id: str
    org: str = "org-school-1"
    status: str = ""
    enabled: str = "true"
    sex: str | None = None  # overrides the child's
    upn_in: str = "identifier"  # identifier | userIds | none


def _sex(user: RosterUser) -> str:
    if user.sex is not None:
        return user.sex
    return {"F": "female", "M": "male"}[user.child.gender] if user.child else ""


def oneroster_bundle(users: list[RosterUser], *, version: str = "1.1", users_mode: str = "bulk",
                     schools: tuple[str, ...] = ("org-school-1",), extra: dict[str, bytes] | None = None) -> bytes:
    """A bundle as a SIS exports it: manifest, orgs, users (+ roles for 1.2) and demographics."""
    import zipfile

    manifest = [("propertyName", "value"), ("manifest.version", "1.0"), ("oneroster.version", version),
                ("file.academicSessions", "absent"), ("file.categories", "absent"), ("file.classes", "absent"),
                ("file.classResources", "absent"), ("file.courses", "absent"), ("file.courseResources", "absent"),
                ("file.demographics", users_mode), ("file.enrollments", "absent"),
                ("file.lineItems", "absent"), ("file.orgs", "bulk"), ("file.resources", "absent"),
                ("file.results", "absent"), ("file.users", users_mode), ("source.systemName", "Test SIS")]
    if version == "1.2":
        manifest.append(("file.roles", users_mode))
    orgs = [("org-trust", "", "", "Test Trust", "district", "", "")]
    orgs += [(s, "", "", f"School {s}", "school", "", "org-trust") for s in schools]
    user_rows, role_rows, demo_rows = [], [], []
    for u in users:
        c = u.child
        first, last = (c.first, c.last) if c else ("Tess", "Teacher")
        upn = c.upn if c else ""
        identifier = upn if u.upn_in == "identifier" else f"S{u.sourced_id}"
        user_ids = f"{{LA:{upn}}}" if u.upn_in == "userIds" else f"{{SIS:{u.sourced_id}}}"
        role = "student" if c else "teacher"
        if version == "1.1":
            user_rows.append((u.sourced_id, u.status, "", u.enabled, u.org, role, f"user{u.sourced_id}", user_ids,
                              first, last, "", identifier, "", "", "", "", "05" if c else "", ""))
        else:
            user_rows.append((u.sourced_id, u.status, "", u.enabled, f"user{u.sourced_id}", user_ids, first, last,
                              "", identifier, "", "", "", "", "05" if c else "", "", "", "",
                              c.preferred if c else "", "", "", u.org, ""))
            role_rows.append((f"r{u.sourced_id}", "", "", u.sourced_id, "primary", role, "", "", u.org, ""))
        if c:
            demo_rows.append((u.sourced_id, u.status, "", c.dob.isoformat(), _sex(u), "false", "false", "false",
                              "false", "true", "false", "false", "GB", "", "Luton", ""))
    files = {
        "manifest.csv": _csv(manifest[0], manifest[1:]),
        "orgs.csv": _csv(OR_ORGS, orgs),
        "users.csv": _csv(OR11_USERS if version == "1.1" else OR12_USERS, user_rows),
        "demographics.csv": _csv(OR_DEMOGRAPHICS, demo_rows),
    }
    if version == "1.2":
        files["roles.csv"] = _csv(OR12_ROLES, role_rows)
    files |= extra or {}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


# --- Wonde students (Wonde API v1.0 Student object, with education_details included) --------------------------


def wonde_page(kids: list[Child], *, next_page: str | None = None, upn_at: str = "education_details") -> dict:
    """One page of `GET /v1.0/schools/{id}/students?include=education_details` as Wonde documents it."""
    students = []
    for i, c in enumerate(kids):
        student = {
            "id": f"A{100000 + i}", "upi": f"u{i:06d}", "mis_id": str(5000 + i), "initials": c.first[0] + c.last[0],
            "title": None, "surname": c.last, "forename": c.preferred or c.first, "middle_names": None,
            "legal_surname": c.last, "legal_forename": c.first,
            "gender": {"F": "FEMALE", "M": "MALE"}[c.gender],
            "date_of_birth": {"date": f"{c.dob.isoformat()} 00:00:00.000000", "timezone_type": 3,
                              "timezone": "Europe/London"},
            "restored_at": None,
            "created_at": {"date": "2024-09-01 08:00:00.000000", "timezone_type": 3, "timezone": "Europe/London"},
            "updated_at": {"date": "2025-01-10 08:00:00.000000", "timezone_type": 3, "timezone": "Europe/London"},
        }
        if upn_at == "top":
            student["upn"] = c.upn
        else:
            student["education_details"] = {"data": {"id": f"E{i}", "upn": c.upn, "former_upn": None,
                                                     "admission_date": None, "leaving_date": None}}
        students.append(student)
    return {"data": students, "meta": {"pagination": {"next": next_page, "previous": None, "more": bool(next_page),
                                                      "per_page": 50, "current_page": 1}, "includes": []}}
