"""Learning destinations through the app against Azurite: add, list, change, pause; scope and audit."""

from __future__ import annotations

from shared.storage.counting import request_counter
from tests.world import World


def add_destination(world: World, actor=None, **extra) -> dict:
    actor = actor or world.a.manager
    body = {"name": "Leeds City Museum", "kind": "museum", "cost": "free", "town": "Leeds",
            "postcode_district": "LS1", "web_page": "https://museums.example.org.uk/leeds",
            "partner_id": world.a.partner_id} | extra
    resp = world.as_(actor).post("/api/destinations", json=body)
    assert resp.status == 201, resp.body
    return resp.json()


def test_a_manager_adds_a_destination_and_member_school_staff_see_it(world):
    created = add_destination(world, accessibility="Step-free entrance")
    assert created["id"].startswith("dst_") and created["status"] == "validated"
    assert created["partner_id"] == world.a.partner_id and created["postcode_district"] == "LS1"
    for actor in (world.a.manager, world.a.staff, world.admin):
        listed = world.as_(actor).get("/api/destinations", params={"partner_id": world.a.partner_id})
        assert listed.status == 200, listed.body
        assert created in listed.json()["destinations"]


def test_another_partners_destinations_are_not_found(world):
    created = add_destination(world)
    for actor in (world.b.manager, world.b.staff):
        listed = world.as_(actor).get("/api/destinations", params={"partner_id": world.a.partner_id})
        assert listed.status == 404 and listed.json()["detail"] == "Not found."
        patched = world.as_(actor).patch(f"/api/destinations/{created['id']}", json={"status": "paused"})
        assert patched.status in (403, 404)
    patched = world.as_(world.b.manager).patch(f"/api/destinations/{created['id']}", json={"status": "paused"})
    missing = world.as_(world.b.manager).patch("/api/destinations/dst_nothere", json={"status": "paused"})
    assert patched.status == missing.status == 404 and patched.json()["detail"] == missing.json()["detail"]
    assert world.as_(world.b.manager).post("/api/destinations", json={
        "name": "Sneaky", "kind": "museum", "cost": "free", "partner_id": world.a.partner_id}).status == 404


def test_pupils_and_school_staff_cannot_add_or_change_destinations(world):
    created = add_destination(world)
    body = {"name": "Club", "kind": "sport", "cost": "paid", "partner_id": world.a.partner_id}
    assert world.as_(world.a.staff).post("/api/destinations", json=body).status == 403
    assert world.as_(world.a.pupil).post("/api/destinations", json=body).status == 403
    assert world.as_(world.a.pupil).get("/api/destinations").status == 403
    assert world.as_(world.a.staff).patch(f"/api/destinations/{created['id']}", json={"name": "X"}).status == 403


def test_pausing_and_changing_details_is_one_write_kept_in_the_listing_and_audited(world):
    created = add_destination(world, name="Harewood Woods", kind="outdoors", cost="some_free")
    manager = world.as_(world.a.manager)
    with request_counter.measure() as tally:
        resp = manager.patch(f"/api/destinations/{created['id']}",
                             json={"status": "paused", "web_page": None, "accessibility": "Muddy paths"})
    assert resp.status == 200, resp.body
    changed = resp.json()
    assert changed["status"] == "paused" and changed["web_page"] is None and changed["accessibility"] == "Muddy paths"
    assert changed["name"] == "Harewood Woods" and changed["updated_at"] >= created["updated_at"]
    # The caller's session row, the locator and the row, one conditional merge, the audit entry.
    writes = {k: n for k, n in tally.by_kind.items() if not k.startswith("GET")}
    assert writes == {"PATCH destinations": 1, "POST audit": 1}, tally.by_kind
    listed = manager.get("/api/destinations", params={"partner_id": world.a.partner_id}).json()["destinations"]
    assert changed in listed
    entries = manager.get("/api/audit").json()["entries"]
    actions = [(e["action"], e["subject_ids"]) for e in entries if created["id"] in e["subject_ids"]]
    assert ("destination_updated", [created["id"]]) in actions and ("destination_created", [created["id"]]) in actions
    others = world.as_(world.b.manager).get("/api/audit").json()["entries"]
    assert others and not any(created["id"] in e["subject_ids"] for e in others)


def test_listing_a_partners_destinations_is_one_partition_query(world):
    add_destination(world, name="Library one", kind="library")
    staff = world.as_(world.a.staff)
    with request_counter.measure() as tally:
        assert staff.get("/api/destinations", params={"partner_id": world.a.partner_id}).status == 200
    assert tally.by_kind == {"GET staff": 1, "GET destinations": 1}, tally.by_kind  # the session check, the query


def test_national_destinations_are_the_trusts_online_or_at_home_and_everyone_staff_sees_them(world):
    national = add_destination(world, world.admin, name="Stargazing at home", kind="home", partner_id=None,
                               town=None, postcode_district=None)
    assert national["partner_id"] is None
    for actor in (world.a.staff, world.b.manager, world.b.staff):
        listed = world.as_(actor).get("/api/destinations").json()["destinations"]
        assert national["id"] in {d["id"] for d in listed}
    refused = world.as_(world.a.manager).post("/api/destinations", json={
        "name": "Our national", "kind": "online", "cost": "free"})
    assert refused.status == 403
    museum = world.as_(world.admin).post("/api/destinations", json={"name": "A museum", "kind": "museum",
                                                                     "cost": "free"})
    assert museum.status == 400 and museum.json()["errors"][0]["field"] == "kind"
    assert world.as_(world.a.manager).patch(f"/api/destinations/{national['id']}", json={"name": "X"}).status == 403


def test_bad_input_is_a_clear_400_naming_the_fields_and_changes_nothing(world):
    manager = world.as_(world.a.manager)
    resp = manager.post("/api/destinations", json={
        "name": "Ask for Sam on 07911 123456", "kind": "zoo", "cost": "free", "postcode_district": "LS1 4AB",
        "web_page": "javascript:alert(1)", "partner_id": world.a.partner_id})
    assert resp.status == 400 and resp.content_type.startswith("application/problem+json")
    assert {e["field"] for e in resp.json()["errors"]} == {"name", "kind", "postcode_district", "web_page"}
    assert "07911" not in resp.body.decode()
    created = add_destination(world)
    emptied = manager.patch(f"/api/destinations/{created['id']}", json={"name": None})
    assert emptied.status == 400 and emptied.json()["errors"][0]["field"] == "name"
    assert manager.patch(f"/api/destinations/{created['id']}", json={}).status == 400
    listed = manager.get("/api/destinations", params={"partner_id": world.a.partner_id}).json()["destinations"]
    assert created in listed
