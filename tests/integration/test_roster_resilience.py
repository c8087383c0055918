"""Re-delivery and crash-retry of a roster upload end in the state of one clean run."""

from __future__ import annotations

import json

import pytest

from shared.organisation.schemas import PartnerIn, SchoolIn
from shared.organisation.service import create_partner, create_school
from shared.organisation.store import get_school
from shared.roster import ingest
from shared.roster.blob_drop import ingest_upload
from shared.roster.store import roster_of
from shared.security.principal import Principal, Role
from shared.storage.names import MIS_REPORTS, MIS_UPLOADS
from tests.data.synthetic import synthetic_sims_csv

TRUST = Principal(subject_id="stf_test", role=Role.TRUST_ADMIN)


def new_school(storage):
    partner = create_partner(TRUST, PartnerIn(name="Resilience CU"), storage=storage)
    return get_school(storage, create_school(TRUST, partner.id, SchoolIn(name="R Primary"), storage=storage).id)


def state(storage, school_id):
    return sorted(
        (p.first_name, p.last_name, p.date_of_birth, p.gender, p.upn, p.status) for p in roster_of(storage, school_id)
    )


def test_the_same_blob_delivered_twice_ends_as_one_clean_run(azurite, storage):
    school = new_school(storage)
    data = synthetic_sims_csv(250, seed=11)
    uploads = storage.container(MIS_UPLOADS)
    uploads.upload_blob(f"{school.id}/term.csv", data, overwrite=True)
    first = ingest_upload(f"mis-uploads/{school.id}/term.csv", data, storage=storage)
    once = state(storage, school.id)
    second = ingest_upload(f"mis-uploads/{school.id}/term.csv", data, storage=storage)
    assert state(storage, school.id) == once and len(once) == 250
    assert second == first
    assert json.loads(storage.container(MIS_REPORTS).download_blob(f"{school.id}/term.csv.json").readall())[
        "created"] == 250


def test_a_run_that_dies_half_way_and_is_retried_ends_as_one_clean_run(azurite, storage, monkeypatch):
    data = synthetic_sims_csv(450, seed=12)
    clean = new_school(storage)
    ingest.sync_school(storage, clean, data=data)

    crashed = new_school(storage)
    real_write = ingest.write_roster

    def dies_after_two_hundred_pupils(storage, school_id, pupils, **kwargs):
        real_write(storage, school_id, pupils[:200], **kwargs)
        raise ConnectionError("worker recycled")

    monkeypatch.setattr(ingest, "write_roster", dies_after_two_hundred_pupils)
    with pytest.raises(ConnectionError):
        ingest.sync_school(storage, crashed, data=data)
    assert len(roster_of(storage, crashed.id)) == 200
    monkeypatch.setattr(ingest, "write_roster", real_write)
    retry = ingest.sync_school(storage, get_school(storage, crashed.id), data=data)
    assert retry.created == 250 and retry.unchanged == 200
    assert state(storage, crashed.id) == state(storage, clean.id)
    assert len({p.username for p in roster_of(storage, crashed.id)}) == 450


def test_an_unreadable_blob_gets_a_report_and_is_deleted_and_changes_nothing(azurite, storage):
    school = new_school(storage)
    storage.container(MIS_UPLOADS).upload_blob(f"{school.id}/bad.csv", b"\x00\x01\x02\xffQZXW", overwrite=True)
    report = ingest_upload(f"mis-uploads/{school.id}/bad.csv", b"\x00\x01\x02\xffQZXW", storage=storage)
    assert report["status"] == 400 and "QZXW" not in json.dumps(report)
    assert list(storage.container(MIS_UPLOADS).list_blobs(name_starts_with=f"{school.id}/")) == []
    assert roster_of(storage, school.id) == []


def test_an_upload_for_an_unknown_school_is_reported_and_deleted(azurite, storage):
    storage.container(MIS_UPLOADS).upload_blob("sch_nosuchschool/x.csv", b"a,b\n", overwrite=True)
    report = ingest_upload("mis-uploads/sch_nosuchschool/x.csv", b"a,b\n", storage=storage)
    assert report["status"] == 404
    assert list(storage.container(MIS_UPLOADS).list_blobs(name_starts_with="sch_nosuchschool/")) == []


