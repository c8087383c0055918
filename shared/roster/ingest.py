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
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from shared import audit, due_dates
from shared.audit import Action
from shared.credentials.usernames import new_username
from shared.ids import iso, new_id, utcnow
from shared.organisation import store as org_store
from shared.organisation.access import visible_school
from shared.organisation.model import DobPolicy, School
from shared.roster.errors import RosterNothingAccepted, RosterSyncHeld, RosterSyncInProgress, SchoolLeftProgramme
from shared.roster.formats import read_upload
from shared.roster.model import ParsedRoster, Pupil, PupilRecord, PupilStatus, RejectedRow, RosterSnapshot
from shared.roster.rules import match_key
from shared.roster.schemas import LeavingPupilOut, NewPupilOut, RosterMode, RosterReport, RowError, SyncOutcome
from shared.roster.store import blur_dates_of_birth, read_roster, sync_lease, write_roster
from shared.security.principal import Principal
from shared.settings import get_settings
from shared.storage.clients import Storage, get_storage

log = logging.getLogger(__name__)

# ~26 characters per pupil id in an audit entry's JSON list: 800 stay well inside a 64 KiB (32K-character) property.
AUDIT_IDS_PER_ENTRY = 800



def _sync_busy() -> RosterSyncInProgress:
    return RosterSyncInProgress("Another roster upload for this school is being processed; try again shortly.")


@dataclass
class SyncPlan:
    writes: list[Pupil]
    leavers: list[Pupil]
    new_ids: set[str] = field(default_factory=set)
    new_rows: set[int] = field(default_factory=set)  # file rows that create a pupil
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    reactivated: int = 0
    kept_unchanged_rejected: int = 0
    active_before: int = 0


