"""Moving school keeps the record: the old school issues a one-time code for a leaver, the new school
enters it for the pupil on its roster, and the learning record moves across in one retry-safe step.

Only the learning record passes between the schools (redemptions, hours, stats, awards with their
dates and verification codes): no name, date of birth or UPN. The old school's copy is erased on its
leaver schedule as usual; verification codes that moved keep answering. Codes are single-use, stored
only as a hash, throttled per client, and useless after the old record's erasure date.
"""

from __future__ import annotations

from shared import audit
from shared import verification_codes as codes
from shared.achievements import store as verifications
from shared.audit import Action
from shared.errors import NotFound
from shared.hours import minutes_to_hours
from shared.ids import digest, iso, utcnow
from shared.learning.moving import move_record
from shared.organisation import store as org_store
from shared.organisation.access import visible_school
from shared.roster.model import PupilStatus
from shared.roster.store import get_pupil
from shared.security import rate, scope
from shared.security.principal import Principal
from shared.storage.clients import Storage, get_storage
from shared.storage.tables import retry_on_conflict
from shared.transfer import store
from shared.transfer.errors import (
    NotALeaver,
    RecordAlreadyMoved,
    SameSchool,
    TransferCodeExpired,
    TransferCodeNotKnown,
    TransferCodeUsed,
)
from shared.transfer.model import Transfer, TransferState
from shared.transfer.schemas import TransferCodeOut, TransferIn, TransferOut

REDEMPTIONS_PER_HOUR = 20
NOT_KNOWN = "That transfer code is not known. Check it against the slip from the pupil's old school."


def _key(canonical: str) -> str:
    return digest("transfer:" + canonical)


def issue_code(caller: Principal, school_id: str, pupil_id: str, *, storage: Storage | None = None) -> TransferCodeOut:
    """A one-time code for a leaver's record, valid until the record's erasure date."""
    storage = storage or get_storage()
    school = visible_school(storage, caller, school_id)
    found = get_pupil(storage, school.id, pupil_id)
    scope.require(found is not None and not found[0].erasing)
    assert found is not None
    pupil = found[0]
    if pupil.status is not PupilStatus.LEFT or not pupil.deletion_due:
        raise NotALeaver("Only a leaver's record can move school: it is kept until its erasure date.")
    current = store.current_for_pupil(storage, pupil.id)
    if current is not None and current.state is not TransferState.ISSUED:
        raise RecordAlreadyMoved("This record has already moved to the pupil's new school.")
    canonical = codes.new_verification_code()
    store.issue(storage, Transfer(
        key=_key(canonical), from_school_id=school.id, from_pupil_id=pupil.id, expires_on=pupil.deletion_due,
        issued_at=iso(utcnow()), state=TransferState.ISSUED, to_school_id=None, to_pupil_id=None,
    ))
    audit.record(Action.TRANSFER_CODE_ISSUED, actor_id=caller.subject_id, subject_ids=[pupil.id],
                 school_id=school.id, partner_id=school.partner_id, storage=storage)
    return TransferCodeOut(code=codes.format_verification_code(canonical), pupil_id=pupil.id,
                           expires_on=pupil.deletion_due)


def _claimed(storage: Storage, transfer: Transfer, school_id: str, pupil_id: str) -> Transfer:
    """The transfer, held by this pupil: claimed now, or already by an earlier attempt of the same move."""

    def read() -> Transfer:
        fresh = store.get(storage, transfer.key)
        if fresh is None:
            raise TransferCodeNotKnown(NOT_KNOWN)
        return fresh

    def decide(current: Transfer) -> Transfer | None:
        if current.state is TransferState.ISSUED:
            return current
        if (current.to_school_id, current.to_pupil_id) != (school_id, pupil_id):
            raise TransferCodeUsed("This transfer code has already been used.")
        return None  # ours already (a retry)

    def write(current: Transfer) -> None:
        store.claim(storage, current, school_id, pupil_id)

    retry_on_conflict(read, decide, write, attempts=5, first=transfer)
    return transfer


def redeem_code(caller: Principal, school_id: str, pupil_id: str, body: TransferIn, client: str, *,
                storage: Storage | None = None) -> TransferOut:
    """Move the leaver's record to this pupil. Running it again (a retry) moves nothing twice."""
    storage = storage or get_storage()
    rate.spend(storage, "transfer", client, limit=REDEMPTIONS_PER_HOUR, now=utcnow())
    school = visible_school(storage, caller, school_id)
    found = get_pupil(storage, school.id, pupil_id)
    scope.require(found is not None and not found[0].erasing)
    canonical = codes.normalise_verification_code(body.code)
    transfer = store.get(storage, _key(canonical)) if canonical else None
    if transfer is None:
        raise TransferCodeNotKnown(NOT_KNOWN)
    now = utcnow()
    if now.date().isoformat() > transfer.expires_on:
        raise TransferCodeExpired("This transfer code has expired: the old record has been erased.")
    if transfer.from_school_id == school.id:
        raise SameSchool("This code is for a record at this school; it moves records between schools.")
    transfer = _claimed(storage, transfer, school.id, pupil_id)
    source = get_pupil(storage, transfer.from_school_id, transfer.from_pupil_id)
    if source is None or source[0].erasing:
        raise TransferCodeExpired("The old record has been erased; there is nothing left to move.")
    moved = move_record(storage, from_school=transfer.from_school_id, from_pupil=transfer.from_pupil_id,
                        to_school=school.id, to_pupil=pupil_id, key=transfer.key, now=now)
    for code in moved.moved_codes:
        verifications.move(storage, code, from_pupil_id=transfer.from_pupil_id, school_id=school.id,
                           pupil_id=pupil_id)
    store.finish(storage, transfer.key)
    old_school = org_store.get_school(storage, transfer.from_school_id)
    audit.record(Action.TRANSFER_SENT, actor_id=caller.subject_id, subject_ids=[transfer.from_pupil_id],
                 school_id=transfer.from_school_id, partner_id=old_school.partner_id if old_school else None,
                 storage=storage)
    audit.record(Action.TRANSFER_RECEIVED, actor_id=caller.subject_id, subject_ids=[pupil_id],
                 school_id=school.id, partner_id=school.partner_id, storage=storage)
    after = get_pupil(storage, school.id, pupil_id)
    if after is None:
        raise NotFound("Not found.")
    return TransferOut(
        pupil_id=pupil_id, total_hours=minutes_to_hours(after[0].total_minutes),
        hours_added=minutes_to_hours(moved.minutes_added), redemptions_moved=moved.redemptions_moved,
        awards_moved=moved.awards_moved, already_moved=moved.already_done,
    )
