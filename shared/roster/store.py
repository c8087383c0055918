"""Pupil rows: table `pupils`, one partition per school. The only code that knows the pupil row's keys.

PK = school id. The pupil's own row is RK = pupil id (`pup_...`), so a school's roster is one range read.
Their learning record lives beside it in the same partition (keys and learning fields: `learning.store`),
so a redemption and the pupil's totals change in one entity-group transaction.

Two more kinds of row live in the partition, outside the pupil range:
- `upn~<hash>`: the school's unique-UPN index. A new pupil's row and its UPN claim are inserted in one
  transaction, so two syncs that both planned to create the same pupil cannot both succeed. A claim
  whose pupil is gone or no longer has that UPN is stale and may be taken over.
- `sync-lease`: the school's upload lease (one sync at a time), see `sync_lease`.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import date

from azure.core import MatchConditions
from azure.core.exceptions import ResourceExistsError
from azure.data.tables import TableTransactionError, TransactionOperation, UpdateMode

from shared.errors import ConcurrencyConflict
from shared.organisation.model import DobPolicy
from shared.roster.errors import DuplicateUpn
from shared.roster.model import Gender, Pupil, PupilStatus
from shared.roster.rules import apply_dob_policy, cohort_of
from shared.storage.clients import Storage
from shared.storage.leases import row_lease
from shared.storage.names import PUPILS
from shared.storage.tables import (
    MAX_BATCH,
    Entity,
    Operation,
    delete_if_match,
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
UPN_CLAIM_PREFIX = "upn~"
SYNC_LEASE = "sync-lease"


def pupil_from(e: Entity) -> Pupil:
    return Pupil(
        id=e["RowKey"],
        school_id=e["PartitionKey"],
        first_name=e["first_name"],
        last_name=e["last_name"],
        date_of_birth=date.fromisoformat(e["date_of_birth"]),
        gender=Gender(e["gender"]),
        upn=e.get("upn") or None,
        username=e["username"],
        status=PupilStatus(e.get("status") or "active"),
        restricted=bool(e.get("restricted", False)),
        total_minutes=int(e.get("total_minutes") or 0),
        created_at=e["created_at"],
        updated_at=e.get("updated_at") or e["created_at"],
        left_at=e.get("left_at") or None,
        deletion_due=e.get("deletion_due") or None,
        has_login=bool(e.get("has_login", False)),
        cohort=int(e.get("cohort") or cohort_of(date.fromisoformat(e["date_of_birth"]))),
        erasing=bool(e.get("erasing", False)),
    )


# Learning state on the pupil row (totals here; stats and guess counts are written only by redemptions),
# owned by redemptions: every roster or rectification write is a merge that leaves it alone.
LEARNING_FIELDS = ("total_minutes",)


def roster_entity(p: Pupil) -> Entity:
    """The pupil row without its learning state, for merge writes by the roster (never clobbers totals)."""
    return {k: v for k, v in pupil_entity(p).items() if k not in LEARNING_FIELDS}


def pupil_entity(p: Pupil) -> Entity:
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
        "total_minutes": p.total_minutes,
        "created_at": p.created_at,
        "updated_at": p.updated_at,
        "left_at": p.left_at or "",
        "deletion_due": p.deletion_due or "",
        "has_login": p.has_login,
        "cohort": p.cohort,
    }


def pupil_rows(storage: Storage, school_id: str, *, select: list[str] | None = None) -> Iterator[Entity]:
    """The school's pupil rows (no learning rows), one range query; `select` keeps other fields in storage."""
    yield from query_all(
        storage.table(PUPILS),
        "PartitionKey eq @s and RowKey ge @lo and RowKey lt @hi",
        {"s": school_id, "lo": PUPIL_PREFIX, "hi": PUPIL_RANGE_END},
        select=select,
    )


def roster_of(storage: Storage, school_id: str) -> list[Pupil]:
    return [pupil_from(e) for e in pupil_rows(storage, school_id)]


