"""Passing storage failures are a 503 with Retry-After (issue 24, finding 11); our own faults stay a 500."""

from __future__ import annotations

import pytest
from azure.core.exceptions import (
    HttpResponseError,
    IncompleteReadError,
    ResourceNotFoundError,
    ServiceRequestError,
    ServiceResponseError,
    ServiceResponseTimeoutError,
)

from shared.problems import problem_for


def _status_error(status: int) -> HttpResponseError:
    error = HttpResponseError(message="Server Busy")
    error.status_code = status
    return error


@pytest.mark.parametrize("exc", [
    ServiceRequestError("connection refused"),
    ServiceResponseError("read timed out"),
    ServiceResponseTimeoutError("read timed out"),
    IncompleteReadError(message="connection broken"),
    _status_error(503),
    _status_error(500),
])
def test_storage_that_stalls_or_sheds_load_is_a_503_problem_with_retry_after(exc):
    problem = problem_for(exc, correlation_id="abcdef0123")
    assert problem.status == 503 and problem.headers["Retry-After"] == "5"
    assert problem.body["type"].endswith("/storage-unavailable") and problem.body["correlation_id"] == "abcdef0123"
    # Never the exception's text: it can carry request URLs and keys.
    assert str(exc) not in problem.body["detail"]


@pytest.mark.parametrize("exc", [_status_error(400), _status_error(412), ResourceNotFoundError("gone"),
                                 RuntimeError("a bug")])
def test_anything_else_unexpected_stays_a_500_without_retry_after(exc):
    problem = problem_for(exc)
    assert problem.status == 500 and "Retry-After" not in problem.headers
