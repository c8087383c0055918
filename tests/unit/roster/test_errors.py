from shared.errors import FieldError
from shared.problems import problem_for
from shared.roster import RosterTooLarge, RosterUnreadable
from shared.roster.columns import FIRST_NAME


def test_an_unreadable_roster_is_a_400_problem_listing_the_missing_columns():
    problem = problem_for(RosterUnreadable("The file has no first name column.", errors=[
        FieldError(message="no first name column", field=FIRST_NAME),
    ]))
    assert problem.status == 400
    assert problem.body["errors"] == [{"message": "no first name column", "field": "first_name"}]


def test_a_roster_over_the_size_limit_is_a_413_problem():
    assert problem_for(RosterTooLarge("The file is larger than the limit of 1,000 bytes.")).status == 413
