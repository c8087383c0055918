"""Activities and their stamp codes: the only code that knows these rows' keys and format.

Tables:
- `activities`: canonical row PK "activity", RK activity id; listing copy PK "partner-<id>" or
  "school-<id>"; the codes of an activity PK "codes-<activity id>", RK code (for code sheets and the code
  list), and beside each code its use rows: RK "<code>|claim" marks a single-use code as used, RK
  "<code>|uses" counts uses of a capped code. Kept in the activity's partition so the code list reads
  codes and uses in one partition query, while a redemption still writes exactly one row for them.
- `stampcodes`: PK = canonical code (`RED2468`), RK "code": the activity snapshot a redemption needs in
  one point read. Codes are unique across the system by insert conflict. Codes issued before the use
  rows moved beside the listing (their code row lacks `uses_in_listing`) keep them here: RK "claim" and
  RK "uses", read one by one when such a code is listed.
- `vocabulary`: PK "skill" / "interest", RK a slug: what the Trust has added to the defaults.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import date

from azure.data.tables import TableClient

from shared.errors import ConcurrencyConflict
from shared.hours import minutes_to_hours
from shared.learning.model import Activity, ActivityWindow, IssuedCode, Redemption, StampCode, UseCount
from shared.learning.schemas import ActivitySummary
from shared.storage.clients import Storage
from shared.storage.names import ACTIVITIES, CODES, VOCABULARY
from shared.storage.tables import (
    Entity,
    check_key,
    create_if_absent,
    delete_if_match,
    etag_of,
    get_entity,
    partition,
    query_all,
    submit_batches,
    update_if_match,
    upsert_op,
)

ACTIVITY_PK = "activity"
CODE_RK, CLAIM_RK, USES_RK = "code", "claim", "uses"
# On a code row: its claim / use count lives in the activity's code listing (every code issued since the
# code list shows which codes are used); without it, in the code's own `stampcodes` partition.
USES_IN_LISTING = "uses_in_listing"
# What a report reads of a listed activity (its window, to count what was on offer).
WINDOW_FIELDS = ["RowKey", "title", "school_id", "partner_id", "valid_from", "valid_to"]


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


# --- vocabulary ------------------------------------------------------------------------------------

def added_terms(storage: Storage, kinds: Iterable[str]) -> dict[str, list[str]]:
    table = storage.table(VOCABULARY)
    return {kind: [e["name"] for e in partition(table, kind)] for kind in kinds}


def add_term(storage: Storage, kind: str, slug: str, name: str) -> None:
    storage.table(VOCABULARY).upsert_entity({"PartitionKey": kind, "RowKey": slug, "name": name})


# --- activities ------------------------------------------------------------------------------------

def _partner_listing(partner_id: str) -> str:
    return f"partner-{check_key(partner_id)}"


def _school_listing(school_id: str) -> str:
    return f"school-{check_key(school_id)}"


def _owner_listing(a: Activity) -> str:
    return _school_listing(a.school_id) if a.school_id else _partner_listing(a.partner_id or "")


def _activity_from(e: Entity) -> Activity:
    return Activity(
        id=e["RowKey"], title=e["title"], description=e.get("description") or None, minutes=int(e["minutes"]),
        skills=tuple(json.loads(e.get("skills") or "[]")), interests=tuple(json.loads(e.get("interests") or "[]")),
        employer_engagement=bool(e.get("employer_engagement")), partner_id=e.get("partner_id") or None,
        school_id=e.get("school_id") or None, valid_from=_day(e.get("valid_from")), valid_to=_day(e.get("valid_to")),
        created_by=e.get("created_by") or "", created_at=e["created_at"],
    )


def _activity_entity(a: Activity, partition_key: str) -> Entity:
    return {
        "PartitionKey": partition_key, "RowKey": a.id, "title": a.title, "description": a.description or "",
        "minutes": a.minutes, "skills": json.dumps(list(a.skills)), "interests": json.dumps(list(a.interests)),
        "employer_engagement": a.employer_engagement, "partner_id": a.partner_id or "",
        "school_id": a.school_id or "", "valid_from": a.valid_from.isoformat() if a.valid_from else "",
        "valid_to": a.valid_to.isoformat() if a.valid_to else "", "created_by": a.created_by,
        "created_at": a.created_at,
    }


def _window_from(e: Entity) -> ActivityWindow:
    return ActivityWindow(id=e["RowKey"], title=e.get("title") or "", school_id=e.get("school_id") or None,
                          valid_from=e.get("valid_from") or None, valid_to=e.get("valid_to") or None)


def put_activity(storage: Storage, activity: Activity) -> None:
    """The canonical row, then its copy in the owner's listing partition."""
    table = storage.table(ACTIVITIES)
    table.upsert_entity(_activity_entity(activity, ACTIVITY_PK))
    table.upsert_entity(_activity_entity(activity, _owner_listing(activity)))


