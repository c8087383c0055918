"""No personal data in logs, error bodies or audit entries."""

import logging

from shared.observability import JsonFormatter
from shared.storage.names import AUDIT
from tests.world import STAFF_PASSWORD


def test_logs_and_audit_hold_ids_but_no_names_emails_or_passwords(world, storage, caplog):
    caplog.set_level(logging.DEBUG)
    anon = world.client.as_(None)
    body = {"first_name": "Philippa", "last_name": "Quartermaine", "nickname": "Pip",
            "email": "philippa.quartermaine@example.org.uk", "phone": "07911 123456"}
    created = world.as_(world.a.manager).post(f"/api/schools/{world.a.school_id}/staff", json=body)
    assert created.status == 201
    staff_id = created.json()["id"]
    token = created.json()["invitation_url"].rsplit("/", 1)[1]
    anon.post("/api/auth/invitations/accept", json={"token": token, "password": STAFF_PASSWORD})
    anon.post("/api/auth/login", json={"username": body["email"], "password": "Wrong-Secret-Guess"})
    anon.post("/api/auth/login", json={"username": "stranger.person@example.org.uk", "password": "Other-Guess"})
    world.as_(world.a.manager).patch(f"/api/staff/{staff_id}", json={"last_name": "Quartermaine-Smythe"})
    world.as_(world.a.manager).get(f"/api/schools/{world.a.school_id}/staff")
    world.as_(world.a.manager).delete(f"/api/staff/{staff_id}")

    formatter = JsonFormatter()
    logged = "\n".join(formatter.format(r) for r in caplog.records)
    assert logged, "the flow should have logged something"
    audit_rows = "\n".join(str(dict(e)) for e in storage.table(AUDIT).list_entities())
    assert staff_id in audit_rows
    secrets_and_names = ["Philippa", "Quartermaine", "Pip", "philippa.quartermaine", "stranger.person",
                         "7911123456", "07911 123456", "Wrong-Secret-Guess", "Other-Guess", STAFF_PASSWORD, token[:20]]
    for needle in secrets_and_names:
        assert needle not in logged, f"{needle!r} leaked into logs"
        assert needle not in audit_rows, f"{needle!r} leaked into the audit"


def test_a_crash_is_a_generic_500_without_internals(world, monkeypatch):
    import shared.organisation as organisation

    def boom(*args, **kwargs):
        raise RuntimeError("secret internals: connection string AccountKey=abc")

    # The entry point functions/ calls (the package's public name).
    monkeypatch.setattr(organisation, "list_partners", boom)
    resp = world.as_(world.admin).get("/api/partners")
    assert resp.status == 500
    assert resp.content_type == "application/problem+json"
    assert "AccountKey" not in resp.body.decode() and "secret internals" not in resp.body.decode()
    assert resp.json()["correlation_id"] == resp.headers["x-correlation-id"]
