import pytest

from shared.roster import RosterUnreadable
from shared.roster.columns import is_special_category, recognise
from tests.unit.roster.support import roster, upn

ROW_VALUES = {
    "first_name": "Flo",
    "last_name": "Quill",
    "date_of_birth": "22/06/2019",
    "gender": "F",
}


@pytest.mark.parametrize(
    ("header", "field"),
    [
        # SIMS
        ("Legal Surname", "last_name"), ("Preferred Surname", "last_name"), ("Legal Forename", "first_name"),
        ("Preferred Forename", "first_name"), ("DOB", "date_of_birth"), ("UPN", "upn"), ("Gender", "gender"),
        # Arbor
        ("First Name", "first_name"), ("Last Name", "last_name"), ("Preferred First Name", "first_name"),
        ("Date of Birth", "date_of_birth"),
        # Bromcom
        ("Forename", "first_name"), ("Surname", "last_name"), ("Date Of Birth", "date_of_birth"),
        # Wonde
        ("forename", "first_name"), ("legal_surname", "last_name"), ("date_of_birth", "date_of_birth"),
        # OneRoster
        ("givenName", "first_name"), ("familyName", "last_name"), ("birthDate", "date_of_birth"), ("sex", "gender"),
        ("role", "role"),
        # Variants a person types
        ("Unique Pupil Number", "upn"), ("Pupil UPN", "upn"), ("Student Forename", "first_name"),
        ("Child's Surname", "last_name"), ("D.O.B.", "date_of_birth"), ("Date of Birth (dd/mm/yyyy)", "date_of_birth"),
        ("  SURNAME  ", "last_name"), ("first-name", "first_name"), ("\ufeffSurname", "last_name"),
    ],
)
def test_header_variants_from_each_mis_are_recognised(header, field):
    found = recognise(header)
    assert found is not None and found[0] == field


@pytest.mark.parametrize(
    "header", ["Former UPN", "Middle Name(s)", "Year", "Name", "Date of Admission", "Surname Initial"]
)
def test_look_alike_headers_are_not_recognised(header):
    assert recognise(header) is None


def test_a_file_recognised_only_by_case_and_punctuation_insensitive_headers_loads():
    result = roster("Quill,Flo,22/06/2019,F", header="SUR-NAME,first_name,d.o.b,GENDER")
    assert [(r.first_name, r.last_name) for r in result.records] == [("Flo", "Quill")]


def test_preferred_forename_wins_over_the_legal_one():
    result = roster("Quill,Florence,Flo,22/06/2019,F", header="Surname,Legal Forename,Preferred Forename,DOB,Gender")
    assert result.records[0].first_name == "Flo"


def test_preferred_forename_wins_whichever_column_comes_first():
    result = roster("Flo,Quill,Florence,22/06/2019,F", header="Preferred Forename,Surname,Forename,DOB,Gender")
    assert result.records[0].first_name == "Flo"


def test_preferred_surname_wins_over_the_legal_one():
    result = roster("Quill-Hart,Quill,Flo,22/06/2019,F", header="Preferred Surname,Legal Surname,Forename,DOB,Gender")
    assert result.records[0].last_name == "Quill-Hart"


def test_a_blank_preferred_forename_falls_back_to_the_legal_one_for_that_row():
    result = roster(
        "Quill,Florence,,22/06/2019,F",
        "Farrow,Ottilie,Tilly,29/02/2016,F",
        header="Surname,Legal Forename,Preferred Forename,DOB,Gender",
    )
    assert [r.first_name for r in result.records] == ["Florence", "Tilly"]
    assert result.errors == []


def test_wonde_forename_is_the_preferred_name_and_legal_forename_the_fallback():
    result = roster("Flo,Florence,Quill,22/06/2019,F", header="forename,legal_forename,surname,date_of_birth,gender")
    assert result.records[0].first_name == "Flo"


def test_a_column_that_may_supply_a_name_is_not_reported_as_dropped():
    result = roster("Quill,Florence,Flo,22/06/2019,F", header="Surname,Legal Forename,Preferred Forename,DOB,Gender")
    assert result.dropped_columns == []


def test_gender_is_preferred_over_sex_when_both_are_present():
    result = roster("Quill,Flo,22/06/2019,Non-binary,F", header="Surname,Forename,DOB,Gender,Sex")
    assert result.records[0].gender == "other"


def test_unknown_columns_are_dropped_and_reported_by_header_in_file_order():
    result = roster(
        "1024,Quill,Flo,Jane,22/06/2019,F,R,RS,12 Mill Lane",
        header="Adno,Surname,Forename,Middle Name(s),DOB,Gender,Year,Reg,Address",
    )
    assert result.dropped_columns == ["Adno", "Middle Name(s)", "Year", "Reg", "Address"]
    assert result.special_category_columns == []


