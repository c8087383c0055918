"""Liveness and storage reachability for GET /api/health."""

from __future__ import annotations

import logging

from azure.core.exceptions import AzureError

from shared.api.models_platform import HealthOut
from shared.storage.clients import get_storage
from shared.storage.names import SCHOOLS

log = logging.getLogger(__name__)


def check_health() -> tuple[HealthOut, bool]:
    """(report, healthy). One cheap storage round trip; the reason for a failure is logged, not returned."""
    try:
        storage = get_storage()
        next(iter(storage.table(SCHOOLS).list_entities(results_per_page=1, select=["RowKey"]).by_page()), None)
        return HealthOut(status="ok", storage="ok"), True
    except AzureError as exc:
        log.warning("storage unreachable", extra={"error_type": type(exc).__name__})
        return HealthOut(status="degraded", storage="unavailable"), False
