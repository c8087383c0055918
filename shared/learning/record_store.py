"""A pupil's learning record: the only code that knows its rows' keys and format.

The record lives beside the pupil row in the school's partition of `pupils` (the pupil row itself is
`roster.store`'s, whose codec builds the one operation that changes its learning totals), RowKey
`L|<pupil id>|<kind>|<rest>`:
- `r` a redemption: rest = the stamp code (`RED2468`), or `<activity id>.<session id>` for a club session
  recorded by staff. The key is the "at most once" of that source: crediting is an insert.
- `a` an award reached: rest = its two-digit rank on the ladder.
- `t` a transfer counted into this record: rest = the first 32 characters of the transfer's key.
The range `L|<pupil id>|` ... `L|<pupil id>}` holds exactly one pupil's record ("}" sorts right after "|"),
so the record is one range query and every credit one entity-group transaction with the pupil's totals.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable
from dataclasses import replace

from azure.core import MatchConditions
from azure.data.tables import TableTransactionError, TransactionOperation, UpdateMode

from shared.errors import ConcurrencyConflict
from shared.hours import minutes_to_hours
from shared.learning.errors import AlreadyCredited
from shared.learning.model import (
    AwardRow,
    CertificateRef,
    CreditSource,
    FromCode,
    FromSession,
    FromTransfer,
    Learner,
    LearningRecord,
    MoveMarker,
    NewAward,
    Redemption,
)
from shared.learning.schemas import ActivitySummary
from shared.roster import store as roster_store
from shared.roster.model import ListedPupil
from shared.storage.clients import Storage
from shared.storage.names import PUPILS
from shared.storage.tables import (
    MAX_BATCH,
    Entity,
    Operation,
    create_if_absent,
    delete_op,
    etag_of,
    get_entity,
    query_all,
    submit_batches,
    update_if_match,
)

REDEMPTION, AWARD, MOVED = "r", "a", "t"
# On an award row: its verification code's record is known to be published (set after the fact, in batches).
VERIFICATION_PUBLISHED = "verification_published"
USES_IN_LISTING = "uses_in_listing"
# What a graduation list or an assembly's certificates read of award rows (beside the pupil rows' own fields).
AWARD_FIELDS = ["award_key", "name", "hours", "achieved_at", "certificate_id", "verification_code",
                "earlier_verification_codes", "redemption_id", VERIFICATION_PUBLISHED]


# --- keys ---------------------------------------------------------------------------------------------

def _key(pupil_id: str, kind: str, rest: str) -> str:
    return f"L|{pupil_id}|{kind}|{rest}"


def _range(pupil_id: str) -> tuple[str, str]:
    return f"L|{pupil_id}|", f"L|{pupil_id}}}"


def _once_key(pupil_id: str, source: CreditSource) -> str:
    """The row whose insert credits `source` to the pupil at most once."""
    match source:
        case FromCode(code=code):
            return _key(pupil_id, REDEMPTION, code)
        case FromSession(activity_id=activity_id, session_id=session_id):
            return _key(pupil_id, REDEMPTION, f"{activity_id}.{session_id}")
        case FromTransfer(transfer_key=transfer_key):
            return _key(pupil_id, MOVED, transfer_key[:32])
    raise TypeError(source)


def _award_key(pupil_id: str, rank: int) -> str:
    return _key(pupil_id, AWARD, f"{rank:02d}")


def _parts(row_key: str) -> tuple[str, str, str]:
    """(pupil id, kind, rest) of a learning row's key."""
    _, pupil_id, kind, rest = row_key.split("|", 3)
    return pupil_id, kind, rest


# --- rows <-> records -------------------------------------------------------------------------------------

def _redemption_source(rest: str) -> FromCode | FromSession:
    if "." in rest:
        activity_id, session_id = rest.split(".", 1)
        return FromSession(activity_id, session_id)
    return FromCode(rest)


