"""The audit log: who did what to which pseudonymous ids, when. Never names or values.

Each entry is stored once, in a partition that says both its day and its tenant:

    PK "<UTC day>|p|<partner id or ->|<school id or ->"   RK "<HHMMSSffffff>-<random>"

so every question is a read of its own rows only, one query per day:
- a school's entries:   PK eq  "<day>|p|<partner>|<school>"
- a partner's entries:  PK range "<day>|p|<partner>|" … (its own actions and all its schools')
- national actions:     PK eq  "<day>|p|-|-" (the Trust's own, unknown sign-in names)
- everything (Trust):   PK range "<day>" … "<day>}"
A subject's entries are read from the narrowest of these that holds the subject (their school, their
partner), never from other schools' rows. Retention still drops whole past days: every key starts with
its day, so "PartitionKey lt <cut-off day>" selects exactly the expired ones.
"""

from __future__ import annotations

import heapq
import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.alerts import rules as alert_rules
from shared.alerts import store as alerts_store
from shared.ids import iso, utcnow
from shared.schemas import Day
from shared.storage.clients import Storage, get_storage
from shared.storage.names import AUDIT
from shared.storage.tables import Entity, Operation, query_all, upsert_op

DEFAULT_DAYS = 7
MAX_DAYS = 92
MAX_ENTRIES = 5000
NONE = "-"
# Sorts right after "|", so "<prefix>|" … "<prefix>}" is exactly the partitions under a prefix.
_AFTER_BAR = "}"


class Action(StrEnum):
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_IN_LOCKED = "sign_in_locked"
    SIGN_IN_SSO = "sign_in_sso"
    SIGN_IN_SSO_REFUSED = "sign_in_sso_refused"
    TOKEN_REUSE_DETECTED = "token_reuse_detected"
    INVITATION_ACCEPTED = "invitation_accepted"
    INVITATION_RESENT = "invitation_resent"
    PASSWORD_RESET_REQUESTED = "password_reset_requested"
    PASSWORD_RESET = "password_reset"
    PASSWORD_CHANGED = "password_changed"
    SECOND_FACTOR_ENROLLED = "second_factor_enrolled"
    SECOND_FACTOR_FAILED = "second_factor_failed"
    SECOND_FACTOR_RESET = "second_factor_reset"
    RECOVERY_CODE_USED = "recovery_code_used"
    RECOVERY_CODES_RENEWED = "recovery_codes_renewed"
    STAFF_CREATED = "staff_created"
    STAFF_READ = "staff_read"
    STAFF_LISTED = "staff_listed"
    STAFF_RECTIFIED = "staff_rectified"
    STAFF_DELETED = "staff_deleted"
    STAFF_EXPORTED = "staff_exported"
    PUPILS_LISTED = "pupils_listed"
    PUPIL_READ = "pupil_read"
    PUPIL_RECTIFIED = "pupil_rectified"
    PUPIL_ERASED = "pupil_erased"
    PUPIL_EXPORTED = "pupil_exported"
    PUPIL_RESTRICTED = "pupil_restricted"
    PUPIL_PASSWORD_RESET = "pupil_password_reset"
    LOGIN_CARDS_PRINTED = "login_cards_printed"
    ROSTER_INGESTED = "roster_ingested"
    ROSTER_PREVIEWED = "roster_previewed"
    # A full sync stopped by the leaver guard (HTTP 409 or a held blob upload): worth an alert.
    ROSTER_SYNC_HELD = "roster_sync_held"
    ROSTER_UPLOAD_DISCARDED = "roster_upload_discarded"
    REDEMPTION_BY_STAFF = "redemption_by_staff"
    GROUP_REDEMPTION = "group_redemption"
    PROGRESS_READ = "progress_read"
    CERTIFICATE_READ = "certificate_read"
    GRADUATION_LIST_READ = "graduation_list_read"
    GRADUATION_CERTIFICATES_PRINTED = "graduation_certificates_printed"
    CREDENTIAL_ISSUED = "credential_issued"
    TRANSFER_CODE_ISSUED = "transfer_code_issued"
    TRANSFER_SENT = "transfer_sent"
    TRANSFER_RECEIVED = "transfer_received"
    AUDIT_READ = "audit_read"
    SESSIONS_REVOKED = "sessions_revoked"
    SCHOOL_UPDATED = "school_updated"
    DESTINATION_CREATED = "destination_created"
    DESTINATION_UPDATED = "destination_updated"