def page_of_pupils(
    storage: Storage, school_id: str, *, status: PupilStatus | None, page_size: int, page_token: str | None
) -> tuple[list[Pupil], str | None]:
    query = "PartitionKey eq @s and RowKey ge @lo and RowKey lt @hi"
    params = {"s": school_id, "lo": PUPIL_PREFIX, "hi": PUPIL_RANGE_END}
    if status is not None:
        query += " and status eq @st"
        params["st"] = status.value
    rows, token = query_page(storage.table(PUPILS), query, params, page_size=page_size, page_token=page_token)
    return [pupil_from(e) for e in rows], token


def get_pupil(storage: Storage, school_id: str, pupil_id: str) -> tuple[Pupil, str] | None:
    if not pupil_id.startswith(PUPIL_PREFIX):
        return None
    e = get_entity(storage.table(PUPILS), school_id, pupil_id)
    return (pupil_from(e), e.metadata["etag"]) if e else None


def pupil_row(storage: Storage, school_id: str, pupil_id: str) -> Entity | None:
    """The pupil's own row as stored (session version, erasure mark, totals), or None."""
    if not pupil_id.startswith(PUPIL_PREFIX) or not school_id:
        return None
    return get_entity(storage.table(PUPILS), school_id, pupil_id)


def bump_pupil_field(storage: Storage, school_id: str, pupil_id: str, field: str) -> int | None:
    if not pupil_id.startswith(PUPIL_PREFIX) or not school_id:
        return None
    return increment_if_match(storage.table(PUPILS), school_id, pupil_id, field)


def update_pupil(storage: Storage, pupil: Pupil, etag: str) -> str:
    """Merge the roster fields under the ETag of the read; returns the new ETag (ConcurrencyConflict if changed)."""
    return update_if_match(storage.table(PUPILS), roster_entity(pupil), etag, mode=UpdateMode.MERGE)


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
        rows = [e for e in query_all(table, "PartitionKey eq @s and RowKey ge @lo and RowKey lt @hi",
                                     {"s": school_id, "lo": PUPIL_PREFIX, "hi": PUPIL_RANGE_END})
                if date.fromisoformat(e["date_of_birth"]) != apply_dob_policy(
                    date.fromisoformat(e["date_of_birth"]), DobPolicy.GENERIC)]
        if not rows:
            return blurred
        try:
            for start in range(0, len(rows), MAX_BATCH):
                chunk = rows[start:start + MAX_BATCH]
                table.submit_transaction([
                    (TransactionOperation.UPDATE, {
                        "PartitionKey": e["PartitionKey"], "RowKey": e["RowKey"],
                        "date_of_birth": apply_dob_policy(date.fromisoformat(e["date_of_birth"]),
                                                          DobPolicy.GENERIC).isoformat(),
                        "cohort": int(e.get("cohort") or cohort_of(date.fromisoformat(e["date_of_birth"]))),
                    }, {"mode": UpdateMode.MERGE, "etag": e.metadata["etag"],
                        "match_condition": MatchConditions.IfNotModified})
                    for e in chunk
                ])
                blurred += len(chunk)
        except TableTransactionError:
            continue
    raise ConcurrencyConflict("The pupils' records kept changing; try switching again in a moment.")


# --- Roster writes with the unique-UPN index ---------------------------------------------------------------


def _upn_claim_key(school_id: str, upn: str) -> str:
    # Hashed so a UPN never appears as a key (keys show up in storage logs and metrics).
    return UPN_CLAIM_PREFIX + hashlib.sha256(f"{school_id}|{upn.upper()}".encode()).hexdigest()[:40]


def _claim_entity(school_id: str, upn: str, pupil_id: str) -> Entity:
    return {"PartitionKey": school_id, "RowKey": _upn_claim_key(school_id, upn), "pupil_id": pupil_id}


def _clear_stale_claim(storage: Storage, school_id: str, upn: str, pupil_id: str) -> None:
    """Delete the UPN's claim when it is stale; DuplicateUpn when another current pupil holds the UPN."""
    table = storage.table(PUPILS)
    claim = get_entity(table, school_id, _upn_claim_key(school_id, upn))
    if claim is None or claim["pupil_id"] == pupil_id:
        return
    holder = get_entity(table, school_id, claim["pupil_id"])
    if holder is not None and not holder.get("erasing") and (holder.get("upn") or "").upper() == upn.upper():
        raise DuplicateUpn("Another pupil at this school already has this UPN; reload and try again.")
    try:
        delete_if_match(table, school_id, claim["RowKey"], etag_of(claim))
    except ConcurrencyConflict:
        raise DuplicateUpn("Another change to this school's pupils was made at the same time; try again.") from None


