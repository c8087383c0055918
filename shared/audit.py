"""The audit log: who did what to which pseudonymous ids, when. Never names or values.

Entries are partitioned by UTC day, so a range query reads only the days asked for and retention
drops whole days.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from shared.alerts import rules as alert_rules
from shared.alerts import store as alerts_store
from shared.ids import iso, utcnow
from shared.storage.clients import Storage, get_storage
from shared.storage.names import AUDIT
from shared.storage.tables import partition

DEFAULT_DAYS = 7
MAX_DAYS = 92
MAX_ENTRIES = 5000


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


def _row_key(now: datetime) -> str:
    return f"{now.strftime('%H%M%S%f')}-{secrets.token_hex(4)}"


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
    """`detail` is a fixed code (e.g. why sessions were revoked), never a value a person typed.

    `record_count` says how many records an action touched when their ids are not listed (a roster load of
    a thousand pupils would not fit in one entry); by default the ids are counted.
    """
    storage = storage or get_storage()
    now = utcnow()
    if alert_rules.worth_filing(action.value, actor_id):
        alerts_store.file(storage, action.value, at=now, actor_id=actor_id, subject_count=len(subject_ids),
                          school_id=school_id, partner_id=partner_id)
    storage.table(AUDIT).create_entity(
        {
            "PartitionKey": now.strftime("%Y-%m-%d"),
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
    )


def entries(
    *,
    start: date,
    end: date,
    subject_id: str | None = None,
    school_id: str | None = None,
    partner_id: str | None = None,
    limit: int = 1000,
    storage: Storage | None = None,
) -> list[AuditEntry]:
    """Entries from `start` to `end` (inclusive days), newest first, optionally narrowed to a scope."""
    storage = storage or get_storage()
    table = storage.table(AUDIT)
    out: list[AuditEntry] = []
    day = end
    while day >= start and len(out) < limit:
        rows = sorted(partition(table, day.isoformat()), key=lambda r: r["RowKey"], reverse=True)
        for row in rows:
            subjects = json.loads(row.get("subject_ids") or "[]")
            if subject_id and subject_id not in subjects and row.get("actor_id") != subject_id:
                continue
            if school_id and row.get("school_id") != school_id:
                continue
            if partner_id and row.get("partner_id") != partner_id:
                continue
            out.append(
                AuditEntry(
                    at=row["at"],
                    actor_id=row.get("actor_id") or None,
                    action=row["action"],
                    subject_ids=subjects,
                    school_id=row.get("school_id") or None,
                    partner_id=row.get("partner_id") or None,
                    detail=row.get("detail") or None,
                    record_count=int(row.get("record_count") or len(subjects)),
                )
            )
            if len(out) >= limit:
                break
        day -= timedelta(days=1)
    return out


class AuditQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject_id: str | None = Field(default=None, max_length=64)
    school_id: str | None = Field(default=None, max_length=64, alias="school_id")
    from_: date | None = Field(default=None, alias="from", description="first day (UTC), default 7 days ago")
    to: date | None = Field(default=None, description="last day (UTC), default today")
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
