"""Moving school keeps the record: transfer codes issued at the old school, redeemed at the new one."""

from __future__ import annotations

import secrets
import threading
from datetime import date, timedelta

from shared.ids import clock_moved
from tests.functions.test_learning import codes_for, partner_activity, pupil_session, redeem
from tests.functions.test_verification import _certificate_code
from tests.world import World, add_pupil


def _client() -> dict[str, str]:
    return {"x-forwarded-for": f"2001:db8:{secrets.token_hex(2)}:{secrets.token_hex(2)}::1"}


def _earn(world: World, client, hours: int, **extra) -> None:
    activity = partner_activity(world, hours=hours, title=f"Trip {hours}")
    (code,) = codes_for(world, activity["id"])
    assert redeem(client, code, **extra).status == 201


def _leaver_with_silver(world: World) -> dict:
    """A pupil at a new school of partner A who reached Silver (65 h), opened a certificate, then left."""
    manager = world.as_(world.a.manager)
    school_id = manager.post(f"/api/partners/{world.a.partner_id}/schools", json={"name": "Old Primary"}).json()["id"]
    pupil_id, pupil = pupil_session(world, school_id)
    _earn(world, pupil, 30)
    _earn(world, pupil, 35)
    awards = pupil.get("/api/me/progress").json()["awards"]
    code, _ = _certificate_code(pupil, awards[0])
    sync = manager.post(f"/api/schools/{school_id}/roster", params={"mode": "full"}, json={"pupils": [
        {"first_name": "Stays", "last_name": "Behind", "date_of_birth": "2016-05-05", "gender": "male"}]})
    assert sync.status == 200 and sync.json()["left"] == 1, sync.body
    return {"school_id": school_id, "pupil_id": pupil_id, "verification_code": code,
            "awards": awards}


def _issue(world: World, leaver: dict):
    return world.as_(world.a.manager).post(
        f"/api/schools/{leaver['school_id']}/pupils/{leaver['pupil_id']}/transfer-code")


def _newcomer(world: World, hours: int = 10) -> str:
    """A pupil on the roster of tenant B's school (another partner) with some hours of their own."""
    staff = world.as_(world.b.staff)
    pupil_id = add_pupil(staff, world.b.school_id)
    if hours:
        _earn(world, staff, hours, pupil_id=pupil_id)
    return pupil_id


def _redeem(world: World, pupil_id: str, code: str, headers: dict | None = None):
    return world.as_(world.b.staff).post(f"/api/schools/{world.b.school_id}/pupils/{pupil_id}/transfer",
                                         json={"code": code}, headers=headers or _client())


def _progress(world: World, pupil_id: str) -> dict:
    return world.as_(world.b.staff).get(f"/api/schools/{world.b.school_id}/pupils/{pupil_id}/progress").json()


def test_a_leavers_hours_and_awards_move_to_the_new_school_with_their_dates_and_codes(world):
    leaver = _leaver_with_silver(world)
    issued = _issue(world, leaver)
    assert issued.status == 201, issued.body
    left = world.as_(world.a.manager).get(f"/api/schools/{leaver['school_id']}/pupils/{leaver['pupil_id']}").json()
    assert issued.json()["expires_on"] == left["deletion_due"]
    newcomer = _newcomer(world, hours=10)
    moved = _redeem(world, newcomer, issued.json()["code"].lower())
    assert moved.status == 200, moved.body
    assert moved.json() | {"pupil_id": None} == {"pupil_id": None, "total_hours": 75, "hours_added": 65,
                                                  "redemptions_moved": 2, "awards_moved": 2, "already_moved": False}
    progress = _progress(world, newcomer)
    assert progress["total_hours"] == 75 and len(progress["redemptions"]) == 3
    assert [(a["name"], a["achieved_at"]) for a in progress["awards"]] == [
        (a["name"], a["achieved_at"]) for a in leaver["awards"]]
    assert progress["awards"][0]["verification_code"] == leaver["verification_code"]
    assert progress["awards"][0]["certificate_id"].startswith(world.b.school_id)


