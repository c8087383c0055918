"""Property: whatever the roster and whatever the file, a full sync never marks as left a pupil whom some row
of the file identifies, and a sync that is refused or held writes nothing (against Azurite)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.errors import DomainError
from shared.organisation.schemas import PartnerIn, SchoolIn
from shared.organisation.service import create_partner, create_school
from shared.organisation.store import get_school
from shared.roster import ingest, rules
from shared.roster.errors import RosterNothingAccepted, RosterSyncHeld
from shared.roster.model import PupilStatus
from shared.roster.schemas import RosterMode
from shared.roster.store import roster_of
from shared.security.principal import Principal, Role
from shared.storage.names import PUPILS
from tests.data.synthetic import make_upn

TRUST = Principal(subject_id="stf_prop", role=Role.TRUST_ADMIN)
FIRST = ("Ada", "Bea", "Cal", "Dot", "Eve", "Fin", "Gus", "Hal")
LAST = ("Ash", "Birch", "Cedar", "Oak")


@st.composite
def candidates(draw) -> list[dict]:
    """Up to eight distinct children (name, date of birth, gender, maybe a UPN)."""
    names = draw(st.lists(st.tuples(st.sampled_from(FIRST), st.sampled_from(LAST)), min_size=1, max_size=8,
                          unique=True))
    out = []
    for i, (first, last) in enumerate(names):
        dob = draw(st.dates(min_value=date(2012, 9, 1), max_value=date(2019, 8, 31)))
        upn = make_upn(201 + i, 1234, dob.year, i) if draw(st.booleans()) else ""
        out.append({"first": first, "last": last, "dob": dob, "gender": draw(st.sampled_from("FM")), "upn": upn})
    return out


# How a row may be damaged: none, or one field made unreadable (never so that it names a different child).
DAMAGE = ("none", "none", "gender", "dob_two_digit", "dob_impossible", "upn_check", "first_blank")


def row_for(child: dict, damage: str) -> dict:
    row = {"Forename": child["first"], "Surname": child["last"], "DOB": child["dob"].strftime("%d/%m/%Y"),
           "Gender": child["gender"], "UPN": child["upn"]}
    if damage == "gender":
        row["Gender"] = "?"
    elif damage == "dob_two_digit":
        row["DOB"] = child["dob"].strftime("%d/%m/%y")
    elif damage == "dob_impossible":
        row["DOB"] = "31/02/" + str(child["dob"].year)
    elif damage == "upn_check" and child["upn"]:
        row["UPN"] = ("A" if child["upn"][0] != "A" else "B") + child["upn"][1:]
    elif damage == "first_blank":
        row["Forename"] = ""
    return row


def to_csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["Forename", "Surname", "DOB", "Gender", "UPN"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def identifies(row: dict, pupil) -> bool:
    """The oracle, written from the rule: a readable UPN, or a readable name and date of birth, that match."""
    try:
        upn = rules.clean_upn(row["UPN"])
    except ValueError:
        upn = None
    if upn and upn == pupil.upn:
        return True
    try:
        key = rules.match_key(rules.clean_name(row["Forename"]), rules.clean_name(row["Surname"]),
                              rules.parse_uk_date(row["DOB"]))
    except ValueError:
        return False
    return key == rules.match_key(pupil.first_name, pupil.last_name, pupil.date_of_birth)


def snapshot(storage, school_id: str) -> list[dict]:
    return sorted((dict(e) for e in storage.table(PUPILS).query_entities(
        "PartitionKey eq @s", parameters={"s": school_id})), key=lambda e: e["RowKey"])


@pytest.fixture
def partner_id(storage):
    return create_partner(TRUST, PartnerIn(name="Property CU"), storage=storage).id


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(children=candidates(), data=st.data())
def test_no_pupil_a_row_identifies_is_marked_left_and_refused_or_held_syncs_write_nothing(
    storage, partner_id, children, data
):
    school = get_school(storage, create_school(TRUST, partner_id, SchoolIn(name="P Primary"), storage=storage).id)
    on_roll = data.draw(st.lists(st.sampled_from(children), unique_by=lambda c: (c["first"], c["last"])),
                        label="on roll")
    if on_roll:
        ingest.sync_school(storage, school, data=to_csv([row_for(c, "none") for c in on_roll]),
                           mode=RosterMode.PARTIAL)
    in_file = data.draw(st.lists(st.tuples(st.sampled_from(children), st.sampled_from(DAMAGE)), min_size=1,
                                 max_size=10), label="file rows")
    rows = [row_for(child, damage) for child, damage in in_file]
    before = snapshot(storage, school.id)
    existing = roster_of(storage, school.id)
    try:
        ingest.sync_school(storage, get_school(storage, school.id), data=to_csv(rows), mode=RosterMode.FULL,
                           actor_id=None)
    except (RosterSyncHeld, RosterNothingAccepted, DomainError):
        assert snapshot(storage, school.id) == before
        return
    after = {p.id: p for p in roster_of(storage, school.id)}
    for pupil in existing:
        if any(identifies(row, pupil) for row in rows):
            assert after[pupil.id].status is PupilStatus.ACTIVE, "a pupil named in the file was marked left"