@dataclass(frozen=True)
class AuditEntry:
    at: str
    actor_id: str | None
    action: str
    subject_ids: list[str]
    school_id: str | None
    partner_id: str | None
    detail: str | None = None
    record_count: int = 0


# --- keys ------------------------------------------------------------------------------------------

def _partition(day: date, partner_id: str | None, school_id: str | None) -> str:
    return f"{day.isoformat()}|p|{partner_id or NONE}|{school_id or NONE}"


def _row_key(now: datetime) -> str:
    return f"{now.strftime('%H%M%S%f')}-{secrets.token_hex(4)}"


def _entity(
    action: Action,
    *,
    actor_id: str | None,
    subject_ids: list[str] | tuple[str, ...] = (),
    school_id: str | None = None,
    partner_id: str | None = None,
    detail: str | None = None,
    record_count: int | None = None,
    now: datetime,
) -> Entity:
    """The row of one entry (what `record` writes)."""
    return {
        "PartitionKey": _partition(now.date(), partner_id, school_id),
        "RowKey": _row_key(now),
        "at": iso(now),
        "actor_id": actor_id or "",
        "action": action.value,
        "subject_ids": json.dumps(list(subject_ids)),
        "school_id": school_id or "",
        "partner_id": partner_id or "",
        "detail": detail or "",
        "record_count": len(subject_ids) if record_count is None else record_count,
    }


def entry_upsert(action: Action, *, now: datetime, **fields: Any) -> Operation:
    """One entry as a transaction operation (benchmarks and tests seed the trail in batches with it); the same
    fields as `record`."""
    return upsert_op(_entity(action, now=now, **fields))


def record(
    action: Action,
    *,
    actor_id: str | None,
    subject_ids: list[str] | tuple[str, ...] = (),
    school_id: str | None = None,
    partner_id: str | None = None,
    detail: str | None = None,
    record_count: int | None = None,
    storage: Storage | None = None,
) -> None:
    """One insert (and, for the actions alerts watch, the alert's own row). `detail` is a fixed code (e.g. why
    sessions were revoked), never a value a person typed.

    `record_count` says how many records an action touched when their ids are not listed (a roster load of
    a thousand pupils would not fit in one entry); by default the ids are counted. Pass the school's partner
    with a school: the entry is filed under both, so the partner's view finds it.
    """
    storage = storage or get_storage()
    now = utcnow()
    if alert_rules.worth_filing(action.value, actor_id):
        alerts_store.file(storage, action.value, at=now, actor_id=actor_id, subject_count=len(subject_ids),
                          school_id=school_id, partner_id=partner_id)
    storage.table(AUDIT).create_entity(
        _entity(action, actor_id=actor_id, subject_ids=subject_ids, school_id=school_id, partner_id=partner_id,
               detail=detail, record_count=record_count, now=now)
    )


# --- queries ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scope:
    """Which rows a query may read: one school, one partner (with its schools), national actions, or all."""

    partner_id: str | None = None
    school_id: str | None = None
    national_only: bool = False


EVERYTHING = Scope()
NATIONAL = Scope(national_only=True)


def _day_filter(scope: Scope, day: date) -> tuple[str, dict[str, str]]:
    d = day.isoformat()
    if scope.school_id is not None:
        return "PartitionKey eq @pk", {"pk": _partition(day, scope.partner_id, scope.school_id)}
    if scope.partner_id is not None:
        prefix = f"{d}|p|{scope.partner_id}|"
        return "PartitionKey ge @lo and PartitionKey lt @hi", {"lo": prefix, "hi": prefix[:-1] + _AFTER_BAR}
    if scope.national_only:
        return "PartitionKey eq @pk", {"pk": _partition(day, None, None)}
    return "PartitionKey ge @lo and PartitionKey lt @hi", {"lo": d, "hi": d + _AFTER_BAR}


