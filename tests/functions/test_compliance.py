"""GET /api/compliance through the app: the numbers match what the test made, each caller sees only their scope.

The store is shared with other modules, so partner- and Trust-wide numbers are checked as changes from a
baseline taken before this module adds its schools; a fresh school's numbers are checked exactly.
"""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from shared.retention import run_retention
from tests.world import Actor, World, accept, staff_body

DUE_DAY = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()


def compliance(world: World, actor: Actor) -> dict:
    resp = world.as_(actor).get("/api/compliance")
    assert resp.status == 200, resp.body
    return resp.json()


def due(view: dict) -> Counter:
    return Counter({d["date"]: d["count"] for d in view["deletions_due"]})


def pupils(names: list[str]) -> list[dict]:
    return [{"first_name": n, "last_name": "Ledgerwood", "date_of_birth": "2016-05-04", "gender": "male"}
            for n in names]


def sync(world: World, school_id: str, names: list[str]) -> None:
    resp = world.as_(world.a.manager).post(f"/api/schools/{school_id}/roster", json={"pupils": pupils(names)},
                                           params={"mode": "full"})
    assert resp.status == 200, resp.body


def new_school(world: World, label: str) -> str:
    resp = world.as_(world.a.manager).post(f"/api/partners/{world.a.partner_id}/schools",
                                           json={"name": f"Compliance {label} {secrets.token_hex(2)}"})
    assert resp.status == 201, resp.body
    return resp.json()["id"]


@dataclass
class Made:
    synced: str  # 4 active (one came back), 2 left
    never_synced: str
    exited: str  # 2 active pupils, the school left the programme today
    synced_staff: Actor
    before: dict[str, dict]  # role -> view before any of this existed


@pytest.fixture(scope="module")
def made(world: World) -> Made:
    run_retention()  # so there is a last run to report
    before = {"trust": compliance(world, world.admin), "a": compliance(world, world.a.manager),
              "b": compliance(world, world.b.manager)}
    synced = new_school(world, "Synced")
    tag = secrets.token_hex(2)
    stay, leave, back = [f"Stay{tag}{c}" for c in "abc"], [f"Leave{tag}{c}" for c in "ab"], [f"Back{tag}"]
    sync(world, synced, stay + leave + back)
    sync(world, synced, stay)
    sync(world, synced, stay + back)
    never_synced = new_school(world, "Never")
    exited = new_school(world, "Exited")
    sync(world, exited, [f"Exit{tag}a", f"Exit{tag}b"])
    assert world.as_(world.a.manager).patch(f"/api/schools/{exited}", json={"active": False}).status == 200
    body = staff_body(f"compliance{tag}")
    created = world.as_(world.a.manager).post(f"/api/schools/{synced}/staff", json=body)
    assert created.status == 201, created.body
    staff = accept(world.client, created.json()["invitation_url"], body["email"])
    return Made(synced=synced, never_synced=never_synced, exited=exited, synced_staff=staff, before=before)


def test_school_staff_see_exactly_their_schools_numbers(world, made):
    view = compliance(world, made.synced_staff)
    assert view["pupils_active"] == 4 and view["pupils_left"] == 2
    assert view["deletions_due"] == [{"date": DUE_DAY, "count": 2}]
    assert view["schools_stale_sync"] == []


def test_a_partner_manager_sees_their_partners_new_pupils_deletions_and_stale_schools(world, made):
    before, after = made.before["a"], compliance(world, world.a.manager)
    assert after["pupils_active"] - before["pupils_active"] == 4 + 2
    assert after["pupils_left"] - before["pupils_left"] == 2
    assert due(after) - due(before) == Counter({DUE_DAY: 2 + 2}), "leavers, and the exited school's pupils"
    stale = {s["school_id"]: s for s in after["schools_stale_sync"]}
    assert stale[made.never_synced]["last_sync_at"] is None and stale[made.never_synced]["name"]
    assert made.synced not in stale and made.exited not in stale, "synced today; left the programme"


def test_another_partners_manager_sees_none_of_it(world, made):
    before, after = made.before["b"], compliance(world, world.b.manager)
    assert {k: v for k, v in after.items() if k != "last_retention_run"} == {
        k: v for k, v in before.items() if k != "last_retention_run"}
    ours = {made.synced, made.never_synced, made.exited, world.a.school_id}
    assert not ours & {s["school_id"] for s in after["schools_stale_sync"]}


def test_the_trust_sees_the_same_changes_nationally_and_the_last_runs_counts(world, made):
    before, after = made.before["trust"], compliance(world, world.admin)
    assert after["pupils_active"] - before["pupils_active"] == 6
    assert after["pupils_left"] - before["pupils_left"] == 2
    assert due(after) - due(before) == Counter({DUE_DAY: 4})
    assert made.never_synced in {s["school_id"] for s in after["schools_stale_sync"]}
    run = after["last_retention_run"]
    assert run["status"] == "finished" and isinstance(run["counts"], dict) and run["error_count"] == 0


def test_the_last_run_shows_national_counts_to_the_trust_only(world, made):
    for actor in (world.a.manager, world.b.manager, made.synced_staff):
        run = compliance(world, actor)["last_retention_run"]
        assert run["status"] and run["counts"] is None and run["errors"] is None and run["error_count"] is None


def test_pupils_cannot_see_the_compliance_view_and_anonymous_callers_must_sign_in(world, made):
    assert world.as_(world.a.pupil).get("/api/compliance").status == 403
    assert world.as_(None).get("/api/compliance").status == 401


def test_the_compliance_view_holds_no_personal_data(world, made):
    body = world.as_(world.admin).get("/api/compliance").body.decode()
    assert "Ledgerwood" not in body and "2016-05-04" not in body


def test_the_audit_view_names_staff_and_counts_the_pupils_a_load_touched(world):
    from tests.world import add_pupil

    staff = world.as_(world.a.staff)
    body = {"pupils": [{"first_name": f"Counted{i}", "last_name": "Auditpupil", "date_of_birth": "2016-04-0" + str(i),
                        "gender": "other"} for i in range(1, 7)]}
    assert staff.post(f"/api/schools/{world.a.school_id}/roster", json=body, params={"mode": "partial"}).status == 200
    pupil = add_pupil(staff, world.a.school_id)
    assert staff.get(f"/api/schools/{world.a.school_id}/pupils/{pupil}").status == 200
    entries = staff.get("/api/audit").json()["entries"]
    loads = [e for e in entries if e["action"] == "roster_ingested" and e["actor_id"] == world.a.staff.id]
    assert 6 in [e["record_count"] for e in loads] and 1 in [e["record_count"] for e in loads]
    read = next(e for e in entries if e["action"] == "pupil_read" and e["subject_ids"] == [pupil])
    assert read["record_count"] == 1
    me = staff.get("/api/me").json()
    assert (read["actor_name"], read["actor_role"]) == (me["display_name"], "school_staff")
    # Names are joined when the log is read: the stored entry has none, and no pupil is ever named.
    assert all(e["actor_name"] is None for e in entries if (e["actor_id"] or "").startswith("pup_"))
