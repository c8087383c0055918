import codecs

import pytest

from shared.roster import RosterTooLarge, RosterUnreadable, parse_csv
from tests.unit.roster.support import TODAY

ROWS = [
    ("Surname", "Forename", "DOB", "Gender"),
    ("Fernández", "Zoë", "12/01/2015", "F"),
    ("O’Connor", "Renée", "23/03/2014", "F"),
]


def export(delimiter: str = ",", newline: str = "\r\n") -> str:
    return "".join(delimiter.join(row) + newline for row in ROWS)


def names(data: bytes) -> list[tuple[str, str]]:
    result = parse_csv(data, today=TODAY, max_bytes=1_000_000)
    assert result.errors == []
    return [(r.first_name, r.last_name) for r in result.records]


EXPECTED = [("Zoë", "Fernández"), ("Renée", "O’Connor")]


def test_reads_utf8_without_a_bom():
    assert names(export().encode("utf-8")) == EXPECTED


def test_reads_utf8_with_a_bom_and_does_not_glue_it_to_the_first_header():
    data = codecs.BOM_UTF8 + export().encode("utf-8")
    assert names(data) == EXPECTED


def test_reads_excel_unicode_text_utf16_le_with_bom_tab_separated():
    data = codecs.BOM_UTF16_LE + export("\t").encode("utf-16-le")
    assert names(data) == EXPECTED


def test_reads_utf16_be_with_bom():
    data = codecs.BOM_UTF16_BE + export("\t").encode("utf-16-be")
    assert names(data) == EXPECTED


def test_reads_utf16_le_without_a_bom_by_its_nul_pattern():
    assert names(export("\t").encode("utf-16-le")) == EXPECTED


def test_reads_utf16_be_without_a_bom_by_its_nul_pattern():
    assert names(export(",").encode("utf-16-be")) == EXPECTED


def test_falls_back_to_windows_1252_for_files_that_are_not_utf8():
    data = export(";").encode("cp1252")
    assert b"\x92" in data  # the curly apostrophe as Excel writes it on a UK PC
    assert names(data) == EXPECTED


def test_a_windows_1252_byte_with_no_character_rejects_only_its_row():
    # 0x81 is undefined in Windows-1252; it must not sink the whole file.
    data = export().encode("cp1252") + b"Ash\x81down,Reuben,09/11/2013,M\r\n"
    result = parse_csv(data, today=TODAY, max_bytes=1_000_000)
    assert len(result.records) == 2
    assert [(e.row, e.field) for e in result.errors] == [(3, "last_name")]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_the_delimiter_is_sniffed_from_the_header_line(delimiter):
    assert names(export(delimiter).encode("utf-8")) == EXPECTED


@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"])
def test_any_line_ending_is_accepted(newline):
    assert names(export(",", newline).encode("utf-8")) == EXPECTED


def test_a_semicolon_file_may_have_commas_inside_values():
    text = "Surname;Forename;DOB;Gender\nSmith, Jr;Tom;01/02/2015;M\n"
    assert names(text.encode("utf-8")) == [("Tom", "Smith, Jr")]


def test_an_excel_sep_hint_line_before_the_header_is_skipped():
    assert names(("sep=;\r\n" + export(";")).encode("utf-8")) == EXPECTED


def test_the_size_limit_is_checked_before_decoding():
    # Over the limit and not even text: the size is what gets reported.
    with pytest.raises(RosterTooLarge) as caught:
        parse_csv(b"\x00\xff" * 600, today=TODAY, max_bytes=1000)
    assert "1,000 bytes" in caught.value.detail


def test_a_file_exactly_at_the_size_limit_is_accepted():
    data = export().encode("utf-8")
    assert parse_csv(data, today=TODAY, max_bytes=len(data)).records


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)), "Excel workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200), "old-style Excel"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "image"),
    ],
)
def test_common_non_csv_uploads_are_refused_with_advice(data, what):
    with pytest.raises(RosterUnreadable) as caught:
        parse_csv(data, today=TODAY, max_bytes=1_000_000)
    assert what in caught.value.detail
    assert "CSV" in caught.value.detail


def test_binary_data_is_refused():
    data = bytes((i * 37 + 11) % 256 for i in range(4000))
    with pytest.raises(RosterUnreadable, match="binary"):
        parse_csv(data, today=TODAY, max_bytes=1_000_000)


def test_binary_data_without_nul_bytes_is_refused():
    data = bytes(range(1, 32)) * 100
    with pytest.raises(RosterUnreadable, match="binary"):
        parse_csv(data, today=TODAY, max_bytes=1_000_000)


def test_text_with_a_stray_nul_is_refused_as_binary():
    data = export().encode("utf-8") + b"\x00"
    with pytest.raises(RosterUnreadable, match="binary"):
        parse_csv(data, today=TODAY, max_bytes=1_000_000)


def test_broken_utf16_is_refused():
    data = codecs.BOM_UTF16_LE + "Surname\tForename".encode("utf-16-le") + b"\x00\xd8A\x00"
    with pytest.raises(RosterUnreadable, match="UTF-16"):
        parse_csv(data, today=TODAY, max_bytes=1_000_000)


@pytest.mark.parametrize("data", [b"", b"   \r\n\r\n", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, b",,,\r\n;;;\r\n"])
def test_an_empty_file_is_refused(data):
    with pytest.raises(RosterUnreadable):
        parse_csv(data, today=TODAY, max_bytes=1_000_000)
