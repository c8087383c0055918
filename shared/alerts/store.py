"""The alert index: audit entries that may signal an attack or a mistake, filed under each scope that sees them.

Table `alerts`, PK = the entry's UTC day (the retention timer drops days with the audit trail), RK =
"<scope>|<time>-<random>" where scope is `trust`, `partner-<id>` or `school-<id>`. One audited event
writes its rows (one per scope, same partition) in one transaction; a scope's alerts for a day are one
row-range read of that partition, so nobody's view reads another school's rows. Rows hold ids only.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from azure.data.tables import TransactionOperation

from shared.ids import iso
from shared.storage.clients import Storage
from shared.storage.names import ALERTS
from shared.storage.tables import query_all

TRUST_SCOPE = "trust"


def scopes_of(school_id: str | None, partner_id: str | None) -> list[str]:
    """Who sees an event: the Trust always, the partner and the school when it concerns them."""
    scopes = [TRUST_SCOPE]
    if partner_id:
        scopes.append(f"partner-{partner_id}")
    if school_id:
        scopes.append(f"school-{school_id}")
    return scopes


@dataclass(frozen=True)
class AlertEvent:
    at: str
    action: str
    actor_id: str | None
    subject_count: int
    school_id: str | None
    partner_id: str | None


def file(storage: Storage, action: str, *, at: datetime, actor_id: str | None, subject_count: int,
         school_id: str | None, partner_id: str | None) -> None:
    pk = at.strftime("%Y-%m-%d")
    suffix = f"{at.strftime('%H%M%S%f')}-{secrets.token_hex(4)}"
    row = {"at": iso(at), "action": action, "actor_id": actor_id or "", "subject_count": subject_count,
           "school_id": school_id or "", "partner_id": partner_id or ""}
    storage.table(ALERTS).submit_transaction([
        (TransactionOperation.CREATE, {"PartitionKey": pk, "RowKey": f"{scope}|{suffix}", **row})
        for scope in scopes_of(school_id, partner_id)
    ])


def events(storage: Storage, scope: str, days: Iterable[date]) -> list[AlertEvent]:
    table = storage.table(ALERTS)
    out = []
    for day in days:
        rows = query_all(table, "PartitionKey eq @pk and RowKey gt @lo and RowKey lt @hi",
                         {"pk": day.isoformat(), "lo": f"{scope}|", "hi": f"{scope}|~"})
        out += [AlertEvent(at=r["at"], action=r["action"], actor_id=r.get("actor_id") or None,
                           subject_count=int(r.get("subject_count") or 0), school_id=r.get("school_id") or None,
                           partner_id=r.get("partner_id") or None) for r in rows]
    return sorted(out, key=lambda e: e.at)
