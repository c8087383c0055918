"""What a sync decides, from a roster held in memory (`RosterSnapshot`) and a parsed upload: no storage."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from shared.errors import FieldError
from shared.roster.errors import RosterNothingAccepted
from shared.roster.ingest import decide_sync
from shared.roster.model import Gender, ParsedRoster, Pupil, PupilRecord, PupilStatus, RejectedRow, RosterSnapshot
from shared.roster.rules import cohort_of, match_key
from shared.roster.schemas import RosterMode, SyncOutcome

NOW = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
GUARD = {"grace_days": 30, "max_leaver_share": 0.2, "min_held_leavers": 5}


def record(n: int, *, upn: str | None = None) -> PupilRecord:
    dob = date(2016, 1 + n % 12, 1 + n % 28)
    return PupilRecord(row=n + 1, first_name=f"Child{n}", last_name="Test", date_of_birth=dob, gender=Gender.OTHER,
                       upn=upn, cohort=cohort_of(dob))


def stored(n: int, **changes) -> Pupil:
    r = record(n)
    pupil = Pupil(id=f"pup_{n:04d}", school_id="sch_a", first_name=r.first_name, last_name=r.last_name,
                  date_of_birth=r.date_of_birth, gender=r.gender, upn=None, username=f"child{n}",
                  status=PupilStatus.ACTIVE, restricted=False, total_minutes=0, created_at="2026-09-01T00:00:00Z",
                  updated_at="2026-09-01T00:00:00Z", cohort=r.cohort)
    return pupil if not changes else Pupil(**{**pupil.__dict__, **changes})


def roster(*pupils: Pupil) -> RosterSnapshot:
    return RosterSnapshot(school_id="sch_a", pupils=list(pupils), version="v1")


def decide(snapshot: RosterSnapshot, parsed: ParsedRoster, *, mode: RosterMode = RosterMode.FULL,
           dry_run: bool = False, confirm_leavers: int | None = None):
    return decide_sync(snapshot, parsed, mode=mode, now=NOW, dry_run=dry_run, confirm_leavers=confirm_leavers,
                       **GUARD)


def test_an_unchanged_file_writes_nothing():
    decision = decide(roster(*(stored(n) for n in range(10))), ParsedRoster(records=[record(n) for n in range(10)],
                                                                          received=10))
    assert decision.plan.writes == [] and decision.report.unchanged == 10 and not decision.held


def test_a_full_sync_marks_absentees_left_with_the_grace_period():
    decision = decide(roster(*(stored(n) for n in range(20))), ParsedRoster(records=[record(n) for n in range(19)],
                                                                          received=19))
    (leaver,) = decision.plan.leavers
    assert leaver.status is PupilStatus.LEFT and leaver.deletion_due == "2026-11-04"
    assert decision.report.outcome is SyncOutcome.APPLIED and not decision.held


def test_a_partial_sync_never_marks_anyone_left():
    decision = decide(roster(*(stored(n) for n in range(20))), ParsedRoster(records=[record(0)], received=1),
                      mode=RosterMode.PARTIAL)
    assert decision.plan.leavers == [] and not decision.held


def test_a_sync_that_would_mark_many_left_is_held_until_that_number_is_confirmed():
    snapshot = roster(*(stored(n) for n in range(30)))
    parsed = ParsedRoster(records=[record(n) for n in range(20)], received=20)
    held = decide(snapshot, parsed)
    assert held.held and held.report.confirm_leavers == 10 and "10 of the school's 30" in held.report.hold_reason
    assert decide(snapshot, parsed, confirm_leavers=9).held  # a different number: the roster or file changed
    assert not decide(snapshot, parsed, confirm_leavers=10).held


def test_a_rejected_row_that_still_names_a_pupil_keeps_them_on_roll():
    parsed = ParsedRoster(records=[record(n) for n in range(9)], received=10,
                          errors=[FieldError(row=10, field="gender", message="gender is not recognised")],
                          rejected=[RejectedRow(row=10,
                                                match_key=match_key("Child9", "Test", record(9).date_of_birth))])
    decision = decide(roster(*(stored(n) for n in range(10))), parsed)
    assert decision.plan.leavers == [] and decision.report.kept_unchanged_rejected == 1


def test_a_full_sync_with_no_row_accepted_is_refused():
    parsed = ParsedRoster(records=[], received=3, errors=[FieldError(row=n, field="date_of_birth", message="bad")
                                                          for n in (1, 2, 3)])
    with pytest.raises(RosterNothingAccepted):
        decide(roster(stored(0)), parsed)


def test_a_preview_names_who_would_be_new_and_who_would_leave():
    decision = decide(roster(stored(0), stored(1)), ParsedRoster(records=[record(0), record(5)], received=2),
                      dry_run=True)
    assert decision.report.outcome is SyncOutcome.PREVIEW
    assert [p.first_name for p in decision.report.new_pupils] == ["Child5"]
    assert [p.id for p in decision.report.leaving_pupils] == ["pup_0001"]


def test_a_pupil_who_comes_back_is_reactivated_not_created_again():
    gone = stored(3, status=PupilStatus.LEFT, left_at="2026-09-20T00:00:00Z", deletion_due="2026-10-20")
    decision = decide(roster(gone), ParsedRoster(records=[record(3)], received=1), mode=RosterMode.PARTIAL)
    (back,) = decision.plan.writes
    assert back.id == gone.id and back.status is PupilStatus.ACTIVE and back.deletion_due is None
    assert decision.report.reactivated == 1 and decision.report.created == 0
