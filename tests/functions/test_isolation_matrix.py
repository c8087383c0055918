"""Tenant isolation: every endpoint x every role x own vs foreign tenant.

A resource outside the caller's scope must answer 404 exactly like a missing one; a role the endpoint
does not serve gets 403; inside the scope the call is not refused for scope reasons. A test below
fails when an endpoint with a tenant id in its route is missing from CASES, so the matrix grows with
the API.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from azure.data.tables import UpdateMode

from devhost.routing import functions_of
from function_app import app
from shared.api.spec import registry
from shared.learning.redemption import UNKNOWN_CODE
from shared.storage.clients import get_storage
from shared.storage.names import PUPILS
from tests.world import Tenant, World, add_pupil, staff_body


@dataclass(frozen=True)
class Case:
    name: str  # the HTTP function name
    params: Callable[[World, Tenant], dict]
    body: Callable[[World, Tenant], dict | None] = lambda w, t: None
    query: Callable[[World, Tenant], dict | None] = lambda w, t: None
    missing_detail: str = "Not found."  # what the endpoint says for a resource that does not exist


def _throwaway_staff(world: World, tenant: Tenant) -> dict:
    created = world.as_(world.admin).post(f"/api/schools/{tenant.school_id}/staff", json=staff_body("matrix"))
    assert created.status == 201
    return {"staff_id": created.json()["id"]}


def _throwaway_pupil(world: World, tenant: Tenant) -> dict:
    return {"school_id": tenant.school_id, "pupil_id": add_pupil(world.as_(world.admin), tenant.school_id)}


def _pupil(world: World, tenant: Tenant) -> dict:
    assert tenant.pupil is not None
    return {"school_id": tenant.school_id, "pupil_id": tenant.pupil.id}


def _club(world: World, tenant: Tenant) -> dict:
    """A school club of the tenant with a multi-use code, and a certificate of the tenant's pupil."""
    key = f"club-{tenant.school_id}"
    if key not in world.extra:
        as_admin = world.as_(world.admin)
        club = as_admin.post("/api/activities", json={"title": "Matrix club", "hours": 30, "skills": [],
                                                      "interests": [], "school_id": tenant.school_id}).json()
        code = as_admin.post(f"/api/activities/{club['id']}/codes",
                             json={"count": 1, "single_use": False}).json()["codes"][0]["code"]
        assert tenant.pupil is not None
        pupil = world.client.as_(tenant.pupil.token)
        assert pupil.post("/api/redemptions", json={"code": code}).status == 201
        certificate = pupil.get("/api/me/progress").json()["awards"][0]["certificate_id"]
        world.extra[key] = {"activity_id": club["id"], "code": code, "certificate_id": certificate}
    return world.extra[key]


def _destination(world: World, tenant: Tenant) -> dict:
    """A learning destination of the tenant's partner."""
    key = f"destination-row-{tenant.partner_id}"
    if key not in world.extra:
        created = world.as_(world.admin).post("/api/destinations", json={
            "name": "Matrix museum", "kind": "museum", "cost": "free", "partner_id": tenant.partner_id})
        assert created.status == 201, created.body
        world.extra[key] = {"destination_id": created.json()["id"]}
    return world.extra[key]


def _held_upload(world: World, tenant: Tenant) -> dict:
    """A blob upload of the tenant's school held by the leaver guard (most of its rows are rejected)."""
    import secrets

    from shared.roster.blob_drop import ingest_upload
    from shared.storage.clients import get_storage
    from shared.storage.names import MIS_UPLOADS

    name = f"matrix-{secrets.token_hex(4)}.csv"
    data = (b"Forename,Surname,DOB,Gender\nHeld,Row,02/01/2016,M\nHeld,Two,02/01/2016,?\n"
            b"Held,Three,02/01/2016,?\n")
    get_storage().container(MIS_UPLOADS).upload_blob(f"{tenant.school_id}/{name}", data)
    assert ingest_upload(f"mis-uploads/{tenant.school_id}/{name}", data)["status"] == "held"
    return {"school_id": tenant.school_id, "name": name}
def _badge(world: World, tenant: Tenant) -> dict:
    """The tenant's certificate, with digital badges switched on at its school."""
    world.as_(world.admin).patch(f"/api/schools/{tenant.school_id}", json={"open_badges": True})
    return {"certificate_id": _club(world, tenant)["certificate_id"]}


