"""Revocation that reaches sessions: a password reset, deletion, logout and "sign out everywhere" end every
access and refresh token of the person at once (finding 3 of issue 14)."""

from __future__ import annotations

from shared.identity import sessions
from shared.storage.clients import get_storage
from tests.world import STAFF_PASSWORD, Actor, World, accept, add_pupil, staff_body


def _login(world: World, username: str, password: str) -> dict:
    resp = world.client.as_(None).post("/api/auth/login", json={"username": username, "password": password})
    assert resp.status == 200, resp.body
    return resp.json()


def _new_staff(world: World, label: str) -> tuple[Actor, str]:
    body = staff_body(label)
    created = world.as_(world.admin).post(f"/api/schools/{world.a.school_id}/staff", json=body)
    assert created.status == 201
    return accept(world.client, created.json()["invitation_url"], body["email"]), body["email"]


def _new_pupil(world: World) -> tuple[str, dict]:
    as_staff = world.as_(world.a.manager)
    pupil_id = add_pupil(as_staff, world.a.school_id)
    creds = as_staff.post(f"/api/schools/{world.a.school_id}/pupils/{pupil_id}/password").json()
    return pupil_id, creds


def _refresh(world: World, token: str):
    return world.client.as_(None).post("/api/auth/refresh", json={"refresh_token": token})


def test_a_password_reset_ends_the_pupils_sessions_at_once(world):
    pupil_id, creds = _new_pupil(world)
    phone, laptop = _login(world, **creds), _login(world, **creds)
    assert world.client.as_(phone["access_token"]).get("/api/me/progress").status == 200
    reset = world.as_(world.a.staff).post(f"/api/schools/{world.a.school_id}/pupils/{pupil_id}/password")
    assert reset.status == 200
    for session in (phone, laptop):
        assert world.client.as_(session["access_token"]).get("/api/me/progress").status == 401
        assert _refresh(world, session["refresh_token"]).status == 401
    fresh = _login(world, **reset.json())
    assert world.client.as_(fresh["access_token"]).get("/api/me/progress").status == 200


def test_login_cards_end_the_sessions_of_the_old_password(world):
    pupil_id, creds = _new_pupil(world)
    session = _login(world, **creds)
    cards = world.as_(world.a.staff).post(f"/api/schools/{world.a.school_id}/login-cards",
                                          json={"pupil_ids": [pupil_id]})
    assert cards.status == 200
    assert world.client.as_(session["access_token"]).get("/api/me/progress").status == 401
    assert _refresh(world, session["refresh_token"]).status == 401


def test_a_deleted_staff_members_access_token_stops_at_once(world):
    leaver, _ = _new_staff(world, "deleted")
    assert world.client.as_(leaver.token).get(f"/api/schools/{world.a.school_id}/pupils").status == 200
    assert world.as_(world.a.manager).delete(f"/api/staff/{leaver.id}").status == 204
    assert world.client.as_(leaver.token).get(f"/api/schools/{world.a.school_id}/pupils").status == 401
    assert _refresh(world, leaver.refresh_token).status == 401


def test_logout_ends_the_access_token_and_every_other_session(world):
    member, email = _new_staff(world, "logout")
    other = _login(world, email, STAFF_PASSWORD)
    resp = world.client.as_(None).post("/api/auth/logout", json={"refresh_token": member.refresh_token})
    assert resp.status == 204
    assert world.client.as_(member.token).get("/api/me").status == 401
    assert world.client.as_(other["access_token"]).get("/api/me").status == 401
    assert _refresh(world, other["refresh_token"]).status == 401
    assert world.client.as_(_login(world, email, STAFF_PASSWORD)["access_token"]).get("/api/me").status == 200


def test_logout_all_signs_out_everywhere_and_is_audited(world):
    member, email = _new_staff(world, "everywhere")
    laptop = _login(world, email, STAFF_PASSWORD)
    assert world.client.as_(member.token).post("/api/auth/logout-all").status == 204
    for token in (member.token, laptop["access_token"]):
        assert world.client.as_(token).get("/api/me").status == 401
    for refresh in (member.refresh_token, laptop["refresh_token"]):
        assert _refresh(world, refresh).status == 401
    entries = world.as_(world.admin).get("/api/audit", params={"subject_id": member.id}).json()["entries"]
    revoked = [e for e in entries if e["action"] == "sessions_revoked"]
    assert revoked and revoked[0]["detail"] == "logout_all" and revoked[0]["actor_id"] == member.id


def test_a_pupil_signs_out_everywhere(world):
    _, creds = _new_pupil(world)
    session = _login(world, **creds)
    assert world.client.as_(session["access_token"]).post("/api/auth/logout-all").status == 204
    assert world.client.as_(session["access_token"]).get("/api/me/progress").status == 401


def test_revoke_all_is_the_public_verb_and_reports_unknown_people(world):
    member, email = _new_staff(world, "verb")
    storage = get_storage()
    assert sessions.revoke_all(storage, member.id, sessions.RevocationReason.PASSWORD_CHANGED) is True
    assert world.client.as_(member.token).get("/api/me").status == 401
    assert sessions.revoke_all(storage, "stf_missing", sessions.RevocationReason.PASSWORD_CHANGED) is False


def test_concurrent_refreshes_of_one_token_never_crash(world):
    """20 parallel refreshes of one token: one wins, the rest are reuse (401) — never a 500 (finding 6)."""
    import threading

    member, _ = _new_staff(world, "burst")
    barrier = threading.Barrier(20)
    statuses: list[int] = []

    def go() -> None:
        barrier.wait()
        statuses.append(_refresh(world, member.refresh_token).status)

    threads = [threading.Thread(target=go) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(set(statuses)) <= [200, 401]
    assert statuses.count(200) <= 1