def test_two_plans_that_race_past_the_lease_cannot_both_create_a_pupil_with_one_upn(azurite, storage):
    from shared.ids import utcnow
    from shared.roster.errors import DuplicateUpn
    from shared.roster.parsing import parse_csv
    from shared.roster.schemas import RosterMode
    from shared.roster.store import read_roster

    school = new_school(storage)
    data = synthetic_sims_csv(120, seed=13)
    parsed = parse_csv(data, today=utcnow().date(), max_bytes=10_000_000)
    # Both read the empty roster before either writes: each plans to create all 120 pupils.
    rosters = [read_roster(storage, school.id) for _ in range(2)]
    plans = [ingest.plan_sync(r.pupils, parsed.records, school_id=school.id, mode=RosterMode.FULL, now=utcnow(),
                              grace_days=30) for r in rosters]
    ingest._apply(storage, school, rosters[0], plans[0], utcnow())
    once = state(storage, school.id)
    with pytest.raises(DuplicateUpn):
        ingest._apply(storage, school, rosters[1], plans[1], utcnow())
    assert state(storage, school.id) == once
    pupils = roster_of(storage, school.id)
    upns = [p.upn for p in pupils if p.upn]
    assert len(upns) == len(set(upns)) == sum(1 for r in parsed.records if r.upn)


def test_a_plan_overtaken_by_unrelated_changes_still_applies_after_checking_again(azurite, storage):
    from shared.ids import utcnow
    from shared.roster.parsing import parse_csv
    from shared.roster.schemas import RosterMode
    from shared.roster.store import read_roster

    school = new_school(storage)
    first, second = synthetic_sims_csv(60, seed=15), synthetic_sims_csv(40, seed=16)
    stale = read_roster(storage, school.id)
    ingest.sync_school(storage, school, data=first, mode=RosterMode.PARTIAL)
    loaded = {p.upn for p in roster_of(storage, school.id)}
    others = [r for r in parse_csv(second, today=utcnow().date(), max_bytes=10_000_000).records
              if r.upn not in loaded]
    plan = ingest.plan_sync(stale.pupils, others, school_id=school.id, mode=RosterMode.PARTIAL,
                            now=utcnow(), grace_days=30)
    # The roster moved on since `stale` was read, but by other children: no UPN is given twice, so it applies.
    ingest._apply(storage, school, stale, plan, utcnow())
    pupils = roster_of(storage, school.id)
    upns = [p.upn for p in pupils if p.upn]
    assert len(pupils) == 60 + len(others) and len(others) > 30 and len(upns) == len(set(upns))


def test_a_pupil_being_erased_does_not_keep_their_upn_from_a_new_pupil(azurite, storage):
    from shared.roster.store import get_pupil, mark_erasing

    school = new_school(storage)
    data = synthetic_sims_csv(3, seed=14)
    ingest.sync_school(storage, school, data=data)
    leaving = next(p for p in roster_of(storage, school.id) if p.upn)
    # An erasure that stopped half-way: the row is marked, not yet deleted. A sync treats it as gone.
    _, etag = get_pupil(storage, school.id, leaving.id)
    mark_erasing(storage, school.id, leaving.id, etag)
    report = ingest.sync_school(storage, get_school(storage, school.id), data=data)
    assert report.created == 1 and report.unchanged == 2 and report.left == 0
    holders = [p for p in roster_of(storage, school.id) if p.upn == leaving.upn]
    assert len(holders) == 2 and sum(not p.erasing for p in holders) == 1


def test_a_rectification_between_a_plan_and_its_writes_cannot_give_one_upn_twice(azurite, storage):
    from dataclasses import replace

    from shared.ids import utcnow
    from shared.roster.errors import DuplicateUpn
    from shared.roster.parsing import parse_csv
    from shared.roster.schemas import RosterMode
    from shared.roster.store import get_pupil, read_roster, update_pupil_upn

    school = new_school(storage)
    ingest.sync_school(storage, school, data=synthetic_sims_csv(5, seed=17))
    newcomer = parse_csv(synthetic_sims_csv(1, seed=18), today=utcnow().date(), max_bytes=10_000_000).records
    assert newcomer[0].upn
    stale = read_roster(storage, school.id)
    plan = ingest.plan_sync(stale.pupils, newcomer, school_id=school.id, mode=RosterMode.PARTIAL, now=utcnow(),
                            grace_days=30)
    assert plan.created == 1
    # Meanwhile staff give an existing pupil the newcomer's UPN.
    pupil, etag = get_pupil(storage, school.id, stale.pupils[0].id)
    update_pupil_upn(storage, replace(pupil, upn=newcomer[0].upn), etag)
    with pytest.raises(DuplicateUpn):
        ingest._apply(storage, school, stale, plan, utcnow())
    assert [p.id for p in roster_of(storage, school.id) if p.upn == newcomer[0].upn] == [pupil.id]
