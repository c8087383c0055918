"""The `ssoflows` table (its one owner): sign-ins with Microsoft started and not yet completed.

One row per started sign-in: PartitionKey the UTC day it expires (retention drops whole days), RowKey
the hash of its state, so a leaked table row cannot be matched to a callback URL. The row holds MSAL's
flow (PKCE verifier, nonce, state) and its expiry.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from azure.data.tables import UpdateMode

from shared.errors import ConcurrencyConflict
from shared.ids import digest, iso, parse_iso
from shared.storage.clients import Storage
from shared.storage.names import SSO_FLOWS
from shared.storage.tables import etag_of, get_entity, update_if_match


@dataclass(frozen=True)
class PendingFlow:
    flow: dict
    expires_at: datetime


def _day(at: datetime) -> str:
    return at.strftime("%Y-%m-%d")


def save(storage: Storage, flow: dict, *, expires_at: datetime) -> None:
    kept = {k: v for k, v in flow.items() if k != "auth_uri"}
    storage.table(SSO_FLOWS).create_entity(
        {"PartitionKey": _day(expires_at), "RowKey": digest(flow["state"]), "flow": json.dumps(kept),
         "expires_at": iso(expires_at)}
    )


def take(storage: Storage, state: str, *, now: datetime, lifetime: timedelta) -> PendingFlow | None:
    """The flow of `state`, exactly once (None when there is none, or a racing replay claimed it first):
    a conditional overwrite claims it, then it is deleted."""
    table = storage.table(SSO_FLOWS)
    row_key = digest(state)
    # A live flow expires today or within `lifetime` from now, so at most two days can hold it.
    row = None
    for day in sorted({_day(now), _day(now + lifetime)}):
        row = get_entity(table, day, row_key)
        if row is not None:
            break
    if row is None:
        return None
    partition = row["PartitionKey"]
    try:
        # Deleting cannot claim: the Table service ignores If-Match on a missing entity, so two deletes both "win".
        update_if_match(table, {"PartitionKey": partition, "RowKey": row_key, "used_at": iso(now)}, etag_of(row),
                        mode=UpdateMode.REPLACE)
    except ConcurrencyConflict:
        return None
    table.delete_entity(partition, row_key)
    return PendingFlow(json.loads(row["flow"]), parse_iso(row["expires_at"]))
