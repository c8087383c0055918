"""The retention timer through the app, on data made through the API, against the session's Azurite.

One scenario is built over (moved) time and the registered `retention_run` timer runs on day 31; the
tests then look at what is gone and what is kept. The shared store also holds other modules' data, so
these tests look at their own records, never at national counts (the integration tests count exactly).
The two-year tests come last in the file: that run erases every staff member created today.
"""

from __future__ import annotations

import json
import random
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest
from azure.data.tables import TableServiceClient
from azure.functions.timer import TimerRequest
from azure.storage.blob import BlobServiceClient

import functions.retention as retention_trigger
from devhost.routing import functions_of
from shared.credentials.logins_store import login_key, login_keys
from shared.ids import clock_moved, utcnow
from shared.retention import RetentionRunReport
from shared.retention.runs_store import RUN_PK
from shared.roster.rules import la_numbers
from shared.storage.clients import get_storage
from shared.storage.names import (
    AUDIT,
    DUE,
    INVITATIONS,
    LOGINS,
    MIS_UPLOADS,
    PUPILS,
    REFRESH_TOKENS,
    RETENTION_RUNS,
    THROTTLE,
)
from shared.storage.tables import get_entity
from tests.data.synthetic import make_upn
from tests.world import STAFF_PASSWORD, World, accept, bootstrap_admin, staff_body

DAY = timedelta(days=1)
TODAY = datetime.now(UTC).date()


# --- helpers ------------------------------------------------------------------------------------

def run_timer_until_complete(*, most: int = 40) -> list[RetentionRunReport]:
    """Invoke the registered timer function (as the host does) until a run finishes its backlog."""
    from function_app import app

    timer = next(fn for fn in functions_of(app) if fn.get_function_name() == "retention_run").get_user_function()
    reports: list[RetentionRunReport] = []
    original = retention_trigger.run_retention
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(retention_trigger, "run_retention", lambda: reports.append(original()) or reports[-1])
        for _ in range(most):
            timer(TimerRequest(past_due=False))
            if reports[-1].complete:
                return reports
    raise AssertionError("the retention backlog did not finish")


def pupil_json(first: str, last: str, dob: str, upn: str | None = None) -> dict:
    return {"first_name": first, "last_name": last, "date_of_birth": dob, "gender": "female"} | (
        {"upn": upn} if upn else {})


def unique_pupil_json(label: str) -> dict:
    """A pupil whose names, date of birth and UPN are (practically) nowhere else in the store."""
    tag = secrets.token_hex(3)
    dob = date(2014, 9, 1) + timedelta(days=random.randrange(1400))
    la = int(random.choice(sorted(la_numbers())))
    upn = make_upn(la, random.randint(1000, 9999), dob.year, random.randint(0, 999))
    return pupil_json(f"{label}{tag}", f"Fernsby{tag}", dob.isoformat(), upn)


def full_sync(world: World, school_id: str, pupils: list[dict]) -> dict:
    resp = world.as_(world.a.manager).post(f"/api/schools/{school_id}/roster", json={"pupils": pupils},
                                           params={"mode": "full"})
    assert resp.status == 200, resp.body
    return resp.json()


def pupil_ids(world: World, school_id: str) -> dict[str, dict]:
    out, token = {}, None
    while True:
        page = world.as_(world.a.manager).get(f"/api/schools/{school_id}/pupils",
                                              params={"page_token": token} if token else None).json()
        out |= {p["first_name"]: p for p in page["pupils"]}
        token = page["next_page_token"]
        if not token:
            return out


def new_school(world: World, name: str) -> str:
    resp = world.as_(world.a.manager).post(f"/api/partners/{world.a.partner_id}/schools", json={"name": name})
    assert resp.status == 201, resp.body
    return resp.json()["id"]


def every_text(connection_string: str):
    """(where, text) of every entity of every table and every blob of every container."""
    tables = TableServiceClient.from_connection_string(connection_string)
    for table in tables.list_tables():
        for entity in tables.get_table_client(table.name).list_entities():
            yield (table.name, entity["PartitionKey"], entity["RowKey"]), json.dumps(dict(entity), default=str)
    blobs = BlobServiceClient.from_connection_string(connection_string)
    for container in blobs.list_containers():
        client = blobs.get_container_client(container.name)
        for blob in client.list_blobs():
            data = client.download_blob(blob.name).readall()
            yield (container.name, blob.name, ""), data.decode("utf-8", errors="replace")


def residual_hits(connection_string: str, unique: dict[str, str], shared: dict[str, str], erased_id: str) -> list:
    """Where any value of an erased person still appears. `shared` values (a date of birth, a username)
    may also belong to a classmate: a hit in another pupil's own row is not one of theirs."""
    hits = []
    for (where, pk, rk), text in every_text(connection_string):
        for label, value in unique.items():
            if value in text:
                hits.append((label, where, pk, rk))
        others_row = where == PUPILS and rk.startswith("pup_") and rk != erased_id
        for label, value in shared.items():
            if f'"{value}"' in text and not others_row:
                hits.append((label, where, pk, rk))
    return hits