def test_entering_the_code_again_moves_nothing_twice(world):
    leaver = _leaver_with_silver(world)
    code = _issue(world, leaver).json()["code"]
    newcomer = _newcomer(world, hours=0)
    assert _redeem(world, newcomer, code).json()["total_hours"] == 65
    again = _redeem(world, newcomer, code)
    assert again.status == 200 and again.json()["already_moved"] is True and again.json()["total_hours"] == 65
    assert _progress(world, newcomer)["total_hours"] == 65


def test_the_same_code_entered_at_once_from_several_screens_counts_once(world):
    leaver = _leaver_with_silver(world)
    code = _issue(world, leaver).json()["code"]
    newcomer = _newcomer(world, hours=10)
    barrier = threading.Barrier(4)
    statuses: list[int] = []

    def enter() -> None:
        barrier.wait()
        statuses.append(_redeem(world, newcomer, code).status)

    threads = [threading.Thread(target=enter) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert 200 in statuses and set(statuses) <= {200, 409}
    progress = _progress(world, newcomer)
    assert progress["total_hours"] == 75 and len(progress["redemptions"]) == 3
    assert [a["name"] for a in progress["awards"]] == ["Bronze Award", "Silver Award"]


def test_a_code_is_single_use_and_for_a_leaver_only(world):
    leaver = _leaver_with_silver(world)
    code = _issue(world, leaver).json()["code"]
    assert _redeem(world, _newcomer(world, 0), code).status == 200
    other = _redeem(world, _newcomer(world, 0), code)
    assert other.status == 409 and other.json()["title"] == "Transfer code already used"
    assert _issue(world, leaver).status == 409
    active_id, _ = pupil_session(world)
    resp = world.as_(world.a.staff).post(f"/api/schools/{world.a.school_id}/pupils/{active_id}/transfer-code")
    assert resp.status == 409 and resp.json()["title"] == "Not a leaver"
    assert _redeem(world, _newcomer(world, 0), "0000-0000-0000-0000").status == 404


def test_a_code_is_useless_after_the_old_records_erasure_date(world):
    leaver = _leaver_with_silver(world)
    issued = _issue(world, leaver).json()
    days = (date.fromisoformat(issued["expires_on"]) - date.today()).days + 1
    with clock_moved(timedelta(days=days)):
        resp = _redeem(world, _newcomer(world, 0), issued["code"])
    assert resp.status == 410


def test_the_move_is_audited_at_both_schools(world):
    leaver = _leaver_with_silver(world)
    code = _issue(world, leaver).json()["code"]
    newcomer = _newcomer(world, 0)
    _redeem(world, newcomer, code)
    today = date.today().isoformat()
    entries = world.as_(world.admin).get("/api/audit", params={"from": today, "to": today}).json()["entries"]
    sent = [e for e in entries if e["action"] == "transfer_sent" and leaver["pupil_id"] in e["subject_ids"]]
    received = [e for e in entries if e["action"] == "transfer_received" and newcomer in e["subject_ids"]]
    issued = [e for e in entries if e["action"] == "transfer_code_issued" and leaver["pupil_id"] in e["subject_ids"]]
    assert sent and received and issued
    assert sent[0]["school_id"] == leaver["school_id"] and received[0]["school_id"] == world.b.school_id


def test_after_the_old_copy_is_erased_the_moved_verification_code_still_answers(world):
    leaver = _leaver_with_silver(world)
    code = _issue(world, leaver).json()["code"]
    newcomer = _newcomer(world, 0)
    assert _redeem(world, newcomer, code).status == 200
    manager = world.as_(world.a.manager)
    assert manager.delete(f"/api/schools/{leaver['school_id']}/pupils/{leaver['pupil_id']}").status == 204
    check = world.client.as_(None).get(f"/api/verify/{leaver['verification_code']}", headers=_client())
    assert check.status == 200 and check.json()["award"] == "Bronze Award"
    assert _redeem(world, newcomer, code).status == 404  # the code went with the old record
    assert world.as_(world.b.staff).delete(f"/api/schools/{world.b.school_id}/pupils/{newcomer}").status == 204
    gone = world.client.as_(None).get(f"/api/verify/{leaver['verification_code']}", headers=_client())
    assert gone.status == 404
