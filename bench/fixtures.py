"""Benchmark set-up through the project's own services (not HTTP): a Trust caller, partners, schools,
staff with passwords, roster files and pupils.

Unlike `bench.harness` and `bench.floor` this module is project code's client, so it imports the app;
import it only from benchmark functions (after the runner has prepared the environment).
"""

from __future__ import annotations

import csv
import io
import secrets
from dataclasses import dataclass
from datetime import date

from shared.identity.service import accept_invitation
from shared.ids import utcnow
from shared.organisation import store as org_store
from shared.organisation.model import School
from shared.organisation.schemas import PartnerIn, SchoolIn, StaffIn
from shared.organisation.service import create_partner, create_school, create_school_staff
from shared.roster.ingest import sync_school
from shared.roster.model import MAX_AGE, MIN_AGE, Pupil
from shared.roster.parsing import parse_csv
from shared.roster.rules import age_on
from shared.roster.store import roster_of
from shared.security.principal import Principal, Role
from shared.storage.clients import Storage
from tests.data.synthetic import SIMS_HEADER, SYNTHETIC_TODAY, synthetic_sims_csv

# The caller of set-up services: the HTTP layer would hand the same Principal over after checking a token.
TRUST = Principal(subject_id="stf_benchtrust", role=Role.TRUST_ADMIN)
STAFF_PASSWORD = "correct horse battery staple"  # passes the staff password rules
_DOB_COLUMN = SIMS_HEADER.index("DOB")


def new_partner(storage: Storage, label: str = "Bench") -> str:
    return create_partner(TRUST, PartnerIn(name=f"{label} Children's University"), storage=storage).id


def new_school(storage: Storage, partner_id: str, label: str = "Bench Primary") -> School:
    created = create_school(TRUST, partner_id, SchoolIn(name=label), storage=storage)
    school = org_store.get_school(storage, created.id)
    assert school is not None
    return school


def refreshed(storage: Storage, school: School) -> School:
    """The school as stored now (a sync stamps last_sync_at; the next sync should start from that)."""
    school = org_store.get_school(storage, school.id)
    assert school is not None
    return school


@dataclass(frozen=True)
class StaffAccount:
    id: str
    email: str
    password: str


def new_coordinator(storage: Storage, school: School, label: str = "bench") -> StaffAccount:
    """A school staff account with a password, made as the Trust and the invitation page would. (School staff
    sign in with a password alone unless they opt in to two-step sign-in; trust admins and CU managers must
    use it, so they would measure a different path.)"""
    email = f"{label}.{secrets.token_hex(4)}@example.org.uk"
    created = create_school_staff(
        TRUST, school.id, StaffIn(first_name="Bench", last_name="Staff", nickname=label.title(), email=email),
        storage=storage,
    )
    token = created.invitation_url.rsplit("/", 1)[1]
    accept_invitation(token, STAFF_PASSWORD, storage=storage)
    return StaffAccount(id=created.id, email=email, password=STAFF_PASSWORD)


# --- roster files --------------------------------------------------------------------------------------


def _school_year_start(day: date) -> int:
    return day.year if day.month >= 9 else day.year - 1


def _shift_years(dob: date, years: int) -> date:
    try:
        return dob.replace(year=dob.year + years)
    except ValueError:  # 29 February into a common year
        return dob.replace(year=dob.year + years, day=28)


def roster_csv(n_rows: int, seed: int, *, today: date | None = None) -> bytes:
    """`synthetic_sims_csv` moved to today's school year, so every row is valid today.

    The synthetic file's dates of birth cover Reception to Year 6 of 2024/25 (SYNTHETIC_TODAY); they are
    moved on by whole years to the same year groups of the current school year (ages 4 to 11), well inside
    MIN_AGE..MAX_AGE. The result is checked by parsing it as the service will, today: a file with a
    rejected row would measure a different workload, so that fails the benchmark rather than skewing it.
    """
    today = today or utcnow().date()
    years = _school_year_start(today) - _school_year_start(SYNTHETIC_TODAY)
    data = synthetic_sims_csv(n_rows, seed)
    if years:
        text = data.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text, newline="")))
        for row in rows[1:]:
            day, month, year = (int(part) for part in row[_DOB_COLUMN].split("/"))
            row[_DOB_COLUMN] = _shift_years(date(year, month, day), years).strftime("%d/%m/%Y")
        out = io.StringIO(newline="")
        csv.writer(out, lineterminator="\r\n").writerows(rows)
        data = b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")
    parsed = parse_csv(data, today=today, max_bytes=len(data) + 1)
    if parsed.errors or len(parsed.records) != n_rows:
        raise RuntimeError(
            f"synthetic roster not valid on {today}: {len(parsed.records)} of {n_rows} rows accepted, "
            f"first error: {parsed.errors[0].message if parsed.errors else 'none'}"
        )
    ages = [age_on(r.date_of_birth, today) for r in parsed.records]
    assert min(ages) >= MIN_AGE and max(ages) <= MAX_AGE
    return data


def school_with_pupils(storage: Storage, partner_id: str, n_pupils: int, seed: int, label: str) -> tuple[
    School, list[Pupil]
]:
    school = new_school(storage, partner_id, label)
    report = sync_school(storage, school, data=roster_csv(n_pupils, seed), content_type="text/csv")
    assert report.created == n_pupils, report
    return refreshed(storage, school), roster_of(storage, school.id)
