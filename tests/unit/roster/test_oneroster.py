import pytest

from shared.roster import RosterUnreadable
from tests.unit.roster.support import roster

HEADER = "sourcedId,role,givenName,familyName,email,birthDate,sex"


def test_only_students_are_loaded_from_a_oneroster_users_file():
    result = roster(
        "u1,student,Poppy,Bellamy,,2015-10-02,female",
        "u2,teacher,Gwendolyn,Hartnell,g.hartnell@example.sch.uk,,",
        "u3,parent,Harriet,Bellamy,h.bellamy@example.org,,female",
        "u4,Student,Ren,Nakamura,,2020-01-20,other",
        header=HEADER,
    )
    assert [(r.row, r.first_name) for r in result.records] == [(1, "Poppy"), (4, "Ren")]


def test_other_roles_are_skipped_not_counted_as_pupils_and_not_errors():
    result = roster(
        "u1,student,Poppy,Bellamy,,2015-10-02,female",
        "u2,teacher,Gwendolyn,Hartnell,,,",
        "u3,administrator,Lionel,Fairweather,,,",
        "u4,guardian,Dimitra,Karamanlis,,,",
        header=HEADER,
    )
    assert result.errors == []
    assert result.received == 1
    assert result.skipped == 3


def test_a_user_with_a_blank_role_is_an_error_rather_than_silently_skipped():
    result = roster("u1,student,Poppy,Bellamy,,2015-10-02,female", "u2,,Ren,Nakamura,,2020-01-20,other", header=HEADER)
    assert [(e.row, e.field) for e in result.errors] == [(2, "role")]
    assert result.received == 2


def test_the_role_column_is_reported_as_dropped_because_it_is_never_stored():
    result = roster("u1,student,Poppy,Bellamy,,2015-10-02,female", header=HEADER)
    assert result.dropped_columns == ["sourcedId", "role", "email"]


def test_a_users_file_with_no_students_is_unreadable():
    with pytest.raises(RosterUnreadable, match="student"):
        roster("u2,teacher,Gwendolyn,Hartnell,,,", header=HEADER)


def test_a_plain_oneroster_users_file_without_demographics_explains_where_birth_dates_are():
    with pytest.raises(RosterUnreadable, match="demographics.csv"):
        roster("u1,active,student,poppy,Poppy,Bellamy", header="sourcedId,status,role,username,givenName,familyName")
