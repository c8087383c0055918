"""In-memory stand-ins for what the destinations service calls: its store's verbs, the partner look-up and
the audit trail. The Azurite tests (tests/functions/test_destinations.py) prove the real store."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from types import SimpleNamespace

from shared.destinations.model import Destination
from shared.errors import ConcurrencyConflict


@dataclass
class FakeDestinationStore:
    rows: dict[str, Destination] = field(default_factory=dict)
    versions: itertools.count = field(default_factory=itertools.count)
    lose_next_writes: int = 0  # the next N writes find the row changed by someone else

    def _stored(self, d: Destination) -> Destination:
        stored = replace(d, etag=f"v{next(self.versions)}")
        self.rows[d.id] = stored
        return stored

    def create(self, storage, destination: Destination) -> None:
        assert destination.id not in self.rows
        self._stored(destination)

    def get(self, storage, destination_id: str) -> Destination | None:
        return self.rows.get(destination_id)

    def of_partner(self, storage, partner_id: str) -> list[Destination]:
        return [d for d in self.rows.values() if d.partner_id == partner_id]

    def national(self, storage) -> list[Destination]:
        return [d for d in self.rows.values() if d.partner_id is None]

    def update_details(self, storage, destination: Destination) -> Destination:
        current = self.rows[destination.id]
        if self.lose_next_writes:
            self.lose_next_writes -= 1
            self._stored(replace(current, town="Changed meanwhile"))
            raise ConcurrencyConflict("changed")
        if current.etag != destination.etag:
            raise ConcurrencyConflict("changed")
        # Only the details are written: the counts on the row stay as they are.
        return self._stored(replace(destination, enjoyment=current.enjoyment))


@dataclass
class AuditRecorder:
    entries: list[dict] = field(default_factory=list)

    def record(self, action, **kw) -> None:
        self.entries.append({"action": action.value, **{k: v for k, v in kw.items() if k != "storage"}})


def install(monkeypatch, partners: set[str]) -> SimpleNamespace:
    """Wire the fakes into the service; `partners` are the partner ids that exist."""
    from shared.destinations import service
    from shared.errors import OutsideScope
    from shared.organisation.model import Partner
    from shared.security import scope

    store, audit = FakeDestinationStore(), AuditRecorder()

    def get_partner(storage, partner_id):
        return Partner(id=partner_id, name="P", created_at="") if partner_id in partners else None

    def visible_partner(storage, caller, partner_id):
        if not scope.sees_partner(caller, partner_id) or partner_id not in partners:
            raise OutsideScope("Not found.")
        return get_partner(storage, partner_id)

    monkeypatch.setattr(service, "store", store)
    monkeypatch.setattr(service, "audit", audit)
    monkeypatch.setattr(service, "visible_partner", visible_partner)
    monkeypatch.setattr(service, "org_store", SimpleNamespace(get_partner=get_partner))
    return SimpleNamespace(store=store, audit=audit, storage=object())