def _new_leaver(world: World, tenant: Tenant) -> dict:
    """A leaver at a second school of the tenant's partner (a full sync of the main school would empty it)."""
    as_admin = world.as_(world.admin)
    school = as_admin.post(f"/api/partners/{tenant.partner_id}/schools", json={"name": "Matrix Old"})
    school_id = school.json()["id"]
    pupil_id = add_pupil(as_admin, school_id)
    as_admin.post(f"/api/schools/{school_id}/roster", params={"mode": "full"}, json={"pupils": [
        {"first_name": "Matrix", "last_name": "Stays", "date_of_birth": "2016-01-02", "gender": "male"}]})
    return {"school_id": school_id, "pupil_id": pupil_id}


def _leaver(world: World, tenant: Tenant) -> dict:
    """A leaver at the tenant's own school, marked left in storage (a full sync would empty the school)."""
    key = f"leaver-{tenant.school_id}"
    if key not in world.extra:
        pupil = _throwaway_pupil(world, tenant)
        get_storage().table(PUPILS).update_entity(
            {"PartitionKey": tenant.school_id, "RowKey": pupil["pupil_id"], "status": "left",
             "left_at": "2026-01-01T00:00:00Z", "deletion_due": "2099-01-01"}, mode=UpdateMode.MERGE)
        world.extra[key] = pupil
    return world.extra[key]


def _transfer_code(world: World, tenant: Tenant) -> dict:
    """A fresh code each call: a code moves one record once."""
    leaver = _new_leaver(world, tenant)
    path = f"/api/schools/{leaver['school_id']}/pupils/{leaver['pupil_id']}/transfer-code"
    issued = world.as_(world.admin).post(path)
    assert issued.status == 201, issued.body
    return {"code": issued.json()["code"]}


CASES = [
    Case("partner_managers_create", lambda w, t: {"partner_id": t.partner_id}, lambda w, t: staff_body("mgr")),
    Case("partner_managers_list", lambda w, t: {"partner_id": t.partner_id}),
    Case("schools_create", lambda w, t: {"partner_id": t.partner_id}, lambda w, t: {"name": "Matrix School"}),
    Case("schools_list", lambda w, t: {"partner_id": t.partner_id}),
    Case("school_get", lambda w, t: {"school_id": t.school_id}),
    Case("school_update", lambda w, t: {"school_id": t.school_id}, lambda w, t: {"urn": "654321"}),
    Case("school_staff_create", lambda w, t: {"school_id": t.school_id}, lambda w, t: staff_body("matrix")),
    Case("school_staff_list", lambda w, t: {"school_id": t.school_id}),
    Case("staff_get", lambda w, t: {"staff_id": t.staff.id}),
    Case("staff_export", lambda w, t: {"staff_id": t.staff.id}),
    Case("staff_rectify", lambda w, t: {"staff_id": t.staff.id}, lambda w, t: {"phone": "07911 123456"}),
    Case("staff_delete", _throwaway_staff),
    Case("staff_invitation_resend", _throwaway_staff),
    Case("staff_mfa_reset", _throwaway_staff),
    Case("roster_upload", lambda w, t: {"school_id": t.school_id},
         lambda w, t: {"pupils": [{"first_name": "Matrix", "last_name": "Row", "date_of_birth": "2016-01-02",
                                   "gender": "male"}]}),
    Case("roster_uploads_list", lambda w, t: {"school_id": t.school_id}),
    # A number of leavers that never matches: the own-tenant call is refused (409) without applying anything.
    Case("roster_upload_confirm", _held_upload, query=lambda w, t: {"confirm_leavers": "999999"}),
    Case("roster_upload_discard", _held_upload),
    Case("pupils_list", lambda w, t: {"school_id": t.school_id}),
    Case("pupil_get", _pupil),
    Case("pupil_rectify", _pupil, lambda w, t: {"restricted": False}),
    Case("pupil_erase", _throwaway_pupil),
    Case("pupil_password_reset", _throwaway_pupil),
    Case("pupil_export", _pupil),
    Case("pupil_login_cards", lambda w, t: {"school_id": t.school_id},
         lambda w, t: {"pupil_ids": [_throwaway_pupil(w, t)["pupil_id"]]}),
    Case("activities_create", lambda w, t: {},
         lambda w, t: {"title": "Matrix", "hours": 1, "skills": [], "interests": [], "school_id": t.school_id}),
    Case("activities_list", lambda w, t: {}, query=lambda w, t: {"school_id": t.school_id}),
    Case("destinations_create", lambda w, t: {},
         lambda w, t: {"name": "Matrix library", "kind": "library", "cost": "free", "partner_id": t.partner_id}),
    Case("destinations_list", lambda w, t: {}, query=lambda w, t: {"partner_id": t.partner_id}),
    Case("destination_update", _destination, lambda w, t: {"accessibility": "Step-free entrance"}),
    Case("codes_create", lambda w, t: {"activity_id": _club(w, t)["activity_id"]},
         lambda w, t: {"count": 1, "single_use": True}),
    Case("codes_list", lambda w, t: {"activity_id": _club(w, t)["activity_id"]}),
    Case("redemptions_create", lambda w, t: {},
         lambda w, t: {"code": _club(w, t)["code"], "pupil_id": t.pupil.id}, missing_detail=UNKNOWN_CODE),
    Case("group_redemptions_create", lambda w, t: {"school_id": t.school_id},
         lambda w, t: {"activity_id": _club(w, t)["activity_id"], "pupil_ids": [t.pupil.id],
                       "session_id": secrets.token_hex(8)}),
    Case("school_awards", lambda w, t: {"school_id": t.school_id},
         query=lambda w, t: {"from": "2020-01-01", "to": "2020-12-31"}),
    Case("pupil_progress", _pupil),
    Case("certificate_get", lambda w, t: {"certificate_id": _club(w, t)["certificate_id"]}),
    Case("school_report", lambda w, t: {"school_id": t.school_id}),
    Case("partner_report", lambda w, t: {"partner_id": t.partner_id}),
    Case("partner_graduation", lambda w, t: {"partner_id": t.partner_id}),
    Case("school_graduation", lambda w, t: {"school_id": t.school_id}),
    Case("credential_get", _badge),
    Case("transfer_code_issue", _leaver),
    Case("transfer_redeem", _throwaway_pupil, _transfer_code),
]