def get_activity(storage: Storage, activity_id: str) -> Activity | None:
    e = get_entity(storage.table(ACTIVITIES), ACTIVITY_PK, check_key(activity_id))
    return _activity_from(e) if e else None


def partner_activities(storage: Storage, partner_id: str) -> list[Activity]:
    """A partner's learning destinations: one partition query."""
    return [_activity_from(e) for e in partition(storage.table(ACTIVITIES), _partner_listing(partner_id))]


def school_activities(storage: Storage, school_id: str) -> list[Activity]:
    """A school's own clubs: one partition query."""
    return [_activity_from(e) for e in partition(storage.table(ACTIVITIES), _school_listing(school_id))]


def _windows(storage: Storage, listings: Iterable[str]) -> list[ActivityWindow]:
    table = storage.table(ACTIVITIES)
    return [_window_from(e) for listing in listings for e in partition(table, listing, select=WINDOW_FIELDS)]


def windows_offered_to_school(storage: Storage, partner_id: str, school_id: str) -> list[ActivityWindow]:
    """The windows of the school's partner's learning destinations and of the school's own clubs (one
    partition query each)."""
    return _windows(storage, (_partner_listing(partner_id), _school_listing(school_id)))


def partner_windows(storage: Storage, partner_id: str) -> list[ActivityWindow]:
    return _windows(storage, [_partner_listing(partner_id)])


def school_windows(storage: Storage, school_id: str) -> list[ActivityWindow]:
    return _windows(storage, [_school_listing(school_id)])


def all_partner_windows(storage: Storage) -> Iterator[ActivityWindow]:
    """Every partner's learning destinations: one range query over the `partner-*` partitions."""
    rows = query_all(storage.table(ACTIVITIES), "PartitionKey ge @lo and PartitionKey lt @hi",
                     {"lo": "partner-", "hi": "partner."}, select=WINDOW_FIELDS)
    return (_window_from(e) for e in rows)


def window_of(storage: Storage, activity_id: str) -> ActivityWindow | None:
    """One activity's window from its canonical row (reports: activities used but no longer listed)."""
    e = get_entity(storage.table(ACTIVITIES), ACTIVITY_PK, activity_id)
    return _window_from(e) if e else None


# --- stamp codes -------------------------------------------------------------------------------------

def _code_entity(code: IssuedCode, activity: Activity, created_at: str) -> Entity:
    return {
        "PartitionKey": code.code, "RowKey": CODE_RK, "activity_id": activity.id, "title": activity.title,
        "minutes": activity.minutes, "skills": json.dumps(list(activity.skills)),
        "interests": json.dumps(list(activity.interests)), "employer_engagement": activity.employer_engagement,
        "school_id": activity.school_id or "", "partner_id": activity.partner_id or "",
        "single_use": code.single_use, "max_uses": code.max_uses or 0,
        "valid_from": code.valid_from.isoformat() if code.valid_from else "",
        "valid_to": code.valid_to.isoformat() if code.valid_to else "",
        "created_at": created_at, USES_IN_LISTING: True,
    }


def _issued_code(code: str, e: Entity) -> IssuedCode:
    return IssuedCode(
        code=code, single_use=bool(e.get("single_use")), max_uses=int(e.get("max_uses") or 0) or None,
        valid_from=_day(e.get("valid_from")), valid_to=_day(e.get("valid_to")),
    )


def create_code(storage: Storage, code: IssuedCode, activity: Activity, created_at: str) -> bool:
    """Claim the code for the activity by insert; False when the code is already anyone's."""
    return create_if_absent(storage.table(CODES), _code_entity(code, activity, created_at))


def _codes_listing(activity_id: str) -> str:
    return f"codes-{check_key(activity_id)}"


def list_issued_codes(storage: Storage, activity: Activity, codes: list[IssuedCode], created_at: str) -> None:
    """Copy new codes into the activity's code listing (for code sheets), in entity-group transactions."""
    listing = [
        upsert_op(_code_entity(c, activity, created_at) | {"PartitionKey": _codes_listing(activity.id),
                                                           "RowKey": c.code})
        for c in codes
    ]
    submit_batches(storage.table(ACTIVITIES), listing)