# --- the day-31 scenario -------------------------------------------------------------------------

@dataclass
class Scenario:
    school_id: str
    exited_school_id: str
    kept_school_id: str
    gone: dict
    gone_username: str
    gone_password: str
    late: dict
    back: dict
    stay: dict
    exited: list[dict]
    day31: date
    reports: list[RetentionRunReport] = field(default_factory=list)
    # Partitions right after the run (later tests sign in at the real clock and write today's rows again).
    partitions: dict[str, set[str]] = field(default_factory=dict)


@pytest.fixture(scope="module")
def scenario(world: World) -> Scenario:
    manager, admin = world.as_(world.a.manager), world.as_(world.admin)
    school_id = new_school(world, "Retention Primary")
    gone, late, back, stay = (unique_pupil_json(n) for n in ("Gone", "Late", "Back", "Stay"))
    full_sync(world, school_id, [gone, late, back, stay])
    ids = pupil_ids(world, school_id)
    gone_out = ids[gone["first_name"]]
    creds = manager.post(f"/api/schools/{school_id}/pupils/{gone_out['id']}/password").json()
    # A learning record with a single-use claim, redeemed by the pupil themself.
    club = admin.post("/api/activities", json={"title": "Retention club", "hours": 30, "skills": [],
                                               "interests": [], "school_id": school_id})
    assert club.status == 201, club.body
    code = admin.post(f"/api/activities/{club.json()['id']}/codes",
                      json={"count": 1, "single_use": True}).json()["codes"][0]["code"]
    signed_in = world.client.as_(None).post("/api/auth/login", json=creds).json()
    assert world.client.as_(signed_in["access_token"]).post("/api/redemptions", json={"code": code}).status == 201

    full_sync(world, school_id, [late, stay])  # day 0: Gone and Back leave (due day 30)
    with clock_moved(5 * DAY):
        full_sync(world, school_id, [late, back, stay])  # Back comes back: its due row is stale
    with clock_moved(10 * DAY):
        full_sync(world, school_id, [back, stay])  # Late leaves (due day 40)

    exited_school_id = new_school(world, "Leaving Primary")
    exited = [unique_pupil_json("Exit"), unique_pupil_json("Exit")]
    full_sync(world, exited_school_id, exited)
    kept_school_id = new_school(world, "Staying Primary")
    full_sync(world, kept_school_id, [unique_pupil_json("Kept")])
    assert manager.patch(f"/api/schools/{exited_school_id}", json={"active": False}).status == 200

    # Day 0: an invitation (expires day 7), sessions (day 14) and a failed sign-in of an unknown name.
    assert manager.post(f"/api/schools/{school_id}/staff", json=staff_body("retinvite")).status == 201
    world.client.as_(None).post("/api/auth/login", json={"username": f"nobody{secrets.token_hex(3)}",
                                                         "password": "wrong password"})

    with clock_moved(31 * DAY):
        # Day 31, just before the run: a fresh invitation, session and failed sign-in, all current.
        assert manager.post(f"/api/schools/{school_id}/staff", json=staff_body("retinvite")).status == 201
        staff_login = world.client.as_(None).post(
            "/api/auth/login", json={"username": world.a.staff.email, "password": STAFF_PASSWORD})
        assert staff_login.status == 200
        world.client.as_(None).post("/api/auth/login", json={"username": f"nobody{secrets.token_hex(3)}",
                                                             "password": "wrong password"})
        reports = run_timer_until_complete()
        day31 = utcnow().date()
    storage = get_storage()
    partitions = {name: {e["PartitionKey"] for e in storage.table(name).list_entities(select=["PartitionKey"])}
                  for name in (INVITATIONS, REFRESH_TOKENS, THROTTLE)}
    return Scenario(
        school_id=school_id, exited_school_id=exited_school_id, kept_school_id=kept_school_id, gone=gone_out,
        gone_username=creds["username"], gone_password=creds["password"], late=late, back=back, stay=stay,
        exited=exited, day31=day31, reports=reports, partitions=partitions,
    )


def test_the_timer_is_registered_on_the_schedule_setting_and_not_run_on_startup():
    from function_app import app

    (fn,) = [f for f in functions_of(app) if f.get_function_name() == "retention_run"]
    trigger = fn.get_trigger()
    assert trigger.get_binding_name() == "timerTrigger"
    assert trigger.schedule == "%RETENTION_SCHEDULE%" and not trigger.run_on_startup


def test_the_runs_finished_without_errors(scenario):
    assert all(r.error_count == 0 for r in scenario.reports)
    assert scenario.reports[-1].complete


