import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest

from shared.csvsafe import csv_bytes, safe_cell


@pytest.mark.parametrize(
    "value",
    ["=1+1", "+44 7700 900123", "-2+3", "@SUM(A1)", "\t=cmd", "\r=cmd", "\n=cmd", '=HYPERLINK("http://x")', "  =1+1"],
)
def test_formula_like_cells_get_a_leading_apostrophe(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Łukasz", "O'Neil", "St Mary's", "a=b", "Year 6 - Oak", "", "'already"])
def test_ordinary_text_is_left_alone(value):
    assert safe_cell(value) == value


@pytest.mark.parametrize(
    ("value", "text"),
    [(42, "42"), (0, "0"), (31.5, "31.5"), (Decimal("0.25"), "0.25"), (None, ""), (True, "true"), (False, "false")],
)
def test_numbers_and_empty_values_are_plain_text(value, text):
    assert safe_cell(value) == text


def test_dates_are_iso_8601():
    assert safe_cell(date(2026, 3, 3)) == "2026-03-03"
    assert safe_cell(datetime(2026, 3, 3, 9, 30)) == "2026-03-03T09:30:00"


def test_even_a_negative_number_never_starts_a_cell_with_a_minus_sign():
    assert safe_cell(-5) == "'-5"


def test_a_csv_file_is_utf8_with_a_bom_and_crlf_line_ends():
    data = csv_bytes(["name", "hours"], [["Zoë", 31.5]])
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig") == "name,hours\r\nZoë,31.5\r\n"


def test_no_cell_of_a_csv_file_starts_with_a_formula_sign():
    rows = [["=cmd|' /C calc'!A0", "+1", "-1", "@x", "ok", 3], ["a,b", 'say "hi"', "line\nbreak", None, "\t=x", -2]]
    data = csv_bytes(["=header", "name"], rows)
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert parsed[0] == ["'=header", "name"]
    for row in parsed:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert parsed[2][:3] == ["a,b", 'say "hi"', "line\nbreak"]


def test_rows_may_be_any_iterable():
    data = csv_bytes(["n"], ([n] for n in range(3)))
    assert data.decode("utf-8-sig").splitlines() == ["n", "0", "1", "2"]