# Endpoints whose routes carry no tenant id (sign-in, the caller's own data, scope-filtered lists).
NOT_TENANT_ROUTED = {
    "health", "openapi", "auth_login", "auth_refresh", "auth_logout", "auth_logout_all", "auth_accept_invitation",
    "auth_sso_status", "auth_sso_login", "auth_sso_callback", "me", "partners_create", "partners_list", "audit_list",
    "vocabulary_get", "vocabulary_extend", "my_progress", "national_report", "compliance", "auth_mfa_verify",
    "auth_mfa_setup", "auth_mfa_setup_confirm", "auth_mfa_status", "auth_mfa_enrol", "auth_mfa_enrol_confirm",
    "auth_mfa_recovery_codes", "auth_password_forgot", "auth_password_reset", "auth_password_change",
    "compliance_alerts_email",
    "web_client",  # the web client's static files: no tenant, no data
    # Anonymous by design: a verification code is the capability, and the answer names no tenant.
    "verify_check", "verify_name", "credential_issuer", "credential_keys", "credential_achievement",
    "credential_status",
}

ROLES = ["trust_admin", "partner_manager", "school_staff", "pupil"]


def _actor(world: World, role: str):
    return {"trust_admin": world.admin, "partner_manager": world.a.manager, "school_staff": world.a.staff,
            "pupil": world.a.pupil}[role]


def _call(world: World, role: str, case: Case, tenant: Tenant):
    endpoint = registry.get(case.name)
    assert endpoint is not None
    path = "/api/" + endpoint.route.format(**case.params(world, tenant))
    return world.as_(_actor(world, role)).request(endpoint.method, path, json_body=case.body(world, tenant),
                                                  params=case.query(world, tenant))


def test_every_tenant_routed_endpoint_is_in_the_matrix():
    names = {fn.get_function_name() for fn in functions_of(app) if fn.get_trigger().get_binding_name() == "httpTrigger"}
    assert names - NOT_TENANT_ROUTED - {c.name for c in CASES} == set()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_foreign_tenant_is_indistinguishable_from_missing(world, role, case):
    resp = _call(world, role, case, world.b)
    endpoint = registry.get(case.name)
    if endpoint.roles is not None and role not in {r.value for r in endpoint.roles}:
        assert resp.status == 403
    elif role == "trust_admin":
        assert resp.status not in (401, 403, 404), resp.body
    else:
        assert resp.status == 404, resp.body
        assert resp.json()["detail"] in ("Not found.", case.missing_detail)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_own_tenant_is_never_hidden(world, role, case):
    resp = _call(world, role, case, world.a)
    endpoint = registry.get(case.name)
    if endpoint.roles is not None and role not in {r.value for r in endpoint.roles}:
        assert resp.status == 403
    else:
        assert resp.status not in (401, 403, 404) or (resp.status == 403 and role != "trust_admin"), resp.body


# --- can see vs can act on: endpoints that hand out secrets -------------------------------------------
# Seeing a resource (an activity offered to your school, a colleague, a pupil) must not be enough to get its
# secrets (stamp codes, invitation links, passwords). For each endpoint that returns one, every role of the
# own tenant either gets the secret (the roles listed) or a refusal that carries none of it.