def test_a_repeated_unknown_header_is_reported_once():
    result = roster("Quill,Flo,22/06/2019,F,a,b", header="Surname,Forename,DOB,Gender,Notes,Notes")
    assert result.dropped_columns == ["Notes"]


def test_special_category_columns_are_dropped_and_also_listed_as_special():
    header = "Surname,Forename,DOB,Gender,Year,Ethnicity,SEN Status,FSM Eligible,EAL,Medical Conditions,Religion"
    result = roster("Quill,Flo,22/06/2019,F,R,WBRI,N,No,No,None,None", header=header)
    assert result.dropped_columns == [
        "Year", "Ethnicity", "SEN Status", "FSM Eligible", "EAL", "Medical Conditions", "Religion",
    ]
    assert result.special_category_columns == [
        "Ethnicity", "SEN Status", "FSM Eligible", "EAL", "Medical Conditions", "Religion",
    ]


@pytest.mark.parametrize(
    "header",
    [
        "Ethnicity", "Ethnic Origin", "ethnicityCode", "SEN Status", "SEN", "SEND", "senStatus", "SENProvision",
        "Special Educational Needs", "EHCP", "Medical Conditions", "medical_notes", "Health Needs", "Allergies",
        "Allergy", "Disability", "Dietary Needs", "FSM", "FSM Eligible", "fsmEligible", "Free School Meals",
        "Pupil Premium", "PP", "Ever 6", "Ever6", "EverFSM6", "EAL", "English as an Additional Language",
        "First Language", "Home Language", "Religion", "Religious Affiliation", "Faith", "Nationality",
        "Country of Birth", "Looked After", "In Care", "CLA", "LAC", "Child Looked After", "Service Child",
        "Service Premium", "Armed Forces Family", "Young Carer", "Child Protection", "Asylum Seeker",
        "Traveller", "Sexual Orientation", "Gender Identity",
    ],
)
def test_special_category_headers_are_recognised(header):
    assert is_special_category(header)


@pytest.mark.parametrize(
    "header",
    ["Year", "Reg Group", "House", "Adno", "Address", "Postcode", "Email", "Middle Name(s)", "Former UPN",
     "Admission Date", "Present", "Absent", "Consent", "Senior Leader", "Dispatch", "Class"],
)
def test_ordinary_headers_are_not_marked_special(header):
    assert not is_special_category(header)


def test_a_column_with_no_header_is_reported_only_when_it_holds_values():
    empty = roster("Quill,Flo,22/06/2019,F,", header="Surname,Forename,DOB,Gender,")
    assert empty.dropped_columns == []
    filled = roster("Quill,Flo,22/06/2019,F,something", header="Surname,Forename,DOB,Gender,")
    assert filled.dropped_columns == ["(unnamed column 5)"]


def test_values_beyond_the_last_header_are_dropped_and_reported_as_unnamed():
    result = roster(
        f"Quill,Flo,22/06/2019,F,{upn(1)},1 High St, Hitchin", header="Surname,Forename,DOB,Gender,UPN,Address"
    )
    assert len(result.records) == 1
    assert result.dropped_columns == ["Address", "(unnamed column 7)"]


def test_a_rejected_row_with_extra_values_gets_a_hint_about_unquoted_delimiters():
    result = roster("Quill, Jr,Flo,22/06/2019,F", header="Surname,Forename,DOB,Gender")
    assert result.records == []
    assert "unquoted delimiter" in result.errors[-1].message
    assert result.errors[-1].row == 1


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        ("Surname,Forename,Gender,UPN", ["date_of_birth"]),
        ("Name,DOB,Gender", ["first_name", "last_name"]),
        ("Surname,Forename,DOB", ["gender"]),
        ("a,b,c", ["first_name", "last_name", "date_of_birth", "gender"]),
    ],
)
def test_a_file_without_name_date_of_birth_or_gender_columns_is_unreadable(header, missing):
    with pytest.raises(RosterUnreadable) as caught:
        roster("x,y,z,w", header=header)
    assert [e.field for e in caught.value.errors] == missing
    assert "column" in caught.value.detail


def test_a_title_line_above_the_header_is_skipped():
    result = roster(
        "Student List - Brookfield Primary", "Surname,Forename,DOB,Gender", "Quill,Flo,22/06/2019,F", header=""
    )
    assert [r.row for r in result.records] == [1]


def test_the_header_must_be_within_the_first_ten_lines():
    preamble = [f"Report line {i}" for i in range(10)]
    with pytest.raises(RosterUnreadable):
        roster(*preamble, "Surname,Forename,DOB,Gender", "Quill,Flo,22/06/2019,F", header="")
