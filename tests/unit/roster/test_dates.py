from datetime import date

import pytest

from shared.roster.rules import parse_uk_date
from tests.unit.roster.support import TODAY, roster

MARCH_4 = date(2016, 3, 4)


@pytest.mark.parametrize(
    "text",
    [
        "2016-03-04",
        "2016-3-4",
        "2016/03/04",
        "2016-03-04T00:00:00",
        "2016-03-04 00:00:00",
        "2016-03-04T00:00:00.000Z",
        "2016-03-04 00:00:00.000000",
        "2016-03-04T00:00:00+00:00",
    ],
)
def test_iso_dates_are_read_with_or_without_a_time(text):
    assert parse_uk_date(text) == MARCH_4


@pytest.mark.parametrize(
    "text",
    ["04/03/2016", "4/3/2016", "04-03-2016", "04.03.2016", "04/03/2016 00:00", "04/03/2016 00:00:00", " 04/03/2016 "],
)
def test_numeric_uk_dates_are_read_day_first(text):
    assert parse_uk_date(text) == MARCH_4


@pytest.mark.parametrize(
    "text",
    ["4 Mar 2016", "04 Mar 2016", "4 March 2016", "4th March 2016", "04-Mar-2016", "4 MAR 2016", "4 mar. 2016"],
)
def test_uk_dates_with_a_month_name_are_read_day_first(text):
    assert parse_uk_date(text) == MARCH_4


def test_sept_is_accepted_as_well_as_sep_and_september():
    assert parse_uk_date("1 Sept 2016") == parse_uk_date("1 Sep 2016") == parse_uk_date("1 September 2016")


def test_an_ambiguous_numeric_date_is_always_day_first():
    assert parse_uk_date("04/05/2016") == date(2016, 5, 4)


@pytest.mark.parametrize("text", ["04/25/2016", "12/31/2015", "2/29/2016"])
def test_a_month_first_date_is_an_error_not_a_guess(text):
    with pytest.raises(ValueError, match="month-first"):
        parse_uk_date(text)


@pytest.mark.parametrize("text", ["04/03/16", "4-3-16", "04.03.16", "4 Mar 16"])
def test_a_two_digit_year_is_an_error_because_it_is_ambiguous(text):
    with pytest.raises(ValueError, match="two-digit year"):
        parse_uk_date(text)


@pytest.mark.parametrize("text", ["31/02/2016", "29/02/2015", "2016-02-30", "00/01/2016", "32 Jan 2016"])
def test_an_impossible_calendar_date_is_an_error(text):
    with pytest.raises(ValueError, match="not a real calendar date"):
        parse_uk_date(text)


@pytest.mark.parametrize(
    "text",
    [
        "March 4, 2016", "Mar 4 2016", "42433", "04032016", "4 Ma 2016", "4 Foo 2016", "04/03-2016", "yesterday",
        "04/03/016",
    ],
)
def test_other_formats_are_refused(text):
    with pytest.raises(ValueError, match="recognised format"):
        parse_uk_date(text)


def test_a_blank_date_is_reported_as_blank():
    with pytest.raises(ValueError, match="blank"):
        parse_uk_date("  ")


@pytest.mark.parametrize("text", ["04/25/2016", "31/02/2016", "04/03/16", "March 4, 2016", "2016-02-30"])
def test_date_errors_never_repeat_the_value(text):
    with pytest.raises(ValueError) as caught:
        parse_uk_date(text)
    message = str(caught.value)
    for part in {text, *text.replace(",", " ").replace("/", " ").replace("-", " ").split()}:
        assert part not in message
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__ or caught.value.__context__ is None


def test_a_file_whose_dates_prove_month_first_is_read_month_first_throughout():
    result = roster("Quill,Flo,06/22/2019,F,", "Quill,Ada,03/04/2018,F,")
    assert result.errors == [] and result.date_order == "month-first"
    assert [r.date_of_birth for r in result.records] == [date(2019, 6, 22), date(2018, 3, 4)]


def test_a_file_without_proof_is_read_day_first():
    result = roster("Quill,Flo,03/04/2018,F,", "Quill,Ada,2019-06-22,F,")
    assert result.date_order == "day-first" and result.records[0].date_of_birth == date(2018, 4, 3)


def test_a_us_locale_damaged_file_refuses_its_ambiguous_dates_and_swaps_none():
    # A spreadsheet set to the US turned some dates month-first and left others as they were.
    result = roster("Quill,Flo,01/12/2015,F,", "Quill,Ada,1/13/15,F,", "Quill,Bo,25/12/2016,M,",
                    "Quill,Cy,05/05/2016,M,", today=date(2025, 3, 1))
    assert result.date_order == "mixed"
    assert [(e.row, e.field) for e in result.errors] == [(1, "date_of_birth")]
    assert "ambiguous" in result.errors[0].message and "01/12" not in result.errors[0].message
    assert {r.row: r.date_of_birth for r in result.records} == {
        2: date(2015, 1, 13), 3: date(2016, 12, 25), 4: date(2016, 5, 5)}


def test_two_digit_years_take_the_century_from_the_age_band_and_are_reported():
    result = roster("Quill,Flo,04/03/16,F,", "Quill,Ada,4 Mar 09,F,", today=date(2025, 3, 1))
    assert result.errors == []
    assert [r.date_of_birth for r in result.records] == [date(2016, 3, 4), date(2009, 3, 4)]
    assert [(w.field, "two-digit" in w.message) for w in result.warnings] == [("date_of_birth", True)]


def test_a_two_digit_year_that_fits_no_pupil_age_is_refused():
    result = roster("Quill,Flo,04/03/50,F,", today=date(2025, 3, 1))
    assert [(e.row, e.field) for e in result.errors] == [(1, "date_of_birth")]
    assert "two-digit year" in result.errors[0].message


def test_a_row_without_a_date_of_birth_says_it_is_required():
    result = roster("Quill,Flo,,F,")
    assert [(e.field, e.message) for e in result.errors] == [("date_of_birth", "date of birth is required")]


def test_a_date_of_birth_in_the_future_is_rejected():
    result = roster("Quill,Flo,02/03/2025,F,", today=TODAY)
    assert result.errors[0].message == "date of birth is in the future"


@pytest.mark.parametrize(
    ("dob", "accepted"),
    [
        ("01/03/2022", True),  # three today: the youngest allowed
        ("02/03/2022", False),  # three tomorrow
        ("02/03/2005", True),  # nineteen until tomorrow: the oldest allowed
        ("01/03/2005", False),  # twenty today
    ],
)
def test_age_must_be_between_3_and_19_inclusive_on_the_day_of_upload(dob, accepted):
    result = roster(f"Quill,Flo,{dob},F,", today=TODAY)
    assert bool(result.records) is accepted
    if not accepted:
        assert result.errors[0].field == "date_of_birth"
        assert "3 to 19" in result.errors[0].message


def test_a_29_february_birthday_counts_as_1_march_in_other_years():
    # Born 29/02/2020: not yet three on 28/02/2023, three on 01/03/2023.
    too_young = roster("Quill,Flo,29/02/2020,F,", today=date(2023, 2, 28))
    assert "3 to 19" in too_young.errors[0].message
    assert roster("Quill,Flo,29/02/2020,F,", today=date(2023, 3, 1)).records