def _redemption_from(e: Entity) -> Redemption:
    minutes = int(e["minutes"])
    return Redemption(
        source=_redemption_source(_parts(e["RowKey"])[2]), redemption_id=e["redemption_id"],
        activity=ActivitySummary(
            id=e["activity_id"], title=e["title"], hours=minutes_to_hours(minutes),
            skills=json.loads(e.get("skills") or "[]"), interests=json.loads(e.get("interests") or "[]"),
            employer_engagement=bool(e.get("employer_engagement")),
        ),
        minutes=minutes, redeemed_at=e["redeemed_at"], redeemed_by=e.get("redeemed_by") or "",
        single_use=bool(e.get("single_use")), uses_in_listing=bool(e.get(USES_IN_LISTING)),
        transfer=e.get("transfer") or None,
    )


def _redemption_entity(school_id: str, pupil_id: str, r: Redemption) -> Entity:
    entity = {
        "PartitionKey": school_id, "RowKey": _once_key(pupil_id, r.source), "redemption_id": r.redemption_id,
        "code": r.code, "single_use": r.single_use, "activity_id": r.activity.id, "title": r.activity.title,
        "minutes": r.minutes, "skills": json.dumps(r.activity.skills), "interests": json.dumps(r.activity.interests),
        "employer_engagement": r.activity.employer_engagement, "redeemed_at": r.redeemed_at,
        "redeemed_by": r.redeemed_by, USES_IN_LISTING: r.uses_in_listing,
    }
    if r.transfer:
        entity["transfer"] = r.transfer
    return entity


def _award_from(e: Entity) -> AwardRow:
    return AwardRow(
        rank=int(_parts(e["RowKey"])[2]), award_key=e["award_key"], name=e["name"], hours=int(e["hours"]),
        achieved_at=e["achieved_at"], certificate_id=e["certificate_id"],
        verification_code=e.get("verification_code") or None, etag=etag_of(e),
        verification_published=bool(e.get(VERIFICATION_PUBLISHED)),
        earlier_verification_codes=tuple(json.loads(e.get("earlier_verification_codes") or "[]")),
        redemption_id=e.get("redemption_id") or "",
    )


def _award_entity(school_id: str, pupil_id: str, new: NewAward) -> Entity:
    """The one builder of award rows (a redemption, a session, a record moving school)."""
    entity = {
        "PartitionKey": school_id, "RowKey": _award_key(pupil_id, new.award.rank), "award_key": new.award.key,
        "name": new.award.name, "hours": new.award.hours, "achieved_at": new.achieved_at,
        "certificate_id": CertificateRef(school_id, pupil_id, new.award.rank).text,
        "redemption_id": new.redemption_id,
    }
    if new.verification_code:
        entity["verification_code"] = new.verification_code
    return entity


def _marker_from(e: Entity) -> MoveMarker:
    return MoveMarker(source=FromTransfer(_parts(e["RowKey"])[2]), moved_at=e["moved_at"],
                      minutes=int(e["minutes"]), from_school_id=e["from_school_id"])


def _marker_entity(school_id: str, pupil_id: str, m: MoveMarker) -> Entity:
    return {"PartitionKey": school_id, "RowKey": _once_key(pupil_id, m.source), "moved_at": m.moved_at,
            "minutes": m.minutes, "from_school_id": m.from_school_id}


# --- reads -----------------------------------------------------------------------------------------------

def read_learner(storage: Storage, school_id: str, pupil_id: str) -> Learner | None:
    """The learning side of the pupil's row (one point read), or None."""
    row = roster_store.get_pupil_row(storage, school_id, pupil_id)
    return Learner.of(row) if row else None


def learning_record(storage: Storage, school_id: str, pupil_id: str) -> LearningRecord:
    """The pupil's whole record: one range query."""
    lo, hi = _range(pupil_id)
    record = LearningRecord(school_id=school_id, pupil_id=pupil_id, redemptions=[], awards=[], moves=[])
    for e in query_all(storage.table(PUPILS), "PartitionKey eq @s and RowKey ge @lo and RowKey lt @hi",
                       {"s": school_id, "lo": lo, "hi": hi}):
        kind = _parts(e["RowKey"])[1]
        if kind == REDEMPTION:
            record.redemptions.append(_redemption_from(e))
        elif kind == AWARD:
            record.awards.append(_award_from(e))
        elif kind == MOVED:
            record.moves.append(_marker_from(e))
    return record


