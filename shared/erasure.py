"""Complete erasure and subject-access export of a pupil: one place that knows every row about a person.

What a pupil leaves in storage: the pupil row and their learning record (both in the school's partition
of `pupils`), their login row (keyed by a hash of the username), a leaver due-date row, and the claims
of single-use stamp codes they redeemed, the verification records of their awards (found through the
codes on the award rows; their Open Badges credentials are revoked first), and a transfer code issued for
their record. Audit entries keep only the pseudonymous pupil id.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel

from shared import audit, due_dates
from shared.achievements import revocations_store as revocations
from shared.achievements import store as verifications
from shared.audit import Action
from shared.credentials.logins_store import delete_login, login_key
from shared.learning import activities_store, record_store
from shared.organisation.access import visible_school
from shared.organisation.model import School
from shared.roster import store as roster_store
from shared.roster.model import Pupil
from shared.security import scope
from shared.security.principal import Principal
from shared.storage.clients import Storage, get_storage
from shared.transfer import store as transfers


def erase_pupil_everywhere(storage: Storage, school_id: str, pupil: Pupil, *, etag: str) -> None:
    """Erase the pupil everywhere; idempotent, so a crash half-way is finished by running it again.

    First the pupil row is marked as being erased under `etag`, the ETag of the read that decided the
    erasure: if the row changed since (a roster re-sync brought the pupil back), ConcurrencyConflict is
    raised before anything is deleted. From the mark on, a sync treats the row as gone and a redemption
    refuses it, so the learning record read next is complete and nothing is added behind it.

    The pupil row goes after everything personal, so an interrupted erasure is found again from it and
    finished; the leaver due-date row goes after the pupil row, so the retention timer finds it too.
    """
    roster_store.mark_erasing(storage, school_id, pupil.id, etag)
    record = record_store.learning_record(storage, school_id, pupil.id)
    for redemption in record.redemptions:
        activities_store.release_claim(storage, redemption)
    for code in record.verification_codes():
        # Revoked before the record goes, so a crash in between is finished by the next run.
        found = verifications.get(storage, code)
        if found is not None and found.pupil_id == pupil.id:
            revocations.revoke(storage, revocations.list_id_for(found.achieved_at), found.credential_id,
                               "The record was erased.")
            verifications.withdraw(storage, code, pupil.id)
    transfers.forget_pupil(storage, pupil.id)
    record_store.delete_record(storage, record)
    delete_login(storage, login_key(pupil.username))
    roster_store.delete_pupil(storage, school_id, pupil.id)
    if pupil.deletion_due:
        due_dates.unschedule(storage, due_dates.leaver_row(school_id, pupil.id, date.fromisoformat(pupil.deletion_due)))


def _facts(value: Any) -> Any:
    """A stored record as plain JSON values, every field of it (dates as ISO text)."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _facts(getattr(value, f.name)) for f in fields(value) if f.name != "etag"}
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list | tuple):
        return [_facts(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def pupil_records(storage: Storage, school: School, pupil: Pupil) -> dict:
    """Every stored fact about the pupil, machine-readable (subject access request)."""
    row = roster_store.get_pupil_row(storage, school.id, pupil.id)
    stored = _facts(row.pupil if row else pupil)
    if row is not None:
        stored |= {"learning_stats": row.stats, "session_version": row.session_version}
    record = record_store.learning_record(storage, school.id, pupil.id)
    return {
        "pupil_id": pupil.id,
        "school": {"id": school.id, "name": school.name},
        "pupil": stored,
        "learning_record": [*map(_facts, record.redemptions), *map(_facts, record.awards), *map(_facts, record.moves)],
        "sign_in": {"username": pupil.username, "has_password": pupil.has_login},
    }


# --- the staff-facing endpoints ------------------------------------------------------------------

def _visible_pupil(storage: Storage, caller: Principal, school_id: str, pupil_id: str) -> tuple[School, Pupil, str]:
    school = visible_school(storage, caller, school_id)
    pupil, etag = scope.visible(roster_store.get_pupil(storage, school.id, pupil_id))
    return school, pupil, etag


def erase_pupil(caller: Principal, school_id: str, pupil_id: str, *, storage: Storage | None = None) -> None:
    storage = storage or get_storage()
    school, pupil, etag = _visible_pupil(storage, caller, school_id, pupil_id)
    erase_pupil_everywhere(storage, school.id, pupil, etag=etag)
    audit.record(Action.PUPIL_ERASED, actor_id=caller.subject_id, subject_ids=[pupil.id], school_id=school.id,
                 partner_id=school.partner_id, storage=storage)


def export_pupil(caller: Principal, school_id: str, pupil_id: str, *, storage: Storage | None = None) -> dict:
    storage = storage or get_storage()
    school, pupil, _ = _visible_pupil(storage, caller, school_id, pupil_id)
    audit.record(Action.PUPIL_EXPORTED, actor_id=caller.subject_id, subject_ids=[pupil.id], school_id=school.id,
                 partner_id=school.partner_id, storage=storage)
    return pupil_records(storage, school, pupil)
