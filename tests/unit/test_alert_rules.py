from shared.alerts.rules import LOCKOUT_SPIKE, MASS_ACTION, alerts_from, worth_filing
from shared.alerts.store import AlertEvent


def _event(action: str, minute: int, actor: str | None = "stf_a", hour: int = 10) -> AlertEvent:
    return AlertEvent(at=f"2026-12-01T{hour:02d}:{minute:02d}:00Z", action=action, actor_id=actor, subject_count=1,
                      school_id="sch_a", partner_id="ptn_a")


def test_every_held_roster_sync_and_token_reuse_is_an_alert():
    found = alerts_from([_event("roster_sync_held", 1), _event("token_reuse_detected", 2, actor=None)])
    assert [a.kind for a in found] == ["refresh_token_reuse", "roster_sync_held"]


def test_lockouts_become_an_alert_only_as_a_spike_within_one_hour():
    below = [_event("sign_in_locked", m, actor=None) for m in range(LOCKOUT_SPIKE - 1)]
    assert alerts_from(below) == []
    split = below + [_event("sign_in_locked", 0, actor=None, hour=11)]
    assert alerts_from(split) == []
    spike = alerts_from(below + [_event("sign_in_locked", 59, actor=None)])
    assert [(a.kind, a.count) for a in spike] == [("sign_in_lockout_spike", LOCKOUT_SPIKE)]


def test_mass_erasures_count_per_person_and_the_retention_timer_is_not_a_person():
    by_timer = [_event("pupil_erased", m % 60, actor="retention") for m in range(MASS_ACTION * 3)]
    assert alerts_from(by_timer) == []
    two_people = [_event("pupil_erased", m, actor="stf_a" if m % 2 else "stf_b") for m in range(MASS_ACTION)]
    assert alerts_from(two_people) == []
    one = alerts_from([_event("staff_deleted", m % 60) for m in range(MASS_ACTION)])
    assert [(a.kind, a.actor_id, a.school_id) for a in one] == [("mass_erasure", "stf_a", "sch_a")]


def test_only_events_that_can_make_an_alert_are_filed():
    assert worth_filing("token_reuse_detected", None) and worth_filing("sign_in_locked", None)
    assert worth_filing("pupil_erased", "stf_a") and not worth_filing("pupil_erased", "retention")
    assert not worth_filing("pupil_read", "stf_a") and not worth_filing("sign_in", "stf_a")
