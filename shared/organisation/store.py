"""Table mapping of partners, schools and staff.

- partners: PK "partner", RK partner id (the national list is small).
- schools:  PK "school", RK school id (point read), plus a listing row per partner
            (PK "p-<partner id>", RK school id) so a partner's schools are one partition read.
- staff:    PK "staff", RK staff id (point read), plus listing rows that hold no personal data
            (PK "school-<id>" / "partner-<id>" / "trust", RK staff id).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

from azure.data.tables import UpdateMode

from shared.credentials import SESSION_VERSION
from shared.errors import ConcurrencyConflict
from shared.organisation.model import DobPolicy, Partner, School, StaffMember, StaffRow, StaffStatus
from shared.security.principal import Role
from shared.storage.clients import Storage
from shared.storage.names import PARTNERS, SCHOOLS, STAFF
from shared.storage.tables import (
    Entity,
    check_key,
    etag_of,
    get_entity,
    increment_if_match,
    partition,
    query_all,
    update_if_match,
)

PARTNER_PK = "partner"
SCHOOL_PK = "school"
STAFF_PK = "staff"


def _opt(value: str | None) -> str | None:
    return value or None


# --- partners -------------------------------------------------------------------------------------

def partner_from(e: Entity) -> Partner:
    return Partner(id=e["RowKey"], name=e["name"], created_at=e["created_at"])


def put_partner(storage: Storage, partner: Partner) -> None:
    storage.table(PARTNERS).upsert_entity(
        {"PartitionKey": PARTNER_PK, "RowKey": partner.id, "name": partner.name, "created_at": partner.created_at}
    )


def get_partner(storage: Storage, partner_id: str) -> Partner | None:
    e = get_entity(storage.table(PARTNERS), PARTNER_PK, check_key(partner_id))
    return partner_from(e) if e else None


def partner_ids_after(storage: Storage, after: str) -> Iterator[str]:
    """Partner ids in key order after `after` (one query, ids only): the roll-up's resumable walk."""
    rows = query_all(storage.table(PARTNERS), "PartitionKey eq @pk and RowKey gt @after",
                     {"pk": PARTNER_PK, "after": after}, select=["RowKey"])
    return (e["RowKey"] for e in rows)


def all_partners(storage: Storage) -> list[Partner]:
    return sorted((partner_from(e) for e in partition(storage.table(PARTNERS), PARTNER_PK)), key=lambda p: p.name)


# --- schools --------------------------------------------------------------------------------------

def _school_from(e: Entity) -> School:
    return School(
        id=e["RowKey"],
        partner_id=e["partner_id"],
        name=e["name"],
        urn=_opt(e.get("urn")),
        dob_policy=DobPolicy(e.get("dob_policy") or "exact"),
        active=bool(e.get("active", True)),
        created_at=e["created_at"],
        left_programme_at=_opt(e.get("left_programme_at")),
        last_sync_at=_opt(e.get("last_sync_at")),
        oneroster_org_id=_opt(e.get("oneroster_org_id")),
        open_badges=bool(e.get("open_badges", False)),
        etag=etag_of(e),
    )


def _listing(partner_id: str) -> str:
    return f"p-{partner_id}"


def _school_entity(school: School, partition_key: str) -> Entity:
    return {
        "PartitionKey": partition_key,
        "RowKey": school.id,
        "partner_id": school.partner_id,
        "name": school.name,
        "urn": school.urn or "",
        "dob_policy": school.dob_policy.value,
        "active": school.active,
        "created_at": school.created_at,
        "left_programme_at": school.left_programme_at or "",
        "last_sync_at": school.last_sync_at or "",
        "oneroster_org_id": school.oneroster_org_id or "",
        "open_badges": school.open_badges,
    }


def create_school(storage: Storage, school: School) -> None:
    """Canonical row first, then the partner's listing copy; a retry after a crash converges."""
    table = storage.table(SCHOOLS)
    table.upsert_entity(_school_entity(school, SCHOOL_PK))
    table.upsert_entity(_school_entity(school, _listing(school.partner_id)))


def update_school(storage: Storage, before: School, after: School) -> School:
    """Write the fields `after` changes over the row `before` was read from (its ETag): ConcurrencyConflict
    when the row changed meanwhile, so the caller decides again on the fresh row (`retry_on_conflict`).
    The listing copy is then merged with the same fields only, so two changes of different fields both
    survive there too."""
    if before.etag is None:
        raise ValueError("update_school needs the school as read from storage")
    old, new = _school_entity(before, SCHOOL_PK), _school_entity(after, SCHOOL_PK)
    changed = {k: v for k, v in new.items() if old.get(k) != v}
    table = storage.table(SCHOOLS)
    etag = update_if_match(table, {"PartitionKey": SCHOOL_PK, "RowKey": before.id, **changed}, before.etag,
                           mode=UpdateMode.MERGE)
    table.upsert_entity({"PartitionKey": _listing(before.partner_id), "RowKey": before.id, **changed},
                        mode=UpdateMode.MERGE)
    return replace(after, etag=etag)


