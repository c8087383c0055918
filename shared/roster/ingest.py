"""Roster ingest: one service behind the HTTP upload and the `mis-uploads` blob drop.

A sync reads the school's roster once (one range query), decides per row create / update / unchanged,
marks absentees as left in a full sync, and writes only what changed in entity-group transactions of up
to 100 pupils. It is idempotent and crash-safe without a journal: every write is an upsert of a whole
pupil row keyed by pupil id, so a retried or re-delivered upload matches the rows an interrupted run
already wrote and finishes the rest; nothing is written twice and nothing half-written is visible
beyond whole pupils.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from shared import audit, due_dates
from shared.audit import Action
from shared.credentials.usernames import new_username
from shared.errors import UnsupportedMediaType
from shared.ids import iso, new_id, utcnow
from shared.organisation import store as org_store
from shared.organisation.access import visible_school
from shared.organisation.model import School
from shared.roster.errors import SchoolLeftProgramme
from shared.roster.model import ParsedRoster, PupilRecord
from shared.roster.parsing import parse_csv, parse_json_pupils
from shared.roster.rules import match_key
from shared.roster.schemas import RosterMode, RosterReport, RowError
from shared.roster.store import Pupil, PupilStatus, roster_of, write_roster
from shared.security.principal import Principal
from shared.settings import get_settings
from shared.storage.clients import Storage, get_storage

log = logging.getLogger(__name__)

CSV_CONTENT_TYPES = (
    "text/csv", "application/csv", "text/plain", "text/tab-separated-values", "application/vnd.ms-excel",
)
JSON_CONTENT_TYPE = "application/json"
ROSTER_CONTENT_TYPES = (*CSV_CONTENT_TYPES, JSON_CONTENT_TYPE)


@dataclass
class SyncPlan:
    writes: list[Pupil]
    leavers: list[Pupil]
    new_ids: set[str] = field(default_factory=set)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    reactivated: int = 0


def plan_sync(
    existing: list[Pupil], records: list[PupilRecord], *, school_id: str, mode: RosterMode, now: datetime,
    grace_days: int,
) -> SyncPlan:
    """Pure: what a sync must write. Match by UPN, else by name + date of birth."""
    stamp = iso(now)
    # A pupil being erased is gone as far as a sync is concerned: one who reappears gets a new record.
    existing = [p for p in existing if not p.erasing]
    by_upn = {p.upn: p for p in existing if p.upn}
    by_key: dict[str, list[Pupil]] = {}
    for p in existing:
        by_key.setdefault(p.match_key, []).append(p)
    usernames = {p.username for p in existing}
    matched: set[str] = set()
    plan = SyncPlan(writes=[], leavers=[])
    for record in records:
        current = by_upn.get(record.upn) if record.upn else None
        if current is None or current.id in matched:
            candidates = [
                p for p in by_key.get(_key(record), [])
                if p.id not in matched and (not record.upn or not p.upn or p.upn == record.upn)
            ]
            current = candidates[0] if candidates else None
        if current is None:
            username = new_username(usernames)
            usernames.add(username)
            plan.writes.append(
                Pupil(
                    id=new_id("pup"), school_id=school_id, first_name=record.first_name,
                    last_name=record.last_name, date_of_birth=record.date_of_birth, gender=record.gender,
                    upn=record.upn, username=username, status=PupilStatus.ACTIVE, restricted=False,
                    total_minutes=0, created_at=stamp, updated_at=stamp, cohort=record.cohort,
                )
            )
            plan.new_ids.add(plan.writes[-1].id)
            plan.created += 1
            continue
        matched.add(current.id)
        returning = current.status is PupilStatus.LEFT
        if current.same_facts(record) and not returning:
            plan.unchanged += 1
            continue
        updated = current.with_facts(record, stamp)
        if returning:
            updated = replace(updated, status=PupilStatus.ACTIVE, left_at=None, deletion_due=None)
            plan.reactivated += 1
        else:
            plan.updated += 1
        plan.writes.append(updated)
    if mode is RosterMode.FULL:
        due = (now + timedelta(days=grace_days)).date()
        for p in existing:
            if p.id not in matched and p.status is PupilStatus.ACTIVE:
                leaver = replace(p, status=PupilStatus.LEFT, left_at=stamp, deletion_due=due.isoformat(),
                                 updated_at=stamp)
                plan.writes.append(leaver)
                plan.leavers.append(leaver)
    return plan


def _key(record: PupilRecord) -> str:
    return match_key(record.first_name, record.last_name, record.date_of_birth)


def _parse(
    school: School, *, data: bytes | None, pupils: list | None, content_type: str, today: date
) -> ParsedRoster:
    policy = school.dob_policy
    if content_type == JSON_CONTENT_TYPE:
        return parse_json_pupils(pupils if pupils is not None else [], today=today, dob_policy=policy)
    if content_type in CSV_CONTENT_TYPES:
        return parse_csv(data or b"", today=today, max_bytes=get_settings().roster_max_bytes, dob_policy=policy)
    raise UnsupportedMediaType("Send the roster as text/csv (an MIS export) or application/json.")


def sync_school(
    storage: Storage,
    school: School,
    *,
    data: bytes | None = None,
    pupils: list | None = None,
    content_type: str = "text/csv",
    mode: RosterMode | None = None,
    dry_run: bool = False,
    actor_id: str | None = None,
) -> RosterReport:
    """Validate an upload and bring the school's roster in line with it. Unreadable files change nothing."""
    if not school.active:
        # Its pupils are on their way to erasure; loading more would hold data the school gave up.
        raise SchoolLeftProgramme("This school has left the programme; reactivate it before loading pupils.")
    now = utcnow()
    parsed = _parse(school, data=data, pupils=pupils, content_type=content_type, today=now.date())
    mode = mode or (RosterMode.PARTIAL if content_type == JSON_CONTENT_TYPE else RosterMode.FULL)
    existing = roster_of(storage, school.id)
    plan = plan_sync(existing, parsed.records, school_id=school.id, mode=mode, now=now,
                     grace_days=get_settings().leaver_grace_days)
    if not dry_run:
        _apply(storage, school, plan, now)
        audit.record(Action.ROSTER_INGESTED, actor_id=actor_id, subject_ids=[], school_id=school.id,
                     partner_id=school.partner_id, storage=storage,
                     record_count=plan.created + plan.updated + plan.unchanged + len(plan.leavers))
    report = RosterReport(
        school_id=school.id, mode=mode, dry_run=dry_run, received=parsed.received, created=plan.created,
        updated=plan.updated, unchanged=plan.unchanged, left=len(plan.leavers), reactivated=plan.reactivated,
        rejected=parsed.rejected_rows,
        errors=[RowError(row=e.row, field=e.field, message=e.message) for e in parsed.errors],
        dropped_columns=parsed.dropped_columns, special_category_columns=parsed.special_category_columns,
    )
    log.info("roster synced", extra={"school_id": school.id, "rows": parsed.received, "created_count": plan.created,
                                     "updated": plan.updated, "unchanged": plan.unchanged,
                                     "left": len(plan.leavers), "rejected": report.rejected})
    return report


def _apply(storage: Storage, school: School, plan: SyncPlan, now: datetime) -> None:
    # Leavers' due-date index first: if the run dies after it, the next run still marks them left and the
    # retention timer re-checks the pupil row before erasing anyone.
    if plan.leavers:
        due_dates.schedule_leavers(storage, school.id,
                                   [(p.id, date.fromisoformat(p.deletion_due or "")) for p in plan.leavers])
    if plan.writes:
        # Merge, and new pupils only carry totals: a redemption landing mid-sync keeps its hours.
        write_roster(storage, plan.writes, plan.new_ids)
    org_store.put_school(storage, replace(school, last_sync_at=iso(now)))


def ingest_for_caller(
    caller: Principal, school_id: str, *, data: bytes, content_type: str, mode: RosterMode | None, dry_run: bool,
    pupils: list | None = None, storage: Storage | None = None,
) -> RosterReport:
    storage = storage or get_storage()
    school = visible_school(storage, caller, school_id)
    return sync_school(storage, school, data=data, pupils=pupils, content_type=content_type, mode=mode,
                       dry_run=dry_run, actor_id=caller.subject_id)