def _partner_activity(world: World, tenant: Tenant) -> dict:
    """A partner activity (learning destination) of the tenant's partner, with one code."""
    key = f"destination-{tenant.partner_id}"
    if key not in world.extra:
        as_admin = world.as_(world.admin)
        activity = as_admin.post("/api/activities", json={"title": "Matrix museum", "hours": 5, "skills": [],
                                                          "interests": [], "partner_id": tenant.partner_id}).json()
        code = as_admin.post(f"/api/activities/{activity['id']}/codes",
                             json={"count": 1, "single_use": True}).json()["codes"][0]["code"]
        world.extra[key] = {"activity_id": activity["id"], "code": code}
    return world.extra[key]


@dataclass(frozen=True)
class SecretCase:
    label: str
    name: str
    params: Callable[[World, Tenant], dict]
    acting_roles: frozenset[str]
    body: Callable[[World, Tenant], dict | None] = lambda w, t: None
    query: Callable[[World, Tenant], dict | None] = lambda w, t: None
    secret: Callable[[World, Tenant], str | None] = lambda w, t: None  # a known secret that must not leak


_MANAGERS = frozenset({"trust_admin", "partner_manager"})
_STAFF = frozenset({"trust_admin", "partner_manager", "school_staff"})
_DESTINATION = lambda w, t: {"activity_id": _partner_activity(w, t)["activity_id"]}  # noqa: E731
_DESTINATION_CODE = lambda w, t: _partner_activity(w, t)["code"]  # noqa: E731

SECRET_CASES = [
    SecretCase("destination codes", "codes_list", _DESTINATION, _MANAGERS, secret=_DESTINATION_CODE),
    SecretCase("destination code sheet csv", "codes_list", _DESTINATION, _MANAGERS,
               query=lambda w, t: {"format": "csv"}, secret=_DESTINATION_CODE),
    SecretCase("destination code sheet pdf", "codes_list", _DESTINATION, _MANAGERS,
               query=lambda w, t: {"format": "pdf"}),
    SecretCase("new destination codes", "codes_create", _DESTINATION, _MANAGERS,
               body=lambda w, t: {"count": 1, "single_use": True}),
    SecretCase("club codes", "codes_list", lambda w, t: {"activity_id": _club(w, t)["activity_id"]}, _STAFF,
               secret=lambda w, t: _club(w, t)["code"]),
    SecretCase("club code sheet pdf", "codes_list", lambda w, t: {"activity_id": _club(w, t)["activity_id"]},
               _STAFF, query=lambda w, t: {"format": "pdf"}),
    SecretCase("pupil password", "pupil_password_reset", _throwaway_pupil, _STAFF),
    SecretCase("login cards", "pupil_login_cards", lambda w, t: {"school_id": t.school_id}, _STAFF,
               body=lambda w, t: {"pupil_ids": [_throwaway_pupil(w, t)["pupil_id"]]}),
    SecretCase("staff invitation", "school_staff_create", lambda w, t: {"school_id": t.school_id}, _MANAGERS,
               body=lambda w, t: staff_body("secret")),
    SecretCase("manager invitation", "partner_managers_create", lambda w, t: {"partner_id": t.partner_id},
               frozenset({"trust_admin"}), body=lambda w, t: staff_body("secretmgr")),
]


def test_the_secret_cases_cover_every_endpoint_that_hands_out_a_secret():
    listed = {c.name for c in SECRET_CASES}
    assert {"codes_list", "codes_create", "pupil_password_reset", "pupil_login_cards", "school_staff_create",
            "partner_managers_create"} <= listed


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", SECRET_CASES, ids=lambda c: c.label)
def test_seeing_is_not_acting_on_secrets(world, role, case):
    endpoint = registry.get(case.name)
    assert endpoint is not None
    path = "/api/" + endpoint.route.format(**case.params(world, world.a))
    resp = world.as_(_actor(world, role)).request(endpoint.method, path, json_body=case.body(world, world.a),
                                                  params=case.query(world, world.a))
    if role in case.acting_roles:
        assert resp.status in (200, 201), resp.body
    else:
        assert resp.status in (403, 404), (resp.status, resp.body[:200])
        assert resp.content_type.startswith("application/problem+json")
        known = case.secret(world, world.a)
        if known:
            assert known.encode() not in resp.body


def test_school_staff_cannot_redeem_a_destination_code_they_were_never_given(world):
    """The reported attack: list a partner's codes as member-school staff, redeem one for an own pupil."""
    as_staff = world.as_(world.a.staff)
    destination = _partner_activity(world, world.a)
    assert as_staff.get(f"/api/activities/{destination['activity_id']}/codes").status == 404
    listed = as_staff.get("/api/activities", params={"partner_id": world.a.partner_id})
    assert listed.status == 200
    assert destination["activity_id"] in {a["id"] for a in listed.json()["activities"]}
