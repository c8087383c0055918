"""The smaller findings of issue 14 (items 6 and 7), each with the request that showed it."""

from __future__ import annotations

import pytest

from tests.world import staff_body

DEEP = b"[" * 50_000 + b"]" * 50_000


@pytest.mark.parametrize("path", ["/api/auth/login", "roster"])
def test_deeply_nested_json_is_a_400_not_a_crash(world, path):
    client = world.as_(world.a.staff) if path == "roster" else world.client.as_(None)
    url = f"/api/schools/{world.a.school_id}/roster" if path == "roster" else path
    resp = client.post(url, body=DEEP, headers={"content-type": "application/json"})
    assert resp.status == 400, resp.body[:200]


@pytest.mark.parametrize(("route", "body"), [
    ("staff", None), ("staff", {}), ("pupil", {}), ("school", {}),
])
def test_a_patch_with_nothing_to_change_is_a_400(world, route, body):
    as_manager = world.as_(world.a.manager)
    url = {"staff": f"/api/staff/{world.a.staff.id}", "pupil": f"/api/schools/{world.a.school_id}/pupils/"
           f"{world.a.pupil.id}", "school": f"/api/schools/{world.a.school_id}"}[route]
    resp = as_manager.request("PATCH", url, json_body=body)
    assert resp.status == 400, resp.body
    assert resp.json()["detail"] == "Send at least one field to change."


@pytest.mark.parametrize("query", [{"to": "0"}, {"from": "1700000000"}, {"to": "2026-13-01"}])
def test_report_and_audit_dates_must_be_days(world, query):
    as_admin = world.as_(world.admin)
    assert as_admin.get(f"/api/schools/{world.a.school_id}/report", params=query).status == 400
    assert as_admin.get("/api/audit", params=query).status == 400


def test_colleagues_see_names_and_roles_but_not_contact_details(world):
    body = staff_body("colleague") | {"phone": "07911 123456"}
    resp = world.as_(world.a.manager).post(f"/api/schools/{world.a.school_id}/staff", json=body)
    assert resp.status == 201, resp.body
    created = resp.json()
    listed = world.as_(world.a.staff).get(f"/api/schools/{world.a.school_id}/staff").json()["staff"]
    colleague = next(s for s in listed if s["id"] == created["id"])
    assert colleague["first_name"] == body["first_name"] and colleague["role"] == "school_staff"
    assert colleague["email"] is None and colleague["phone"] is None
    one = world.as_(world.a.staff).get(f"/api/staff/{created['id']}").json()
    assert one["email"] is None and one["phone"] is None
    assert world.as_(world.a.staff).get(f"/api/staff/{created['id']}/export").status == 403
    managed = world.as_(world.a.manager).get(f"/api/staff/{created['id']}").json()
    assert managed["email"] == body["email"] and managed["phone"]
    own = world.as_(world.a.staff).get(f"/api/staff/{world.a.staff.id}").json()
    assert own["email"] == world.a.staff.email


def test_the_last_trust_admin_cannot_delete_itself(world, monkeypatch):
    from shared.organisation import store

    as_admin = world.as_(world.admin)
    real = store.trust_admins
    # Other tests' admins share this storage: show the rule only this world's admin.
    monkeypatch.setattr(store, "trust_admins", lambda storage: [m for m in real(storage) if m.id == world.admin.id])
    resp = as_admin.delete(f"/api/staff/{world.admin.id}")
    assert resp.status == 409, resp.body
    assert as_admin.get("/api/me").status == 200


def test_path_ids_declare_their_pattern_and_a_bad_id_is_a_documented_400(world):
    doc = world.client.get("/api/openapi.json").json()
    operation = doc["paths"]["/api/staff/{staff_id}"]["get"]
    (param,) = [p for p in operation["parameters"] if p["in"] == "path"]
    assert "pattern" in param["schema"] and "400" in operation["responses"]
    resp = world.as_(world.admin).get("/api/staff/stf%01x".replace("%01", "\x01"))
    assert resp.status == 400
