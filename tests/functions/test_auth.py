import base64
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from shared.ids import clock_moved
from shared.settings import get_settings
from tests.world import STAFF_PASSWORD, accept, staff_body


def login(world, username, password):
    return world.client.as_(None).post("/api/auth/login", json={"username": username, "password": password})


def test_staff_signs_in_with_email_in_any_case(world):
    resp = login(world, "  " + world.a.staff.email.upper() + " ", STAFF_PASSWORD)
    assert resp.status == 200
    body = resp.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 15 * 60 and body["mfa_required"] is False
    assert body["user"] == {"id": world.a.staff.id, "role": "school_staff", "display_name": "Alphateacher",
                            "school_id": world.a.school_id, "partner_id": world.a.partner_id}
    me = world.client.as_(body["access_token"]).get("/api/me")
    assert me.status == 200 and me.json()["email"] == world.a.staff.email


def test_wrong_password_and_unknown_user_get_the_same_answer(world):
    wrong = login(world, world.b.manager.email, "not the password at all")
    unknown = login(world, "nobody-here@example.org.uk", "not the password at all")
    assert wrong.status == unknown.status == 401
    strip = lambda b: {k: v for k, v in b.items() if k != "correlation_id"}  # noqa: E731
    assert strip(wrong.json()) == strip(unknown.json())


@pytest.mark.parametrize("known", [True, False], ids=["known account", "unknown name"])
def test_repeated_failures_lock_the_name_with_growing_back_off(world, known):
    if known:
        body = staff_body("locked")
        created = world.as_(world.admin).post(f"/api/schools/{world.a.school_id}/staff", json=body).json()
        accept(world.client, created["invitation_url"], body["email"])
        name = body["email"]
    else:
        name = f"ghost-{known}-{datetime.now().timestamp()}@example.org.uk"
    statuses = [login(world, name, "wrong password here").status for _ in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    locked = login(world, name, STAFF_PASSWORD)
    assert locked.status == 429
    first_wait = int(locked.headers["retry-after"])
    assert 1 <= first_wait <= 30
    with clock_moved(timedelta(seconds=31)):
        again = login(world, name, "still wrong password")
        assert again.status == 429
        assert int(again.headers["retry-after"]) > 30
    if known:
        with clock_moved(timedelta(minutes=5)):
            assert login(world, name, STAFF_PASSWORD).status == 200


def test_refresh_rotates_and_a_reused_token_revokes_the_family(world):
    first = login(world, world.a.staff.email, STAFF_PASSWORD).json()
    anon = world.client.as_(None)
    second = anon.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status == 200
    rotated = second.json()["refresh_token"]
    assert rotated != first["refresh_token"]
    reuse = anon.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert reuse.status == 401
    # The whole family is gone: even the newest token no longer works.
    assert anon.post("/api/auth/refresh", json={"refresh_token": rotated}).status == 401


def test_logout_ends_the_session(world):
    body = staff_body("leaving")
    created = world.as_(world.admin).post(f"/api/schools/{world.a.school_id}/staff", json=body).json()
    accept(world.client, created["invitation_url"], body["email"])
    tokens = login(world, body["email"], STAFF_PASSWORD).json()
    anon = world.client.as_(None)
    assert anon.post("/api/auth/logout", json={"refresh_token": tokens["refresh_token"]}).status == 204
    assert anon.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]}).status == 401


def test_garbage_refresh_token_is_a_401(world):
    resp = world.client.as_(None).post("/api/auth/refresh", json={"refresh_token": "2026-01-01.abc.def"})
    assert resp.status == 401


def _claims(world):
    s = get_settings()
    now = datetime.now(UTC)
    return {"sub": world.admin.id, "role": "trust_admin", "iss": s.token_issuer, "aud": s.token_audience,
            "iat": now, "exp": now + timedelta(minutes=5), "jti": "x"}