def test_a_leaver_past_the_grace_period_is_erased_with_every_row(world, scenario, storage):
    gone = scenario.gone
    assert world.as_(world.a.manager).get(f"/api/schools/{scenario.school_id}/pupils/{gone['id']}").status == 404
    assert get_entity(storage.table(PUPILS), scenario.school_id, gone["id"]) is None
    learning = storage.table(PUPILS).query_entities(
        "PartitionKey eq @s and RowKey ge @lo and RowKey lt @hi",
        parameters={"s": scenario.school_id, "lo": f"L|{gone['id']}|", "hi": f"L|{gone['id']}}}"})
    assert list(learning) == []
    assert get_entity(storage.table(LOGINS), *login_keys(login_key(scenario.gone_username))) is None
    assert list(storage.table(DUE).query_entities("RowKey eq @rk",
                                                  parameters={"rk": f"{scenario.school_id}~{gone['id']}"})) == []
    login = world.client.as_(None).post("/api/auth/login", json={"username": scenario.gone_username,
                                                                  "password": scenario.gone_password})
    assert login.status == 401


def test_a_leaver_within_the_grace_period_and_a_pupil_who_stayed_are_kept(world, scenario):
    pupils = pupil_ids(world, scenario.school_id)
    assert pupils[scenario.late["first_name"]]["status"] == "left"
    assert pupils[scenario.stay["first_name"]]["status"] == "active"


def test_a_pupil_who_came_back_is_kept_and_their_stale_due_row_removed(world, scenario, storage):
    back = pupil_ids(world, scenario.school_id)[scenario.back["first_name"]]
    assert back["status"] == "active"
    assert list(storage.table(DUE).query_entities("RowKey eq @rk",
                                                  parameters={"rk": f"{scenario.school_id}~{back['id']}"})) == []


def test_the_pupils_of_a_school_that_left_the_programme_are_erased_and_other_schools_untouched(world, scenario):
    assert pupil_ids(world, scenario.exited_school_id) == {}
    assert len(pupil_ids(world, scenario.kept_school_id)) == 1
    school = world.as_(world.a.manager).get(f"/api/schools/{scenario.exited_school_id}")
    assert school.status == 200 and school.json()["active"] is False


def test_expired_invitations_sessions_and_throttle_rows_are_dropped_and_current_ones_kept(scenario):
    day31, invites, sessions = scenario.day31, scenario.partitions[INVITATIONS], scenario.partitions[REFRESH_TOKENS]
    assert invites and min(invites) >= day31.isoformat()
    assert (day31 + 7 * DAY).isoformat() in invites
    assert sessions and min(sessions) >= day31.isoformat()
    assert (day31 + 14 * DAY).isoformat() in sessions
    throttle = scenario.partitions[THROTTLE]
    assert f"login-{day31}" in throttle
    assert not any(pk.startswith("login-") and pk < f"login-{day31 - DAY}" for pk in throttle)


def test_no_table_or_blob_holds_anything_of_the_erased_pupils(azurite, scenario):
    erased = [(scenario.gone, scenario.gone_username)]
    erased += [({"id": None, **p}, None) for p in scenario.exited]
    for pupil, username in erased:
        unique = {"first name": pupil["first_name"], "last name": pupil["last_name"], "UPN": pupil["upn"]}
        shared = {"date of birth": pupil["date_of_birth"]} | ({"username": username} if username else {})
        hits = residual_hits(azurite.connection_string, unique, shared, pupil["id"] or "")
        assert hits == [], f"erased pupil's data still stored: {hits}"
    # The scan does find a pupil who is still held (so an empty result above means something).
    late = scenario.late
    found = residual_hits(azurite.connection_string, {"last name": late["last_name"], "UPN": late["upn"]}, {}, "")
    assert {label for label, *_ in found} == {"last name", "UPN"}


def test_the_erasures_are_audited_by_id_without_names(world, scenario):
    day = scenario.day31.isoformat()
    resp = world.as_(world.admin).get("/api/audit", params={"subject_id": scenario.gone["id"], "from": day, "to": day})
    assert resp.status == 200, resp.body
    entries = resp.json()["entries"]
    assert [(e["action"], e["actor_id"]) for e in entries] == [("pupil_erased", "retention")]
    assert scenario.gone["first_name"] not in resp.body.decode()


def test_the_run_records_hold_counts_and_nothing_personal(scenario, storage):
    records = [storage.table(RETENTION_RUNS).get_entity(RUN_PK, r.run_id) for r in scenario.reports]
    text = json.dumps([dict(r) for r in records], default=str)
    gone = scenario.gone
    for value in (gone["first_name"], gone["last_name"], gone["upn"], gone["date_of_birth"], gone["id"],
                  scenario.gone_username, scenario.school_id):
        assert value not in text
    assert all(json.loads(r["in_flight"]) == [] and r["status"] == "finished" for r in records)
    assert sum(json.loads(r["counts"])["leavers_erased"] for r in records) >= 1


