"""Hours for a group (a club session): one activity, many pupils, one request, exactly once per pupil."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from tests.world import World, add_pupil


def club(world: World, hours: float = 1, **extra) -> dict:
    body = {"title": "Chess club", "hours": hours, "skills": ["problem solving"], "interests": ["STEM"],
            "school_id": world.a.school_id} | extra
    resp = world.as_(world.a.staff).post("/api/activities", json=body)
    assert resp.status == 201, resp.body
    return resp.json()


def record(world: World, activity_id: str, pupil_ids: list[str], session_id: str | None = None, actor=None):
    return world.as_(actor or world.a.staff).post(
        f"/api/schools/{world.a.school_id}/group-redemptions",
        json={"activity_id": activity_id, "pupil_ids": pupil_ids, "session_id": session_id or secrets.token_hex(8)})


def hours_of(world: World, pupil_id: str) -> float:
    resp = world.as_(world.a.staff).get(f"/api/schools/{world.a.school_id}/pupils/{pupil_id}/progress")
    assert resp.status == 200, resp.body
    return resp.json()["total_hours"]


def test_a_club_session_gives_each_ticked_pupil_the_hours_once_and_is_audited(world):
    activity = club(world, hours=1.5)
    pupils = [add_pupil(world.as_(world.a.staff), world.a.school_id) for _ in range(3)]
    before = {p: hours_of(world, p) for p in pupils}
    session_id = secrets.token_hex(8)

    resp = record(world, activity["id"], pupils + [pupils[0]], session_id)
    assert resp.status == 200, resp.body
    body = resp.json()
    assert body["activity"]["title"] == "Chess club" and body["session_id"] == session_id
    assert [m["pupil_id"] for m in body["recorded"]] == pupils
    assert [m["total_hours"] for m in body["recorded"]] == [before[p] + 1.5 for p in pupils]
    assert body["already_recorded"] == []
    assert {p: hours_of(world, p) for p in pupils} == {p: before[p] + 1.5 for p in pupils}

    # The answer was lost and the same request comes again: nobody gets the hours twice.
    again = record(world, activity["id"], pupils, session_id)
    assert again.status == 200, again.body
    assert again.json()["recorded"] == []
    assert [(m["pupil_id"], m["redemption_id"]) for m in again.json()["already_recorded"]] == [
        (m["pupil_id"], m["redemption_id"]) for m in body["recorded"]]
    assert {p: hours_of(world, p) for p in pupils} == {p: before[p] + 1.5 for p in pupils}

    # Next week's session of the same club is a new session.
    assert record(world, activity["id"], pupils[:1]).json()["recorded"][0]["total_hours"] == before[pupils[0]] + 3

    today = date.today().isoformat()
    entries = world.as_(world.a.staff).get("/api/audit", params={"subject_id": pupils[1], "from": today,
                                                                   "to": today}).json()["entries"]
    sessions = [e for e in entries if e["action"] == "group_redemption"]
    assert len(sessions) == 1 and sessions[0]["actor_id"] == world.a.staff.id
    assert sorted(sessions[0]["subject_ids"]) == sorted(pupils)


def test_a_session_that_reaches_an_award_says_so(world):
    activity = club(world, hours=30, title="Summer club")
    pupil = add_pupil(world.as_(world.a.staff), world.a.school_id)
    (member,) = record(world, activity["id"], [pupil]).json()["recorded"]
    assert member["new_awards"] == [{"name": "Bronze Award", "hours": 30}]
    progress = world.as_(world.a.staff).get(f"/api/schools/{world.a.school_id}/pupils/{pupil}/progress").json()
    assert [a["name"] for a in progress["awards"]] == ["Bronze Award"]
    assert progress["redemptions"][0]["activity"]["title"] == "Summer club"


def test_one_pupil_who_cannot_collect_refuses_the_whole_session_and_changes_nothing(world):
    activity = club(world)
    staff = world.as_(world.a.staff)
    ok = add_pupil(staff, world.a.school_id)
    restricted = add_pupil(staff, world.a.school_id)
    assert staff.patch(f"/api/schools/{world.a.school_id}/pupils/{restricted}",
                       json={"restricted": True}).status == 200
    before = hours_of(world, ok)
    other_school_pupil = world.b.pupil.id
    resp = record(world, activity["id"], [ok, restricted, other_school_pupil, "pup_nosuch"])
    assert resp.status == 400, resp.body
    problem = resp.json()
    assert [e["field"] for e in problem["errors"]] == ["pupil_ids.1", "pupil_ids.2", "pupil_ids.3"]
    assert "restricted" in problem["errors"][0]["message"]
    assert hours_of(world, ok) == before


def test_only_the_pupils_school_records_and_only_for_activities_open_to_it(world):
    activity = club(world)
    pupil = world.a.pupil.id
    # Another school's staff: the school is outside their scope.
    other = world.as_(world.b.staff).post(f"/api/schools/{world.a.school_id}/group-redemptions", json={
        "activity_id": activity["id"], "pupil_ids": [pupil], "session_id": secrets.token_hex(8)})
    assert other.status == 404
    # The partner manager sees the school but does not record pupils' hours.
    assert record(world, activity["id"], [pupil], actor=world.a.manager).status == 403
    # Another school's club, and an unknown activity, are not found.
    their_club = world.as_(world.b.staff).post("/api/activities", json={
        "title": "Their club", "hours": 1, "skills": [], "interests": [], "school_id": world.b.school_id}).json()
    assert record(world, their_club["id"], [pupil]).status == 404
    assert record(world, "act_nosuch", [pupil]).status == 404
    # An activity that has closed.
    closed = club(world, valid_from=(date.today() - timedelta(days=10)).isoformat(),
                  valid_to=(date.today() - timedelta(days=1)).isoformat())
    assert record(world, closed["id"], [pupil]).status == 410
    # A partner's learning destination is open to its schools.
    destination = world.as_(world.a.manager).post("/api/activities", json={
        "title": "Castle visit", "hours": 2, "skills": [], "interests": [], "partner_id": world.a.partner_id}).json()
    assert record(world, destination["id"], [pupil]).status == 200


def test_bad_requests_are_refused_plainly(world):
    activity = club(world)
    staff = world.as_(world.a.staff)
    path = f"/api/schools/{world.a.school_id}/group-redemptions"
    no_session = staff.post(path, json={"activity_id": activity["id"], "pupil_ids": [world.a.pupil.id]})
    assert no_session.status == 400 and no_session.json()["errors"][0]["field"] == "session_id"
    nobody = staff.post(path, json={"activity_id": activity["id"], "pupil_ids": [], "session_id": "abcdefgh"})
    assert nobody.status == 400 and nobody.json()["errors"][0]["field"] == "pupil_ids"
    too_many = staff.post(path, json={"activity_id": activity["id"], "pupil_ids": [f"pup_{i}" for i in range(201)],
                                      "session_id": "abcdefgh"})
    assert too_many.status == 400
