"""The realistic exports in tests/data, read exactly as their MIS wrote them."""

from datetime import date
from pathlib import Path

import pytest

from shared.roster import Gender, RosterUnreadable, parse_csv
from shared.roster.rules import is_valid_upn
from tests.data.make_samples import SAMPLES

DATA = Path(__file__).resolve().parents[2] / "data"
TODAY = date(2025, 3, 1)


def load(name: str):
    return parse_csv((DATA / name).read_bytes(), today=TODAY, max_bytes=1_000_000)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_sample_files_match_their_generator(name):
    assert (DATA / name).read_bytes() == SAMPLES[name](), "run: python -m tests.data.make_samples"


@pytest.mark.parametrize("name", sorted(n for n in SAMPLES if n != "no_dob_column.csv"))
def test_every_sample_export_loads_without_errors_and_with_valid_upns(name):
    result = load(name)
    assert result.errors == []
    assert result.received == len(result.records) > 0
    assert all(r.upn is None or is_valid_upn(r.upn) for r in result.records)


def test_sims_export_keeps_preferred_names_and_drops_special_category_columns():
    result = load("sims_export.csv")
    assert [(r.first_name, r.last_name) for r in result.records][:2] == [("Amelia", "Thornbury"), ("Teddy", "Okonjo")]
    assert result.special_category_columns == ["Ethnicity", "SEN Status", "FSM Eligible", "EAL", "Medical Conditions"]
    assert result.dropped_columns == ["Adno", "Middle Name(s)", "Year", "Reg", *result.special_category_columns]
    upns = [r.upn for r in result.records]
    assert None in upns  # a pupil without a UPN yet
    assert any(u and u[-1].isalpha() for u in upns)  # a temporary UPN


def test_arbor_export_reads_month_name_dates_and_falls_back_from_a_blank_preferred_name():
    result = load("arbor_export.csv")
    first = result.records[0]
    assert (first.first_name, first.date_of_birth, first.gender) == ("Maisie", date(2016, 3, 4), Gender.FEMALE)
    assert result.records[1].first_name == "Sasha"
    assert result.records[2].date_of_birth == date(2016, 2, 29)
    assert result.records[-1].gender is Gender.OTHER
    assert set(result.special_category_columns) == {
        "Ethnicity", "SEN Status", "Pupil Premium", "First Language", "Religion",
    }


def test_bromcom_export_in_windows_1252_with_semicolons_keeps_accented_names():
    result = load("bromcom_export.csv")
    assert [(r.first_name, r.last_name) for r in result.records] == [
        ("Zoë", "Fernández"),
        ("Chloé", "Lefèvre"),
        ("Nell", "O’Connor"),
        ("Ömer", "Öztürk"),
        ("Anaïs", "Bjørnsen"),
        ("Pepe", "Müller"),
    ]
    assert result.special_category_columns == ["Looked After", "Pupil Premium", "Nationality", "Home Language"]


def test_excel_unicode_text_export_keeps_names_outside_windows_1252():
    result = load("excel_unicode_text.txt")
    assert [r.first_name for r in result.records] == ["Łukasz", "Lan", "Dragoș", "Aleksandra", "Ayşe"]
    assert result.records[1].last_name == "Nguyễn"
    assert result.dropped_columns == ["Reg Group", "First Language", "Ethnicity"]


def test_oneroster_users_file_loads_students_and_skips_staff_and_parents():
    result = load("oneroster_users.csv")
    assert [(r.row, r.first_name) for r in result.records] == [
        (1, "Poppy"), (2, "Elias"), (4, "Ren"), (6, "Tobi"), (9, "Matilda"),
    ]
    assert (result.received, result.skipped) == (5, 4)
    assert {"role", "email", "phone", "sms", "password", "middleName"} <= set(result.dropped_columns)


def test_wonde_export_with_multi_line_quoted_values_keeps_row_numbers_per_record():
    result = load("wonde_export.csv")
    assert [(r.row, r.first_name) for r in result.records] == [
        (1, "Hattie"), (2, "Caspian"), (3, "Esme"), (4, "Fitz"),
    ]
    assert result.records[0].date_of_birth == date(2015, 5, 21)
    assert {"address", "medical_notes", "dietary_needs", "sen_status"} <= set(result.dropped_columns)
    assert result.special_category_columns == ["medical_notes", "dietary_needs", "sen_status"]


def test_a_class_list_without_a_date_of_birth_column_is_unreadable():
    with pytest.raises(RosterUnreadable) as caught:
        load("no_dob_column.csv")
    assert [e.field for e in caught.value.errors] == ["date_of_birth"]
    assert "Date of Birth" in caught.value.detail