def claim_upn(storage: Storage, school_id: str, upn: str, pupil_id: str) -> None:
    """Claim a UPN for one pupil (a rectification); DuplicateUpn when another pupil holds it."""
    table = storage.table(PUPILS)
    for _ in range(2):
        try:
            table.create_entity(_claim_entity(school_id, upn, pupil_id))
            return
        except ResourceExistsError:
            _clear_stale_claim(storage, school_id, upn, pupil_id)
            claim = get_entity(table, school_id, _upn_claim_key(school_id, upn))
            if claim is not None and claim["pupil_id"] == pupil_id:
                return
    raise DuplicateUpn("Another change to this school's pupils was made at the same time; try again.")


def release_upn(storage: Storage, school_id: str, upn: str | None, pupil_id: str) -> None:
    """Delete the pupil's claim of a UPN (erasure), leaving it alone if another pupil has taken it over."""
    if not upn:
        return
    table = storage.table(PUPILS)
    claim = get_entity(table, school_id, _upn_claim_key(school_id, upn))
    if claim is not None and claim["pupil_id"] == pupil_id:
        with contextlib.suppress(ConcurrencyConflict):
            delete_if_match(table, school_id, claim["RowKey"], etag_of(claim))


def write_roster(storage: Storage, school_id: str, pupils: list[Pupil], *, new_ids: set[str],
                 claims: dict[str, str]) -> None:
    """Write a sync's pupil rows in entity-group transactions, each pupil together with its new UPN claim.

    `claims` maps pupil id → a UPN the pupil did not hold before. A new pupil's claim is an insert, so a
    transaction that would create a second pupil with a UPN fails as a whole (DuplicateUpn once a stale
    claim is ruled out); an existing pupil's claim is an upsert, because the plan matched them by that UPN.
    Rows are merges, and only new pupils carry totals: a redemption landing mid-sync keeps its hours.
    """
    groups: list[list[Operation]] = []
    for p in pupils:
        ops: list[Operation] = [upsert_op(pupil_entity(p) if p.id in new_ids else roster_entity(p), mode="merge")]
        if upn := claims.get(p.id):
            claim = _claim_entity(school_id, upn, p.id)
            ops.append((TransactionOperation.CREATE, claim) if p.id in new_ids else upsert_op(claim))
        groups.append(ops)
    table = storage.table(PUPILS)
    for chunk in _chunks(groups):
        try:
            table.submit_transaction([op for ops in chunk for op in ops])  # type: ignore[misc]
        except TableTransactionError as exc:
            if exc.status_code != 409:
                raise
            # A claim already exists: rule out stale claims (or raise DuplicateUpn), then try once more.
            for ops in chunk:
                for kind, entity, *_ in ops:
                    if kind == TransactionOperation.CREATE:
                        pupil_id = entity["pupil_id"]
                        _clear_stale_claim(storage, school_id, claims[pupil_id], pupil_id)
            try:
                table.submit_transaction([op for ops in chunk for op in ops])  # type: ignore[misc]
            except TableTransactionError as again:
                if again.status_code != 409:
                    raise
                raise DuplicateUpn("Another upload for this school added the same pupils; upload again.") from None


def _chunks(groups: list[list[Operation]]) -> Iterator[list[list[Operation]]]:
    chunk: list[list[Operation]] = []
    size = 0
    for ops in groups:
        if size + len(ops) > MAX_BATCH:
            yield chunk
            chunk, size = [], 0
        chunk.append(ops)
        size += len(ops)
    if chunk:
        yield chunk


def sync_lease(
    storage: Storage, school_id: str, *, ttl_seconds: int, wait_seconds: float, busy: Callable[[], Exception]
) -> AbstractContextManager[None]:
    """The school's upload lease: held around reading, planning and writing one sync."""
    return row_lease(storage.table(PUPILS), school_id, SYNC_LEASE, ttl_seconds=ttl_seconds,
                     wait_seconds=wait_seconds, busy=busy)
