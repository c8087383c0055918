"""The compliance view (API.md, Compliance): pupils held, deletions coming, stale rosters, the last retention run,
and alerts from the audit trail.

Counts only, within the caller's scope: the Trust sees every school, a partner manager their partner's
schools, school staff their own school. Nothing here names a person, so reading it writes no audit entry.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, timedelta

from pydantic import BaseModel, Field

from shared.alerts import service as alerts
from shared.alerts.service import ALERT_DAYS, AlertOut
from shared.due_dates import school_exit_due_day
from shared.ids import parse_iso, utcnow
from shared.organisation import store as org_store
from shared.organisation.models import School
from shared.retention import RetentionRunReport, latest_run, policy
from shared.roster.store import PupilStatus, pupil_rows
from shared.security.principal import Principal, Role
from shared.settings import get_settings
from shared.storage.clients import Storage, get_storage

# --- responses (the endpoint takes no body and no query) ------------------------------------------


class DeletionsDueOut(BaseModel):
    date: str = Field(description="UTC day (YYYY-MM-DD) the pupils are due to be erased; past days are overdue")
    count: int


class StaleSyncSchoolOut(BaseModel):
    school_id: str
    name: str
    last_sync_at: str | None = Field(description="last roster sync; null when the school never synced")


class RetentionRunOut(BaseModel):
    run_id: str
    started_at: str
    ended_at: str | None
    status: str
    complete: bool = Field(description="false when the run stopped at RETENTION_BATCH_LIMIT; the next run goes on")
    counts: dict[str, int] | None = Field(
        default=None, description="national counts per category; only for the Trust (they span every tenant)"
    )
    error_count: int | None = None
    errors: dict[str, int] | None = Field(default=None, description="failures by sweep and error type (Trust only)")


class ComplianceOut(BaseModel):
    pupils_active: int
    pupils_left: int
    deletions_due: list[DeletionsDueOut] = Field(
        description=f"pupils due for erasure per day, up to {policy.DELETIONS_AHEAD_DAYS} days ahead"
    )
    schools_stale_sync: list[StaleSyncSchoolOut] = Field(
        description=f"schools in the programme with no roster sync for {policy.STALE_SYNC_DAYS} days, or never"
    )
    last_retention_run: RetentionRunOut | None
    alerts: list[AlertOut] = Field(
        default_factory=list,
        description=f"alerts from the audit trail of the last {ALERT_DAYS} days in the caller's scope, newest first",
    )


# --- the view ----------------------------------------------------------------------------------------


def _schools_in_scope(storage: Storage, caller: Principal) -> Iterable[School]:
    if caller.role is Role.TRUST_ADMIN:
        # Every school, then one pupil range query per school below: at national scale (25 k schools,
        # 10 M pupils) that is tens of thousands of requests. Per-school counters kept by the roster sync
        # (the `schoolstats` table) would make it one read per school.
        return org_store.all_schools(storage)
    if caller.role is Role.PARTNER_MANAGER and caller.partner_id:
        return org_store.schools_of_partner(storage, caller.partner_id)
    if caller.role is Role.SCHOOL_STAFF and caller.school_id:
        school = org_store.get_school(storage, caller.school_id)
        return [school] if school else []
    return []


def _run_out(run: RetentionRunReport | None, caller: Principal) -> RetentionRunOut | None:
    if run is None:
        return None
    national = caller.role is Role.TRUST_ADMIN
    return RetentionRunOut(
        run_id=run.run_id, started_at=run.started_at, ended_at=run.ended_at, status=run.status.value,
        complete=run.complete, counts=dict(run.counts) if national else None,
        error_count=run.error_count if national else None, errors=dict(run.errors) if national else None,
    )


def view(caller: Principal, *, storage: Storage | None = None) -> ComplianceOut:
    storage = storage or get_storage()
    now = utcnow()
    horizon = now.date() + timedelta(days=policy.DELETIONS_AHEAD_DAYS)
    grace = get_settings().school_exit_grace_days
    statuses: Counter[str] = Counter()
    due: Counter[date] = Counter()
    stale: list[StaleSyncSchoolOut] = []
    for school in _schools_in_scope(storage, caller):
        exit_day = (school_exit_due_day(parse_iso(school.left_programme_at), grace)
                    if not school.active and school.left_programme_at else None)
        # The pupil rows only (not their learning records), and two small properties of each. The pupil
        # row's deletion_due is the truth; due-date index rows can be stale (a pupil who came back).
        for row in pupil_rows(storage, school.id, select=["status", "deletion_due"]):
            status = row.get("status") or PupilStatus.ACTIVE.value
            statuses[status] += 1
            left_due = _day(row.get("deletion_due")) if status == PupilStatus.LEFT else None
            erased_on = min((d for d in (left_due, exit_day) if d), default=None)
            if erased_on is not None and erased_on <= horizon:
                due[erased_on] += 1
        last_sync = parse_iso(school.last_sync_at) if school.last_sync_at else None
        if school.active and policy.sync_is_stale(last_sync, now):
            stale.append(StaleSyncSchoolOut(school_id=school.id, name=school.name, last_sync_at=school.last_sync_at))
    return ComplianceOut(
        pupils_active=statuses[PupilStatus.ACTIVE.value],
        pupils_left=statuses[PupilStatus.LEFT.value],
        deletions_due=[DeletionsDueOut(date=d.isoformat(), count=n) for d, n in sorted(due.items())],
        schools_stale_sync=sorted(stale, key=lambda s: (s.name.lower(), s.school_id)),
        last_retention_run=_run_out(latest_run(storage), caller),
        alerts=alerts.current(caller, now.date(), storage=storage),
    )


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
