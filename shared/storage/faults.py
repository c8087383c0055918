"""Which storage failures are passing: the same request may well work if it is sent again in a moment.

Storage could not be reached or did not answer in time (connection refused or reset, a timeout, an answer cut
off), or answered with its own 500/502/503/504, each after the SDK's own retries. Anything else (a 400, a 404
nobody expected, a 412 nobody caught) is a fault of ours and stays a 500.
"""

from __future__ import annotations

from azure.core.exceptions import HttpResponseError, IncompleteReadError, ServiceRequestError, ServiceResponseError

TRANSIENT_STATUSES = frozenset({500, 502, 503, 504})
# What the caller is told to wait before trying again.
RETRY_AFTER_SECONDS = 5


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, (ServiceRequestError, ServiceResponseError, IncompleteReadError)):
        return True
    return isinstance(exc, HttpResponseError) and exc.status_code in TRANSIENT_STATUSES
