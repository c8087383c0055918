"""The retention run against its own Azurite, emptied before each test, so every count can be exact.

Time is moved with `clock_moved`, never slept: "day 31" is the service clock 31 days ahead.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from shared import due_dates
from shared.credentials.logins_store import login_key, login_keys
from shared.identity import challenges_store, resets_store, sessions
from shared.identity.service import accept_invitation, login
from shared.ids import clock_moved, digest, iso, utcnow
from shared.learning.awards import LADDER
from shared.learning.model import NewAward
from shared.learning.record_store import award_insert
from shared.organisation import invitations_store
from shared.organisation import store as org_store
from shared.organisation.schemas import PartnerIn, SchoolIn, SchoolPatch, StaffIn
from shared.organisation.service import create_partner, create_school, create_school_staff, delete_staff
from shared.retention import Category, RetentionErrors, RunStatus, latest_run, persons, policy, run_retention, runs
from shared.retention.errors import LeaseLost
from shared.retention.runs import RunJournal
from shared.retention.runs_store import LEASE_PK, LEASE_RK, RUN_PK
from shared.roster.formats import JSON_CONTENT_TYPE
from shared.roster.ingest import sync_school
from shared.roster.model import Pupil
from shared.roster.pupils import reset_password
from shared.roster.schemas import RosterMode
from shared.roster.store import get_pupil, roster_of
from shared.school_settings import update_school
from shared.security.principal import Principal, Role
from shared.settings import get_settings
from shared.storage import links
from shared.storage.clients import Storage
from shared.storage.counting import request_counter
from shared.storage.names import (
    AUDIT,
    CONTAINERS,
    DUE,
    INVITATIONS,
    LOGINS,
    MIS_UPLOADS,
    PASSWORD_RESETS,
    PUPILS,
    REFRESH_TOKENS,
    RETENTION_RUNS,
    SIGN_IN_CHALLENGES,
    SSO_FLOWS,
    STAFF,
    TABLES,
    THROTTLE,
)
from shared.storage.tables import delete_op, get_entity, submit_batches

ADMIN = Principal(subject_id="stf_retentionadmin", role=Role.TRUST_ADMIN)
PASSWORD = "correct horse battery staple"
DAY = timedelta(days=1)


class Killed(BaseException):
    """The host dying mid-run: not an Exception, so nothing in the run can catch and count it."""


def raises(exc: BaseException):
    def fail(*args, **kwargs):
        raise exc

    return fail


# --- a private, empty store ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def private_store() -> Iterator[Storage]:
    from devhost import azurite as launcher

    with launcher.running() as emulator:
        settings = get_settings().model_copy(update={"storage_connection_string": emulator.connection_string})
        storage = Storage(settings)
        storage.ensure()
        yield storage


def empty(storage: Storage) -> None:
    for name in TABLES:
        table = storage.table(name)
        submit_batches(table, [delete_op(e["PartitionKey"], e["RowKey"])
                               for e in table.list_entities(select=["PartitionKey", "RowKey"])])
    for name in CONTAINERS:
        container = storage.container(name)
        for blob in container.list_blobs():
            container.delete_blob(blob.name)


@pytest.fixture
def store(private_store: Storage) -> Storage:
    empty(private_store)
    return private_store


@pytest.fixture
def batch_limit(monkeypatch) -> Iterator:
    def set_limit(limit: int) -> None:
        monkeypatch.setenv("RETENTION_BATCH_LIMIT", str(limit))
        get_settings.cache_clear()

    yield set_limit
    get_settings.cache_clear()


# --- building a scenario through the services --------------------------------------------------

def new_school(storage: Storage, name: str = "Retention Primary") -> str:
    partner = create_partner(ADMIN, PartnerIn(name="Retention CU"), storage=storage)
    return create_school(ADMIN, partner.id, SchoolIn(name=name), storage=storage).id


def sync(storage: Storage, school_id: str, names: list[str], mode: RosterMode = RosterMode.FULL) -> None:
    """A roster sync of exactly these pupils (full: everyone else in the school is marked left)."""
    school = org_store.get_school(storage, school_id)
    assert school is not None
    pupils = [{"first_name": n, "last_name": f"Testpupil{n}", "date_of_birth": "2016-02-03", "gender": "other"}
              for n in names]
    # These scenarios mark many pupils left on purpose: confirm the number, as staff would after a preview.
    preview = sync_school(storage, school, pupils=pupils, content_type=JSON_CONTENT_TYPE, mode=mode, dry_run=True)
    sync_school(storage, school, pupils=pupils, content_type=JSON_CONTENT_TYPE, mode=mode,
                confirm_leavers=preview.left if mode is RosterMode.FULL else None)


def names(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{chr(ord('a') + i // 26)}{chr(ord('a') + i % 26)}" for i in range(n)]


def pupils_by_name(storage: Storage, school_id: str) -> dict[str, Pupil]:
    return {p.first_name: p for p in roster_of(storage, school_id)}


def give_learning_record(storage: Storage, pupil: Pupil) -> None:
    storage.table(PUPILS).submit_transaction([award_insert(pupil.school_id, pupil.id,
                                                           NewAward(LADDER[0], pupil.created_at, "rdm_test"))])


def rows_of(storage: Storage, school_id: str, pupil: Pupil) -> list[str]:
    """Every row that exists about the pupil: own row, learning record, login, leaver index row."""
    found = []
    if get_pupil(storage, school_id, pupil.id):
        found.append("pupil")
    learning = storage.table(PUPILS).query_entities(
        "PartitionKey eq @s and RowKey ge @lo and RowKey lt @hi",
        parameters={"s": school_id, "lo": f"L|{pupil.id}|", "hi": f"L|{pupil.id}}}"})
    found += ["learning"] * len(list(learning))
    if get_entity(storage.table(LOGINS), *login_keys(login_key(pupil.username))):
        found.append("login")
    due = storage.table(DUE).query_entities("RowKey eq @rk", parameters={"rk": f"{school_id}~{pupil.id}"})
    found += ["due"] * len(list(due))
    return found


def run_records(storage: Storage) -> list[dict]:
    return list(storage.table(RETENTION_RUNS).query_entities("PartitionKey eq @pk", parameters={"pk": RUN_PK}))


def total(storage: Storage, category: Category) -> int:
    return sum(json.loads(r["counts"]).get(category.value, 0) for r in run_records(storage))


def run_until_complete(storage: Storage, *, most: int = 20) -> list:
    reports = []
    for _ in range(most):
        reports.append(run_retention(storage=storage))
        if reports[-1].complete:
            return reports
    raise AssertionError("retention never completed")


def new_staff(storage: Storage, school_id: str, label: str) -> tuple[str, str]:
    """A school staff member who accepted the invitation and signed in once: (staff id, email)."""
    email = f"{label}.{secrets.token_hex(3)}@example.org.uk"
    created = create_school_staff(ADMIN, school_id, StaffIn(first_name=f"{label.title()}first",
                                                            last_name=f"{label.title()}last",
                                                            nickname=label.title(), email=email), storage=storage)
    accept_invitation(created.invitation_url.rsplit("/", 1)[1], PASSWORD, storage=storage)
    login(email, PASSWORD, storage=storage)
    return created.id, email


# --- an empty run --------------------------------------------------------------------------------

def test_a_run_on_an_empty_store_is_complete_and_recorded_with_zero_counts(store):
    report = run_retention(storage=store)
    assert report.status is RunStatus.FINISHED and report.complete and report.error_count == 0
    assert set(report.counts) == {c.value for c in Category} and not any(report.counts.values())
    recorded = latest_run(store)
    assert recorded is not None and recorded.run_id == report.run_id and recorded.complete
    assert get_entity(store.table(RETENTION_RUNS), LEASE_PK, LEASE_RK) is None, "lease released"


def test_the_newest_run_is_listed_first(store):
    first = run_retention(storage=store)
    with clock_moved(DAY):
        second = run_retention(storage=store)
    assert [r["RowKey"] for r in run_records(store)] == [second.run_id, first.run_id]
    assert latest_run(store).run_id == second.run_id


# --- leavers -------------------------------------------------------------------------------------

def test_leavers_past_their_grace_period_are_erased_with_every_row_and_nothing_else_is(store):
    school_id = new_school(store)
    sync(store, school_id, ["Gone", "Late", "Back", "Stay"])
    pupils = pupils_by_name(store, school_id)
    reset_password(ADMIN, school_id, pupils["Gone"].id, storage=store)
    pupils = pupils_by_name(store, school_id)
    give_learning_record(store, pupils["Gone"])
    sync(store, school_id, ["Late", "Stay"])  # day 0: Gone and Back leave (due day 30)
    with clock_moved(5 * DAY):
        sync(store, school_id, ["Late", "Back", "Stay"])  # Back comes back: its index row is now stale
    with clock_moved(10 * DAY):
        sync(store, school_id, ["Back", "Stay"])  # Late leaves (due day 40)
    assert sorted(rows_of(store, school_id, pupils["Gone"])) == ["due", "learning", "login", "pupil"]

    with clock_moved(29 * DAY):
        early = run_retention(storage=store)
    assert early.counts[Category.LEAVERS_ERASED] == 0 and early.counts[Category.STALE_DUE_ROWS_REMOVED] == 0

    with clock_moved(31 * DAY):
        report = run_retention(storage=store)
    assert report.complete and report.error_count == 0
    assert report.counts[Category.LEAVERS_ERASED] == 1
    assert report.counts[Category.STALE_DUE_ROWS_REMOVED] == 1  # Back's
    assert rows_of(store, school_id, pupils["Gone"]) == []
    assert rows_of(store, school_id, pupils["Late"]) == ["pupil", "due"]
    assert rows_of(store, school_id, pupils["Back"]) == ["pupil"]
    assert rows_of(store, school_id, pupils["Stay"]) == ["pupil"]

    with clock_moved(41 * DAY):
        later = run_retention(storage=store)
    assert later.counts[Category.LEAVERS_ERASED] == 1 and rows_of(store, school_id, pupils["Late"]) == []
    assert sorted(pupils_by_name(store, school_id)) == ["Back", "Stay"]


def test_a_pupil_who_left_twice_is_erased_on_the_later_due_day_only(store):
    school_id = new_school(store)
    sync(store, school_id, ["Twice", "Stay"])
    sync(store, school_id, ["Stay"])  # due day 30
    with clock_moved(3 * DAY):
        sync(store, school_id, ["Twice", "Stay"])
    with clock_moved(6 * DAY):
        sync(store, school_id, ["Stay"])  # due day 36
    with clock_moved(31 * DAY):
        first = run_retention(storage=store)
    assert first.counts[Category.LEAVERS_ERASED] == 0 and first.counts[Category.STALE_DUE_ROWS_REMOVED] == 1
    assert "Twice" in pupils_by_name(store, school_id)
    with clock_moved(36 * DAY):
        second = run_retention(storage=store)
    assert second.counts[Category.LEAVERS_ERASED] == 1
    assert "Twice" not in pupils_by_name(store, school_id)


def test_a_leaver_erased_by_staff_before_the_due_day_leaves_nothing_for_the_timer(store):
    from shared.erasure import erase_pupil

    school_id = new_school(store)
    sync(store, school_id, ["Early", "Stay"])
    sync(store, school_id, ["Stay"])
    erase_pupil(ADMIN, school_id, pupils_by_name(store, school_id)["Early"].id, storage=store)
    assert list(store.table(DUE).list_entities()) == []
    with clock_moved(31 * DAY):
        report = run_retention(storage=store)
    assert report.counts[Category.LEAVERS_ERASED] == 0 and report.counts[Category.STALE_DUE_ROWS_REMOVED] == 0


# --- schools that left the programme -------------------------------------------------------------

def test_all_pupils_of_a_school_that_left_are_erased_after_the_grace_period_over_several_runs(store, batch_limit):
    school_id = new_school(store, "Leaving Primary")
    other_id = new_school(store, "Staying Primary")
    sync(store, school_id, names("Exit", 5))
    sync(store, other_id, names("Keep", 3))
    update_school(ADMIN, school_id, SchoolPatch(active=False), storage=store)

    with clock_moved(29 * DAY):
        assert run_retention(storage=store).counts[Category.SCHOOL_EXIT_PUPILS_ERASED] == 0
    batch_limit(2)
    with clock_moved(31 * DAY):
        reports = run_until_complete(store)
    assert [r.counts[Category.SCHOOL_EXIT_PUPILS_ERASED] for r in reports] == [2, 2, 1]
    assert [r.complete for r in reports] == [False, False, True]
    assert reports[-1].counts[Category.SCHOOL_EXITS_COMPLETED] == 1
    assert roster_of(store, school_id) == []
    assert len(roster_of(store, other_id)) == 3
    assert org_store.get_school(store, school_id) is not None, "the school's own record holds no personal data"
    assert list(store.table(DUE).query_entities("RowKey eq @s", parameters={"s": school_id})) == []


def test_a_school_that_rejoined_keeps_its_pupils_and_one_that_left_again_waits_for_its_new_date(store):
    rejoined = new_school(store, "Rejoined Primary")
    again = new_school(store, "Again Primary")
    sync(store, rejoined, ["Rejoina", "Rejoinb"])
    sync(store, again, ["Againa", "Againb"])
    update_school(ADMIN, rejoined, SchoolPatch(active=False), storage=store)
    update_school(ADMIN, again, SchoolPatch(active=False), storage=store)
    with clock_moved(5 * DAY):
        update_school(ADMIN, rejoined, SchoolPatch(active=True), storage=store)
        update_school(ADMIN, again, SchoolPatch(active=True), storage=store)
    with clock_moved(10 * DAY):
        update_school(ADMIN, again, SchoolPatch(active=False), storage=store)  # due day 40
    with clock_moved(31 * DAY):
        report = run_retention(storage=store)
    assert report.counts[Category.SCHOOL_EXIT_PUPILS_ERASED] == 0
    assert report.counts[Category.STALE_DUE_ROWS_REMOVED] == 2
    assert len(roster_of(store, rejoined)) == len(roster_of(store, again)) == 2
    with clock_moved(41 * DAY):
        later = run_retention(storage=store)
    assert later.counts[Category.SCHOOL_EXIT_PUPILS_ERASED] == 2
    assert roster_of(store, again) == [] and len(roster_of(store, rejoined)) == 2


# --- staff ---------------------------------------------------------------------------------------

def _first_of_month_in(months: int) -> timedelta:
    """How far to move the clock to reach 01:00 on the first day of the month `months` from now."""
    now = datetime.now(UTC)
    year, month = divmod(now.month - 1 + months, 12)
    return datetime(now.year + year, month + 1, 1, 1, tzinfo=UTC) - now


def test_staff_are_erased_in_the_month_after_their_inactivity_month_and_not_before(store):
    school_id = new_school(store)
    idle_id, idle_email = new_staff(store, school_id, "idle")
    busy_id, busy_email = new_staff(store, school_id, "busy")
    gone_id, _ = new_staff(store, school_id, "gone")
    with clock_moved(_first_of_month_in(1)):
        login(busy_email, PASSWORD, storage=store)  # a month later: due a month later
    delete_staff(ADMIN, gone_id, storage=store)  # erased at once; its index row is stale

    with clock_moved(_first_of_month_in(24)):
        report = run_retention(storage=store)
    assert report.counts[Category.INACTIVE_STAFF_ERASED] == 0
    assert org_store.get_staff(store, idle_id) is not None

    with clock_moved(_first_of_month_in(25)):
        report = run_retention(storage=store)
    assert report.counts[Category.INACTIVE_STAFF_ERASED] == 1
    # The deleted member's row, and the busy member's first row (their later sign-in made it stale).
    assert report.counts[Category.STALE_DUE_ROWS_REMOVED] == 2
    assert org_store.get_staff(store, idle_id) is None
    assert get_entity(store.table(LOGINS), *login_keys(login_key(idle_email))) is None
    staff_rows = "\n".join(json.dumps(dict(e)) for e in store.table(STAFF).list_entities())
    assert idle_id not in staff_rows and idle_email not in staff_rows
    assert org_store.get_staff(store, busy_id) is not None

    with clock_moved(_first_of_month_in(26)):
        assert run_retention(storage=store).counts[Category.INACTIVE_STAFF_ERASED] == 1
    assert org_store.get_staff(store, busy_id) is None


def test_a_staff_member_who_signed_in_since_has_a_stale_row_that_is_removed(store):
    school_id = new_school(store)
    staff_id, email = new_staff(store, school_id, "returning")
    first_month = get_entity(store.table(LOGINS), *login_keys(login_key(email)))["inactive_due"]
    with clock_moved(_first_of_month_in(3)):
        login(email, PASSWORD, storage=store)
    with clock_moved(_first_of_month_in(25)):
        report = run_retention(storage=store)
    assert report.counts[Category.INACTIVE_STAFF_ERASED] == 0 and report.counts[Category.STALE_DUE_ROWS_REMOVED] == 1
    assert org_store.get_staff(store, staff_id) is not None
    assert get_entity(store.table(DUE), f"{due_dates.STAFF_INACTIVE_PREFIX}{first_month}", staff_id) is None


# --- expired rows --------------------------------------------------------------------------------

def test_expired_partitions_are_dropped_and_current_ones_kept(store):
    now = utcnow()
    today = now.date()
    invitations_store.create(store, "stf_old", days=7, now=now - 10 * DAY)
    invitations_store.create(store, "stf_new", days=7, now=now)
    member = Principal(subject_id="stf_someone", role=Role.SCHOOL_STAFF, school_id="sch_x", partner_id="ptn_x")
    sessions.start(store, member, days=14, now=now - 20 * DAY)
    sessions.start(store, member, days=14, now=now)
    sessions.start(store, member, days=14, now=now - 14 * DAY)  # expires later today: kept until tomorrow
    for day in (today - DAY, today):
        store.table(SSO_FLOWS).create_entity({"PartitionKey": day.isoformat(), "RowKey": digest(secrets.token_hex()),
                                              "flow": "{}", "expires_at": iso(now)})
    resets_store.create(store, "stf_long_ago", minutes=30, now=now - 2 * DAY)
    resets_store.create(store, "stf_someone", minutes=30, now=now)
    challenges_store.use_up(store, "challenge-of-last-week", now - 7 * DAY, now=now - 7 * DAY)
    challenges_store.use_up(store, "challenge-of-today", now, now=now)
    for pk in (f"login-{today}", f"login-{today - DAY}", f"login-{today - 2 * DAY}", f"codes-{today - 5 * DAY}",
               "nodate"):
        store.table(THROTTLE).create_entity({"PartitionKey": pk, "RowKey": digest(pk), "failures": 3})
    cutoff = policy.months_before(today, get_settings().audit_retention_months)
    for day in (cutoff - DAY, cutoff, today):
        for n in range(3):
            store.table(AUDIT).create_entity({"PartitionKey": day.isoformat(), "RowKey": f"{n}", "action": "x"})

    report = run_retention(storage=store)

    assert report.complete and report.error_count == 0
    assert report.counts[Category.INVITATIONS_DELETED] == 1
    assert report.counts[Category.REFRESH_TOKENS_DELETED] == 2  # the family row and its token row
    assert report.counts[Category.SSO_FLOWS_DELETED] == 1
    # The expired link and its person's pointer to it; the live link and its pointer stay.
    assert report.counts[Category.PASSWORD_RESETS_DELETED] == 2
    assert report.counts[Category.SIGN_IN_CHALLENGES_DELETED] == 1
    assert report.counts[Category.THROTTLE_ROWS_DELETED] == 2
    assert report.counts[Category.AUDIT_ENTRIES_DELETED] == 3

    def partitions(name: str) -> set[str]:
        return {e["PartitionKey"] for e in store.table(name).list_entities()}

    assert partitions(INVITATIONS) == {(today + 7 * DAY).isoformat(), links.CURRENT_PK}
    assert {(e["PartitionKey"], e["RowKey"]) for e in store.table(PASSWORD_RESETS).list_entities()
            if e["PartitionKey"] == links.CURRENT_PK} == {(links.CURRENT_PK, "stf_someone")}
    assert partitions(SIGN_IN_CHALLENGES) == {today.isoformat()}
    assert partitions(REFRESH_TOKENS) == {(today + 14 * DAY).isoformat(), today.isoformat()}
    assert partitions(SSO_FLOWS) == {today.isoformat()}
    assert partitions(THROTTLE) == {f"login-{today}", f"login-{today - DAY}", "nodate"}
    assert partitions(AUDIT) >= {cutoff.isoformat(), today.isoformat()}
    assert (cutoff - DAY).isoformat() not in partitions(AUDIT)


def test_a_leftover_mis_upload_is_kept_while_fresh_and_swept_after_the_sweep_hours(store):
    uploads = store.container(MIS_UPLOADS)
    for name in ("sch_a/export.csv", "sch_b/nested/export.partial.csv"):
        uploads.upload_blob(name, b"Forename,Surname\nAda,Lovelace\n")
    assert run_retention(storage=store).counts[Category.MIS_UPLOADS_DELETED] == 0
    assert len(list(uploads.list_blobs())) == 2
    with clock_moved(timedelta(hours=get_settings().upload_sweep_hours - 1)):
        assert run_retention(storage=store).counts[Category.MIS_UPLOADS_DELETED] == 0
    with clock_moved(timedelta(hours=get_settings().upload_sweep_hours, minutes=1)):
        assert run_retention(storage=store).counts[Category.MIS_UPLOADS_DELETED] == 2
    assert list(uploads.list_blobs()) == []


# --- bounded, resumable, counted once ------------------------------------------------------------

def _leavers(store: Storage, n: int) -> tuple[str, list[Pupil]]:
    school_id = new_school(store)
    leaving = names("Leaver", n)
    sync(store, school_id, [*leaving, "Stay"])
    pupils = pupils_by_name(store, school_id)
    sync(store, school_id, ["Stay"])
    return school_id, [pupils[n] for n in leaving]


def test_a_backlog_larger_than_the_batch_limit_finishes_over_several_runs_counting_each_erasure_once(
    store, batch_limit
):
    school_id, leavers = _leavers(store, 7)
    batch_limit(3)
    with clock_moved(31 * DAY):
        reports = run_until_complete(store)
    assert [r.counts[Category.LEAVERS_ERASED] for r in reports] == [3, 3, 1]
    assert [r.complete for r in reports] == [False, False, True]
    assert total(store, Category.LEAVERS_ERASED) == 7
    assert all(rows_of(store, school_id, p) == [] for p in leavers)


def test_a_run_killed_half_way_is_finished_by_the_next_run_without_orphans_or_double_counting(store, monkeypatch):
    school_id, leavers = _leavers(store, 10)
    for pupil in leavers:
        reset_password(ADMIN, school_id, pupil.id, storage=store)
        give_learning_record(store, pupil)
    leavers = [get_pupil(store, school_id, p.id)[0] for p in leavers]
    monkeypatch.setattr(persons, "BATCH", 4)
    real_erase = persons.erase_pupil_everywhere
    calls = []

    def dies_on_the_sixth(storage, school_id, pupil, **kwargs):
        calls.append(pupil.id)
        if len(calls) == 6:
            # Half of an erasure: the learning record and login are gone, the pupil row is not.
            storage.table(LOGINS).delete_entity(*login_keys(login_key(pupil.username)))
            raise Killed
        real_erase(storage, school_id, pupil, **kwargs)

    monkeypatch.setattr(persons, "erase_pupil_everywhere", dies_on_the_sixth)
    with clock_moved(31 * DAY), pytest.raises(Killed):
        run_retention(storage=store)
    (killed,) = run_records(store)
    assert killed["status"] == RunStatus.RUNNING and json.loads(killed["counts"])[Category.LEAVERS_ERASED] == 4
    assert len(json.loads(killed["in_flight"])) == 4, "the second batch was in flight"
    assert get_entity(store.table(RETENTION_RUNS), LEASE_PK, LEASE_RK) is None

    monkeypatch.setattr(persons, "erase_pupil_everywhere", real_erase)
    with clock_moved(31 * DAY):
        resumed = run_retention(storage=store)
    assert resumed.complete and resumed.error_count == 0 and resumed.adopted == 4
    assert resumed.counts[Category.LEAVERS_ERASED] == 6
    assert total(store, Category.LEAVERS_ERASED) == 10, "each erasure counted exactly once"
    statuses = sorted(r["status"] for r in run_records(store))
    assert statuses == [RunStatus.FINISHED, RunStatus.INTERRUPTED]
    assert all(json.loads(r["in_flight"]) == [] for r in run_records(store))
    for pupil in leavers:
        assert rows_of(store, school_id, pupil) == [], "no orphans"
    with clock_moved(31 * DAY):
        again = run_retention(storage=store)
    assert not any(again.counts.values()), "a rerun finds nothing left to do"


def test_a_run_killed_after_its_last_erasure_but_before_counting_it_is_counted_by_the_next(store, monkeypatch):
    school_id, leavers = _leavers(store, 2)
    monkeypatch.setattr(RunJournal, "settle", raises(Killed()))
    with clock_moved(31 * DAY), pytest.raises(Killed):
        run_retention(storage=store)
    assert all(rows_of(store, school_id, p) == [] for p in leavers), "both were erased before the kill"
    monkeypatch.undo()
    with clock_moved(31 * DAY):
        resumed = run_retention(storage=store)
    assert resumed.counts[Category.LEAVERS_ERASED] == 2 and resumed.counts[Category.STALE_DUE_ROWS_REMOVED] == 0
    assert total(store, Category.LEAVERS_ERASED) == 2


def test_a_pupil_who_came_back_while_their_erasure_was_in_flight_is_kept(store, monkeypatch):
    school_id, (pupil,) = _leavers(store, 1)
    monkeypatch.setattr(persons, "erase_pupil_everywhere", raises(Killed()))
    with clock_moved(31 * DAY), pytest.raises(Killed):
        run_retention(storage=store)
    monkeypatch.undo()
    with clock_moved(31 * DAY):
        sync(store, school_id, [pupil.first_name, "Stay"])
        resumed = run_retention(storage=store)
    assert resumed.adopted == 1 and resumed.counts[Category.LEAVERS_ERASED] == 0
    assert resumed.counts[Category.STALE_DUE_ROWS_REMOVED] == 1
    assert rows_of(store, school_id, pupil) == ["pupil"]


def test_a_failing_item_is_counted_by_type_the_rest_is_done_and_the_next_run_retries_it(store, monkeypatch):
    school_id, leavers = _leavers(store, 3)
    stuck = leavers[1]
    real_erase = persons.erase_pupil_everywhere

    def fails_for_one(storage, school_id, pupil, **kwargs):
        if pupil.id == stuck.id:
            raise RuntimeError("storage said no")
        real_erase(storage, school_id, pupil, **kwargs)

    monkeypatch.setattr(persons, "erase_pupil_everywhere", fails_for_one)
    with clock_moved(31 * DAY):
        report = run_retention(storage=store)
    assert report.complete and report.errors == {"leavers:RuntimeError": 1}
    assert report.counts[Category.LEAVERS_ERASED] == 2
    with pytest.raises(RetentionErrors):
        report.raise_for_errors()
    assert rows_of(store, school_id, stuck) == ["pupil", "due"]
    monkeypatch.undo()
    with clock_moved(31 * DAY):
        retried = run_retention(storage=store)
    assert retried.counts[Category.LEAVERS_ERASED] == 1 and retried.error_count == 0
    assert rows_of(store, school_id, stuck) == []


def test_a_sweep_whose_items_keep_failing_gives_up_and_the_other_sweeps_still_run(store, monkeypatch):
    school_id, leavers = _leavers(store, 8)
    invitations_store.create(store, "stf_x", days=7, now=utcnow())
    monkeypatch.setattr(persons, "erase_pupil_everywhere", raises(RuntimeError()))
    with clock_moved(31 * DAY):
        report = run_retention(storage=store)
    assert report.errors == {"leavers:RuntimeError": 5}
    assert report.counts[Category.INVITATIONS_DELETED] == 1
    assert all(rows_of(store, school_id, p) == ["pupil", "due"] for p in leavers), "left for the next run"
    assert json.loads(run_records(store)[0]["in_flight"]) == []


def test_a_run_is_skipped_while_another_holds_the_lease_and_takes_over_a_lapsed_one(store):
    store.table(RETENTION_RUNS).create_entity({"PartitionKey": LEASE_PK, "RowKey": LEASE_RK, "run_id": "other",
                                               "held_until": iso(utcnow() + timedelta(minutes=10))})
    skipped = run_retention(storage=store)
    assert skipped.status is RunStatus.SKIPPED and run_records(store) == []
    with clock_moved(timedelta(minutes=11)):
        taken_over = run_retention(storage=store)
    assert taken_over.status is RunStatus.FINISHED and len(run_records(store)) == 1


def test_a_run_whose_lease_was_taken_over_stops_and_its_erasures_are_counted_by_the_next(store, monkeypatch):
    school_id, leavers = _leavers(store, 3)
    monkeypatch.setattr(runs, "LEASE_DURATION", timedelta(0))  # renew at every step, so a theft shows at once
    real_erase = persons.erase_pupil_everywhere

    def stolen_meanwhile(storage, school_id, pupil, **kwargs):
        storage.table(RETENTION_RUNS).upsert_entity({"PartitionKey": LEASE_PK, "RowKey": LEASE_RK, "run_id": "other",
                                                     "held_until": iso(utcnow() + timedelta(hours=1))})
        real_erase(storage, school_id, pupil, **kwargs)

    monkeypatch.setattr(persons, "erase_pupil_everywhere", stolen_meanwhile)
    with clock_moved(31 * DAY), pytest.raises(LeaseLost):
        run_retention(storage=store)
    assert get_entity(store.table(RETENTION_RUNS), LEASE_PK, LEASE_RK)["run_id"] == "other", "left alone"
    monkeypatch.undo()
    store.table(RETENTION_RUNS).delete_entity(LEASE_PK, LEASE_RK)  # the other run ends
    with clock_moved(31 * DAY):
        resumed = run_retention(storage=store)
    assert resumed.adopted == 3 and resumed.counts[Category.LEAVERS_ERASED] == 3
    assert total(store, Category.LEAVERS_ERASED) == 3
    assert all(rows_of(store, school_id, p) == [] for p in leavers)


def test_the_run_record_holds_counts_and_ids_of_nothing_personal(store):
    school_id, leavers = _leavers(store, 2)
    with clock_moved(31 * DAY):
        run_retention(storage=store)
    (record,) = run_records(store)
    dumped = json.dumps(dict(record), default=str)
    for pupil in leavers:
        for value in (pupil.first_name, pupil.last_name, pupil.username, pupil.date_of_birth.isoformat(), pupil.id):
            assert value not in dumped
    assert school_id not in dumped
    assert json.loads(record["in_flight"]) == [] and record["complete"] is True


# --- cost follows the work due -----------------------------------------------------------------

def _requests_for_five_due(store: Storage, not_yet_due: int, active: int) -> int:
    school_id = new_school(store)
    sync(store, school_id, names("Due", 5) + names("Later", not_yet_due) + names("Active", active))
    sync(store, school_id, names("Later", not_yet_due) + names("Active", active))  # 5 leave on day 0
    with clock_moved(10 * DAY):
        sync(store, school_id, names("Active", active))  # the rest leave on day 10
    with clock_moved(31 * DAY), request_counter.measure() as requests:
        report = run_retention(storage=store)
    assert report.counts[Category.LEAVERS_ERASED] == 5
    return requests.total


def test_the_cost_of_a_run_follows_the_work_due_not_the_size_of_the_store(store, private_store):
    small = _requests_for_five_due(store, not_yet_due=20, active=30)
    empty(private_store)
    large = _requests_for_five_due(store, not_yet_due=200, active=300)
    assert small == large
    # About seven requests per erased pupil plus a fixed overhead (lease, run record, one query per sweep).
    assert large <= 5 * 8 + 30


def test_a_leaver_brought_back_by_a_re_sync_between_the_check_and_the_erasure_is_kept(store, monkeypatch):
    """The live-record check and the erasure are apart in time (a batch); the row's ETag closes the gap."""
    school_id, (pupil,) = _leavers(store, 1)
    real_erase = persons.erase_pupil_everywhere

    def re_sync_first(storage, school, leaver, **kwargs):
        sync(store, school_id, [leaver.first_name, "Stay"])  # the school uploads again at that moment
        return real_erase(storage, school, leaver, **kwargs)

    monkeypatch.setattr(persons, "erase_pupil_everywhere", re_sync_first)
    with clock_moved(31 * DAY):
        report = run_retention(storage=store)
    assert report.counts[Category.LEAVERS_ERASED] == 0 and report.error_count == 0
    kept, _ = get_pupil(store, school_id, pupil.id)
    assert kept.status.value == "active" and not kept.erasing
