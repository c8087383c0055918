"""Uploaded values are a child's personal data: they never reach an error, an exception or a log."""

import logging
import traceback

import pytest

from shared.roster import RosterUnreadable, parse_csv, parse_json_pupils
from tests.unit.roster.support import TODAY

# Distinctive values, each of which makes its row fail in a different way.
SECRETS = {
    "first": "Xanthippe\x07",
    "last": "Quimbleworth",
    "dob": "31/02/2016",
    "month_first": "06/22/2019",
    "two_digit": "04/03/16",
    "gender": "Zorblax",
    "upn": "A801200005001",
    "short_upn": "B80120000500",
    "medical": "Peanut anaphylaxis",
    "ethnicity": "Romani-Kale",
}


def leaky_upload() -> bytes:
    s = SECRETS
    rows = [
        "Surname,Forename,DOB,Gender,UPN,Ethnicity,Medical Conditions",
        f"{s['last']},{s['first']},{s['dob']},{s['gender']},{s['upn']},{s['ethnicity']},{s['medical']}",
        f"{s['last']},Ada,{s['month_first']},F,{s['short_upn']},{s['ethnicity']},{s['medical']}",
        f"{s['last']},Kit,{s['two_digit']},M,,{s['ethnicity']},{s['medical']}",
        f"{s['last']},Kit,09/11/2015,M,B801200005001,,,{s['medical']}",
        f"{s['last']},Bea,09/11/2015,F,B801200005001,,",
    ]
    return ("\r\n".join(rows) + "\r\n").encode("utf-8")


def all_secret_parts() -> set[str]:
    parts = set(SECRETS.values()) | {"B801200005001"}
    parts |= {p for value in SECRETS.values() for p in value.replace("/", " ").replace("-", " ").split() if len(p) > 2}
    return {p.strip("\x07") for p in parts}


def assert_no_secrets(text: str) -> None:
    for secret in all_secret_parts():
        assert secret not in text, f"leaked a value of length {len(secret)}"


def test_row_errors_name_row_and_field_but_never_the_value(caplog):
    caplog.set_level(logging.DEBUG)
    result = parse_csv(leaky_upload(), today=TODAY, max_bytes=100_000)
    # The file proves both date orders (31/02 and 06/22), so its ambiguous dates are refused; row 2 is
    # month-first beyond doubt and loads without its malformed UPN.
    assert result.date_order == "mixed" and [r.row for r in result.records] == [2]
    assert {e.field for e in result.errors} >= {"first_name", "date_of_birth", "gender", "upn"}
    assert {w.field for w in result.warnings} == {"upn"}
    report = repr(result.errors) + repr(result.warnings) + repr(result.dropped_columns) + repr(
        result.special_category_columns)
    assert_no_secrets(report)
    assert_no_secrets(caplog.text)


def test_dropped_columns_are_reported_by_header_only():
    result = parse_csv(leaky_upload(), today=TODAY, max_bytes=100_000)
    assert result.dropped_columns == ["Ethnicity", "Medical Conditions", "(unnamed column 8)"]


def test_api_errors_never_carry_the_value(caplog):
    caplog.set_level(logging.DEBUG)
    s = SECRETS
    items = [
        {"first_name": s["first"], "last_name": s["last"], "date_of_birth": s["dob"], "gender": s["gender"],
         "upn": s["upn"], "ethnicity": s["ethnicity"]},
        {"first_name": "Ada", "last_name": s["last"], "date_of_birth": s["month_first"], "gender": "F",
         "upn": s["short_upn"]},
    ]
    result = parse_json_pupils(items, today=TODAY)
    assert len(result.errors) + len(result.warnings) >= 5
    assert_no_secrets(repr(result.errors) + repr(result.warnings) + repr(result.dropped_columns))
    assert_no_secrets(caplog.text)


@pytest.mark.parametrize(
    "upload",
    [
        # Broken quoting: the csv module's own message would quote the line.
        f'Surname,Forename,DOB,Gender\r\n"{SECRETS["last"]}"{SECRETS["medical"]},Ada,09/11/2015,F\r\n'.encode(),
        f'Surname,Forename,DOB,Gender\r\n{SECRETS["last"]},"Ada,09/11/2015,F\r\n'.encode(),
        # No date-of-birth column, with values in every row.
        f"Surname,Forename,Gender\r\n{SECRETS['last']},{SECRETS['first']},F\r\n".encode(),
        # Not valid UTF-16 after a BOM.
        b"\xff\xfe" + SECRETS["last"].encode("utf-16-le") + b"\x00\xd8",
    ],
)
def test_whole_file_failures_never_carry_a_value_even_in_the_traceback(upload, caplog):
    caplog.set_level(logging.DEBUG)
    with pytest.raises(RosterUnreadable) as caught:
        parse_csv(upload, today=TODAY, max_bytes=100_000)
    exc = caught.value
    assert_no_secrets(str(exc) + exc.detail + repr(exc.errors))
    assert_no_secrets("".join(traceback.format_exception(exc)))
    assert_no_secrets(caplog.text)
