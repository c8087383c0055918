from datetime import date

import pytest

from shared.roster import DobPolicy, Gender, RosterUnreadable, parse_json_pupils
from tests.unit.roster.support import TODAY, upn


def pupil(**overrides):
    return {"first_name": "Flo", "last_name": "Quill", "date_of_birth": "2019-06-22", "gender": "female"} | overrides


def parse(items, **kwargs):
    return parse_json_pupils(items, today=TODAY, **kwargs)


def test_api_pupils_become_records_numbered_from_1():
    result = parse([pupil(), pupil(first_name="Kit", gender="male", upn=upn(1))])
    assert [(r.row, r.first_name, r.gender, r.upn) for r in result.records] == [
        (1, "Flo", Gender.FEMALE, None),
        (2, "Kit", Gender.MALE, upn(1)),
    ]
    assert result.received == 2


def test_api_pupils_get_the_same_validation_as_csv_rows():
    result = parse([pupil(date_of_birth="31/02/2019"), pupil(first_name="Kit", gender="U", upn="A801200005001")])
    assert [(e.row, e.field) for e in result.errors] == [(1, "date_of_birth"), (2, "gender")]
    assert [(w.row, w.field) for w in result.warnings] == [(2, "upn")]
    assert result.records == []


def test_api_dates_may_be_iso_or_uk_day_first():
    result = parse([pupil(date_of_birth="22/06/2019")])
    assert result.records[0].date_of_birth == date(2019, 6, 22)


def test_a_null_upn_is_no_upn():
    assert parse([pupil(upn=None)]).records[0].upn is None


def test_a_missing_required_field_is_reported_as_required():
    item = pupil()
    del item["gender"]
    result = parse([item])
    assert [(e.field, e.message) for e in result.errors] == [("gender", "gender is required")]


def test_a_value_of_the_wrong_type_is_reported_once_as_a_type_error():
    result = parse([pupil(date_of_birth=20190622, upn=42)])
    assert [(e.field, e.message) for e in result.errors] == [
        ("date_of_birth", "date of birth must be a string"),
        ("upn", "UPN must be a string"),
    ]


def test_an_item_that_is_not_an_object_is_a_row_error():
    result = parse([pupil(), "Flo Quill", None])
    assert [(e.row, e.field) for e in result.errors] == [(2, None), (3, None)]
    assert result.received == 3


def test_unknown_keys_are_dropped_and_reported_with_special_categories_marked():
    result = parse([pupil(ethnicity="WBRI", year="R"), pupil(first_name="Kit", sen_status="K")])
    assert result.dropped_columns == ["ethnicity", "year", "sen_status"]
    assert result.special_category_columns == ["ethnicity", "sen_status"]


def test_duplicate_upns_across_api_pupils_are_rejected():
    result = parse([pupil(upn=upn(1)), pupil(first_name="Kit", upn=upn(1))])
    assert [(e.row, e.field) for e in result.errors] == [(2, "upn")]


def test_the_generic_policy_applies_to_api_pupils():
    result = parse([pupil()], dob_policy=DobPolicy.GENERIC)
    assert result.records[0].date_of_birth == date(2019, 1, 1)


def test_an_empty_pupil_list_is_refused():
    with pytest.raises(RosterUnreadable):
        parse([])


def test_a_pupils_value_that_is_not_a_list_is_refused():
    with pytest.raises(RosterUnreadable):
        parse({"first_name": "Flo"})  # type: ignore[arg-type]