def _b64(obj) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "tamper",
    ["alg_none", "wrong_key", "wrong_audience", "wrong_issuer", "expired", "bad_role", "garbage", "missing_jti"],
)
def test_tampered_tokens_are_refused(world, tamper):
    s = get_settings()
    claims = _claims(world)
    key = s.token_signing_key
    if tamper == "alg_none":
        payload = {k: (int(v.timestamp()) if isinstance(v, datetime) else v) for k, v in claims.items()}
        token = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(payload)}."
    else:
        if tamper == "wrong_key":
            key = "another-key-that-is-long-enough-for-hs256-0123456789"
        elif tamper == "wrong_audience":
            claims["aud"] = "someone-else"
        elif tamper == "wrong_issuer":
            claims["iss"] = "https://evil.example"
        elif tamper == "expired":
            claims["iat"] = claims["iat"] - timedelta(hours=1)
            claims["exp"] = datetime.now(UTC) - timedelta(minutes=1)
        elif tamper == "bad_role":
            claims["role"] = "superuser"
        elif tamper == "missing_jti":
            claims.pop("jti")
        token = jwt.encode(claims, key, algorithm="HS256")
        if tamper == "garbage":
            token = "not-a-token"
    resp = world.client.as_(token).get("/api/partners")
    assert resp.status == 401
    assert resp.headers.get("www-authenticate", "").startswith("Bearer")


def test_a_well_formed_token_is_accepted(world):
    token = jwt.encode(_claims(world), get_settings().token_signing_key, algorithm="HS256")
    assert world.client.as_(token).get("/api/partners").status == 200


def test_missing_token_is_a_401(world):
    assert world.client.as_(None).get("/api/me").status == 401


def test_invitation_works_once(world):
    body = staff_body("once")
    created = world.as_(world.admin).post(f"/api/schools/{world.a.school_id}/staff", json=body).json()
    token = created["invitation_url"].rsplit("/", 1)[1]
    anon = world.client.as_(None)
    first = anon.post("/api/auth/invitations/accept", json={"token": token, "password": STAFF_PASSWORD})
    assert first.status == 200
    second = anon.post("/api/auth/invitations/accept", json={"token": token, "password": "another long password!"})
    assert second.status == 410
    assert login(world, body["email"], STAFF_PASSWORD).status == 200


def test_invitation_expires_after_seven_days(world):
    body = staff_body("late")
    created = world.as_(world.admin).post(f"/api/schools/{world.a.school_id}/staff", json=body).json()
    token = created["invitation_url"].rsplit("/", 1)[1]
    with clock_moved(timedelta(days=7, minutes=1)):
        resp = world.client.as_(None).post("/api/auth/invitations/accept",
                                           json={"token": token, "password": STAFF_PASSWORD})
    assert resp.status == 410
    assert login(world, body["email"], STAFF_PASSWORD).status == 401


@pytest.mark.parametrize("password", ["short pass", "Password123!", "qwertyuiop123", "aaaaaaaaaaaaaaaa"])
def test_weak_staff_passwords_are_refused_and_the_invitation_stays_usable(world, password):
    body = staff_body("weak")
    created = world.as_(world.admin).post(f"/api/schools/{world.a.school_id}/staff", json=body).json()
    token = created["invitation_url"].rsplit("/", 1)[1]
    anon = world.client.as_(None)
    resp = anon.post("/api/auth/invitations/accept", json={"token": token, "password": password})
    assert resp.status == 400
    assert resp.json()["errors"][0]["field"] == "password"
    assert password not in resp.body.decode()
    ok = anon.post("/api/auth/invitations/accept", json={"token": token, "password": STAFF_PASSWORD})
    assert ok.status == 200


def test_known_and_unknown_names_cost_the_same_requests_and_forget_at_the_same_time(world):
    """Finding 6: unknown names used to be forgotten at UTC midnight while known ones kept 24 h, and cost one
    more storage read. Both now go through the same per-(name, address) throttle rows."""
    from shared.storage.counting import request_counter

    body = staff_body("samecost")
    created = world.as_(world.admin).post(f"/api/schools/{world.a.school_id}/staff", json=body).json()
    accept(world.client, created["invitation_url"], body["email"])
    names = {"known": body["email"], "unknown": f"ghost-{datetime.now().timestamp()}@example.org.uk"}
    tallies: dict[str, list[int]] = {"known": [], "unknown": []}
    for label, name in names.items():
        for _ in range(3):
            with request_counter.measure() as tally:
                assert login(world, name, "wrong password here").status == 401
            tallies[label].append(tally.total)
    assert tallies["known"] == tallies["unknown"]
    for name in names.values():
        for _ in range(2):
            login(world, name, "wrong password here")
        assert login(world, name, "wrong password here").status == 429
    now = datetime.now(UTC)
    past_midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC) + timedelta(seconds=1)
    with clock_moved(past_midnight - now):
        assert [login(world, n, "wrong password here").status for n in names.values()] == [401, 401]
