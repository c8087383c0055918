"""Domain exceptions, named for the business condition.

Each family fixes the HTTP status once (mapped to problem+json in `shared.problems`). Messages are
written for the person who sent the request and never carry personal data or uploaded values.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldError:
    message: str
    field: str | None = None
    row: int | None = None

    def as_dict(self) -> dict:
        out: dict = {"message": self.message}
        if self.row is not None:
            out["row"] = self.row
        if self.field is not None:
            out["field"] = self.field
        return out


class DomainError(Exception):
    title = "Request failed"

    def __init__(self, detail: str | None = None, *, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = errors or []
        self.extra: dict = {}


class InvalidRequest(DomainError):
    title = "Invalid request"


class NotFound(DomainError):
    """Also what a caller gets for anything outside their scope, so ids cannot be probed."""

    title = "Not found"


class OutsideScope(NotFound):
    pass


class Unauthenticated(DomainError):
    title = "Authentication required"


class Forbidden(DomainError):
    title = "Not allowed"


class Conflict(DomainError):
    title = "Conflict"


class Unprocessable(DomainError):
    """Well-formed input that cannot be acted on as it is (a roster in which no row could be accepted)."""

    title = "Cannot be processed"


class Gone(DomainError):
    title = "No longer available"


class PayloadTooLarge(DomainError):
    title = "Payload too large"


class UnsupportedMediaType(DomainError):
    title = "Unsupported media type"


class TooManyAttempts(DomainError):
    title = "Too many attempts"

    def __init__(self, detail: str | None = None, *, retry_after_seconds: int) -> None:
        super().__init__(detail)
        self.retry_after_seconds = max(1, int(retry_after_seconds))


class ConcurrencyConflict(Conflict):
    """An ETag-conditional write lost a race; callers usually re-read and retry."""

    title = "Concurrent update"


class ServiceUnavailable(DomainError):
    title = "Service unavailable"


@dataclass
class Problem:
    status: int
    body: dict
    headers: dict[str, str] = field(default_factory=dict)
