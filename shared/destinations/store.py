"""The `destinations` table: the only code that knows its keys and row format.

- PK "partner-<partner id>" or "national", RK destination id: the destination, one row in its owner's
  partition, so a partner's destinations (and the national ones) are one partition query each, and the row
  read is always the row written: a PATCH is one conditional merge of it (a paused destination leaves the
  offer at once; no listing copy to go stale).
- PK "destination", RK destination id: a locator naming the owner, written once when the destination is
  created (a destination never changes owner), so a destination is found by its id alone.
Creation writes the locator first: a crash before the row leaves an id that answers 404, never a listed
destination that cannot be found by its id.
"""

from __future__ import annotations

from dataclasses import replace

from azure.data.tables import UpdateMode

from shared.destinations.model import Cost, Destination, DestinationKind, DestinationStatus, Enjoyment
from shared.storage.clients import Storage
from shared.storage.names import DESTINATIONS
from shared.storage.tables import Entity, check_key, etag_of, get_entity, partition, update_if_match

LOCATOR_PK = "destination"
NATIONAL_PK = "national"
UP, DOWN = "enjoyed_up", "enjoyed_down"


def _owner_partition(partner_id: str | None) -> str:
    return f"partner-{check_key(partner_id)}" if partner_id else NATIONAL_PK


def _destination(e: Entity) -> Destination:
    return Destination(
        id=e["RowKey"], name=e["name"], kind=DestinationKind(e["kind"]), cost=Cost(e["cost"]),
        status=DestinationStatus(e["status"]), partner_id=e.get("partner_id") or None,
        created_by=e["created_by"], created_at=e["created_at"], updated_at=e["updated_at"],
        town=e.get("town") or None, postcode_district=e.get("postcode_district") or None,
        web_page=e.get("web_page") or None, accessibility=e.get("accessibility") or None,
        enjoyment=Enjoyment(up=int(e.get(UP) or 0), down=int(e.get(DOWN) or 0)), etag=etag_of(e),
    )


def _columns(d: Destination) -> Entity:
    """The destination's details: what a change may write (never its owner, its creation or its counts)."""
    return {
        "name": d.name, "kind": d.kind.value, "town": d.town or "", "postcode_district": d.postcode_district or "",
        "web_page": d.web_page or "", "cost": d.cost.value, "accessibility": d.accessibility or "",
        "status": d.status.value, "updated_at": d.updated_at,
    }


def create(storage: Storage, destination: Destination) -> None:
    table = storage.table(DESTINATIONS)
    owner = _owner_partition(destination.partner_id)
    table.create_entity({"PartitionKey": LOCATOR_PK, "RowKey": destination.id, "owner": owner})
    table.create_entity({
        "PartitionKey": owner, "RowKey": destination.id, **_columns(destination),
        "partner_id": destination.partner_id or "", "created_by": destination.created_by,
        "created_at": destination.created_at, UP: 0, DOWN: 0,
    })


def get(storage: Storage, destination_id: str) -> Destination | None:
    """The destination with its row's ETag (two point reads: the locator, then the row), or None."""
    table = storage.table(DESTINATIONS)
    locator = get_entity(table, LOCATOR_PK, check_key(destination_id))
    if locator is None:
        return None
    row = get_entity(table, locator["owner"], destination_id)
    return _destination(row) if row else None


def of_partner(storage: Storage, partner_id: str) -> list[Destination]:
    """A partner's destinations: one partition query."""
    return [_destination(e) for e in partition(storage.table(DESTINATIONS), _owner_partition(partner_id))]


def national(storage: Storage) -> list[Destination]:
    """The Trust's national destinations: one partition query."""
    return [_destination(e) for e in partition(storage.table(DESTINATIONS), NATIONAL_PK)]


def update_details(storage: Storage, destination: Destination) -> Destination:
    """Write the destination's details over the row it was read from (its ETag): ConcurrencyConflict if the
    row changed meanwhile. Only the detail columns are written, so enjoyment counts are never lost."""
    assert destination.etag is not None, "update a destination as read"
    entity = {"PartitionKey": _owner_partition(destination.partner_id), "RowKey": destination.id,
              **_columns(destination)}
    etag = update_if_match(storage.table(DESTINATIONS), entity, destination.etag, mode=UpdateMode.MERGE)
    return replace(destination, etag=etag)
