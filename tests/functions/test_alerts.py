"""Alerts for the Trust's DPO in the compliance view, from the audit trail, each scope seeing only its own."""

from __future__ import annotations

import secrets

from tests.world import STAFF_PASSWORD, sign_in


def _alerts(client, actor) -> list[dict]:
    resp = client.as_(actor.token).get("/api/compliance")
    assert resp.status == 200, resp.body
    return resp.json()["alerts"]


def test_a_refresh_token_reuse_shows_as_an_alert_in_the_compliance_view(world):
    signed_in = sign_in(world.client, world.b.staff)
    anon = world.client.as_(None)
    first = signed_in["refresh_token"]
    assert anon.post("/api/auth/refresh", json={"refresh_token": first}).status == 200
    assert anon.post("/api/auth/refresh", json={"refresh_token": first}).status == 401

    def reuse(alerts: list[dict]) -> list[dict]:
        return [a for a in alerts if a["kind"] == "refresh_token_reuse" and a["school_id"] == world.b.school_id]

    for viewer in (world.admin, world.b.manager, world.b.staff):
        found = reuse(_alerts(world.client, viewer))
        assert found and found[0]["count"] == 1 and "stolen" in found[0]["title"]
    # Another partner's manager and another school's staff do not see it.
    assert reuse(_alerts(world.client, world.a.manager)) == []
    assert reuse(_alerts(world.client, world.a.staff)) == []


def test_a_burst_of_locked_sign_ins_is_a_lockout_spike_for_the_trust(world):
    anon = world.client.as_(None)
    name = f"guess-{secrets.token_hex(4)}@example.org.uk"
    statuses = [anon.post("/api/auth/login", json={"username": name, "password": "wrong guess"}).status
                for _ in range(16)]
    assert statuses.count(429) >= 11
    spikes = [a for a in _alerts(world.client, world.admin) if a["kind"] == "sign_in_lockout_spike"]
    assert spikes and spikes[0]["count"] >= 10
    assert not [a for a in _alerts(world.client, world.a.staff) if a["kind"] == "sign_in_lockout_spike"]


def test_many_exports_by_one_person_within_an_hour_are_a_mass_export(world):
    as_staff = world.as_(world.a.staff)
    path = f"/api/schools/{world.a.school_id}/pupils/{world.a.pupil.id}/export"
    for _ in range(19):
        assert as_staff.get(path).status == 200
    assert not [a for a in _alerts(world.client, world.a.staff) if a["kind"] == "mass_export"]
    assert as_staff.get(path).status == 200
    found = [a for a in _alerts(world.client, world.a.staff) if a["kind"] == "mass_export"]
    assert found and found[0]["count"] == 20 and found[0]["actor_id"] == world.a.staff.id
    assert [a for a in _alerts(world.client, world.admin) if a["kind"] == "mass_export"]
    assert not [a for a in _alerts(world.client, world.b.staff) if a["kind"] == "mass_export"]


def test_the_trust_emails_itself_the_alerts(world, mailbox):
    anon = world.client.as_(None)
    for _ in range(2):
        anon.post("/api/auth/login", json={"username": world.admin.email, "password": STAFF_PASSWORD})
    signed_in = sign_in(world.client, world.admin)
    assert anon.post("/api/auth/refresh", json={"refresh_token": signed_in["refresh_token"]}).status == 200
    assert anon.post("/api/auth/refresh", json={"refresh_token": signed_in["refresh_token"]}).status == 401
    sent = world.as_(world.admin).post("/api/compliance/alerts/email")
    assert sent.status == 200 and sent.json()["emailed"] is True and sent.json()["alerts"] >= 1
    mail = mailbox.to(world.admin.email)[-1]
    assert mail.template == "alerts" and "used twice" in mail.text and "#/compliance" in mail.text
    assert world.as_(world.a.manager).post("/api/compliance/alerts/email").status == 403