def plan_sync(
    existing: list[Pupil], records: list[PupilRecord], *, school_id: str, mode: RosterMode, now: datetime,
    grace_days: int, rejected: Sequence[RejectedRow] = (), leaving: Sequence[RejectedRow] = (),
) -> SyncPlan:
    """Pure: what a sync must write. Match by UPN, else by name + date of birth.

    In a full sync a pupil is marked left only when no row of the file identifies them: a rejected row
    that carries their UPN, or their name and date of birth, keeps them as they are. A pupil the file
    itself marks as leaving (`leaving`) is marked left in any mode.
    """
    stamp = iso(now)
    # A pupil being erased is gone as far as a sync is concerned: one who reappears gets a new record.
    existing = [p for p in existing if not p.erasing]
    by_upn = {p.upn: p for p in existing if p.upn}
    by_key: dict[str, list[Pupil]] = {}
    for p in existing:
        by_key.setdefault(match_key(p.first_name, p.last_name, p.date_of_birth), []).append(p)
    usernames = {p.username for p in existing}
    matched: set[str] = set()
    plan = SyncPlan(writes=[], leavers=[], active_before=sum(p.status is PupilStatus.ACTIVE for p in existing))
    for record in records:
        current = by_upn.get(record.upn) if record.upn else None
        if current is None or current.id in matched:
            candidates = [
                p for p in (by_key.get(_key(record), []) if by_key else [])
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
            plan.new_rows.add(record.row)
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
    leaving_ids = set()
    for row in leaving:
        gone = by_upn.get(row.upn) if row.upn else None
        if gone is None:
            gone = next((p for p in by_key.get(row.match_key or "", []) if p.id not in matched), None)
        if gone is not None and gone.id not in matched:
            leaving_ids.add(gone.id)
    for row in rejected:
        kept = by_upn.get(row.upn) if row.upn else None
        if kept is None or kept.id in matched:
            kept = next((p for p in by_key.get(row.match_key or "", []) if p.id not in matched), None)
        if kept is not None:
            matched.add(kept.id)
            plan.kept_unchanged_rejected += 1
    if mode is RosterMode.FULL or leaving_ids:
        due = (now + timedelta(days=grace_days)).date()
        for p in existing:
            absent = mode is RosterMode.FULL and p.id not in matched
            if (absent or p.id in leaving_ids) and p.status is PupilStatus.ACTIVE:
                leaver = replace(p, status=PupilStatus.LEFT, left_at=stamp, deletion_due=due.isoformat(),
                                 updated_at=stamp)
                plan.writes.append(leaver)
                plan.leavers.append(leaver)
    return plan


def hold_reason(plan: SyncPlan, parsed: ParsedRoster, *, max_leaver_share: float, min_held_leavers: int) -> str | None:
    """Why a full sync looks wrong enough to need a person's confirmation (None when it looks normal).

    Worded to follow "the file ...", as the problem detail and the upload page show it.
    """
    leavers = len(plan.leavers)
    if leavers >= min_held_leavers and leavers > max_leaver_share * plan.active_before:
        return (f"would mark {leavers} of the school's {plan.active_before} active pupils as left"
                f" (more than {max_leaver_share:.0%})")
    if parsed.rejected_rows * 2 > parsed.received:
        return f"has {parsed.rejected_rows} of its {parsed.received} rows rejected (more than half)"
    return None

def _key(record: PupilRecord) -> str:
    return match_key(record.first_name, record.last_name, record.date_of_birth)


def sync_school(
    storage: Storage,
    school: School,
    *,
    data: bytes | None = None,
    pupils: list | None = None,
    body: object = None,
    content_type: str = "text/csv",
    mode: RosterMode | None = None,
    dry_run: bool = False,
    confirm_leavers: int | None = None,
    actor_id: str | None = None,
    lease_wait_seconds: float = 0,
) -> RosterReport:
    """Validate an upload and bring the school's roster in line with it. Unreadable files change nothing.

    A full sync with no accepted row is refused (RosterNothingAccepted); one the leaver guard stops is
    held (RosterSyncHeld, nothing written) unless `confirm_leavers` equals its number of leavers. The
    roster is read, planned and written under the school's upload lease, so two uploads never interleave;
    one arriving while another runs waits `lease_wait_seconds`, then gets RosterSyncInProgress.
    """
    if not school.active:
        # Its pupils are on their way to erasure; loading more would hold data the school gave up.
        raise SchoolLeftProgramme("This school has left the programme; reactivate it before loading pupils.")
    now = utcnow()
    settings = get_settings()
    upload = read_upload(
        data=data, body={"pupils": pupils} if pupils is not None else body, content_type=content_type,
        today=now.date(), dob_policy=school.dob_policy, max_bytes=settings.roster_max_bytes,
        oneroster_org_id=school.oneroster_org_id,
    )
    parsed = upload.parsed
    # A delta bundle or one page of an export does not list everyone: it can never mark absentees left.
    mode = RosterMode.PARTIAL if upload.partial_only else mode or upload.default_mode
    if dry_run:
        return _decide(storage, school, parsed, mode=mode, now=now, dry_run=True, confirm_leavers=confirm_leavers,
                       actor_id=actor_id)
    with sync_lease(storage, school.id, ttl_seconds=settings.roster_lease_seconds, wait_seconds=lease_wait_seconds,
                    busy=_sync_busy):
        return _decide(storage, school, parsed, mode=mode, now=now, dry_run=False, confirm_leavers=confirm_leavers,
                       actor_id=actor_id)


@dataclass
class SyncDecision:
    """What a sync will do with an upload, decided from the roster as read: the plan, the report, and whether a
    person must confirm it first (`held`)."""

    plan: SyncPlan
    report: RosterReport
    held: bool


def decide_sync(roster: RosterSnapshot, parsed: ParsedRoster, *, mode: RosterMode, now: datetime, dry_run: bool,
                confirm_leavers: int | None, grace_days: int, max_leaver_share: float,
                min_held_leavers: int) -> SyncDecision:
    """Pure: plan the sync against the roster read, apply the leaver guard and the confirmation, and write the
    report. Raises RosterNothingAccepted for a full sync in which no row could be accepted."""
    plan = plan_sync(roster.pupils, parsed.records, school_id=roster.school_id, mode=mode, now=now,
                     grace_days=grace_days, rejected=parsed.rejected, leaving=parsed.leaving)
    reason = None
    if mode is RosterMode.FULL:
        reason = hold_reason(plan, parsed, max_leaver_share=max_leaver_share, min_held_leavers=min_held_leavers)
        if confirm_leavers is not None and confirm_leavers != len(plan.leavers):
            reason = (f"would mark {len(plan.leavers)} pupils as left, not the {confirm_leavers} confirmed"
                      " (the roster or the file changed since)")
        elif confirm_leavers is not None:
            reason = None
    held = reason is not None
    outcome = SyncOutcome.PREVIEW if dry_run else SyncOutcome.HELD if held else SyncOutcome.APPLIED
    report = RosterReport(
        school_id=roster.school_id, mode=mode, dry_run=dry_run, outcome=outcome, received=parsed.received,
        created=plan.created, updated=plan.updated, unchanged=plan.unchanged, left=len(plan.leavers),
        reactivated=plan.reactivated, rejected=parsed.rejected_rows,
        kept_unchanged_rejected=plan.kept_unchanged_rejected, hold_reason=reason,
        confirm_leavers=len(plan.leavers) if held else None,
        errors=[RowError(row=e.row, field=e.field, message=e.message) for e in parsed.errors],
        warnings=[RowError(row=e.row, field=e.field, message=e.message) for e in parsed.warnings],
        date_order=parsed.date_order, source=parsed.source, dropped_columns=parsed.dropped_columns,
        special_category_columns=parsed.special_category_columns,
    )
    if mode is RosterMode.FULL and not parsed.records:
        raise RosterNothingAccepted(report)
    if dry_run:
        # The uploader's preview: who would be new and who would be marked left, by name.
        report.new_pupils = [NewPupilOut(row=r.row, first_name=r.first_name, last_name=r.last_name)
                             for r in parsed.records if r.row in plan.new_rows]
        report.leaving_pupils = [LeavingPupilOut(id=p.id, first_name=p.first_name, last_name=p.last_name)
                                 for p in plan.leavers]
    return SyncDecision(plan=plan, report=report, held=held)


def _decide(
    storage: Storage, school: School, parsed: ParsedRoster, *, mode: RosterMode, now: datetime, dry_run: bool,
    confirm_leavers: int | None, actor_id: str | None,
) -> RosterReport:
    settings = get_settings()
    roster = read_roster(storage, school.id)
    decision = decide_sync(roster, parsed, mode=mode, now=now, dry_run=dry_run, confirm_leavers=confirm_leavers,
                           grace_days=settings.leaver_grace_days, max_leaver_share=settings.roster_max_leaver_share,
                           min_held_leavers=settings.roster_min_held_leavers)
    plan, report = decision.plan, decision.report
    if dry_run:
        # The leavers' names were shown: audited by id, in entries small enough for one table property.
        ids = [p.id for p in plan.leavers]
        for start in range(0, max(len(ids), 1), AUDIT_IDS_PER_ENTRY):
            audit.record(Action.ROSTER_PREVIEWED, actor_id=actor_id, subject_ids=ids[start:start + AUDIT_IDS_PER_ENTRY],
                         school_id=school.id, partner_id=school.partner_id, storage=storage)
        return report
    if decision.held:
        audit.record(Action.ROSTER_SYNC_HELD, actor_id=actor_id, subject_ids=[], school_id=school.id,
                     partner_id=school.partner_id, storage=storage)
        log.warning("roster sync held", extra={"school_id": school.id, "left": len(plan.leavers),
                                                "rejected": report.rejected})
        raise RosterSyncHeld(report)
    _apply(storage, school, roster, plan, now)
    audit.record(Action.ROSTER_INGESTED, actor_id=actor_id, subject_ids=[], school_id=school.id,
                 partner_id=school.partner_id, storage=storage,
                 record_count=plan.created + plan.updated + plan.unchanged + len(plan.leavers))
    log.info("roster synced", extra={"school_id": school.id, "rows": parsed.received, "created_count": plan.created,
                                     "updated": plan.updated, "unchanged": plan.unchanged,
                                     "left": len(plan.leavers), "rejected": report.rejected,
                                     "kept_unchanged_rejected": plan.kept_unchanged_rejected})
    return report


def _apply(storage: Storage, school: School, roster: RosterSnapshot, plan: SyncPlan, now: datetime) -> None:
    # Leavers' due-date index first: if the run dies after it, the next run still marks them left and the
    # retention timer re-checks the pupil row before erasing anyone.
    if plan.leavers:
        due_dates.schedule_leavers(storage, school.id,
                                   [(p.id, date.fromisoformat(p.deletion_due or "")) for p in plan.leavers])
    if plan.writes:
        write_roster(storage, roster, plan.writes, new_ids=plan.new_ids)
    # Only the sync's time is written: the school row may have changed while the sync ran (the school left
    # the programme, switched to the generic date of birth), and a sync never writes that back.
    if not org_store.record_sync(storage, school, iso(now)):
        _after_school_changed(storage, school.id)


def _after_school_changed(storage: Storage, school_id: str) -> None:
    """The school changed while its sync ran: what the sync wrote must still follow the school's choices."""
    current = org_store.get_school(storage, school_id)
    if current is not None and current.dob_policy is DobPolicy.GENERIC:
        # The pupils the sync wrote may carry exact dates read under the old policy: only the year is kept.
        blur_dates_of_birth(storage, school_id)


def ingest_for_caller(
    caller: Principal, school_id: str, *, data: bytes, content_type: str, mode: RosterMode | None, dry_run: bool,
    confirm_leavers: int | None = None, body: object = None, storage: Storage | None = None,
) -> RosterReport:
    storage = storage or get_storage()
    school = visible_school(storage, caller, school_id)
    # An HTTP upload does not wait for another sync of the school (a double click): it gets 409 at once.
    return sync_school(storage, school, data=data, body=body, content_type=content_type, mode=mode,
                       dry_run=dry_run, confirm_leavers=confirm_leavers, actor_id=caller.subject_id)
