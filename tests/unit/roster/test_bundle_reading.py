"""How a OneRoster bundle's files are read: as streams, in the encodings schools' exports come in."""

from __future__ import annotations

import codecs
import io
import zipfile

import pytest

from shared.roster.errors import RosterTooLarge, RosterUnreadable
from shared.roster.oneroster import read_bundle

USERS = "sourcedId,status,enabledUser,role,givenName,familyName,identifier\r\n"
DEMOGRAPHICS = "sourcedId,birthDate,sex\r\n"


def bundle(users: bytes, demographics: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("users.csv", users)
        archive.writestr("demographics.csv", demographics)
    return out.getvalue()


def read(data: bytes, limit: int = 1_000_000):
    return read_bundle(data, org_sourced_id=None, max_unzipped_bytes=limit)


def names(data: bytes) -> list[tuple[str, str, str]]:
    return [(item["first_name"], item["last_name"], item["date_of_birth"]) for _, item in read(data).items]


def pupils_text() -> tuple[str, str]:
    users = USERS + "u1,active,true,student,Zoë,O’Connor,\r\nu2,active,true,student,Renée,Fernández,\r\n"
    demographics = DEMOGRAPHICS + "u1,2015-01-12,female\r\nu2,2014-03-23,female\r\n"
    return users, demographics


EXPECTED = [("Zoë", "O’Connor", "2015-01-12"), ("Renée", "Fernández", "2014-03-23")]


def test_a_windows_1252_users_file_beside_a_utf8_demographics_file_with_a_bom():
    users, demographics = pupils_text()
    data = bundle(users.encode("cp1252"), codecs.BOM_UTF8 + demographics.encode("utf-8"))
    assert names(data) == EXPECTED


def test_utf16_files_with_and_without_a_bom():
    users, demographics = pupils_text()
    data = bundle(codecs.BOM_UTF16_LE + users.encode("utf-16-le"), demographics.encode("utf-16-be"))
    assert names(data) == EXPECTED


def test_a_file_valid_as_utf8_until_late_on_is_read_as_windows_1252_throughout():
    users, demographics = pupils_text()
    # Past the first chunk the reader decodes, one byte that UTF-8 cannot take: the whole file is read as
    # cp1252, as when it is decoded in one piece (so the early UTF-8 names come out as Excel would show them).
    padding = "".join(f"t{n},active,true,teacher,Tess,Teacher,\r\n" for n in range(3000))
    late = (users + padding).encode("utf-8") + b"t9,active,true,teacher,Tess,Teacher\x92s,\r\n"
    assert len(late) > 1 << 16
    as_1252 = [tuple(v.encode("utf-8").decode("cp1252") for v in name) for name in EXPECTED]
    assert names(bundle(late, demographics.encode())) == as_1252


def test_a_quoted_name_with_a_line_break_stays_one_row_and_blank_lines_are_no_rows():
    users = USERS + 'u1,active,true,student,"Zoë\r\nMay",Ash,\r\n\r\nu2,active,true,student,Bo,Birch,\r\n'
    demographics = DEMOGRAPHICS + "u1,2015-01-12,female\r\nu2,2014-03-23,male\r\n"
    rows = read(bundle(users.encode(), demographics.encode())).items
    assert [(row, item["first_name"]) for row, item in rows] == [(1, "Zoë\r\nMay"), (2, "Bo")]


def test_unpacked_bytes_are_capped_across_the_files_before_any_row_is_used():
    users, demographics = pupils_text()
    data = bundle(users.encode() + b"x" * 5000, demographics.encode())
    with pytest.raises(RosterTooLarge):
        read(data, limit=4000)


@pytest.mark.parametrize("users", [b"\x00\x01\x02\x03" * 100, b"PK\x03\x04" + b"\x00" * 100])
def test_a_binary_or_archive_member_is_unreadable(users):
    with pytest.raises(RosterUnreadable):
        read(bundle(users, DEMOGRAPHICS.encode()))
