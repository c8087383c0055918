from dataclasses import fields

import pytest

from shared.roster import DobPolicy, PupilRecord, RosterUnreadable
from tests.unit.roster.support import parse_text, roster, upn


def test_a_record_holds_only_the_fields_the_dpia_allows_plus_the_derived_cohort():
    assert [f.name for f in fields(PupilRecord)] == [
        "row", "first_name", "last_name", "date_of_birth", "gender", "upn", "cohort",
    ]


def test_the_cohort_comes_from_the_real_date_even_under_the_generic_policy():
    result = roster("Quill,Flo,22/10/2018,F,", dob_policy=DobPolicy.GENERIC)
    (record,) = result.records
    assert record.date_of_birth.isoformat() == "2018-01-01"
    assert record.cohort == 2018


def test_good_rows_become_records_and_bad_rows_errors_in_the_same_run():
    result = roster(
        f"Quill,Flo,22/06/2019,F,{upn(1)}",
        "Ashdown,Reuben,31/02/2015,M,",
        f"Farrow,Ottilie,29/02/2016,Female,{upn(2)}",
    )
    assert [r.row for r in result.records] == [1, 3]
    assert [(e.row, e.field) for e in result.errors] == [(2, "date_of_birth")]
    assert result.received == 3
    assert result.rejected_rows == 1


def test_rows_are_numbered_from_1_for_the_first_data_row_under_the_header():
    result = roster("Quill,Flo,22/06/2019,F,", "Farrow,Ottilie,29/02/2016,F,")
    assert [r.row for r in result.records] == [1, 2]


def test_blank_lines_are_skipped_but_keep_their_row_number():
    # So "row 4" is the fourth line under the header, as a spreadsheet shows it.
    result = roster("Quill,Flo,22/06/2019,F,", "", ",,,,", "Farrow,Ottilie,29/02/2016,F,")
    assert [r.row for r in result.records] == [1, 4]
    assert result.received == 2
    assert result.errors == []


def test_a_quoted_value_may_span_lines_and_still_counts_as_one_row():
    text = (
        "Surname,Forename,Address,DOB,Gender\r\n"
        'Quill,Flo,"Flat 2\r\n14 Larch Walk\r\nStevenage",22/06/2019,F\r\n'
        'Farrow,Ottilie,"1 Mill Lane, ""The Old Forge""",29/02/2016,F\r\n'
    )
    result = parse_text(text)
    assert [(r.row, r.first_name) for r in result.records] == [(1, "Flo"), (2, "Ottilie")]
    assert result.dropped_columns == ["Address"]


def test_a_quoted_name_with_a_delimiter_inside_is_one_value():
    result = roster('"Smith, Jr",Tom,01/02/2015,M,')
    assert result.records[0].last_name == "Smith, Jr"


def test_a_space_before_a_quoted_value_is_tolerated():
    result = roster('Smith, "Tom, Jr", 01/02/2015, M,')
    assert result.records[0].first_name == "Tom, Jr"


def test_a_short_row_is_read_with_its_missing_values_blank():
    result = roster("Quill,Flo,22/06/2019,F")
    assert result.records[0].upn is None


def test_a_quote_that_is_never_closed_makes_the_file_unreadable_rather_than_losing_the_rest():
    with pytest.raises(RosterUnreadable, match="data row 2"):
        roster("Quill,Flo,22/06/2019,F,", 'Farrow,"Ottilie,29/02/2016,F,', "Ashdown,Reuben,09/11/2015,M,")


def test_text_straight_after_a_closing_quote_makes_the_file_unreadable():
    with pytest.raises(RosterUnreadable, match="closing quote"):
        roster('"Quill"x,Flo,22/06/2019,F,')


def test_a_header_with_no_data_rows_is_unreadable_because_a_full_sync_would_empty_the_school():
    with pytest.raises(RosterUnreadable, match="no pupil rows"):
        roster("", "")


def test_a_file_whose_every_row_is_bad_is_still_a_report_not_an_exception():
    result = roster("Quill,Flo,,F,", "Farrow,,29/02/2016,F,")
    assert result.records == []
    assert result.received == 2
    assert result.rejected_rows == 2


def test_received_is_records_plus_rejected_rows():
    result = roster(
        f"Quill,Flo,22/06/2019,F,{upn(1)}",
        "Quill,,22/06/2019,?,",
        f"Farrow,Ottilie,29/02/2016,F,{upn(1)}",
        "",
        "Ashdown,Reuben,09/11/2015,M,",
    )
    assert result.received == len(result.records) + result.rejected_rows == 4