def issued_codes(storage: Storage, activity_id: str) -> list[IssuedCode]:
    """The activity's codes with how often each was used: one partition query (codes and their use rows).

    A single-use or capped code issued before use rows were kept in the listing costs one point read of
    its old claim / count row; uncapped multi-use codes are never counted (`uses` None).
    """
    rows = {e["RowKey"]: e for e in partition(storage.table(ACTIVITIES), _codes_listing(activity_id))}
    listed = []
    for key, e in rows.items():
        if "|" in key:
            continue
        code = _issued_code(key, e)
        if not (code.single_use or code.max_uses):
            listed.append(code)
            continue
        kind = CLAIM_RK if code.single_use else USES_RK
        mark = rows.get(f"{key}|{kind}") if e.get(USES_IN_LISTING) else get_entity(storage.table(CODES), key, kind)
        listed.append(replace(code, uses=_uses_marked(code, mark)))
    return listed


def _uses_marked(code: IssuedCode, mark: Entity | None) -> int:
    """Uses recorded by a code's claim row (single-use) or use-count row (capped); 0 when there is none."""
    if mark is None:
        return 0
    return 1 if code.single_use else int(mark["count"])


def get_stamp_code(storage: Storage, code: str) -> StampCode | None:
    e = get_entity(storage.table(CODES), code, CODE_RK)
    if e is None:
        return None
    minutes = int(e["minutes"])
    return StampCode(
        code=e["PartitionKey"],
        activity=ActivitySummary(
            id=e["activity_id"], title=e["title"], hours=minutes_to_hours(minutes),
            skills=json.loads(e.get("skills") or "[]"), interests=json.loads(e.get("interests") or "[]"),
            employer_engagement=bool(e.get("employer_engagement")),
        ),
        minutes=minutes,
        school_id=e.get("school_id") or None,
        single_use=bool(e.get("single_use")),
        max_uses=int(e.get("max_uses") or 0) or None,
        valid_from=_day(e.get("valid_from")),
        valid_to=_day(e.get("valid_to")),
        uses_in_listing=bool(e.get(USES_IN_LISTING)),
    )


def _use_row(storage: Storage, kind: str, code: str, activity_id: str,
             in_listing: bool) -> tuple[TableClient, str, str]:
    """Where a code's claim or use count lives: beside its listing row, or (older codes) in its own partition."""
    if in_listing:
        return storage.table(ACTIVITIES), _codes_listing(activity_id), f"{code}|{kind}"
    return storage.table(CODES), code, kind


def claim_single_use(storage: Storage, code: StampCode, pupil_id: str, claimed_at: str) -> bool:
    """Insert the code's claim for the pupil; True also when the claim is the pupil's own from an earlier try."""
    table, pk, rk = _use_row(storage, CLAIM_RK, code.code, code.activity.id, code.uses_in_listing)
    if create_if_absent(table, {"PartitionKey": pk, "RowKey": rk, "pupil_id": pupil_id, "claimed_at": claimed_at}):
        return True
    claim = get_entity(table, pk, rk)
    return claim is not None and claim.get("pupil_id") == pupil_id


def unclaim_single_use(storage: Storage, code: StampCode, pupil_id: str) -> None:
    """Give a single-use code back after a redemption that failed: delete its claim if it is still this
    pupil's and unchanged since (someone else's claim, or an erased pupil's, stays)."""
    table, pk, rk = _use_row(storage, CLAIM_RK, code.code, code.activity.id, code.uses_in_listing)
    claim = get_entity(table, pk, rk)
    if claim is not None and claim.get("pupil_id") == pupil_id:
        with contextlib.suppress(ConcurrencyConflict):
            delete_if_match(table, pk, rk, etag_of(claim))


def read_uses(storage: Storage, code: StampCode) -> UseCount:
    table, pk, rk = _use_row(storage, USES_RK, code.code, code.activity.id, code.uses_in_listing)
    row = get_entity(table, pk, rk)
    return UseCount(int(row["count"]), row.metadata["etag"]) if row else UseCount(0)


def write_uses(storage: Storage, code: StampCode, count: int, etag: str | None) -> None:
    """Write the count over the one read (`etag`), or insert it when there was none; ConcurrencyConflict if beaten."""
    codes, pk, rk = _use_row(storage, USES_RK, code.code, code.activity.id, code.uses_in_listing)
    entity = {"PartitionKey": pk, "RowKey": rk, "count": count}
    if etag is None:
        if not create_if_absent(codes, entity):
            raise ConcurrencyConflict("The code's use count was created meanwhile.")
        return
    update_if_match(codes, entity, etag)


def release_claim(storage: Storage, redemption: Redemption) -> None:
    """Remove an erased pupil from the claim of a single-use code they redeemed. The claim row stays, without
    anyone's id, so a used single-use code stays used after erasure."""
    if not (redemption.single_use and redemption.code):
        return
    table, pk, rk = _use_row(storage, CLAIM_RK, redemption.code, redemption.activity.id, redemption.uses_in_listing)
    table.upsert_entity({"PartitionKey": pk, "RowKey": rk, "pupil_id": "", "erased": True})
