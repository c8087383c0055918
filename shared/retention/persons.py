"""Erasing people whose retention period is over: leavers, the pupils of schools that left, inactive staff.

Each sweep reads only the due-date index partitions that are due (one PartitionKey range query), re-checks
the live record of every person it names, and then either erases the person (the index row goes after
the person) or removes the index row as stale. People are erased in batches journalled in the run record
(see shared.retention.runs), so an interrupted run is finished, and counted, by the next one.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from shared import audit, due_dates
from shared.audit import Action
from shared.credentials.logins_store import login_key, read_login
from shared.due_dates import DueRow
from shared.erasure import erase_pupil_everywhere
from shared.errors import ConcurrencyConflict
from shared.ids import parse_iso
from shared.organisation import store as org_store
from shared.organisation.model import School, StaffMember
from shared.organisation.service import erase_staff_member
from shared.retention import policy
from shared.retention.model import Category
from shared.retention.sweep import ItemGuard, Sweep, SweepAborted
from shared.roster.model import Pupil
from shared.roster.store import get_pupil, has_pupils, pupil_rows

# People per journalled batch: two run-record writes per batch, at most this many keys in flight.
log = logging.getLogger(__name__)

BATCH = 50
# The actor of audit entries written by the timer (there is no caller).
RETENTION_ACTOR = "retention"

LEAVER, SCHOOL_PUPIL, STAFF = "L", "S", "T"


@dataclass(frozen=True)
class Erasure:
    """One person the run has decided to erase, with what its audit entry and journal need."""

    key: str  # journal key: pseudonymous ids only
    category: Category
    action: Action
    subject_id: str
    school_id: str | None
    partner_id: str | None
    erase: Callable[[], bool]  # False: the person changed since the check, so they are kept this run


# --- erasing a batch ----------------------------------------------------------------------------

def _erase_batch(sweep: Sweep, guard: ItemGuard, erasures: list[Erasure], *, journalled: bool = False) -> bool:
    """Erase and count each person; True when every one of them is gone. `journalled`: keys already held."""
    if not journalled:
        sweep.journal.hold([e.key for e in erasures])
    done: list[Erasure] = []
    aborted: SweepAborted | None = None
    for erasure in erasures:
        try:
            with guard.item():
                if erasure.erase():
                    sweep.journal.count(erasure.category)
                    done.append(erasure)
        except SweepAborted as exc:
            aborted = exc
            break
    # Those not erased keep their index rows, so clearing them from the journal loses nothing.
    _audit(sweep, done)
    sweep.journal.settle()
    if aborted is not None:
        raise aborted
    return len(done) == len(erasures)


def _audit(sweep: Sweep, done: list[Erasure]) -> None:
    groups: dict[tuple[Action, str | None, str | None], list[str]] = defaultdict(list)
    for e in done:
        groups[(e.action, e.school_id, e.partner_id)].append(e.subject_id)
    for (action, school_id, partner_id), subject_ids in groups.items():
        audit.record(action, actor_id=RETENTION_ACTOR, subject_ids=subject_ids, school_id=school_id,
                     partner_id=partner_id, storage=sweep.storage)


def _remove_stale(sweep: Sweep, row: DueRow) -> None:
    due_dates.unschedule(sweep.storage, row)
    sweep.journal.count(Category.STALE_DUE_ROWS_REMOVED)


def _pupil_erasure(sweep: Sweep, key: str, category: Category, pupil: Pupil, etag: str) -> Erasure:
    school = sweep.school(pupil.school_id)

    def erase() -> bool:
        # Also removes the pupil's leaver index row, after the pupil row. The ETag from the live-record
        # check makes a pupil whom a re-sync brought back in the meantime a keep, not an erasure.
        try:
            erase_pupil_everywhere(sweep.storage, pupil.school_id, pupil, etag=etag)
        except ConcurrencyConflict:
            log.info("pupil changed since the retention check; kept", extra={"school_id": pupil.school_id})
            return False
        return True

    return Erasure(key=key, category=category, action=Action.PUPIL_ERASED, subject_id=pupil.id,
                   school_id=pupil.school_id, partner_id=school.partner_id if school else None, erase=erase)


def _staff_erasure(sweep: Sweep, key: str, member: StaffMember, due_row: DueRow) -> Erasure:
    def erase() -> bool:
        erase_staff_member(sweep.storage, member)
        due_dates.unschedule(sweep.storage, due_row)
        return True

    return Erasure(key=key, category=Category.INACTIVE_STAFF_ERASED, action=Action.STAFF_DELETED,
                   subject_id=member.id, school_id=member.school_id, partner_id=member.partner_id, erase=erase)


# --- the live-record checks ---------------------------------------------------------------------

def _leaver_due(pupil: Pupil, due_day: date, today: date) -> bool:
    return policy.leaver_is_due(pupil.status.value, pupil.deletion_due, due_day, today)


def _school_exit_day(sweep: Sweep, school: School | None) -> date | None:
    """The day the school's pupils are due, or None when the school is (back) in the programme or gone."""
    if school is None or school.active or not school.left_programme_at:
        return None
    return due_dates.school_exit_due_day(parse_iso(school.left_programme_at), sweep.settings.school_exit_grace_days)


