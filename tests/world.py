"""A small national programme built through the public API: the Trust, two partners, a school each, staff."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from shared.organisation.models import StaffIn
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


def accept(client: FunctionsClient, invitation_url: str, email: str) -> Actor:
    token = invitation_url.rsplit("/", 1)[1]
    resp = client.as_(None).post("/api/auth/invitations/accept", json={"token": token, "password": STAFF_PASSWORD})
    assert resp.status == 200, resp.body
    body = resp.json()
    user = body["user"]
    return Actor(id=user["id"], role=user["role"], email=email, token=body["access_token"],
                 refresh_token=body["refresh_token"], school_id=user.get("school_id"),
                 partner_id=user.get("partner_id"))


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
