"""Learning destinations: the organisations a partner's CU manager validates, and the Trust's national ones.

- `store`: the one owner of `destinations`; `service`: who may add, see and change them (audited).
- `model`: domain records (kinds, cost, status, enjoyment counts); `schemas`: API requests and responses.
Activities may belong to a destination (`learning` checks that through `destination_for_activity`), so this
package sits below learning. This module's names are the entry points `functions/` uses.
"""

from shared.destinations.schemas import (
    DestinationIn,
    DestinationList,
    DestinationOut,
    DestinationPatch,
    DestinationQuery,
)
from shared.destinations.service import create_destination, list_destinations, update_destination

__all__ = [
    "DestinationIn",
    "DestinationList",
    "DestinationOut",
    "DestinationPatch",
    "DestinationQuery",
    "create_destination",
    "list_destinations",
    "update_destination",
]