def test_a_fresh_mis_upload_is_kept_and_swept_once_older_than_the_sweep_hours(storage):
    from shared.settings import get_settings

    uploads = storage.container(MIS_UPLOADS)
    name = f"sch_retention{secrets.token_hex(3)}/export.csv"
    uploads.upload_blob(name, b"Forename,Surname,DOB\nAda,Lovelace,2015-12-10\n")
    run_timer_until_complete()
    assert uploads.get_blob_client(name).exists()
    with clock_moved(timedelta(hours=get_settings().upload_sweep_hours, minutes=5)):
        run_timer_until_complete()
    assert not uploads.get_blob_client(name).exists()


# --- two years later (last: it erases every staff member who signed in today) ---------------------

@dataclass
class StaffScenario:
    idle: dict
    busy: dict
    later_day: str
    audit_days: set[str]  # right after the run: later API calls write today's audit again
    reports: list[RetentionRunReport]


@pytest.fixture(scope="module")
def two_years_later(world: World, scenario: Scenario) -> StaffScenario:
    manager = world.as_(world.a.manager)
    bodies = {}
    for label in ("retidle", "retbusy"):
        body = staff_body(f"{label}{secrets.token_hex(3)}")
        created = manager.post(f"/api/schools/{scenario.school_id}/staff", json=body)
        assert created.status == 201, created.body
        accept(world.client, created.json()["invitation_url"], body["email"])
        # Accepting an invitation does not start the inactivity clock; a sign-in does.
        assert world.client.as_(None).post("/api/auth/login", json={"username": body["email"],
                                                                     "password": STAFF_PASSWORD}).status == 200
        bodies[label] = body | {"id": created.json()["id"]}
    with clock_moved(400 * DAY):
        later_day = utcnow().date().isoformat()
        assert world.client.as_(None).post("/api/auth/login", json={"username": bodies["retbusy"]["email"],
                                                                     "password": STAFF_PASSWORD}).status == 200
    with clock_moved(775 * DAY):  # at least 25 calendar months
        reports = run_timer_until_complete()
    # Audit partitions start with their day ("<day>|p|<partner>|<school>").
    audit_days = {e["PartitionKey"][:10] for e in get_storage().table(AUDIT).list_entities(select=["PartitionKey"])}
    return StaffScenario(idle=bodies["retidle"], busy=bodies["retbusy"], later_day=later_day,
                         audit_days=audit_days, reports=reports)


@pytest.fixture(scope="module")
def admin_after(world: World, two_years_later: StaffScenario):
    """A trust admin who is still there: the world's own admin did not sign in for two years either, so the
    run erased them too, and their access token stopped working with their row."""
    return world.client.as_(bootstrap_admin(world.client).token)


def test_staff_with_no_sign_in_for_two_years_are_erased_and_active_staff_kept(world, two_years_later, storage,
                                                                              admin_after):
    assert all(r.error_count == 0 for r in two_years_later.reports)
    admin = admin_after
    assert admin.get(f"/api/staff/{two_years_later.idle['id']}").status == 404
    assert get_entity(storage.table(LOGINS), *login_keys(login_key(two_years_later.idle["email"]))) is None
    assert admin.get(f"/api/staff/{two_years_later.busy['id']}").status == 200


def test_no_table_or_blob_holds_anything_of_the_erased_staff_member(azurite, two_years_later):
    idle = two_years_later.idle
    unique = {"first name": idle["first_name"], "last name": idle["last_name"], "email": idle["email"],
              "nickname": idle["nickname"]}
    assert residual_hits(azurite.connection_string, unique, {}, idle["id"]) == []
    busy = two_years_later.busy
    assert residual_hits(azurite.connection_string, {"email": busy["email"]}, {}, busy["id"]), "finds kept staff"


def test_audit_days_past_retention_are_dropped_and_later_ones_kept(two_years_later):
    assert TODAY.isoformat() not in two_years_later.audit_days
    assert two_years_later.later_day in two_years_later.audit_days


def test_staff_who_never_accept_their_invitation_are_erased_after_the_inactivity_period(world, storage, admin_after):
    from datetime import timedelta

    from shared.ids import clock_moved
    from shared.retention import run_retention
    from tests.world import staff_body

    created = admin_after.post(f"/api/schools/{world.a.school_id}/staff", json=staff_body("ghost"))
    staff_id = created.json()["id"]
    with clock_moved(timedelta(days=800)):
        run_retention(storage=storage)
    # Read from storage: the admin asking is two years idle too by now, and erased with the ghost.
    from shared.organisation.store import get_staff

    assert get_staff(storage, staff_id) is None
