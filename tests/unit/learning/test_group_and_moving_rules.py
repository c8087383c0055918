"""The rules of a club session's hours and of a record moving school, against in-memory stores (`fakes`)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.errors import InvalidRequest
from shared.learning.awards import LADDER
from shared.learning.group import credit_session
from shared.learning.model import Activity, FromCode, NewAward, Redemption
from shared.learning.moving import move_record
from shared.learning.schemas import ActivitySummary
from shared.roster.model import PupilStatus
from tests.unit.learning.fakes import FakeRecords, pupil_row

NOW = datetime(2026, 10, 5, 15, 30, tzinfo=UTC)
CLUB = Activity(id="act_chess", title="Chess club", description=None, minutes=90, skills=("problem solving",),
                interests=("games",), employer_engagement=False, partner_id=None, school_id="sch_a", valid_from=None,
                valid_to=None, created_by="stf_a", created_at="2026-09-01T00:00:00Z")


@pytest.fixture
def records() -> FakeRecords:
    return FakeRecords()


def session(records: FakeRecords, pupil_ids: list[str], session_id: str = "tue-0610"):
    return credit_session(None, "sch_a", CLUB, pupil_ids, session_id, now=NOW, actor_id="stf_a", records=records)


def test_a_session_gives_each_pupil_its_hours_once_however_often_it_is_sent(records):
    for n in range(3):
        records.add(pupil_row(pupil_id=f"pup_{n}"))
    recorded, repeated = session(records, ["pup_0", "pup_1", "pup_2"])
    assert [m.pupil_id for m in recorded] == ["pup_0", "pup_1", "pup_2"] and repeated == []
    again, repeated = session(records, ["pup_0", "pup_1", "pup_2"])
    assert again == [] and {m.redemption_id for m in repeated} == {m.redemption_id for m in recorded}
    assert [records.total("sch_a", f"pup_{n}") for n in range(3)] == [90, 90, 90]
    other, _ = session(records, ["pup_0"], session_id="wed-0710")  # another session of the club counts
    assert len(other) == 1 and records.total("sch_a", "pup_0") == 180


def test_one_pupil_who_cannot_collect_hours_stops_the_whole_session(records):
    records.add(pupil_row(pupil_id="pup_ok"))
    records.add(pupil_row(pupil_id="pup_left", status=PupilStatus.LEFT))
    with pytest.raises(InvalidRequest) as refused:
        session(records, ["pup_ok", "pup_left", "pup_nobody"])
    assert [e.field for e in refused.value.errors] == ["pupil_ids.1", "pupil_ids.2"]
    assert records.total("sch_a", "pup_ok") == 0


def _redemption(code: str, minutes: int, at: str) -> Redemption:
    return Redemption(source=FromCode(code), redemption_id=f"rdm_{code.lower()}",
                      activity=ActivitySummary(id="act_museum", title="Museum", hours=minutes / 60,
                                               skills=["curiosity"], interests=["history"], employer_engagement=False),
                      minutes=minutes, redeemed_at=at, redeemed_by="pup_old")


def _old_record(records: FakeRecords) -> None:
    """A leaver at the old school with 40 hours from two codes and the Bronze Award (with its verification code)."""
    old = records.add(pupil_row("sch_old", "pup_old"))
    for redemption in (_redemption("RED1111", 30 * 60, "2026-03-01T10:00:00Z"),
                       _redemption("BLUE2222", 10 * 60, "2026-04-01T10:00:00Z")):
        records.credit(None, records.read_learner(None, "sch_old", "pup_old"), redemption,
                       total_minutes=old.total_minutes + redemption.minutes, stats="",
                       awards=[NewAward(LADDER[0], redemption.redeemed_at, redemption.redemption_id, "VCODEOLD")]
                       if redemption.source == FromCode("RED1111") else [])
        old = records.read_learner(None, "sch_old", "pup_old")


def move(records: FakeRecords, key: str = "transfer-key-1"):
    return move_record(None, from_school="sch_old", from_pupil="pup_old", to_school="sch_new", to_pupil="pup_new",
                       key=key, now=NOW, records=records)


def test_a_record_moves_its_hours_and_awards_exactly_once(records):
    _old_record(records)
    records.add(pupil_row("sch_new", "pup_new", total_minutes=0))
    done = move(records)
    assert (done.minutes_added, done.redemptions_moved, done.awards_moved, done.already_done) == (2400, 2, 1, False)
    assert records.total("sch_new", "pup_new") == 2400
    (bronze,) = records.learning_record(None, "sch_new", "pup_new").awards
    assert bronze.achieved_at == "2026-03-01T10:00:00Z" and bronze.verification_code == "VCODEOLD"
    again = move(records)
    assert again.already_done and records.total("sch_new", "pup_new") == 2400


def test_a_code_the_pupil_already_redeemed_at_the_new_school_is_not_counted_twice(records):
    _old_record(records)
    new = records.add(pupil_row("sch_new", "pup_new"))
    records.credit(None, new, _redemption("BLUE2222", 10 * 60, "2026-09-10T10:00:00Z"), total_minutes=600, stats="")
    done = move(records)
    assert (done.minutes_added, done.redemptions_moved) == (1800, 1)
    assert records.total("sch_new", "pup_new") == 2400


def test_an_award_both_schools_gave_answers_for_both_verification_codes(records):
    _old_record(records)
    new = records.add(pupil_row("sch_new", "pup_new"))
    records.credit(None, new, _redemption("GOLD3333", 31 * 60, "2026-09-10T10:00:00Z"), total_minutes=31 * 60, stats="",
                   awards=[NewAward(LADDER[0], "2026-09-10T10:00:00Z", "rdm_gold3333", "VCODENEW")])
    done = move(records)
    assert done.moved_codes == ("VCODEOLD",)
    (bronze,) = [a for a in records.learning_record(None, "sch_new", "pup_new").awards if a.rank == 1]
    assert bronze.verification_code == "VCODENEW" and bronze.earlier_verification_codes == ("VCODEOLD",)


def test_a_move_that_races_a_redemption_adds_to_the_new_total_instead_of_overwriting_it(records):
    _old_record(records)
    records.add(pupil_row("sch_new", "pup_new"))
    raced = []

    def redemption_lands_first() -> None:
        if not raced:
            raced.append(True)
            records.touch("sch_new", "pup_new")  # the pupil row changed after the move read it

    records.before_credit = redemption_lands_first
    assert move(records).minutes_added == 2400
    assert raced and records.total("sch_new", "pup_new") == 2400
