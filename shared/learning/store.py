"""Learning's rows: the only code that knows their keys and format.

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
- `pupils` (the pupil rows themselves are `roster.store`'s): a pupil's learning record lives beside their
  pupil row in the school's partition, RowKey `L|<pupil id>|<kind>|<rest>`, kinds `r` (a redemption, rest =
  the code) and `a` (an award reached, rest = its two-digit rank). The range `L|<pupil id>|` ...
  `L|<pupil id>}` holds exactly one pupil's record ("}" sorts right after "|"). The learning fields of the
  pupil row (totals, `learning_stats`, failed-code counts) are written only here, by merge, so a
  redemption and the pupil's totals change in one entity-group transaction.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import date

from azure.core import MatchConditions
from azure.data.tables import TableClient, TableTransactionError, TransactionOperation, UpdateMode

from shared.errors import ConcurrencyConflict
from shared.hours import minutes_to_hours
from shared.learning import stats as learning_stats
from shared.learning.awards import Award
from shared.learning.errors import CodeAlreadyRedeemed
from shared.learning.model import Activity, AwardHolder, AwardRow, IssuedCode, Learner, StampCode, UseCount
from shared.learning.schemas import ActivitySummary
from shared.roster.model import PupilStatus
from shared.roster.rules import cohort_of
from shared.roster.store import PUPIL_PREFIX, PUPIL_RANGE_END
from shared.storage.clients import Storage
from shared.storage.names import ACTIVITIES, CODES, PUPILS, VOCABULARY
from shared.storage.tables import (
    MAX_BATCH,
    Entity,
    check_key,
    create_if_absent,
    delete_op,
    get_entity,
    partition,
    query_all,
    submit_batches,
    update_if_match,
    upsert_op,
)

ACTIVITY_PK = "activity"
# On an award row: its verification code's record is known to be published (set after the fact, in batches).
VERIFICATION_PUBLISHED = "verification_published"
CODE_RK, CLAIM_RK, USES_RK = "code", "claim", "uses"
# On a code row: its claim / use count lives in the activity's code listing (every code issued since the
# code list shows which codes are used); without it, in the code's own `stampcodes` partition.
USES_IN_LISTING = "uses_in_listing"
REDEMPTION = "r"
AWARD = "a"


# --- vocabulary ------------------------------------------------------------------------------------

def added_terms(storage: Storage, kinds: Iterable[str]) -> dict[str, list[str]]:
    table = storage.table(VOCABULARY)
    return {kind: [e["name"] for e in partition(table, kind)] for kind in kinds}


def add_term(storage: Storage, kind: str, slug: str, name: str) -> None:
    storage.table(VOCABULARY).upsert_entity({"PartitionKey": kind, "RowKey": slug, "name": name})


# --- activities ------------------------------------------------------------------------------------

def partner_listing(partner_id: str) -> str:
    return f"partner-{check_key(partner_id)}"


def school_listing(school_id: str) -> str:
    return f"school-{check_key(school_id)}"


def owner_listing(a: Activity) -> str:
    return f"school-{a.school_id}" if a.school_id else f"partner-{a.partner_id}"


def activity_from(e: Entity) -> Activity:
    return Activity(
        id=e["RowKey"], title=e["title"], description=e.get("description") or None, minutes=int(e["minutes"]),
        skills=tuple(json.loads(e.get("skills") or "[]")), interests=tuple(json.loads(e.get("interests") or "[]")),
        employer_engagement=bool(e.get("employer_engagement")), partner_id=e.get("partner_id") or None,
        school_id=e.get("school_id") or None,
        valid_from=date.fromisoformat(e["valid_from"]) if e.get("valid_from") else None,
        valid_to=date.fromisoformat(e["valid_to"]) if e.get("valid_to") else None,
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


def put_activity(storage: Storage, activity: Activity) -> None:
    """The canonical row, then its copy in the owner's listing partition."""
    table = storage.table(ACTIVITIES)
    table.upsert_entity(_activity_entity(activity, ACTIVITY_PK))
    table.upsert_entity(_activity_entity(activity, owner_listing(activity)))


def get_activity(storage: Storage, activity_id: str) -> Activity | None:
    e = get_entity(storage.table(ACTIVITIES), ACTIVITY_PK, check_key(activity_id))
    return activity_from(e) if e else None


