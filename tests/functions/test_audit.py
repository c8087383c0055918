"""Audit reads by partition (finding 5 of issue 14): a school's view and a subject's export read their own rows."""

from __future__ import annotations

from shared import audit
from shared.ids import utcnow
from shared.storage.clients import get_storage
from shared.storage.counting import request_counter
from shared.storage.names import AUDIT
from shared.storage.tables import submit_batches

OTHER_ROWS = 2_500  # more than two pages of a query: reading them would show in the request count


def _requests(fn) -> int:
    with request_counter.measure() as tally:
        fn()
    return tally.total


def _seed_other_school(world, n: int = OTHER_ROWS) -> None:
    now = utcnow()
    rows = [audit.entry_upsert(audit.Action.PUPIL_READ, actor_id=world.b.staff.id, subject_ids=[f"pup_other{i}"],
                                  school_id=world.b.school_id, partner_id=world.b.partner_id, now=now)
            for i in range(n)]
    submit_batches(get_storage().table(AUDIT), rows)


def test_a_coordinators_view_and_a_staff_export_do_not_read_other_schools_rows(world):
    coordinator = world.as_(world.a.staff)
    manager = world.as_(world.a.manager)
    assert coordinator.get(f"/api/schools/{world.a.school_id}/pupils").status == 200  # an entry of their own

    def view():
        assert coordinator.get("/api/audit").status == 200

    def export():
        assert manager.get(f"/api/staff/{world.a.staff.id}/export").status == 200

    before = (_requests(view), _requests(export))
    _seed_other_school(world)
    assert (_requests(view), _requests(export)) == before

    entries = coordinator.get("/api/audit", params={"limit": 5000}).json()["entries"]
    assert entries and {e["school_id"] for e in entries} == {world.a.school_id}
    assert any(e["action"] == "pupils_listed" for e in entries)


def test_a_partner_sees_its_schools_and_not_another_partners(world):
    world.as_(world.a.staff).get(f"/api/schools/{world.a.school_id}/pupils")
    world.as_(world.b.staff).get(f"/api/schools/{world.b.school_id}/pupils")
    entries = world.as_(world.a.manager).get("/api/audit").json()["entries"]
    assert {e["partner_id"] for e in entries} == {world.a.partner_id}
    assert world.a.school_id in {e["school_id"] for e in entries}
    narrowed = world.as_(world.a.manager).get("/api/audit", params={"school_id": world.b.school_id}).json()
    assert narrowed["entries"] == []


def test_the_trust_sees_every_school_and_national_actions_are_their_own_partition(world):
    world.as_(world.admin).post("/api/partners", json={"name": "Audit national partner"})
    entries = world.as_(world.admin).get("/api/audit", params={"limit": 5000}).json()["entries"]
    assert {world.a.school_id, world.b.school_id} <= {e["school_id"] for e in entries}
    today = utcnow().date()
    national = audit.national_actions(start=today, end=today, storage=get_storage())
    assert national and all(e.school_id is None and e.partner_id is None for e in national)
    by_school = world.as_(world.admin).get("/api/audit", params={"school_id": world.b.school_id}).json()["entries"]
    assert by_school and {e["school_id"] for e in by_school} == {world.b.school_id}


def test_query_verbs_for_other_services(world):
    today = utcnow().date()
    storage = get_storage()
    world.as_(world.a.staff).get(f"/api/schools/{world.a.school_id}/pupils")
    school = audit.for_school(world.a.partner_id, world.a.school_id, start=today, end=today, storage=storage,
                              actions=frozenset({"pupils_listed"}))
    assert school and {e.action for e in school} == {"pupils_listed"}
    partner = audit.for_partner(world.a.partner_id, start=today, end=today, storage=storage)
    assert {e.partner_id for e in partner} == {world.a.partner_id}