def _staff_inactive(sweep: Sweep, member: StaffMember, due_month: str) -> bool:
    login = read_login(sweep.storage, login_key(member.email))
    inactive_due = login.inactive_due if login else None
    return policy.staff_is_inactive(inactive_due, due_month, sweep.today)


# --- an interrupted run's batch -----------------------------------------------------------------

def settle_adopted(sweep: Sweep) -> None:
    """Finish and count what an interrupted run had in flight: a person already gone was erased by it."""
    if not sweep.journal.adopted:
        return
    guard = ItemGuard(sweep, "adopted")
    erasures: list[Erasure] = []
    for key in sweep.journal.adopted:
        with guard.item():
            kind, *ids = key.split("|")
            if kind == LEAVER:
                day, school_id, pupil_id = ids
                found = get_pupil(sweep.storage, school_id, pupil_id)
                if found is None:
                    sweep.journal.count(Category.LEAVERS_ERASED)
                    due_dates.unschedule(sweep.storage,
                                         due_dates.leaver_row(school_id, pupil_id, date.fromisoformat(day)))
                elif _leaver_due(found[0], date.fromisoformat(day), sweep.today):
                    erasures.append(_pupil_erasure(sweep, key, Category.LEAVERS_ERASED, *found))
            elif kind == SCHOOL_PUPIL:
                school_id, pupil_id = ids
                found = get_pupil(sweep.storage, school_id, pupil_id)
                if found is None:
                    sweep.journal.count(Category.SCHOOL_EXIT_PUPILS_ERASED)
                else:
                    exit_day = _school_exit_day(sweep, org_store.get_school(sweep.storage, school_id))
                    if exit_day is not None and exit_day <= sweep.today:
                        erasures.append(_pupil_erasure(sweep, key, Category.SCHOOL_EXIT_PUPILS_ERASED, *found))
            elif kind == STAFF:
                month, staff_id = ids
                due_row = due_dates.staff_check_row(staff_id, month)
                staff = org_store.get_staff(sweep.storage, staff_id)
                if staff is None:
                    sweep.journal.count(Category.INACTIVE_STAFF_ERASED)
                    due_dates.unschedule(sweep.storage, due_row)
                elif _staff_inactive(sweep, staff[0], month):
                    erasures.append(_staff_erasure(sweep, key, staff[0], due_row))
    _erase_batch(sweep, guard, erasures, journalled=True)


# --- leavers ------------------------------------------------------------------------------------

