from datetime import date

import pytest

from shared.roster import DobPolicy
from shared.roster.rules import apply_dob_policy, match_key, year_group
from tests.unit.roster.support import roster, upn

AUTUMN_2024 = date(2024, 10, 1)


@pytest.mark.parametrize(
    ("dob", "expected"),
    [
        (date(2019, 9, 1), 0),  # oldest in Reception
        (date(2020, 8, 31), 0),  # youngest in Reception
        (date(2019, 8, 31), 1),  # youngest in Year 1, a day older than the oldest in Reception
        (date(2016, 3, 4), 4),
        (date(2013, 9, 1), 6),
        (date(2007, 1, 1), 13),
        (date(2020, 9, 1), -1),  # nursery
        (date(2004, 6, 1), 16),  # past Year 13: allowed by the arithmetic, the age rule decides
    ],
)
def test_year_group_follows_the_english_school_year_with_a_1_september_cut_off(dob, expected):
    assert year_group(dob, AUTUMN_2024) == expected


def test_year_group_moves_up_on_1_september_not_on_1_january():
    dob = date(2016, 3, 4)
    assert year_group(dob, date(2024, 12, 31)) == 4
    assert year_group(dob, date(2025, 1, 1)) == 4
    assert year_group(dob, date(2025, 8, 31)) == 4
    assert year_group(dob, date(2025, 9, 1)) == 5


def test_exact_policy_keeps_the_date_of_birth():
    assert apply_dob_policy(date(2016, 3, 4), DobPolicy.EXACT) == date(2016, 3, 4)


def test_generic_policy_keeps_only_the_birth_year_as_1_january():
    assert apply_dob_policy(date(2016, 3, 4), DobPolicy.GENERIC) == date(2016, 1, 1)


def test_records_carry_the_date_of_birth_after_the_schools_policy():
    result = roster("Quill,Flo,22/06/2019,F,", dob_policy=DobPolicy.GENERIC)
    assert result.records[0].date_of_birth == date(2019, 1, 1)


def test_age_is_checked_on_the_real_date_before_the_generic_policy_blurs_it():
    # 1 January 2022 would make the child three; the real date (2 March 2022) makes them two.
    result = roster("Quill,Flo,02/03/2022,F,", dob_policy=DobPolicy.GENERIC)
    assert [e.field for e in result.errors] == ["date_of_birth"]


def test_match_key_ignores_case_accents_whitespace_and_punctuation():
    dob = date(2016, 3, 4)
    key = match_key("Zoë", "O'Connor-Smith", dob)
    assert match_key("ZOE", "o’connor smith", dob) == key
    assert match_key("  zoe ", "OConnorSmith", dob) == key
    assert match_key("Zoe\u0308", "O Connor Smith", dob) == key


def test_match_key_folds_letters_without_a_decomposition():
    dob = date(2016, 3, 4)
    assert match_key("Łukasz", "Bjørnsen", dob) == match_key("Lukasz", "Bjornsen", dob)


def test_match_key_tells_pupils_apart_by_first_name_last_name_and_date_of_birth():
    dob = date(2016, 3, 4)
    key = match_key("Ada", "Penhallow", dob)
    assert match_key("Ada", "Penhallow", date(2016, 3, 5)) != key
    assert match_key("Adam", "Penhallow", dob) != key
    # The split between first and last name matters.
    assert match_key("Ada Pen", "hallow", dob) != match_key("Ada", "Penhallow", dob)


def test_the_same_pupil_twice_in_one_file_is_an_error_on_the_later_row():
    result = roster("Quill,Flo,22/06/2019,F,", "QUILL, flo ,22/06/2019,F,")
    assert [r.row for r in result.records] == [1]
    assert [(e.row, e.field, e.message) for e in result.errors] == [
        (2, None, "the same pupil (name and date of birth) is already on row 1")
    ]


def test_twins_with_different_names_are_two_pupils():
    result = roster("Quill,Flo,22/06/2019,F,", "Quill,Kit,22/06/2019,M,")
    assert len(result.records) == 2


def test_two_pupils_with_one_name_and_birthday_but_different_upns_are_both_kept():
    result = roster(f"Quill,Flo,22/06/2019,F,{upn(1)}", f"Quill,Flo,22/06/2019,F,{upn(2)}")
    assert len(result.records) == 2
