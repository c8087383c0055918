import pytest

from shared.roster import Gender
from shared.roster.model import MAX_NAME_LENGTH
from shared.roster.rules import clean_name, normalise_name, parse_gender
from tests.unit.roster.support import roster


@pytest.mark.parametrize("text", ["F", "f", "Female", "FEMALE", " female ", "Girl", "G"])
def test_female_codes(text):
    assert parse_gender(text) is Gender.FEMALE


@pytest.mark.parametrize("text", ["M", "m", "Male", "MALE", "Boy", "boy", "B"])
def test_male_codes(text):
    assert parse_gender(text) is Gender.MALE


@pytest.mark.parametrize("text", ["Other", "O", "X", "x", "Non-binary", "non binary", "Nonbinary", "NB", "Genderqueer"])
def test_other_answers_map_to_other(text):
    assert parse_gender(text) is Gender.OTHER


@pytest.mark.parametrize("text", ["U", "Unknown", "Not Known", "not-known", "Unspecified", "N/A", "Prefer not to say"])
def test_an_explicitly_unknown_gender_is_an_error_not_other(text):
    with pytest.raises(ValueError, match="not known"):
        parse_gender(text)


@pytest.mark.parametrize("text", ["Q", "Femail", "1", "?"])
def test_an_unrecognised_gender_is_an_error(text):
    with pytest.raises(ValueError, match="not recognised") as caught:
        parse_gender(text)
    assert text not in str(caught.value)


def test_a_blank_gender_is_reported_as_required_on_the_row():
    result = roster("Quill,Flo,22/06/2019,,")
    assert [(e.field, e.message) for e in result.errors] == [("gender", "gender is required")]


def test_a_row_with_unknown_gender_is_rejected_on_the_gender_field():
    result = roster("Quill,Flo,22/06/2019,Unknown,")
    assert [(e.row, e.field) for e in result.errors] == [(1, "gender")]


def test_normalising_a_name_trims_and_collapses_whitespace_and_keeps_case():
    assert normalise_name("  mary \t  JANE\u00a0 ") == "mary JANE"


def test_normalising_a_name_composes_accents_to_nfc():
    assert normalise_name("Zoe\u0308") == "Zo\u00eb"


def test_a_name_of_exactly_the_maximum_length_is_accepted():
    assert clean_name("A" * MAX_NAME_LENGTH) == "A" * MAX_NAME_LENGTH


def test_a_name_longer_than_the_maximum_is_rejected():
    with pytest.raises(ValueError, match=f"longer than {MAX_NAME_LENGTH}"):
        clean_name("A" * (MAX_NAME_LENGTH + 1))


@pytest.mark.parametrize("text", ["Amy\x07", "Amy\x1b[31m", "Am\x7fy"])
def test_a_name_with_control_characters_is_rejected(text):
    with pytest.raises(ValueError, match="control characters"):
        clean_name(text)


@pytest.mark.parametrize("text", ["Amy\u202e", "A\u200bmy", "Amy\u00ad"])
def test_a_name_with_invisible_formatting_characters_is_rejected(text):
    with pytest.raises(ValueError, match="invisible"):
        clean_name(text)


def test_zero_width_joiners_that_scripts_need_are_kept():
    assert clean_name("\u0645\u06cc\u200c\u0634\u0648\u062f") == "\u0645\u06cc\u200c\u0634\u0648\u062f"


@pytest.mark.parametrize("text", ["123", "-", "."])
def test_a_name_without_any_letter_is_rejected(text):
    with pytest.raises(ValueError, match="letter"):
        clean_name(text)


@pytest.mark.parametrize("text", ["O'Connor", "Anne-Marie", "Nguyễn", "ap Rhys", "Ó Briain", "李"])
def test_real_world_names_are_accepted_as_written(text):
    assert clean_name(text) == text


def test_missing_names_are_each_reported_as_required():
    result = roster(" ,\t,22/06/2019,F,")
    assert [(e.field, e.message) for e in result.errors] == [
        ("first_name", "first name is required"),
        ("last_name", "last name is required"),
    ]


def test_names_are_stored_normalised():
    result = roster('"  Pemberton-Vale ","Isla   May",31/08/2017,F,')
    assert (result.records[0].first_name, result.records[0].last_name) == ("Isla May", "Pemberton-Vale")


def test_every_problem_on_a_row_is_reported_and_the_row_is_skipped():
    result = roster("Qu\x07ill,,31/02/2019,?,A801200005001", "Farrow,Ottilie,29/02/2016,F,")
    assert [(e.row, e.field) for e in result.errors] == [
        (1, "first_name"),
        (1, "last_name"),
        (1, "date_of_birth"),
        (1, "gender"),
    ]
    # The UPN is optional: a bad one is a warning, and would not have stopped the row on its own.
    assert [(w.row, w.field) for w in result.warnings] == [(1, "upn")]
    assert [r.row for r in result.records] == [2]
    assert result.rejected_rows == 1