def get_award(storage: Storage, ref: CertificateRef) -> AwardRow | None:
    e = get_entity(storage.table(PUPILS), ref.school_id, _award_key(ref.pupil_id, ref.rank))
    return _award_from(e) if e else None


def awards_between(storage: Storage, school_id: str, start: str, end: str) -> list[tuple[ListedPupil, AwardRow]]:
    """The awards the school's pupils reached from `start` to before `end` (ISO instants), each with its pupil.

    One query on the school's partition: the pupil range, plus rows whose `achieved_at` falls in the
    period (only award rows carry it), with just the fields a graduation list or a certificate needs.
    """
    rows = list(query_all(
        storage.table(PUPILS),
        "PartitionKey eq @s and ( ( RowKey ge @plo and RowKey lt @phi ) or "
        "( achieved_at ge @start and achieved_at lt @end ) )",
        {"s": school_id, "plo": roster_store.PUPIL_PREFIX, "phi": roster_store.PUPIL_RANGE_END, "start": start,
         "end": end},
        select=[*roster_store.LISTED_FIELDS, *AWARD_FIELDS],
    ))
    pupils = {r["RowKey"]: roster_store.listed_pupil_from(r) for r in rows if roster_store.is_pupil_key(r["RowKey"])}
    found = []
    for r in rows:
        if roster_store.is_pupil_key(r["RowKey"]):
            continue
        owner, kind, _ = _parts(r["RowKey"])
        if kind == AWARD and owner in pupils:
            found.append((pupils[owner], _award_from(r)))
    return found


def redemption_insert(school_id: str, pupil_id: str, redemption: Redemption) -> Operation:
    """A redemption row as a transaction operation (benchmarks and tests seed records in batches with it)."""
    return (TransactionOperation.CREATE, _redemption_entity(school_id, pupil_id, redemption))


def award_insert(school_id: str, pupil_id: str, award: NewAward) -> Operation:
    """An award row as a transaction operation (benchmarks and tests seed records in batches with it)."""
    return (TransactionOperation.CREATE, _award_entity(school_id, pupil_id, award))


# --- the one writer: crediting hours to a pupil ------------------------------------------------------------

def credit(storage: Storage, learner: Learner, entry: Redemption | MoveMarker, *, total_minutes: int, stats: str,
           awards: Iterable[NewAward] = (), earlier_codes: dict[int, tuple[str, ...]] | None = None) -> None:
    """Credit hours to the pupil in one entity-group transaction: insert the entry's once-only row (its key
    comes from the entry's source: the code, the session or the transfer), set the totals under the pupil
    row's ETag (through roster's codec), insert the awards reached and, after a move, note on existing
    award rows the old codes they now answer for (`earlier_codes`, by rank).

    Raises AlreadyCredited when the source was credited to this pupil before (nothing written), and
    ConcurrencyConflict when the pupil row changed (or went) since `learner` was read.
    """
    school_id, pupil_id = learner.school_id, learner.pupil_id
    once = (_redemption_entity(school_id, pupil_id, entry) if isinstance(entry, Redemption)
            else _marker_entity(school_id, pupil_id, entry))
    operations: list[Operation] = [
        (TransactionOperation.CREATE, once),
        roster_store.learning_update(learner.row, total_minutes=total_minutes, stats=stats),
    ]
    operations += [(TransactionOperation.CREATE, _award_entity(school_id, pupil_id, a)) for a in awards]
    operations += [(TransactionOperation.UPDATE,
                    {"PartitionKey": school_id, "RowKey": _award_key(pupil_id, rank),
                     "earlier_verification_codes": json.dumps(sorted(codes))},
                    {"mode": UpdateMode.MERGE}) for rank, codes in (earlier_codes or {}).items()]
    table = storage.table(PUPILS)
    try:
        table.submit_transaction(operations)  # type: ignore[arg-type]
    except TableTransactionError as exc:
        if exc.index == 0 and exc.error_code == "EntityAlreadyExists":
            earlier = get_entity(table, school_id, once["RowKey"]) if isinstance(entry, Redemption) else None
            raise AlreadyCredited(earlier["redemption_id"] if earlier else None) from None
        raise ConcurrencyConflict("The pupil's record changed meanwhile.") from None


