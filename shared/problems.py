"""The one place that maps domain exceptions (and passing storage failures) to RFC 9457 problem+json."""

from __future__ import annotations

from shared import errors
from shared.storage import faults

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "https://cu-online.org.uk/problems/"

# Most specific first: the first family an exception belongs to decides its status.
STATUS_BY_FAMILY: tuple[tuple[type[errors.DomainError], int], ...] = (
    (errors.InvalidRequest, 400),
    (errors.Unauthenticated, 401),
    (errors.Forbidden, 403),
    (errors.NotFound, 404),
    (errors.Conflict, 409),
    (errors.Gone, 410),
    (errors.PayloadTooLarge, 413),
    (errors.Unprocessable, 422),
    (errors.UnsupportedMediaType, 415),
    (errors.TooManyAttempts, 429),
    (errors.ServiceUnavailable, 503),
)


def _slug(name: str) -> str:
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i:
            out.append("-")
        out.append(ch.lower())
    return "".join(out)


def problem_for(exc: BaseException, *, correlation_id: str | None = None) -> errors.Problem:
    if isinstance(exc, errors.DomainError):
        status = next((code for family, code in STATUS_BY_FAMILY if isinstance(exc, family)), 400)
        body: dict = {
            "type": TYPE_BASE + _slug(type(exc).__name__),
            "title": exc.title,
            "status": status,
            "detail": exc.detail,
        }
        if exc.errors:
            body["errors"] = [e.as_dict() for e in exc.errors]
        body.update(exc.extra)
        headers = {}
        if isinstance(exc, errors.TooManyAttempts):
            headers["Retry-After"] = str(exc.retry_after_seconds)
        if isinstance(exc, errors.Unauthenticated):
            headers["WWW-Authenticate"] = 'Bearer realm="cu-online"'
    elif faults.is_transient(exc):
        # Storage stalled or was busy after the SDK's retries: the caller may try again shortly.
        status = 503
        body = {
            "type": TYPE_BASE + "storage-unavailable",
            "title": errors.ServiceUnavailable.title,
            "status": 503,
            "detail": "The service could not reach its storage just now. Try again in a few seconds.",
        }
        headers = {"Retry-After": str(faults.RETRY_AFTER_SECONDS)}
    else:
        status = 500
        body = {
            "type": TYPE_BASE + "internal-error",
            "title": "Internal error",
            "status": 500,
            "detail": "Something went wrong on our side. Quote the correlation id if you contact support.",
        }
        headers = {}
    if correlation_id:
        body["correlation_id"] = correlation_id
    return errors.Problem(status=status, body=body, headers=headers)
