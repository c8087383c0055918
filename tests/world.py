"""A small national programme built through the public API: the Trust, two partners, a school each, staff."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pyotp

from shared.organisation.schemas import StaffIn
from shared.organisation.service import create_trust_admin
from tests.support import FunctionsClient

STAFF_PASSWORD = "correct horse battery staple"


@dataclass
class Actor:
    id: str
    role: str
    email: str
    token: str
    refresh_token: str
    school_id: str | None = None
    partner_id: str | None = None
    totp_secret: str | None = None
    recovery_codes: list[str] = field(default_factory=list)


@dataclass
class Tenant:
    partner_id: str
    school_id: str
    manager: Actor
    staff: Actor
    pupil: Actor | None = None


@dataclass
class World:
    client: FunctionsClient
    admin: Actor
    a: Tenant
    b: Tenant
    extra: dict = field(default_factory=dict)

    def as_(self, actor: Actor | None) -> FunctionsClient:
        return self.client.as_(actor.token if actor else None)


def unique_email(label: str) -> str:
    return f"{label}.{secrets.token_hex(4)}@example.org.uk"


def staff_body(label: str) -> dict:
    return {"first_name": f"{label.title()}first", "last_name": f"{label.title()}last", "nickname": label.title(),
            "email": unique_email(label)}


_last_step: dict[str, int] = {}


def totp_code(secret: str) -> str:
    """A code from the authenticator app that has not been used yet: each 30-second step works once, so a
    second sign-in within the same step takes the next step's code (accepted for clock drift)."""
    totp = pyotp.TOTP(secret)
    now = datetime.now(UTC)
    step = totp.timecode(now)
    if _last_step.get(secret, -1) >= step:
        step = _last_step[secret] + 1
    _last_step[secret] = step
    return totp.at(now + timedelta(seconds=30 * (step - totp.timecode(now))))


def set_up_second_factor(client: FunctionsClient, challenge: str) -> tuple[dict, str]:
    """The first sign-in of an account that must have two-step sign-in: (tokens with recovery codes, secret)."""
    anon = client.as_(None)
    setup = anon.post("/api/auth/mfa/setup", json={"challenge": challenge})
    assert setup.status == 200, setup.body
    secret = setup.json()["secret"]
    done = anon.post("/api/auth/mfa/setup/confirm", json={"challenge": challenge, "code": totp_code(secret)})
    assert done.status == 200, done.body
    return done.json(), secret


def _actor(body: dict, email: str, secret: str | None = None) -> Actor:
    user = body["user"]
    return Actor(id=user["id"], role=user["role"], email=email, token=body["access_token"],
                 refresh_token=body["refresh_token"], school_id=user.get("school_id"),
                 partner_id=user.get("partner_id"), totp_secret=secret,
                 recovery_codes=list(body.get("recovery_codes") or []))


def accept(client: FunctionsClient, invitation_url: str, email: str) -> Actor:
    token = invitation_url.rsplit("/", 1)[1]
    resp = client.as_(None).post("/api/auth/invitations/accept", json={"token": token, "password": STAFF_PASSWORD})
    assert resp.status == 200, resp.body
    body = resp.json()
    if body.get("mfa_enrolment_required"):
        body, secret = set_up_second_factor(client, body["mfa_challenge"])
        return _actor(body, email, secret)
    return _actor(body, email)


def sign_in(client: FunctionsClient, actor: Actor, password: str = STAFF_PASSWORD) -> dict:
    """Sign a staff member in with their password and, when asked, a code from their authenticator app."""
    anon = client.as_(None)
    resp = anon.post("/api/auth/login", json={"username": actor.email, "password": password})
    assert resp.status == 200, resp.body
    body = resp.json()
    if body.get("mfa_required"):
        assert actor.totp_secret, "this account needs a second factor"
        resp = anon.post("/api/auth/mfa/verify", json={"challenge": body["mfa_challenge"],
                                                       "code": totp_code(actor.totp_secret)})
        assert resp.status == 200, resp.body
        body = resp.json()
    return body


def bootstrap_admin(client: FunctionsClient) -> Actor:
    body = staff_body("admin")
    created = create_trust_admin(StaffIn(**body))
    return accept(client, created.invitation_url, body["email"])


def make_tenant(client: FunctionsClient, admin: Actor, label: str) -> Tenant:
    as_admin = client.as_(admin.token)
    partner = as_admin.post("/api/partners", json={"name": f"{label} Children's University"})
    assert partner.status == 201, partner.body
    partner_id = partner.json()["id"]
    body = staff_body(f"{label}manager")
    resp = as_admin.post(f"/api/partners/{partner_id}/managers", json=body)
    assert resp.status == 201, resp.body
    manager = accept(client, resp.json()["invitation_url"], body["email"])
    school = client.as_(manager.token).post(f"/api/partners/{partner_id}/schools", json={"name": f"{label} Primary"})
    assert school.status == 201, school.body
    school_id = school.json()["id"]
    body = staff_body(f"{label}teacher")
    resp = client.as_(manager.token).post(f"/api/schools/{school_id}/staff", json=body)
    assert resp.status == 201, resp.body
    staff = accept(client, resp.json()["invitation_url"], body["email"])
    tenant = Tenant(partner_id=partner_id, school_id=school_id, manager=manager, staff=staff)
    pupil_id = add_pupil(client.as_(staff.token), school_id)
    creds = client.as_(staff.token).post(f"/api/schools/{school_id}/pupils/{pupil_id}/password").json()
    signed_in = client.as_(None).post("/api/auth/login", json=creds).json()
    tenant.pupil = Actor(id=pupil_id, role="pupil", email=creds["username"], token=signed_in["access_token"],
                         refresh_token=signed_in["refresh_token"], school_id=school_id, partner_id=partner_id)
    return tenant


def add_pupil(as_staff: FunctionsClient, school_id: str, first_name: str | None = None) -> str:
    """Add one pupil through a JSON roster upload and return their id."""
    name = first_name or f"Pupil{secrets.token_hex(3)}"
    body = {"pupils": [{"first_name": name, "last_name": "Testpupil", "date_of_birth": "2016-02-03",
                        "gender": "other"}]}
    resp = as_staff.post(f"/api/schools/{school_id}/roster", json=body)
    assert resp.status == 200 and resp.json()["created"] == 1, resp.body
    page_token = None
    while True:
        page = as_staff.get(f"/api/schools/{school_id}/pupils",
                            params={"page_token": page_token} if page_token else None).json()
        for pupil in page["pupils"]:
            if pupil["first_name"] == name:
                return pupil["id"]
        page_token = page["next_page_token"]
        assert page_token, "uploaded pupil not listed"


def make_world(client: FunctionsClient) -> World:
    admin = bootstrap_admin(client)
    return World(client=client, admin=admin, a=make_tenant(client, admin, "alpha"),
                 b=make_tenant(client, admin, "beta"))
