"""The destinations service's rules against in-memory fakes: who adds, sees and changes what, and the audit."""

from __future__ import annotations

import pytest

from shared.destinations import service
from shared.destinations.schemas import DestinationIn, DestinationPatch, DestinationQuery
from shared.errors import ConcurrencyConflict, Forbidden, InvalidRequest, OutsideScope
from shared.security.principal import Principal, Role
from tests.unit.destinations.fakes import install

TRUST = Principal(subject_id="stf_trust", role=Role.TRUST_ADMIN)
MANAGER_A = Principal(subject_id="stf_ma", role=Role.PARTNER_MANAGER, partner_id="prt_a")
MANAGER_B = Principal(subject_id="stf_mb", role=Role.PARTNER_MANAGER, partner_id="prt_b")
STAFF_A = Principal(subject_id="stf_sa", role=Role.SCHOOL_STAFF, partner_id="prt_a", school_id="sch_a")
PUPIL_A = Principal(subject_id="pup_a", role=Role.PUPIL, partner_id="prt_a", school_id="sch_a")


@pytest.fixture
def fakes(monkeypatch):
    return install(monkeypatch, partners={"prt_a", "prt_b"})


def museum(**extra) -> DestinationIn:
    return DestinationIn(**({"name": "Town Museum", "kind": "museum", "cost": "free", "partner_id": "prt_a",
                             "town": "Leeds", "postcode_district": "ls1"} | extra))


def test_a_manager_adds_a_destination_for_their_partner_and_it_is_audited(fakes):
    out = service.create_destination(MANAGER_A, museum(), storage=fakes.storage)
    assert out.partner_id == "prt_a" and out.status == "validated" and out.postcode_district == "LS1"
    assert fakes.audit.entries == [{"action": "destination_created", "actor_id": "stf_ma", "subject_ids": [out.id],
                                    "partner_id": "prt_a"}]


def test_another_partners_manager_gets_the_404_of_a_missing_partner(fakes):
    with pytest.raises(OutsideScope):
        service.create_destination(MANAGER_B, museum(), storage=fakes.storage)
    with pytest.raises(OutsideScope):
        service.create_destination(TRUST, museum(partner_id="prt_nope"), storage=fakes.storage)
    assert fakes.store.rows == {} and fakes.audit.entries == []


def test_only_the_trust_adds_national_destinations_and_only_online_or_at_home(fakes):
    with pytest.raises(Forbidden):
        service.create_destination(MANAGER_A, museum(partner_id=None, kind="online"), storage=fakes.storage)
    with pytest.raises(InvalidRequest) as refused:
        service.create_destination(TRUST, museum(partner_id=None), storage=fakes.storage)
    assert refused.value.errors[0].field == "kind"
    out = service.create_destination(TRUST, museum(partner_id=None, name="Stargazing at home", kind="home"),
                                     storage=fakes.storage)
    assert out.partner_id is None
    assert fakes.audit.entries[-1]["partner_id"] is None


def test_member_school_staff_see_their_partners_destinations_and_the_national_ones_only(fakes):
    mine = service.create_destination(MANAGER_A, museum(), storage=fakes.storage)
    service.create_destination(MANAGER_B, museum(partner_id="prt_b", name="Other museum"), storage=fakes.storage)
    online = service.create_destination(TRUST, museum(partner_id=None, name="Online lab", kind="online"),
                                        storage=fakes.storage)
    listed = service.list_destinations(STAFF_A, DestinationQuery(partner_id="prt_a"), storage=fakes.storage)
    assert [d.id for d in listed.destinations] == [mine.id]
    national = service.list_destinations(STAFF_A, DestinationQuery(), storage=fakes.storage)
    assert [d.id for d in national.destinations] == [online.id]
    with pytest.raises(OutsideScope):
        service.list_destinations(STAFF_A, DestinationQuery(partner_id="prt_b"), storage=fakes.storage)
    with pytest.raises(OutsideScope):
        service.list_destinations(TRUST, DestinationQuery(partner_id="prt_nope"), storage=fakes.storage)


def test_a_foreign_destination_id_is_the_404_of_a_missing_one(fakes):
    theirs = service.create_destination(MANAGER_B, museum(partner_id="prt_b"), storage=fakes.storage)
    for caller in (MANAGER_A, STAFF_A, PUPIL_A):
        with pytest.raises(OutsideScope):
            service.update_destination(caller, theirs.id, DestinationPatch(status="paused"), storage=fakes.storage)
    with pytest.raises(OutsideScope):
        service.update_destination(MANAGER_A, "dst_missing", DestinationPatch(status="paused"), storage=fakes.storage)
    assert fakes.store.rows[theirs.id].status == "validated"