def listed_activities(storage: Storage, listing: str) -> list[Activity]:
    """The activities of one listing partition (`partner_listing(...)` or `school_listing(...)`)."""
    return [activity_from(e) for e in partition(storage.table(ACTIVITIES), listing)]


def listing_rows(storage: Storage, listings: Iterable[str], *, select: list[str]) -> Iterator[Entity]:
    """Selected fields of the rows of listing partitions, partition after partition (one query each)."""
    table = storage.table(ACTIVITIES)
    for listing in listings:
        yield from partition(table, listing, select=select)


def all_partner_listing_rows(storage: Storage, *, select: list[str]) -> Iterator[Entity]:
    """Every partner's listed activities: one range query over the `partner-*` partitions."""
    yield from query_all(storage.table(ACTIVITIES), "PartitionKey ge @lo and PartitionKey lt @hi",
                         {"lo": "partner-", "hi": "partner."}, select=select)


def activity_row(storage: Storage, activity_id: str) -> Entity | None:
    """The canonical row, whole (reports read a few fields of activities no longer listed)."""
    return get_entity(storage.table(ACTIVITIES), ACTIVITY_PK, activity_id)


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
        valid_from=date.fromisoformat(e["valid_from"]) if e.get("valid_from") else None,
        valid_to=date.fromisoformat(e["valid_to"]) if e.get("valid_to") else None,
    )


def create_code(storage: Storage, code: IssuedCode, activity: Activity, created_at: str) -> bool:
    """Claim the code for the activity by insert; False when the code is already anyone's."""
    return create_if_absent(storage.table(CODES), _code_entity(code, activity, created_at))


def list_issued_codes(storage: Storage, activity: Activity, codes: list[IssuedCode], created_at: str) -> None:
    """Copy new codes into the activity's code listing (for code sheets), in entity-group transactions."""
    listing = [
        upsert_op({k: v for k, v in _code_entity(c, activity, created_at).items()
                   if k not in ("PartitionKey", "RowKey")}
                  | {"PartitionKey": codes_listing(activity.id), "RowKey": c.code})
        for c in codes
    ]
    submit_batches(storage.table(ACTIVITIES), listing)


def codes_listing(activity_id: str) -> str:
    return f"codes-{check_key(activity_id)}"


def issued_codes(storage: Storage, activity_id: str) -> list[IssuedCode]:
    """The activity's codes with how often each was used: one partition query (codes and their use rows).

    A single-use or capped code issued before use rows were kept in the listing costs one point read of
    its old claim / count row; uncapped multi-use codes are never counted (`uses` None).
    """
    rows = {e["RowKey"]: e for e in partition(storage.table(ACTIVITIES), codes_listing(activity_id))}
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
        valid_from=date.fromisoformat(e["valid_from"]) if e.get("valid_from") else None,
        valid_to=date.fromisoformat(e["valid_to"]) if e.get("valid_to") else None,
        uses_in_listing=bool(e.get(USES_IN_LISTING)),
    )


def _use_row(storage: Storage, kind: str, code: str, activity_id: str,
             in_listing: bool) -> tuple[TableClient, str, str]:
    """Where a code's claim or use count lives: beside its listing row, or (older codes) in its own partition."""
    if in_listing:
        return storage.table(ACTIVITIES), codes_listing(activity_id), f"{code}|{kind}"
    return storage.table(CODES), code, kind


def claim_single_use(storage: Storage, code: StampCode, pupil_id: str, claimed_at: str) -> bool:
    """Insert the code's claim for the pupil; True also when the claim is the pupil's own from an earlier try."""
    table, pk, rk = _use_row(storage, CLAIM_RK, code.code, code.activity.id, code.uses_in_listing)
    if create_if_absent(table, {"PartitionKey": pk, "RowKey": rk, "pupil_id": pupil_id, "claimed_at": claimed_at}):
        return True
    claim = get_entity(table, pk, rk)
    return claim is not None and claim.get("pupil_id") == pupil_id


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


# --- the learning side of a pupil row ------------------------------------------------------------------

