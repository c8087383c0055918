"""Pupil rows: table `pupils`, one partition per school. The only code that knows the pupil row's keys.

PK = school id. The pupil's own row is RK = pupil id (`pup_...`), so a school's roster is one range read.
Their learning record lives beside it in the same partition (its keys: `learning.record_store`),
so a redemption and the pupil's totals change in one entity-group transaction.

Two more kinds of row live in the partition, outside the pupil range:
- `pup^version`: the school's roster version, which makes UPNs unique within the school. It sorts just
  before the pupil range, so the roster read returns it first in the same query. Every write that can
  give a pupil a UPN (a sync's transactions, a rectification) moves it on in the same entity-group
  transaction, conditional on the version the decision was made at; the decision checked the UPNs
  against the pupils read at that version. So two syncs that both planned to create the same pupil
  cannot both succeed, and no UPN index is needed: one extra operation per transaction of 99 pupils,
  and no UPN-derived row to delete when a pupil is erased.
- `sync-lease`: the school's upload lease (one sync at a time), see `sync_lease`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import date

from azure.core import MatchConditions
from azure.data.tables import TableTransactionError, TransactionOperation, UpdateMode

from shared.credentials import SESSION_VERSION
from shared.errors import ConcurrencyConflict
from shared.organisation.model import DobPolicy
from shared.roster.errors import DuplicateUpn
from shared.roster.model import (
    Gender,
    ListedPupil,
    Pupil,
    PupilRow,
    PupilStanding,
    PupilStatus,
    ReportedPupil,
    RosterSnapshot,
)
from shared.roster.rules import apply_dob_policy, cohort_of
from shared.storage.clients import Storage
from shared.storage.leases import row_lease
from shared.storage.names import PUPILS
from shared.storage.tables import (
    MAX_BATCH,
    Entity,
    Operation,
    etag_of,
    get_entity,
    increment_if_match,
    query_all,
    query_page,
    update_if_match,
    upsert_op,
)

PUPIL_PREFIX = "pup_"
PUPIL_RANGE_END = "pup`"  # "`" sorts right after "_": the range holds exactly the pupil rows
ROSTER_VERSION = "pup^version"  # "^" sorts right before "_": first in a read from here to the pupils' end
VERSIONED_BATCH = MAX_BATCH - 1  # pupils per transaction, beside the roster version
VERSION_ATTEMPTS = 3
SYNC_LEASE = "sync-lease"


# --- the pupil row's codec: every read and write of a pupil row goes through these ---------------------

# Learning's aggregates on the pupil row (written only by `learning_update`, beside learning's own rows).
STATS_FIELD = "learning_stats"
TOTAL_FIELD = "total_minutes"
LEARNING_FIELDS = (TOTAL_FIELD, STATS_FIELD)
# What a list or a certificate prints of a pupil, what a report counts, what the compliance view needs.
LISTED_FIELDS = ["RowKey", "first_name", "last_name", "status", "restricted", "erasing", "cohort", "date_of_birth",
                 TOTAL_FIELD]
REPORTED_FIELDS = ["gender", "cohort", "status", "restricted", STATS_FIELD]
STANDING_FIELDS = ["status", "deletion_due"]


def _status(e: Entity) -> PupilStatus:
    return PupilStatus(e.get("status") or PupilStatus.ACTIVE)


def _cohort(e: Entity) -> int:
    """The stored school cohort; for a row stored before cohorts were kept, derived from the date of birth
    when the read included it (reports never read it: such a row counts as "year not known", 0)."""
    stored = e.get("cohort")
    if isinstance(stored, int) and not isinstance(stored, bool) and stored > 0:
        return stored
    return cohort_of(date.fromisoformat(e["date_of_birth"])) if e.get("date_of_birth") else 0


def _pupil_from(e: Entity) -> Pupil:
    return Pupil(
        id=e["RowKey"],
        school_id=e["PartitionKey"],
        first_name=e["first_name"],
        last_name=e["last_name"],
        date_of_birth=date.fromisoformat(e["date_of_birth"]),
        gender=Gender(e["gender"]),
        upn=e.get("upn") or None,
        username=e["username"],
        status=_status(e),
        restricted=bool(e.get("restricted", False)),
        total_minutes=int(e.get(TOTAL_FIELD) or 0),
        created_at=e["created_at"],
        updated_at=e.get("updated_at") or e["created_at"],
        left_at=e.get("left_at") or None,
        deletion_due=e.get("deletion_due") or None,
        has_login=bool(e.get("has_login", False)),
        cohort=_cohort(e),
        erasing=bool(e.get("erasing", False)),
    )


def _row_from(e: Entity) -> PupilRow:
    return PupilRow(pupil=_pupil_from(e), stats=e.get(STATS_FIELD) or "",
                    session_version=int(e.get(SESSION_VERSION) or 0), etag=etag_of(e))


def listed_pupil_from(e: Entity) -> ListedPupil:
    """A pupil row read with `LISTED_FIELDS` (learning's record store reads them beside award rows)."""
    return ListedPupil(
        id=e["RowKey"], first_name=e["first_name"], last_name=e["last_name"], status=_status(e),
        restricted=bool(e.get("restricted")), erasing=bool(e.get("erasing")), cohort=_cohort(e),
        total_minutes=int(e.get(TOTAL_FIELD) or 0),
    )


def is_pupil_key(row_key: str) -> bool:
    """Whether a row of a school's partition is a pupil row (not a learning row or the roster's own rows)."""
    return PUPIL_PREFIX <= row_key < PUPIL_RANGE_END


def _roster_entity(p: Pupil) -> Entity:
    """The pupil row without its learning state, for merge writes by the roster (never clobbers totals)."""
    return {k: v for k, v in _pupil_entity(p).items() if k not in LEARNING_FIELDS}


def _pupil_entity(p: Pupil) -> Entity:
    """Only the allow-listed personal fields (DESIGN.md section 2), plus state."""
    return {
        "PartitionKey": p.school_id,
        "RowKey": p.id,
        "first_name": p.first_name,
        "last_name": p.last_name,
        "date_of_birth": p.date_of_birth.isoformat(),
        "gender": p.gender.value,
        "upn": p.upn or "",
        "username": p.username,
        "status": p.status.value,
        "restricted": p.restricted,
        TOTAL_FIELD: p.total_minutes,
        "created_at": p.created_at,
        "updated_at": p.updated_at,
        "left_at": p.left_at or "",
        "deletion_due": p.deletion_due or "",
        "has_login": p.has_login,
        "cohort": p.cohort,
    }


def pupil_upsert(pupil: Pupil, *, stats: str = "") -> Operation:
    """The whole pupil row as a transaction operation (benchmarks and tests seed storage in batches with it)."""
    return upsert_op(_pupil_entity(pupil) | ({STATS_FIELD: stats} if stats else {}))


def roster_merge(pupil: Pupil) -> Operation:
    """The pupil's roster fields merged over the stored row, leaving its learning state (as a sync writes)."""
    return upsert_op(_roster_entity(pupil), mode="merge")


def learning_update(row: PupilRow, *, total_minutes: int, stats: str) -> Operation:
    """The transaction operation that sets the pupil's learning totals, only if the row is still as `row`
    was read (learning's record store submits it with its own rows, in one entity-group transaction)."""
    return (TransactionOperation.UPDATE,
            {"PartitionKey": row.pupil.school_id, "RowKey": row.pupil.id, TOTAL_FIELD: total_minutes,
             STATS_FIELD: stats},
            {"mode": UpdateMode.MERGE, "etag": row.etag, "match_condition": MatchConditions.IfNotModified})


# --- reads ------------------------------------------------------------------------------------------------

def _rows(storage: Storage, school_id: str, *, select: list[str] | None = None) -> Iterator[Entity]:
    """The school's pupil rows (no learning rows), one range query; `select` keeps other fields in storage."""
    yield from query_all(
        storage.table(PUPILS),
        "PartitionKey eq @s and RowKey ge @lo and RowKey lt @hi",
        {"s": school_id, "lo": PUPIL_PREFIX, "hi": PUPIL_RANGE_END},
        select=select,
    )


def pupil_rows(storage: Storage, school_id: str) -> Iterator[PupilRow]:
    """The school's pupils, each with its ETag: one range query."""
    return (_row_from(e) for e in _rows(storage, school_id))


def has_pupils(storage: Storage, school_id: str) -> bool:
    """Whether any pupil row is left in the school's partition (its keys only are read)."""
    return next(_rows(storage, school_id, select=["RowKey"]), None) is not None


def reported_pupils(storage: Storage, school_id: str) -> Iterator[ReportedPupil]:
    """What a report counts of each pupil of the school: no name, date of birth or UPN leaves storage."""
    for e in _rows(storage, school_id, select=REPORTED_FIELDS):
        yield ReportedPupil(gender=Gender(e.get("gender") or Gender.OTHER), cohort=_cohort(e), status=_status(e),
                            restricted=bool(e.get("restricted")), stats=e.get(STATS_FIELD) or "")


def pupil_standings(storage: Storage, school_id: str) -> Iterator[PupilStanding]:
    """Each pupil's status and, for a leaver, the erasure day (two small properties per pupil row)."""
    for e in _rows(storage, school_id, select=STANDING_FIELDS):
        yield PupilStanding(status=_status(e), deletion_due=e.get("deletion_due") or None)


def roster_of(storage: Storage, school_id: str) -> list[Pupil]:
    return [_pupil_from(e) for e in _rows(storage, school_id)]


def page_of_pupils(
    storage: Storage, school_id: str, *, status: PupilStatus | None, page_size: int, page_token: str | None
) -> tuple[list[Pupil], str | None]:
    query = "PartitionKey eq @s and RowKey ge @lo and RowKey lt @hi"
    params = {"s": school_id, "lo": PUPIL_PREFIX, "hi": PUPIL_RANGE_END}
    if status is not None:
        query += " and status eq @st"
        params["st"] = status.value
    rows, token = query_page(storage.table(PUPILS), query, params, page_size=page_size, page_token=page_token)
    return [_pupil_from(e) for e in rows], token


def get_pupil_row(storage: Storage, school_id: str, pupil_id: str) -> PupilRow | None:
    """The pupil's row (pupil, learning aggregates, session version, ETag): one point read, or None."""
    if not pupil_id.startswith(PUPIL_PREFIX) or not school_id:
        return None
    e = get_entity(storage.table(PUPILS), school_id, pupil_id)
    return _row_from(e) if e else None


def get_pupil(storage: Storage, school_id: str, pupil_id: str) -> tuple[Pupil, str] | None:
    row = get_pupil_row(storage, school_id, pupil_id)
    return (row.pupil, row.etag) if row else None


# --- writes -----------------------------------------------------------------------------------------------

def end_sessions(storage: Storage, school_id: str, pupil_id: str) -> int | None:
    """Move the pupil's session version on (every token issued before stops working); the new version, or
    None when there is no such pupil."""
    if not pupil_id.startswith(PUPIL_PREFIX) or not school_id:
        return None
    return increment_if_match(storage.table(PUPILS), school_id, pupil_id, SESSION_VERSION)


def update_pupil(storage: Storage, pupil: Pupil, etag: str) -> str:
    """Merge the roster fields under the ETag of the read; returns the new ETag (ConcurrencyConflict if changed)."""
    return update_if_match(storage.table(PUPILS), _roster_entity(pupil), etag, mode=UpdateMode.MERGE)


def mark_erasing(storage: Storage, school_id: str, pupil_id: str, etag: str) -> None:
    update_if_match(storage.table(PUPILS), {"PartitionKey": school_id, "RowKey": pupil_id, "erasing": True}, etag,
                    mode=UpdateMode.MERGE)


def delete_pupil(storage: Storage, school_id: str, pupil_id: str) -> None:
    storage.table(PUPILS).delete_entity(school_id, pupil_id)


BLUR_PASSES = 5


def blur_dates_of_birth(storage: Storage, school_id: str) -> int:
    """Reduce every stored date of birth of the school to 1 January of its year (the generic policy).

    The cohort is written alongside (from the exact date, while it is still known), so year groups stay
    right. Each row is merged under its own ETag, in transactions of up to 100: a row changed meanwhile
    (a sync, an erasure) fails its transaction, and the pass starts again on fresh rows. Idempotent; returns
    how many dates were blurred.
    """
    table = storage.table(PUPILS)
    blurred = 0
    for _ in range(BLUR_PASSES):
        rows = [r for r in pupil_rows(storage, school_id)
                if r.pupil.date_of_birth != apply_dob_policy(r.pupil.date_of_birth, DobPolicy.GENERIC)]
        if not rows:
            return blurred
        try:
            for start in range(0, len(rows), MAX_BATCH):
                chunk = rows[start:start + MAX_BATCH]
                table.submit_transaction([
                    (TransactionOperation.UPDATE, {
                        "PartitionKey": school_id, "RowKey": r.pupil.id,
                        "date_of_birth": apply_dob_policy(r.pupil.date_of_birth, DobPolicy.GENERIC).isoformat(),
                        "cohort": r.pupil.cohort,
                    }, {"mode": UpdateMode.MERGE, "etag": r.etag, "match_condition": MatchConditions.IfNotModified})
                    for r in chunk
                ])
                blurred += len(chunk)
        except TableTransactionError:
            continue
    raise ConcurrencyConflict("The pupils' records kept changing; try switching again in a moment.")


# --- Roster reads and writes guarded by the roster version --------------------------------------------------


def read_roster(storage: Storage, school_id: str) -> RosterSnapshot:
    """The school's pupils and the roster version, in one range query (the version row sorts first).

    The version is read before any pupil row, so a write conditioned on it fails if anything that gives
    a pupil a UPN happened after the read began, even between the query's pages.
    """
    version = None
    pupils = []
    for e in query_all(storage.table(PUPILS), "PartitionKey eq @s and RowKey ge @lo and RowKey lt @hi",
                       {"s": school_id, "lo": ROSTER_VERSION, "hi": PUPIL_RANGE_END}):
        if e["RowKey"] == ROSTER_VERSION:
            version = etag_of(e)
        else:
            pupils.append(_pupil_from(e))
    return RosterSnapshot(school_id, pupils, version)


def _version_op(school_id: str, version: str | None) -> Operation:
    """Move the roster version on, only from `version`: fails (409, 412) if anyone else moved it first."""
    entity = {"PartitionKey": school_id, "RowKey": ROSTER_VERSION}
    if version is None:
        return (TransactionOperation.CREATE, entity)
    return (TransactionOperation.UPDATE, entity,
            {"mode": UpdateMode.REPLACE, "etag": version, "match_condition": MatchConditions.IfNotModified})


# The version operation is the only one of these transactions that can fail for these reasons: the pupil
# rows are upserts (a sync) or a merge under the pupil's own ETag (a rectification, which refuses then anyway).
_VERSION_MOVED = (404, 409, 412)


def _check_unique_upns(pupils: list[Pupil], writes: list[Pupil]) -> None:
    """DuplicateUpn when, after `writes`, two pupils of the school (not being erased) would share a UPN."""
    after = {p.id: p for p in pupils if not p.erasing} | {p.id: p for p in writes}
    written = {p.upn for p in writes if p.upn}
    holders: dict[str, str] = {}
    for p in after.values():
        if p.upn in written and holders.setdefault(p.upn, p.id) != p.id:
            raise DuplicateUpn("Another pupil at this school already has one of these UPNs; upload again.")


def write_roster(storage: Storage, roster: RosterSnapshot, pupils: list[Pupil], *, new_ids: set[str]) -> None:
    """Write a sync's pupil rows, planned from `roster`, in entity-group transactions of up to 99 pupils.

    Each transaction also moves the school's roster version on from the one the plan was made at, so it
    applies only if nothing gave a pupil a UPN meanwhile (another sync past the lease, a rectification).
    If something did, the roster is read again and the rest of the sync goes ahead only if it still gives
    no UPN to two pupils; otherwise DuplicateUpn, with nothing of that transaction written. Rows are
    merges, and only new pupils carry totals: a redemption landing mid-sync keeps its hours.
    """
    _check_unique_upns(roster.pupils, pupils)
    table = storage.table(PUPILS)
    version = roster.version
    for start in range(0, len(pupils), VERSIONED_BATCH):
        ops = [upsert_op(_pupil_entity(p), mode="merge") if p.id in new_ids else roster_merge(p)
               for p in pupils[start:start + VERSIONED_BATCH]]
        for _ in range(VERSION_ATTEMPTS):
            try:
                version = table.submit_transaction([_version_op(roster.school_id, version), *ops])[0]["etag"]
                break
            except TableTransactionError as exc:
                if exc.status_code not in _VERSION_MOVED:
                    raise
            fresh = read_roster(storage, roster.school_id)
            _check_unique_upns(fresh.pupils, pupils[start:])
            version = fresh.version
        else:
            raise ConcurrencyConflict("The school's pupils kept changing during the upload; upload again.")


def update_pupil_upn(storage: Storage, pupil: Pupil, etag: str) -> str:
    """`update_pupil` for a change that gives the pupil a new UPN (a rectification): DuplicateUpn when
    another pupil of the school holds it. The check and the write are tied by the roster version."""
    table = storage.table(PUPILS)
    version_row = get_entity(table, pupil.school_id, ROSTER_VERSION)
    holders = query_all(table, "PartitionKey eq @s and RowKey ge @lo and RowKey lt @hi and upn eq @u",
                        {"s": pupil.school_id, "lo": PUPIL_PREFIX, "hi": PUPIL_RANGE_END, "u": pupil.upn},
                        select=["RowKey", "erasing"])
    if any(h["RowKey"] != pupil.id and not h.get("erasing") for h in holders):
        raise DuplicateUpn("Another pupil at this school already has this UPN; reload and try again.")
    try:
        result = table.submit_transaction([
            _version_op(pupil.school_id, etag_of(version_row) if version_row else None),
            (TransactionOperation.UPDATE, _roster_entity(pupil),
             {"mode": UpdateMode.MERGE, "etag": etag, "match_condition": MatchConditions.IfNotModified}),
        ])
    except TableTransactionError as exc:
        if exc.status_code not in _VERSION_MOVED:
            raise
        raise ConcurrencyConflict("The pupil or the school's roster changed meanwhile; reload and try again.") from None
    return result[1]["etag"]


def sync_lease(
    storage: Storage, school_id: str, *, ttl_seconds: int, wait_seconds: float, busy: Callable[[], Exception]
) -> AbstractContextManager[None]:
    """The school's upload lease: held around reading, planning and writing one sync."""
    return row_lease(storage.table(PUPILS), school_id, SYNC_LEASE, ttl_seconds=ttl_seconds,
                     wait_seconds=wait_seconds, busy=busy)
