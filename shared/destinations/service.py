"""Learning destinations: who may add, see and change them (rows in `destinations.store`).

A partner's destinations are added and changed by its CU manager (or the Trust), and seen by the staff of
its member schools (to run a club there); national ones (online, at home) are the Trust's and every
member of staff sees them. Every change is audited.
"""

from __future__ import annotations

from dataclasses import replace

from shared import audit
from shared.audit import Action
from shared.destinations import store
from shared.destinations.model import NATIONAL_KINDS, Destination, DestinationKind, DestinationStatus
from shared.destinations.schemas import (
    DestinationIn,
    DestinationList,
    DestinationOut,
    DestinationPatch,
    DestinationQuery,
)
from shared.errors import FieldError, InvalidRequest
from shared.ids import iso, new_id, utcnow
from shared.organisation import store as org_store
from shared.organisation.access import visible_partner
from shared.security import scope
from shared.security.principal import Principal, Role
from shared.storage.clients import Storage, get_storage
from shared.storage.tables import retry_on_conflict

UPDATE_ATTEMPTS = 5
# Optional details a PATCH may clear with null; the others must keep a value.
CLEARABLE = frozenset({"town", "postcode_district", "web_page", "accessibility"})


def destination_out(d: Destination) -> DestinationOut:
    return DestinationOut(
        id=d.id, name=d.name, kind=d.kind, town=d.town, postcode_district=d.postcode_district, web_page=d.web_page,
        cost=d.cost, accessibility=d.accessibility, partner_id=d.partner_id, status=d.status,
        created_at=d.created_at, updated_at=d.updated_at,
    )


def _check_national_kind(kind: DestinationKind) -> None:
    if kind not in NATIONAL_KINDS:
        raise InvalidRequest(
            "National destinations are online or at home: every partner's children see them, wherever they live.",
            errors=[FieldError(field="kind", message="a national destination's kind is online or home")])


def sees_destination(caller: Principal, destination: Destination) -> bool:
    """National destinations are seen by all staff; a partner's by the Trust and the partner's own staff."""
    if not caller.is_staff:
        return False
    return destination.national or caller.role is Role.TRUST_ADMIN or caller.partner_id == destination.partner_id


def changes_destination(caller: Principal, destination: Destination) -> bool:
    """The Trust changes any destination; a CU manager their own partner's."""
    if caller.role is Role.TRUST_ADMIN:
        return True
    return (caller.role is Role.PARTNER_MANAGER and not destination.national
            and caller.partner_id == destination.partner_id)


def visible_destination(storage: Storage, caller: Principal, destination_id: str) -> Destination:
    """The destination, if the caller may see it; otherwise the same 404 as a missing one."""
    found = store.get(storage, destination_id)
    return scope.visible(found, found is not None and sees_destination(caller, found))


def destination_for_activity(storage: Storage, destination_id: str, partner_id: str | None) -> Destination:
    """The destination an activity of this partner (None: a national activity) may name: one of the partner's
    own, or a national one. Anything else answers like a missing destination."""
    found = store.get(storage, destination_id)
    usable = found is not None and (found.national or found.partner_id == partner_id)
    return scope.visible(found, usable)


def create_destination(caller: Principal, body: DestinationIn, *, storage: Storage | None = None) -> DestinationOut:
    storage = storage or get_storage()
    if body.partner_id is not None:
        visible_partner(storage, caller, body.partner_id)
        scope.require_change(caller.role in (Role.TRUST_ADMIN, Role.PARTNER_MANAGER))
    else:
        scope.require_change(caller.role is Role.TRUST_ADMIN, "National destinations are added by the Trust.")
        _check_national_kind(body.kind)
    now = iso(utcnow())
    destination = Destination(
        id=new_id("dst"), name=body.name, kind=body.kind, cost=body.cost, status=DestinationStatus.VALIDATED,
        partner_id=body.partner_id, created_by=caller.subject_id, created_at=now, updated_at=now, town=body.town,
        postcode_district=body.postcode_district, web_page=body.web_page, accessibility=body.accessibility,
    )
    store.create(storage, destination)
    audit.record(Action.DESTINATION_CREATED, actor_id=caller.subject_id, subject_ids=[destination.id],
                 partner_id=destination.partner_id, storage=storage)
    return destination_out(destination)


def list_destinations(caller: Principal, query: DestinationQuery, *,
                      storage: Storage | None = None) -> DestinationList:
    storage = storage or get_storage()
    if query.partner_id is None:
        found = store.national(storage)
    else:
        # A partner's destinations are open to its managers and to the staff of its member schools.
        # (The caller's own partner exists; the Trust may name any, so theirs is looked up.)
        scope.require(caller.role is Role.TRUST_ADMIN or caller.partner_id == query.partner_id)
        if caller.role is Role.TRUST_ADMIN:
            scope.visible(org_store.get_partner(storage, query.partner_id))
        found = store.of_partner(storage, query.partner_id)
    ordered = sorted(found, key=lambda d: (d.name.casefold(), d.id))
    return DestinationList(destinations=[destination_out(d) for d in ordered])


def update_destination(caller: Principal, destination_id: str, body: DestinationPatch, *,
                       storage: Storage | None = None) -> DestinationOut:
    storage = storage or get_storage()
    sent = body.model_dump(exclude_unset=True)
    required = sorted(k for k, v in sent.items() if v is None and k not in CLEARABLE)
    if required:
        raise InvalidRequest("These fields cannot be emptied.",
                             errors=[FieldError(field=k, message=f"{k} needs a value") for k in required])

    def decide(current: Destination) -> Destination | None:
        scope.require_change(changes_destination(caller, current),
                             "Destinations are changed by their partner's CU manager (national ones by the Trust).")
        if current.national:
            _check_national_kind(sent.get("kind", current.kind))
        changed = replace(current, **sent)
        return None if changed == current else replace(changed, updated_at=iso(utcnow()))

    first = visible_destination(storage, caller, destination_id)
    updated = retry_on_conflict(lambda: visible_destination(storage, caller, destination_id), decide,
                                lambda d: store.update_details(storage, d), attempts=UPDATE_ATTEMPTS, first=first)
    if updated is None:
        return destination_out(first)
    detail = f"status_{updated.status.value}" if "status" in sent and updated.status != first.status else None
    audit.record(Action.DESTINATION_UPDATED, actor_id=caller.subject_id, subject_ids=[updated.id],
                 partner_id=updated.partner_id, detail=detail, storage=storage)
    return destination_out(updated)
