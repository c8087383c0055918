"""Liveness and storage reachability for GET /api/health."""

from __future__ import annotations

import logging

from shared.api.models_platform import HealthOut
from shared.storage.clients import unreachable_reason

log = logging.getLogger(__name__)


def check_health() -> tuple[HealthOut, bool]:
    """(report, healthy). One cheap storage round trip; the reason for a failure is logged, not returned."""
    reason = unreachable_reason()
    if reason is None:
        return HealthOut(status="ok", storage="ok"), True
    log.warning("storage unreachable", extra={"error_type": reason})
    return HealthOut(status="degraded", storage="unavailable"), False
