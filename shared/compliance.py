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

from shared import audit
from shared.alerts import rules as alert_rules
from shared.alerts import store as alerts_store
from shared.due_dates import school_exit_due_day
from shared.errors import FieldError, InvalidRequest
from shared.ids import parse_iso, utcnow
from shared.mail import mailer, templates
from shared.organisation import store as org_store
from shared.organisation.model import School
from shared.organisation.store import get_staff
from shared.retention import RetentionRunReport, latest_run, policy
from shared.roster.model import PupilStatus
from shared.roster.store import pupil_standings
from shared.security import scope
from shared.security.principal import Principal, Role
from shared.settings import get_settings
from shared.storage.clients import Storage, get_storage

# --- alerts (rules and events: shared.alerts) ------------------------------------------------------

ALERT_DAYS = 7


class AlertOut(BaseModel):
    kind: str = Field(description="refresh_token_reuse | sign_in_lockout_spike | mass_export | mass_erasure | "
                                  "roster_sync_held")
    title: str
    first_at: str
    last_at: str
    count: int
    actor_id: str | None = None
    school_id: str | None = None
    partner_id: str | None = None


class AlertsEmailedOut(BaseModel):
    alerts: int
    emailed: bool


def _scope_of(caller: Principal) -> str:
    if caller.role is Role.TRUST_ADMIN:
        return alerts_store.TRUST_SCOPE
    if caller.role is Role.PARTNER_MANAGER:
        return alerts_store.scopes_of(None, caller.partner_id)[-1]
    return alerts_store.scopes_of(caller.school_id, None)[-1]


def current_alerts(caller: Principal, today: date, *, storage: Storage) -> list[AlertOut]:
    """Alerts of the last ALERT_DAYS days in the caller's scope, newest first."""
    days = [today - timedelta(days=n) for n in range(ALERT_DAYS)]
    found = alert_rules.alerts_from(alerts_store.events(storage, _scope_of(caller), reversed(days)))
    return [AlertOut(**a.__dict__) for a in found]


def email_alerts_to_me(caller: Principal, *, storage: Storage | None = None) -> AlertsEmailedOut:
    """Email the caller (the Trust's DPO, a trust admin) the alerts of the last days."""
    storage = storage or get_storage()
    scope.require_role(caller, Role.TRUST_ADMIN)
    alerts = current_alerts(caller, utcnow().date(), storage=storage)
    found = get_staff(storage, caller.subject_id)
    if not alerts or found is None:
        return AlertsEmailedOut(alerts=len(alerts), emailed=False)
    member = found[0]
    lines = [f"{a.last_at}: {a.title}" + (f" ({a.count} times)" if a.count > 1 else "") for a in alerts]
    url = f"{get_settings().public_base_url.rstrip('/')}/#/compliance"
    sent = mailer.send(templates.alerts_digest(member.email, member.nickname, lines, url))
    return AlertsEmailedOut(alerts=len(alerts), emailed=sent)


# --- the view ---------------------------------------------------------------------------------------

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
        for pupil in pupil_standings(storage, school.id):
            statuses[pupil.status] += 1
            left_due = _day(pupil.deletion_due) if pupil.status is PupilStatus.LEFT else None
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
        alerts=current_alerts(caller, now.date(), storage=storage),
    )


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


# --- the audit trail as staff read it (entries: shared.audit) ----------------------------------------

def audit_view(caller: Principal, query: audit.AuditQuery, *, storage: Storage | None = None) -> audit.AuditList:
    """The audit trail within the caller's scope: the Trust sees all, a partner its schools, a school itself."""
    today = utcnow().date()
    end = query.to or today
    start = query.from_ or end - timedelta(days=audit.DEFAULT_DAYS - 1)
    if start > end:
        raise InvalidRequest("'from' must not be after 'to'.", errors=[FieldError("from is after to", "from")])
    if (end - start).days >= audit.MAX_DAYS:
        raise InvalidRequest(
            f"Ask for at most {audit.MAX_DAYS} days at a time.", errors=[FieldError("range too long", "from")]
        )
    storage = storage or get_storage()
    found = audit.entries(_audit_scope(caller, query.school_id, storage), start=start, end=end,
                          subject_id=query.subject_id, limit=query.limit, storage=storage)
    audit.record(audit.Action.AUDIT_READ, actor_id=caller.subject_id, school_id=caller.school_id,
                 partner_id=caller.partner_id, storage=storage)
    names = _staff_names(storage, {e.actor_id for e in found if e.actor_id})
    unknown = (None, None)
    return audit.AuditList(entries=[
        audit.AuditEntryOut(**e.__dict__, actor_name=names.get(e.actor_id or "", unknown)[0],
                            actor_role=names.get(e.actor_id or "", unknown)[1])
        for e in found
    ])


def _audit_scope(caller: Principal, school_id: str | None, storage: Storage) -> audit.Scope:
    """The caller's rows: a school's staff their school, a manager their partner (or one of its schools)."""
    if caller.role is Role.SCHOOL_STAFF:
        return audit.Scope(partner_id=caller.partner_id, school_id=caller.school_id)
    if caller.role is Role.PARTNER_MANAGER:
        # Another partner's school id names a partition of this partner that holds nothing.
        return audit.Scope(partner_id=caller.partner_id, school_id=school_id)
    if school_id is None:
        return audit.EVERYTHING
    school = org_store.get_school(storage, school_id)
    return audit.Scope(partner_id=school.partner_id if school else None, school_id=school_id)


def _staff_names(storage: Storage, actor_ids: set[str]) -> dict[str, tuple[str, str]]:
    """Staff actors' names for the staff reading the log (one point read per distinct member of staff).

    Names are looked up when the log is read, never written into entries, so once a member of staff is
    erased their entries keep only the id.
    """
    out = {}
    for actor_id in sorted(a for a in actor_ids if a.startswith("stf_")):
        found = get_staff(storage, actor_id)
        if found is not None:
            out[actor_id] = (found[0].nickname, found[0].role.value)
    return out