def read_learner(storage: Storage, school_id: str, pupil_id: str) -> Learner | None:
    if not pupil_id.startswith(PUPIL_PREFIX):
        return None
    e = get_entity(storage.table(PUPILS), school_id, pupil_id)
    return learner_from(e) if e else None


def learner_from(e: Entity) -> Learner:
    """The learning side of a pupil row already read (e.g. by the request's authentication)."""
    return Learner(
        school_id=e["PartitionKey"], pupil_id=e["RowKey"],
        active=e.get("status") == PupilStatus.ACTIVE,
        restricted=bool(e.get("restricted")), erasing=bool(e.get("erasing")),
        total_minutes=int(e.get("total_minutes") or 0),
        stats=learning_stats.load(e.get(learning_stats.STATS_FIELD)),
        etag=e.metadata["etag"],
    )


def certificate_id(school_id: str, pupil_id: str, award: Award) -> str:
    """Says where the award lives, so a certificate is one point read; access is checked on every fetch."""
    return f"{school_id}.{pupil_id}.{award.rank:02d}"


def learning_key(pupil_id: str, kind: str, rest: str) -> str:
    return f"L|{pupil_id}|{kind}|{rest}"


def learning_range(pupil_id: str) -> tuple[str, str]:
    return f"L|{pupil_id}|", f"L|{pupil_id}}}"


def write_redemption(
    storage: Storage, learner: Learner, code: StampCode, *, redemption_id: str, redeemed_at: str,
    redeemed_by: str, total_minutes: int, stats: str, awards: list[Award], record_key: str | None = None,
) -> None:
    """One entity-group transaction: insert the redemption row (its key holds the code, so "once per pupil" is
    the insert), update the totals under the pupil row's ETag, insert the awards reached.

    Raises CodeAlreadyRedeemed when the pupil has this code already, ConcurrencyConflict when the pupil row
    changed (or went) since `learner` was read. `record_key` replaces the code in the row's key for hours
    recorded without a code (a group session: activity and session id), keeping "once" an insert.
    """
    school_id, pupil_id = learner.school_id, learner.pupil_id
    record = {
        "PartitionKey": school_id, "RowKey": learning_key(pupil_id, REDEMPTION, record_key or code.code),
        "redemption_id": redemption_id, "code": code.code, "single_use": code.single_use,
        "activity_id": code.activity.id, "title": code.activity.title, "minutes": code.minutes,
        "skills": json.dumps(code.activity.skills), "interests": json.dumps(code.activity.interests),
        "employer_engagement": code.activity.employer_engagement, "redeemed_at": redeemed_at,
        "redeemed_by": redeemed_by, USES_IN_LISTING: code.uses_in_listing,
    }
    operations = [
        (TransactionOperation.CREATE, record),
        (TransactionOperation.UPDATE,
         {"PartitionKey": school_id, "RowKey": pupil_id, "total_minutes": total_minutes,
          learning_stats.STATS_FIELD: stats},
         {"mode": UpdateMode.MERGE, "etag": learner.etag, "match_condition": MatchConditions.IfNotModified}),
    ]
    for award in awards:
        operations.append((TransactionOperation.CREATE, {
            "PartitionKey": school_id, "RowKey": learning_key(pupil_id, AWARD, f"{award.rank:02d}"),
            "award_key": award.key, "name": award.name, "hours": award.hours, "achieved_at": redeemed_at,
            "certificate_id": certificate_id(school_id, pupil_id, award), "redemption_id": redemption_id,
        }))
    table = storage.table(PUPILS)
    try:
        table.submit_transaction(operations)  # type: ignore[arg-type]
    except TableTransactionError as exc:
        if exc.index == 0 and exc.error_code == "EntityAlreadyExists":
            earlier = get_entity(table, school_id, record["RowKey"])
            error = CodeAlreadyRedeemed("You have already redeemed this code.")
            error.extra["redemption_id"] = earlier["redemption_id"] if earlier else None
            raise error from None
        raise ConcurrencyConflict("The pupil's record changed meanwhile.") from None


# --- a pupil's learning record -----------------------------------------------------------------------

def learning_rows(storage: Storage, school_id: str, pupil_id: str) -> Iterator[Entity]:
    lo, hi = learning_range(pupil_id)
    yield from query_all(
        storage.table(PUPILS),
        "PartitionKey eq @s and RowKey ge @lo and RowKey lt @hi",
        {"s": school_id, "lo": lo, "hi": hi},
    )


