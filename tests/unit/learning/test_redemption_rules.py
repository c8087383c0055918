"""The rules of redeeming a code, run against in-memory stores (`fakes`): no storage, no clock but the one given."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from azure.core.exceptions import ServiceResponseError

from shared.errors import ConcurrencyConflict, NotFound
from shared.learning.errors import CodeAlreadyRedeemed, CodeNotFound, CodeOutsideWindow, CodeUsedUp
from shared.learning.model import FromCode
from shared.learning.redemption import redeem_code
from tests.unit.learning.fakes import FakeCodes, FakeRecords, pupil_row, stamp_code

NOW = datetime(2026, 10, 5, 15, 30, tzinfo=UTC)


@pytest.fixture
def codes() -> FakeCodes:
    return FakeCodes()


@pytest.fixture
def records() -> FakeRecords:
    return FakeRecords()


def redeem(learner, code: str, codes: FakeCodes, records: FakeRecords, now: datetime = NOW):
    return redeem_code(None, learner, code, now=now, actor_id=None, codes=codes, records=records)


def test_a_code_credits_its_hours_once_and_reaches_the_awards_on_the_way(codes, records):
    codes.add(stamp_code("RED2468", minutes=60))
    pupil = records.add(pupil_row(total_minutes=29 * 60))
    done = redeem(pupil, "RED2468", codes, records)
    assert done.total_minutes == 30 * 60 and [a.name for a in done.reached] == ["Bronze Award"]
    assert records.total("sch_a", "pup_a") == 30 * 60
    with pytest.raises(CodeAlreadyRedeemed) as again:
        redeem(records.read_learner(None, "sch_a", "pup_a"), "RED2468", codes, records)
    assert again.value.extra["redemption_id"] == done.redemption_id
    assert records.total("sch_a", "pup_a") == 30 * 60


def test_a_single_use_code_goes_to_one_pupil_only(codes, records):
    codes.add(stamp_code("BLUE1111", single_use=True))
    first, second = records.add(pupil_row(pupil_id="pup_a")), records.add(pupil_row(pupil_id="pup_b"))
    redeem(first, "BLUE1111", codes, records)
    with pytest.raises(CodeUsedUp):
        redeem(second, "BLUE1111", codes, records)
    assert records.total("sch_a", "pup_b") == 0


def test_another_schools_club_code_answers_as_an_unknown_code(codes, records):
    codes.add(stamp_code("GOLD1234", school_id="sch_other"))
    with pytest.raises(CodeNotFound):
        redeem(records.add(pupil_row()), "GOLD1234", codes, records)


def test_a_code_outside_its_window_is_refused_without_using_it(codes, records):
    from dataclasses import replace

    codes.add(replace(stamp_code("PINK4321", max_uses=3), valid_to=date(2026, 10, 4)))
    with pytest.raises(CodeOutsideWindow):
        redeem(records.add(pupil_row()), "PINK4321", codes, records)
    assert codes.count("PINK4321") == 0


def test_a_capped_code_turns_pupils_away_only_at_its_cap(codes, records):
    codes.add(stamp_code("GREY2020", max_uses=2))
    pupils = [records.add(pupil_row(pupil_id=f"pup_{n}")) for n in range(3)]
    redeem(pupils[0], "GREY2020", codes, records)
    redeem(pupils[1], "GREY2020", codes, records)
    with pytest.raises(CodeUsedUp):
        redeem(pupils[2], "GREY2020", codes, records)
    assert codes.count("GREY2020") == 2


@pytest.mark.parametrize("failure", [
    ServiceResponseError("storage stalled"),  # the transaction never answered (and did not commit)
    ConcurrencyConflict("too busy"),  # the pupil row kept changing: every attempt lost
    NotFound("Not found."),  # the pupil is being erased
    RuntimeError("the host is going down"),
])
def test_a_capped_codes_reserved_use_is_given_back_when_the_redemption_fails_any_way(codes, records, failure):
    codes.add(stamp_code("GREY2020", max_uses=2))
    pupil = records.add(pupil_row())

    def fail() -> None:
        raise failure

    records.before_credit = fail
    with pytest.raises(type(failure)):
        redeem(pupil, "GREY2020", codes, records)
    assert codes.count("GREY2020") == 0  # no redemption, so no use: the next two pupils still get in
    records.before_credit = None
    for n in range(2):
        redeem(records.add(pupil_row(pupil_id=f"pup_next{n}")), "GREY2020", codes, records)
    assert codes.count("GREY2020") == 2


def test_a_use_is_kept_when_the_redemption_was_written_but_its_answer_lost(codes, records):
    codes.add(stamp_code("GREY2020", max_uses=2))
    pupil = records.add(pupil_row())
    records.lose_answer = ServiceResponseError("connection reset after the write")
    with pytest.raises(ServiceResponseError):
        redeem(pupil, "GREY2020", codes, records)
    assert records.was_credited(None, "sch_a", "pup_a", FromCode("GREY2020"))
    assert codes.count("GREY2020") == 1  # one redemption, one use
    records.lose_answer = None
    with pytest.raises(CodeAlreadyRedeemed):  # the retry finds it done and counts nothing more
        redeem(records.read_learner(None, "sch_a", "pup_a"), "GREY2020", codes, records)
    assert codes.count("GREY2020") == 1


def test_a_single_use_claim_is_given_back_when_the_redemption_fails(codes, records):
    codes.add(stamp_code("BLUE1111", single_use=True))
    first, second = records.add(pupil_row(pupil_id="pup_a")), records.add(pupil_row(pupil_id="pup_b"))

    def fail() -> None:
        raise ServiceResponseError("storage stalled")

    records.before_credit = fail
    with pytest.raises(ServiceResponseError):
        redeem(first, "BLUE1111", codes, records)
    records.before_credit = None
    redeem(second, "BLUE1111", codes, records)  # nobody holds it: the code was not used
    assert records.total("sch_a", "pup_b") == 60


def test_two_redemptions_by_one_pupil_meet_at_the_pupil_row_and_both_count(codes, records):
    codes.add(stamp_code("RED1000", minutes=60))
    codes.add(stamp_code("RED2000", minutes=90))
    stale = records.add(pupil_row())
    redeem(stale, "RED1000", codes, records)
    # `stale` was read before the first redemption changed the row: the write re-reads and adds, never overwrites.
    redeem(stale, "RED2000", codes, records)
    assert records.total("sch_a", "pup_a") == 150