def test_school_staff_see_a_destination_but_may_not_change_it(fakes):
    mine = service.create_destination(MANAGER_A, museum(), storage=fakes.storage)
    with pytest.raises(Forbidden):
        service.update_destination(STAFF_A, mine.id, DestinationPatch(name="Renamed"), storage=fakes.storage)
    online = service.create_destination(TRUST, museum(partner_id=None, kind="online"), storage=fakes.storage)
    with pytest.raises(Forbidden):
        service.update_destination(MANAGER_A, online.id, DestinationPatch(name="Renamed"), storage=fakes.storage)


def test_pausing_is_audited_with_the_new_status_and_changes_only_what_was_sent(fakes):
    mine = service.create_destination(MANAGER_A, museum(accessibility="Step-free entrance"), storage=fakes.storage)
    paused = service.update_destination(MANAGER_A, mine.id, DestinationPatch(status="paused", town=None),
                                        storage=fakes.storage)
    assert paused.status == "paused" and paused.town is None
    assert paused.accessibility == "Step-free entrance" and paused.name == "Town Museum"
    assert fakes.audit.entries[-1] == {"action": "destination_updated", "actor_id": "stf_ma",
                                       "subject_ids": [mine.id], "partner_id": "prt_a", "detail": "status_paused"}


def test_a_change_that_changes_nothing_writes_and_audits_nothing(fakes):
    mine = service.create_destination(MANAGER_A, museum(), storage=fakes.storage)
    etag = fakes.store.rows[mine.id].etag
    service.update_destination(MANAGER_A, mine.id, DestinationPatch(name="Town Museum"), storage=fakes.storage)
    assert fakes.store.rows[mine.id].etag == etag and len(fakes.audit.entries) == 1


def test_required_fields_cannot_be_emptied(fakes):
    mine = service.create_destination(MANAGER_A, museum(), storage=fakes.storage)
    with pytest.raises(InvalidRequest) as refused:
        service.update_destination(MANAGER_A, mine.id, DestinationPatch(name=None, cost=None), storage=fakes.storage)
    assert {e.field for e in refused.value.errors} == {"name", "cost"}


def test_a_national_destination_stays_online_or_at_home(fakes):
    online = service.create_destination(TRUST, museum(partner_id=None, kind="online"), storage=fakes.storage)
    with pytest.raises(InvalidRequest):
        service.update_destination(TRUST, online.id, DestinationPatch(kind="museum"), storage=fakes.storage)


def test_a_change_racing_another_is_made_on_the_fresh_row_keeping_the_other_change(fakes):
    mine = service.create_destination(MANAGER_A, museum(), storage=fakes.storage)
    fakes.store.lose_next_writes = 1
    out = service.update_destination(MANAGER_A, mine.id, DestinationPatch(status="paused"), storage=fakes.storage)
    assert out.status == "paused" and out.town == "Changed meanwhile"


def test_a_change_that_keeps_losing_races_gives_up_with_a_conflict(fakes):
    mine = service.create_destination(MANAGER_A, museum(), storage=fakes.storage)
    fakes.store.lose_next_writes = service.UPDATE_ATTEMPTS
    with pytest.raises(ConcurrencyConflict):
        service.update_destination(MANAGER_A, mine.id, DestinationPatch(status="paused"), storage=fakes.storage)


def test_an_activity_may_name_its_partners_destinations_or_national_ones_only(fakes):
    mine = service.create_destination(MANAGER_A, museum(), storage=fakes.storage)
    theirs = service.create_destination(MANAGER_B, museum(partner_id="prt_b"), storage=fakes.storage)
    online = service.create_destination(TRUST, museum(partner_id=None, kind="online"), storage=fakes.storage)
    assert service.destination_for_activity(fakes.storage, mine.id, "prt_a").id == mine.id
    assert service.destination_for_activity(fakes.storage, online.id, "prt_a").id == online.id
    assert service.destination_for_activity(fakes.storage, online.id, None).id == online.id
    for destination_id, partner_id in ((theirs.id, "prt_a"), (mine.id, None), ("dst_missing", "prt_a")):
        with pytest.raises(OutsideScope):
            service.destination_for_activity(fakes.storage, destination_id, partner_id)
