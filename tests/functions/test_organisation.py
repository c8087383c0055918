def test_trust_admin_creates_a_partner_and_sees_it_listed(world):
    resp = world.as_(world.admin).post("/api/partners", json={"name": "Gamma CU"})
    assert resp.status == 201
    partner = resp.json()
    listed = world.as_(world.admin).get("/api/partners").json()["partners"]
    assert partner in listed


def test_partner_manager_sees_only_their_own_partner(world):
    listed = world.as_(world.a.manager).get("/api/partners").json()["partners"]
    assert [p["id"] for p in listed] == [world.a.partner_id]


def test_school_is_created_with_policy_and_listed_for_its_partner(world):
    as_manager = world.as_(world.a.manager)
    resp = as_manager.post(f"/api/partners/{world.a.partner_id}/schools",
                           json={"name": "Oak Academy", "urn": "123456", "dob_policy": "generic"})
    assert resp.status == 201
    school = resp.json()
    assert school["dob_policy"] == "generic" and school["urn"] == "123456" and school["active"] is True
    listed = as_manager.get(f"/api/partners/{world.a.partner_id}/schools").json()["schools"]
    assert school["id"] in [s["id"] for s in listed]
    assert as_manager.get(f"/api/schools/{school['id']}").json()["name"] == "Oak Academy"


def test_school_with_bad_urn_is_rejected_and_not_created(world):
    as_manager = world.as_(world.a.manager)
    before = len(as_manager.get(f"/api/partners/{world.a.partner_id}/schools").json()["schools"])
    resp = as_manager.post(f"/api/partners/{world.a.partner_id}/schools", json={"name": "X", "urn": "12"})
    assert resp.status == 400
    assert resp.content_type == "application/problem+json"
    assert resp.json()["errors"][0]["field"] == "urn"
    assert len(as_manager.get(f"/api/partners/{world.a.partner_id}/schools").json()["schools"]) == before


def test_staff_creation_returns_an_invitation_and_lists_the_member(world):
    from tests.world import staff_body

    body = staff_body("newteacher") | {"phone": "07911 123456"}
    resp = world.as_(world.a.manager).post(f"/api/schools/{world.a.school_id}/staff", json=body)
    assert resp.status == 201
    created = resp.json()
    assert created["phone"] == "+447911123456"
    assert created["email"] == body["email"].lower()
    assert "/#/invitation/" in created["invitation_url"]
    assert created["status"] == "invited"
    listed = world.as_(world.a.staff).get(f"/api/schools/{world.a.school_id}/staff").json()["staff"]
    assert created["id"] in [s["id"] for s in listed]


def test_an_email_can_only_belong_to_one_account(world):
    body = {"first_name": "A", "last_name": "B", "nickname": "C", "email": world.a.staff.email.upper()}
    resp = world.as_(world.admin).post(f"/api/schools/{world.b.school_id}/staff", json=body)
    assert resp.status == 409
    assert resp.json()["errors"][0]["field"] == "email"


def test_invalid_phone_and_missing_fields_are_reported_per_field(world):
    resp = world.as_(world.admin).post(
        f"/api/schools/{world.a.school_id}/staff",
        json={"first_name": "", "last_name": "B", "nickname": "C", "email": "not-an-email", "phone": "12"},
    )
    assert resp.status == 400
    fields = {e["field"] for e in resp.json()["errors"]}
    assert {"first_name", "email", "phone"} <= fields


def test_staff_member_rectifies_their_own_nickname_and_email(world):
    from tests.world import STAFF_PASSWORD, unique_email

    tenant = world.b
    new_email = unique_email("renamed")
    resp = world.as_(tenant.staff).patch(f"/api/staff/{tenant.staff.id}", json={"nickname": "Sam", "email": new_email})
    assert resp.status == 200
    assert resp.json()["nickname"] == "Sam"
    anon = world.client.as_(None)
    old = anon.post("/api/auth/login", json={"username": tenant.staff.email, "password": STAFF_PASSWORD})
    assert old.status == 401
    new = world.client.as_(None).post("/api/auth/login", json={"username": new_email, "password": STAFF_PASSWORD})
    assert new.status == 200
    assert new.json()["user"]["display_name"] == "Sam"
    tenant.staff.email = new_email


def test_school_staff_cannot_create_staff_but_gets_403_for_their_own_school(world):
    from tests.world import staff_body

    resp = world.as_(world.a.staff).post(f"/api/schools/{world.a.school_id}/staff", json=staff_body("x"))
    assert resp.status == 403


def test_manager_deletes_a_staff_member_who_can_no_longer_sign_in(world):
    from tests.world import accept, staff_body

    body = staff_body("leaver")
    created = world.as_(world.a.manager).post(f"/api/schools/{world.a.school_id}/staff", json=body).json()
    leaver = accept(world.client, created["invitation_url"], body["email"])
    assert world.as_(world.a.manager).delete(f"/api/staff/{leaver.id}").status == 204
    assert world.as_(world.a.manager).get(f"/api/staff/{leaver.id}").status == 404
    refreshed = world.client.as_(None).post("/api/auth/refresh", json={"refresh_token": leaver.refresh_token})
    assert refreshed.status == 401
    # The email is free again.
    again = world.as_(world.a.manager).post(f"/api/schools/{world.a.school_id}/staff", json=body)
    assert again.status == 201


def test_school_leaving_the_programme_is_recorded(world):
    as_manager = world.as_(world.b.manager)
    school = as_manager.post(f"/api/partners/{world.b.partner_id}/schools", json={"name": "Closing"}).json()
    resp = as_manager.patch(f"/api/schools/{school['id']}", json={"active": False})
    assert resp.status == 200 and resp.json()["active"] is False


def test_audit_lists_staff_changes_within_scope(world):
    from tests.world import staff_body

    created = world.as_(world.a.manager).post(f"/api/schools/{world.a.school_id}/staff", json=staff_body("aud"))
    staff_id = created.json()["id"]
    as_manager_a = world.as_(world.a.manager)
    entries = as_manager_a.get("/api/audit", params={"subject_id": staff_id}).json()["entries"]
    assert [e["action"] for e in entries] == ["staff_created"]
    assert entries[0]["actor_id"] == world.a.manager.id
    assert world.as_(world.admin).get("/api/audit", params={"subject_id": staff_id}).json()["entries"]
    assert world.as_(world.b.manager).get("/api/audit", params={"subject_id": staff_id}).json()["entries"] == []
    assert world.as_(world.b.staff).get("/api/audit", params={"subject_id": staff_id}).json()["entries"] == []


def test_audit_refuses_bad_ranges(world):
    resp = world.as_(world.admin).get("/api/audit", params={"from": "2026-02-01", "to": "2026-01-01"})
    assert resp.status == 400
    resp = world.as_(world.admin).get("/api/audit", params={"from": "yesterday"})
    assert resp.status == 400 and resp.json()["errors"][0]["field"] == "from"


def test_staff_export_lists_everything_stored_but_never_the_password_hash(world):
    from tests.world import STAFF_PASSWORD

    signed_in = world.client.as_(None).post("/api/auth/login",
                                           json={"username": world.a.staff.email, "password": STAFF_PASSWORD})
    assert signed_in.status == 200
    resp = world.as_(world.a.manager).get(f"/api/staff/{world.a.staff.id}/export")
    assert resp.status == 200
    export = resp.json()
    assert export["account"]["email"] == world.a.staff.email
    assert export["sign_in"]["has_password"] is True
    assert any(e["action"] == "sign_in" for e in export["audit_entries"])
    assert "argon2" not in resp.body.decode()