def kind_of(row: Entity) -> str:
    """REDEMPTION or AWARD."""
    return row["RowKey"].split("|")[2]


def award_from(e: Entity) -> AwardRow:
    """An award row as read (whole, or with the fields of `GRADUATION_FIELDS`)."""
    return AwardRow(
        rank=int(e["RowKey"].rsplit("|", 1)[1]), award_key=e["award_key"], name=e["name"], hours=int(e["hours"]),
        achieved_at=e["achieved_at"], certificate_id=e["certificate_id"],
        verification_code=e.get("verification_code") or None, etag=e.metadata["etag"],
        verification_published=bool(e.get(VERIFICATION_PUBLISHED)),
    )


def get_award(storage: Storage, school_id: str, pupil_id: str, rank: str) -> AwardRow | None:
    e = get_entity(storage.table(PUPILS), school_id, learning_key(pupil_id, AWARD, rank))
    return award_from(e) if e else None


def set_verification_code(storage: Storage, school_id: str, pupil_id: str, award: AwardRow, code: str) -> str:
    """Give the award its verification code, unless someone else just did; returns the code that holds."""
    table = storage.table(PUPILS)
    key = learning_key(pupil_id, AWARD, f"{award.rank:02d}")
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
             {"PartitionKey": school_id, "RowKey": learning_key(pupil_id, AWARD, f"{award.rank:02d}"),
              "verification_code": code},
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
             {"PartitionKey": school_id, "RowKey": learning_key(pupil_id, AWARD, f"{award.rank:02d}"),
              VERIFICATION_PUBLISHED: True},
             {"mode": UpdateMode.MERGE})
            for pupil_id, award in awards[start : start + MAX_BATCH]
        ]
        with contextlib.suppress(TableTransactionError):
            table.submit_transaction(operations)  # type: ignore[arg-type]


def award_verification_codes(rows: Iterable[Entity]) -> list[str]:
    """The verification codes given to the awards among these learning rows (with those an award row
    answers for after a move of school, when both schools had given that award)."""
    found = []
    for r in rows:
        if kind_of(r) == AWARD:
            found += [r["verification_code"]] if r.get("verification_code") else []
            found += json.loads(r.get("earlier_verification_codes") or "[]")
    return found


# What a graduation list or an assembly's certificates read of pupil rows and award rows.
GRADUATION_FIELDS = [
    "RowKey", "first_name", "last_name", "status", "restricted", "erasing", "cohort", "date_of_birth",
    "total_minutes", "award_key", "name", "hours", "achieved_at", "certificate_id", "verification_code",
    VERIFICATION_PUBLISHED,
]


def _holder(e: Entity) -> AwardHolder:
    return AwardHolder(
        id=e["RowKey"], first_name=e["first_name"], last_name=e["last_name"], status=e.get("status") or "active",
        restricted=bool(e.get("restricted")), erasing=bool(e.get("erasing")),
        cohort=int(e.get("cohort") or 0) or cohort_of(date.fromisoformat(e["date_of_birth"])),
        total_minutes=int(e.get("total_minutes") or 0),
    )


def awards_between(storage: Storage, school_id: str, start: str, end: str) -> list[tuple[AwardHolder, AwardRow]]:
    """The awards the school's pupils reached from `start` to before `end` (ISO instants), each with its pupil.

    One query on the school's partition: the pupil range, plus rows whose `achieved_at` falls in the
    period (only award rows carry it), with just the fields a graduation list or a certificate needs.
    """
    rows = list(query_all(
        storage.table(PUPILS),
        "PartitionKey eq @s and ( ( RowKey ge @plo and RowKey lt @phi ) or "
        "( achieved_at ge @start and achieved_at lt @end ) )",
        {"s": school_id, "plo": PUPIL_PREFIX, "phi": PUPIL_RANGE_END, "start": start, "end": end},
        select=GRADUATION_FIELDS,
    ))
    holders = {r["RowKey"]: _holder(r) for r in rows if r["RowKey"].startswith(PUPIL_PREFIX)}
    awards = [r for r in rows if not r["RowKey"].startswith(PUPIL_PREFIX) and kind_of(r) == AWARD]
    return [(holders[_owner(r)], award_from(r)) for r in awards if _owner(r) in holders]