def was_credited(storage: Storage, school_id: str, pupil_id: str, source: CreditSource) -> bool:
    """Whether the source's once-only row exists (a write whose answer was lost may have committed)."""
    return get_entity(storage.table(PUPILS), school_id, _once_key(pupil_id, source)) is not None


def copy_moved_redemption(storage: Storage, school_id: str, pupil_id: str, source: Redemption,
                          transfer_key: str) -> Redemption | None:
    """Insert a copy of an old school's redemption into the pupil's record, marked with the transfer.

    Returns the redemption that counts for this transfer (the copy, or one this transfer copied before), or
    None when the pupil already has that source from their own redemption (never counted twice).
    """
    table = storage.table(PUPILS)
    copy = replace(source, transfer=transfer_key)
    entity = _redemption_entity(school_id, pupil_id, copy)
    if create_if_absent(table, entity):
        return copy
    existing = get_entity(table, school_id, entity["RowKey"])
    return _redemption_from(existing) if existing is not None and existing.get("transfer") == transfer_key else None


# --- verification codes on award rows ------------------------------------------------------------------------

def set_verification_code(storage: Storage, school_id: str, pupil_id: str, award: AwardRow, code: str) -> str:
    """Give the award its verification code, unless someone else just did; returns the code that holds."""
    table = storage.table(PUPILS)
    key = _award_key(pupil_id, award.rank)
    try:
        update_if_match(table, {"PartitionKey": school_id, "RowKey": key, "verification_code": code}, award.etag,
                        mode=UpdateMode.MERGE)
        return code
    except ConcurrencyConflict:
        fresh = get_entity(table, school_id, key)
        if fresh is None or not fresh.get("verification_code"):
            raise
        return fresh["verification_code"]


def set_verification_codes(storage: Storage, school_id: str, given: list[tuple[str, AwardRow, str]]) -> list[int]:
    """Give many awards (pupil id, award, new code) their verification codes: 100 to an entity-group
    transaction, each row under the ETag it was read with. Returns the positions in `given` of the
    transactions refused because a row changed (or went) meanwhile: none of those codes was written."""
    table = storage.table(PUPILS)
    refused: list[int] = []
    for start in range(0, len(given), MAX_BATCH):
        chunk = given[start : start + MAX_BATCH]
        operations = [
            (TransactionOperation.UPDATE,
             {"PartitionKey": school_id, "RowKey": _award_key(pupil_id, award.rank), "verification_code": code},
             {"mode": UpdateMode.MERGE, "etag": award.etag, "match_condition": MatchConditions.IfNotModified})
            for pupil_id, award, code in chunk
        ]
        try:
            table.submit_transaction(operations)  # type: ignore[arg-type]
        except TableTransactionError:
            refused += range(start, start + len(chunk))
    return refused


def mark_verifications_published(storage: Storage, school_id: str, awards: list[tuple[str, AwardRow]]) -> None:
    """Note on award rows that their verification record is published, 100 to a transaction, so printing
    them again needs no look-up. Only a shortcut: a transaction refused (an award erased meanwhile) is
    left, and those codes are simply checked again next time."""
    table = storage.table(PUPILS)
    for start in range(0, len(awards), MAX_BATCH):
        operations = [
            (TransactionOperation.UPDATE,
             {"PartitionKey": school_id, "RowKey": _award_key(pupil_id, award.rank), VERIFICATION_PUBLISHED: True},
             {"mode": UpdateMode.MERGE})
            for pupil_id, award in awards[start : start + MAX_BATCH]
        ]
        with contextlib.suppress(TableTransactionError):
            table.submit_transaction(operations)  # type: ignore[arg-type]


# --- erasure -----------------------------------------------------------------------------------------------

def delete_record(storage: Storage, record: LearningRecord) -> None:
    """Delete every row of a record as read (the pupil is marked as being erased, so nothing is added)."""
    pupil_id = record.pupil_id
    keys = ([_once_key(pupil_id, r.source) for r in record.redemptions]
            + [_award_key(pupil_id, a.rank) for a in record.awards]
            + [_once_key(pupil_id, m.source) for m in record.moves])
    submit_batches(storage.table(PUPILS), [delete_op(record.school_id, key) for key in keys])