def sweep_leavers(sweep: Sweep) -> None:
    """Pupils marked left whose grace period is over (the `leaver-<day>` partitions up to today)."""
    guard = ItemGuard(sweep, "leavers")
    batch: list[Erasure] = []
    for row in due_dates.leavers_due(sweep.storage, sweep.today):
        if not sweep.take():
            break
        with guard.item():
            due_day = row.day
            school_id, pupil_id = row.school_and_pupil
            found = get_pupil(sweep.storage, school_id, pupil_id)
            if found is None or not _leaver_due(found[0], due_day, sweep.today):
                _remove_stale(sweep, row)
            else:
                key = "|".join((LEAVER, due_day.isoformat(), school_id, pupil_id))
                batch.append(_pupil_erasure(sweep, key, Category.LEAVERS_ERASED, *found))
        if len(batch) >= BATCH:
            _erase_batch(sweep, guard, batch)
            batch = []
    if batch:
        _erase_batch(sweep, guard, batch)


# --- schools that left the programme ------------------------------------------------------------

def sweep_school_exits(sweep: Sweep) -> None:
    """Every pupil of a school that left the programme more than SCHOOL_EXIT_GRACE_DAYS ago.

    A big school takes several runs: its index row stays until its pupil range is empty.
    """
    guard = ItemGuard(sweep, "school_exits")
    for row in due_dates.school_exits_due(sweep.storage, sweep.today):
        if sweep.budget.exhausted:
            break
        with guard.item():
            school_id = row.subject_id
            exit_day = _school_exit_day(sweep, org_store.get_school(sweep.storage, school_id))
            if exit_day is None:
                if sweep.take():
                    _remove_stale(sweep, row)
            elif exit_day > sweep.today:
                # The school rejoined and left again (or the grace period grew): due later, under a new row.
                if sweep.take():
                    due_dates.schedule_school_exit(sweep.storage, school_id, exit_day)
                    _remove_stale(sweep, row)
            elif _erase_school_pupils(sweep, guard, school_id):
                due_dates.unschedule(sweep.storage, row)
                sweep.journal.count(Category.SCHOOL_EXITS_COMPLETED)


def _erase_school_pupils(sweep: Sweep, guard: ItemGuard, school_id: str) -> bool:
    """Erase the school's pupils within the budget; True once none is left."""
    batch: list[Erasure] = []
    all_erased = True
    for row in pupil_rows(sweep.storage, school_id):
        if not sweep.take():
            all_erased = False
            break
        batch.append(_pupil_erasure(sweep, f"{SCHOOL_PUPIL}|{school_id}|{row.pupil.id}",
                                    Category.SCHOOL_EXIT_PUPILS_ERASED, row.pupil, row.etag))
        if len(batch) >= BATCH:
            all_erased &= _erase_batch(sweep, guard, batch)
            batch = []
    if batch:
        all_erased &= _erase_batch(sweep, guard, batch)
    # A roster sync can still add pupils to a school that left; they must not outlive its index row.
    return all_erased and not has_pupils(sweep.storage, school_id)


# --- staff with no sign-in for STAFF_INACTIVE_MONTHS --------------------------------------------

def sweep_inactive_staff(sweep: Sweep) -> None:
    """Staff whose inactivity month is over (the `staff-inactive-<month>` partitions before this month)."""
    guard = ItemGuard(sweep, "inactive_staff")
    batch: list[Erasure] = []
    for row in due_dates.staff_checks_due(sweep.storage, sweep.today):
        if not sweep.take():
            break
        with guard.item():
            staff_id, month = row.subject_id, row.month
            found = org_store.get_staff(sweep.storage, staff_id)
            if found is None or not _staff_inactive(sweep, found[0], month):
                _remove_stale(sweep, row)
            else:
                batch.append(_staff_erasure(sweep, f"{STAFF}|{month}|{staff_id}", found[0], row))
        if len(batch) >= BATCH:
            _erase_batch(sweep, guard, batch)
            batch = []
    if batch:
        _erase_batch(sweep, guard, batch)
