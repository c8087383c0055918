"""Files as schools send them: census extracts, US-locale-damaged spreadsheets, special-category headers, UPNs."""

from __future__ import annotations

from datetime import date

import pytest

from shared.roster import parse_csv
from shared.roster.columns import is_special_category, recognise
from shared.roster.rules import clean_upn, upn_check_letter
from tests.data.layouts import census_csv, children, us_damaged_csv
from tests.unit.roster.support import roster, upn

TODAY = date(2026, 11, 1)


def parse(data: bytes):
    return parse_csv(data, today=TODAY, max_bytes=1_000_000)


def test_a_us_locale_damaged_file_swaps_no_date_and_refuses_only_the_ambiguous_ones():
    kids = children(23, seed=5, today=TODAY)
    result = parse(us_damaged_csv(kids))
    assert result.date_order == "mixed"
    truth = {i + 1: kid.dob for i, kid in enumerate(kids)}
    assert result.records, "the unambiguous rows still load"
    assert all(r.date_of_birth == truth[r.row] for r in result.records)
    ambiguous = {i + 1 for i, k in enumerate(kids)
                 if k.dob.day <= 12 and k.dob.month <= 12 and k.dob.day != k.dob.month}
    assert {e.row for e in result.errors} == ambiguous
    assert all(e.field == "date_of_birth" and "ambiguous" in e.message for e in result.errors)


def test_a_census_extract_loads_with_preferred_names_and_reports_every_special_category_column():
    kids = children(12, seed=6, today=TODAY)
    result = parse(census_csv(kids))
    assert result.errors == [] and len(result.records) == 12
    assert [r.first_name for r in result.records] == [k.preferred or k.first for k in kids]
    assert [r.upn for r in result.records] == [k.upn for k in kids]
    assert set(result.special_category_columns) == {
        "FSMeligible", "EverFSM6", "Ethnicity", "SENprovision", "ServiceChild", "Basis for EYPP", "LookedAfter",
        "Birth Place", "FirstLanguage"}


@pytest.mark.parametrize("header", [
    "FSMeligible", "EverFSM6", "upfsm_date_ranges", "americanIndianOrAlaskaNative", "asian",
    "blackOrAfricanAmerican", "white", "nativeHawaiianOrOtherPacificIslander", "demographicRaceTwoOrMoreRaces",
    "hispanicOrLatinoEthnicity", "cityOfBirth", "stateOfBirthAbbreviation", "countryOfBirthCode",
    "Diplomatic And Forces", "Basis for EYPP", "Birth Place", "Birth County", "SEN Status", "EHCP", "Religion",
    "Medical Conditions", "Doctor", "GP Surgery", "Attendance %", "Exclusions", "Behaviour points", "CLA", "CIN",
    "Pupil Premium", "Looked After", "Young Carer",
])
def test_special_category_headers_are_recognised_on_their_words(header):
    assert is_special_category(header)


@pytest.mark.parametrize("header", [
    "Date of Birth", "birthDate", "sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds",
    "username", "userIds", "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone",
    "grades", "Present", "Consent given", "Adno", "Reg", "Year Group", "Tutor Group", "House", "Admission Date",
    "preferredMiddleName", "Legal Surname",
])
def test_ordinary_headers_are_not_special_category(header):
    assert not is_special_category(header)


@pytest.mark.parametrize(("header", "field"), [
    ("Preferred Name", "first_name"), ("PreferredName", "first_name"), ("Known As", "first_name"),
    ("UPN ID", "upn"), ("preferredFirstName", "first_name"), ("preferredLastName", "last_name"),
])
def test_common_headers_are_recognised(header, field):
    assert recognise(header)[0] == field


def test_the_preferred_name_is_the_one_stored_when_a_file_has_both():
    result = roster("Quill,Florence,Flo,22/06/2019,F", header="Surname,Forename,Preferred Name,DOB,Gender")
    assert result.records[0].first_name == "Flo"
    result = roster("Quill,Florence,,22/06/2019,F", header="Surname,Forename,Preferred Name,DOB,Gender")
    assert result.records[0].first_name == "Florence"


def test_a_upn_whose_local_authority_number_dfe_never_issued_is_not_accepted():
    body = "000200005001"
    with pytest.raises(ValueError, match="local-authority"):
        clean_upn(upn_check_letter(body) + body)
    assert clean_upn(upn(1)) == upn(1)  # 873 Cambridgeshire


@pytest.mark.parametrize("placeholder", ["UN1", "UN2", "un3", "UN4", " UN5 "])
def test_dfe_upn_unknown_placeholders_mean_no_upn(placeholder):
    result = roster(f"Quill,Flo,22/06/2019,F,{placeholder}")
    assert result.errors == [] and result.warnings == [] and result.records[0].upn is None


def test_an_invalid_optional_upn_loads_the_pupil_without_it_and_warns_without_the_value():
    body = "000200005001"
    bad = upn_check_letter(body) + body
    result = roster(f"Quill,Flo,22/06/2019,F,{bad}")
    assert result.errors == [] and result.records[0].upn is None
    assert [(w.row, w.field) for w in result.warnings] == [(1, "upn")] and bad not in result.warnings[0].message