def _owner(row: Entity) -> str:
    """The pupil a learning row (`L|<pupil>|<kind>|<key>`) belongs to."""
    return row["RowKey"].split("|")[1]


def delete_learning_rows(storage: Storage, school_id: str, rows: Iterable[Entity]) -> None:
    submit_batches(storage.table(PUPILS), [delete_op(school_id, r["RowKey"]) for r in rows])


def release_claims(storage: Storage, pupil_id: str, rows: Iterable[Entity]) -> None:
    """Remove the pupil from the single-use claims they hold (PK <code>, RK "claim").

    The claim row stays, without anyone's id, so a used single-use code stays used after erasure.
    """
    for row in rows:
        if row["RowKey"].split("|")[2:3] == [REDEMPTION] and row.get("single_use"):
            table, pk, rk = _use_row(storage, CLAIM_RK, row["code"], row.get("activity_id") or "",
                                     bool(row.get(USES_IN_LISTING)))
            table.upsert_entity({"PartitionKey": pk, "RowKey": rk, "pupil_id": "", "erased": True})


# --- a record moving school (transfer codes) -----------------------------------------------------------

MOVED = "t"  # a marker row in the new record: this transfer has been counted


def moved_marker_key(pupil_id: str, transfer_key: str) -> str:
    return learning_key(pupil_id, MOVED, transfer_key[:32])


def insert_moved_redemption(storage: Storage, school_id: str, pupil_id: str, source: Entity,
                            transfer_key: str) -> Entity | None:
    """Insert a copy of an old school's redemption row into the pupil's record, marked with the transfer.

    Returns the row that counts for this transfer (the copy, or one this transfer copied before), or None
    when the pupil already has that code from their own redemption (never counted twice).
    """
    table = storage.table(PUPILS)
    code = source["RowKey"].split("|", 3)[3]
    copy = {k: v for k, v in source.items() if k not in ("PartitionKey", "RowKey")}
    copy |= {"PartitionKey": school_id, "RowKey": learning_key(pupil_id, REDEMPTION, code), "transfer": transfer_key}
    if create_if_absent(table, copy):
        return copy
    existing = get_entity(table, school_id, copy["RowKey"])
    return existing if existing is not None and existing.get("transfer") == transfer_key else None


def commit_move(storage: Storage, learner: Learner, *, transfer_key: str, moved_at: str, from_school_id: str,
                minutes: int, total_minutes: int, stats: str, new_awards: list[Entity],
                earlier_codes: dict[str, list[str]]) -> bool:
    """One entity-group transaction: the transfer's marker row, the totals under the pupil row's ETag, the
    awards reached, and the old codes an existing award row now answers for. False when the marker
    exists (this transfer was already counted); ConcurrencyConflict when the pupil row changed."""
    school_id, pupil_id = learner.school_id, learner.pupil_id
    operations: list = [
        (TransactionOperation.CREATE, {"PartitionKey": school_id, "RowKey": moved_marker_key(pupil_id, transfer_key),
                                       "moved_at": moved_at, "minutes": minutes, "from_school_id": from_school_id}),
        (TransactionOperation.UPDATE,
         {"PartitionKey": school_id, "RowKey": pupil_id, "total_minutes": total_minutes,
          learning_stats.STATS_FIELD: stats},
         {"mode": UpdateMode.MERGE, "etag": learner.etag, "match_condition": MatchConditions.IfNotModified}),
    ]
    operations += [(TransactionOperation.CREATE, {"PartitionKey": school_id, **row}) for row in new_awards]
    operations += [(TransactionOperation.UPDATE, {"PartitionKey": school_id, "RowKey": row_key,
                                                  "earlier_verification_codes": json.dumps(codes)},
                    {"mode": UpdateMode.MERGE}) for row_key, codes in earlier_codes.items()]
    try:
        storage.table(PUPILS).submit_transaction(operations)  # type: ignore[arg-type]
        return True
    except TableTransactionError as exc:
        if exc.index == 0 and exc.error_code == "EntityAlreadyExists":
            return False
        raise ConcurrencyConflict("The pupil's record changed meanwhile.") from None