def _entry(row: Entity) -> AuditEntry:
    subjects = json.loads(row.get("subject_ids") or "[]")
    return AuditEntry(
        at=row["at"],
        actor_id=row.get("actor_id") or None,
        action=row["action"],
        subject_ids=subjects,
        school_id=row.get("school_id") or None,
        partner_id=row.get("partner_id") or None,
        detail=row.get("detail") or None,
        record_count=int(row.get("record_count") or len(subjects)),
    )


def _day_rows(storage: Storage, scope: Scope, day: date) -> Iterator[Entity]:
    """A day's rows in the scope, newest first (several partitions are merged by time)."""
    query, params = _day_filter(scope, day)
    by_partition: dict[str, list[Entity]] = {}
    for row in query_all(storage.table(AUDIT), query, params):
        by_partition.setdefault(row["PartitionKey"], []).append(row)
    lists = [sorted(rows, key=lambda r: r["RowKey"], reverse=True) for rows in by_partition.values()]
    return heapq.merge(*lists, key=lambda r: r["RowKey"], reverse=True)


def entries(
    scope: Scope,
    *,
    start: date,
    end: date,
    subject_id: str | None = None,
    actions: frozenset[str] | None = None,
    limit: int = 1000,
    storage: Storage | None = None,
) -> list[AuditEntry]:
    """Entries in `scope` from `start` to `end` (inclusive UTC days), newest first; one query per day.

    `subject_id` keeps entries naming the person as subject or actor; `actions` keeps only those actions.
    """
    storage = storage or get_storage()
    out: list[AuditEntry] = []
    day = end
    while day >= start and len(out) < limit:
        for row in _day_rows(storage, scope, day):
            entry = _entry(row)
            if subject_id and subject_id not in entry.subject_ids and entry.actor_id != subject_id:
                continue
            if actions is not None and entry.action not in actions:
                continue
            out.append(entry)
            if len(out) >= limit:
                break
        day -= timedelta(days=1)
    return out


def for_school(partner_id: str | None, school_id: str, *, start: date, end: date, **kw) -> list[AuditEntry]:
    """A school's entries (its staff's actions, its pupils' sign-ins, what others did to them)."""
    return entries(Scope(partner_id=partner_id, school_id=school_id), start=start, end=end, **kw)


def for_partner(partner_id: str, *, start: date, end: date, **kw) -> list[AuditEntry]:
    """A partner's own entries and those of all its schools."""
    return entries(Scope(partner_id=partner_id), start=start, end=end, **kw)


def national_actions(*, start: date, end: date, **kw) -> list[AuditEntry]:
    """Entries with neither partner nor school: the Trust's own actions, sign-ins of unknown names."""
    return entries(NATIONAL, start=start, end=end, **kw)


def subject_scope(partner_id: str | None, school_id: str | None) -> Scope:
    """Where a person's entries are: their school's rows, else their partner's, else everything (the Trust's
    own staff act across all schools)."""
    if school_id is not None:
        return Scope(partner_id=partner_id, school_id=school_id)
    if partner_id is not None:
        return Scope(partner_id=partner_id)
    return EVERYTHING


# --- the API view ----------------------------------------------------------------------------------

class AuditQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject_id: str | None = Field(default=None, max_length=64)
    school_id: str | None = Field(default=None, max_length=64, alias="school_id")
    from_: Day | None = Field(default=None, alias="from", description="first day (UTC), default 7 days ago")
    to: Day | None = Field(default=None, description="last day (UTC), default today")
    limit: int = Field(default=500, ge=1, le=MAX_ENTRIES)


class AuditEntryOut(BaseModel):
    at: str
    actor_id: str | None
    action: str
    subject_ids: list[str]
    school_id: str | None = None
    partner_id: str | None = None
    detail: str | None = None
    record_count: int = Field(default=0, description="records the action touched (ids listed or not)")
    actor_name: str | None = Field(default=None, description="a member of staff's name as they are known "
                                   "(nickname), for staff viewers; never a pupil's")
    actor_role: str | None = None


class AuditList(BaseModel):
    entries: list[AuditEntryOut]