def record_sync(storage: Storage, school: School, at: str) -> bool:
    """Note the time of a roster sync on the school (canonical row and listing copy), changing nothing else.

    The canonical write is conditional on the row the sync started from: True when nothing changed meanwhile;
    False when the school was changed during the sync (then only `last_sync_at` is merged, and the caller
    re-reads the school to act on what changed, e.g. a date-of-birth policy switched to generic).
    """
    table = storage.table(SCHOOLS)
    mark = {"PartitionKey": SCHOOL_PK, "RowKey": school.id, "last_sync_at": at}
    unchanged = school.etag is not None
    if school.etag is not None:
        try:
            update_if_match(table, mark, school.etag, mode=UpdateMode.MERGE)
        except ConcurrencyConflict:
            unchanged = False
    if not unchanged:
        table.update_entity(mark, mode=UpdateMode.MERGE)
    table.upsert_entity({**mark, "PartitionKey": _listing(school.partner_id)}, mode=UpdateMode.MERGE)
    return unchanged


def get_school(storage: Storage, school_id: str) -> School | None:
    e = get_entity(storage.table(SCHOOLS), SCHOOL_PK, check_key(school_id))
    return _school_from(e) if e else None


def schools_of_partner(storage: Storage, partner_id: str) -> list[School]:
    rows = partition(storage.table(SCHOOLS), _listing(check_key(partner_id)))
    return sorted((_school_from(e) for e in rows), key=lambda s: s.name)


def all_schools(storage: Storage) -> Iterable[School]:
    return (_school_from(e) for e in partition(storage.table(SCHOOLS), SCHOOL_PK))


# --- staff ----------------------------------------------------------------------------------------

def _staff_listing(role: Role, school_id: str | None, partner_id: str | None) -> str:
    if role is Role.SCHOOL_STAFF:
        return f"school-{school_id}"
    if role is Role.PARTNER_MANAGER:
        return f"partner-{partner_id}"
    return "trust"


def _staff_from(e: Entity) -> StaffMember:
    return StaffMember(
        id=e["RowKey"],
        role=Role(e["role"]),
        first_name=e["first_name"],
        last_name=e["last_name"],
        nickname=e["nickname"],
        email=e["email"],
        phone=_opt(e.get("phone")),
        partner_id=_opt(e.get("partner_id")),
        school_id=_opt(e.get("school_id")),
        status=StaffStatus(e.get("status") or "invited"),
        created_at=e["created_at"],
    )


def _staff_entity(s: StaffMember) -> Entity:
    return {
        "PartitionKey": STAFF_PK,
        "RowKey": s.id,
        "role": s.role.value,
        "first_name": s.first_name,
        "last_name": s.last_name,
        "nickname": s.nickname,
        "email": s.email,
        "phone": s.phone or "",
        "partner_id": s.partner_id or "",
        "school_id": s.school_id or "",
        "status": s.status.value,
        "created_at": s.created_at,
    }


def get_staff_row(storage: Storage, staff_id: str) -> StaffRow | None:
    """The staff member's canonical row (with the session version and the ETag), or None: one point read."""
    e = get_entity(storage.table(STAFF), STAFF_PK, check_key(staff_id))
    return StaffRow(staff=_staff_from(e), session_version=int(e.get(SESSION_VERSION) or 0), etag=etag_of(e)) \
        if e else None


def get_staff(storage: Storage, staff_id: str) -> tuple[StaffMember, str] | None:
    """(staff member, etag) or None."""
    row = get_staff_row(storage, staff_id)
    return (row.staff, row.etag) if row else None


def add_to_staff_list(storage: Storage, s: StaffMember) -> None:
    storage.table(STAFF).upsert_entity(
        {"PartitionKey": _staff_listing(s.role, s.school_id, s.partner_id), "RowKey": s.id}
    )


def delete_staff_rows(storage: Storage, s: StaffMember) -> None:
    table = storage.table(STAFF)
    table.delete_entity(_staff_listing(s.role, s.school_id, s.partner_id), s.id)
    table.delete_entity(STAFF_PK, s.id)


def school_staff(storage: Storage, school_id: str) -> list[StaffMember]:
    return _listed_staff(storage, _staff_listing(Role.SCHOOL_STAFF, school_id, None))


def partner_managers(storage: Storage, partner_id: str) -> list[StaffMember]:
    return _listed_staff(storage, _staff_listing(Role.PARTNER_MANAGER, None, partner_id))


def trust_admins(storage: Storage) -> list[StaffMember]:
    return _listed_staff(storage, _staff_listing(Role.TRUST_ADMIN, None, None))


def _listed_staff(storage: Storage, listing_partition: str) -> list[StaffMember]:
    table = storage.table(STAFF)
    out = []
    for row in partition(table, listing_partition, select=["RowKey"]):
        e = get_entity(table, STAFF_PK, row["RowKey"])
        if e is not None:
            out.append(_staff_from(e))
    return sorted(out, key=lambda s: (s.last_name.lower(), s.first_name.lower()))



def end_staff_sessions(storage: Storage, staff_id: str) -> int | None:
    """Move the staff member's session version on (every token issued before stops working); the new
    version, or None when there is no such person."""
    return increment_if_match(storage.table(STAFF), STAFF_PK, check_key(staff_id), SESSION_VERSION)


def create_staff(storage: Storage, s: StaffMember) -> None:
    storage.table(STAFF).create_entity(_staff_entity(s))


def delete_staff(storage: Storage, staff_id: str) -> None:
    """The canonical row only (a creation undone before its listing row was written)."""
    storage.table(STAFF).delete_entity(STAFF_PK, staff_id)


def update_staff(storage: Storage, s: StaffMember, etag: str) -> None:
    """Merge the canonical row under the ETag of its read (ConcurrencyConflict if it changed); a merge, so the
    session version on the row stays."""
    update_if_match(storage.table(STAFF), _staff_entity(s), etag, mode=UpdateMode.MERGE)
