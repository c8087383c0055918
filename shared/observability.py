"""Structured logging with a correlation id per invocation.

Log records carry ids, counts and outcomes only. Personal data (names, dates of birth, UPNs,
usernames, passwords, tokens) is never passed to a logger; `extra` keys are an allow-list.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import uuid
from collections.abc import Iterator

_correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("correlation_id", default=None)

# Only these extra fields are emitted; anything else passed in `extra` is ignored by the formatter.
ALLOWED_FIELDS = frozenset(
    {
        "function", "status", "duration_ms", "method", "route", "school_id", "partner_id", "pupil_id",
        "staff_id", "activity_id", "subject_id", "actor_id", "count", "rows", "created_count", "updated",
        "unchanged", "left", "rejected", "attempt", "blob", "category", "error_type", "storage_requests",
        "template",
    }
)


def new_correlation_id() -> str:
    return uuid.uuid4().hex


def current_correlation_id() -> str | None:
    return _correlation_id.get()


@contextlib.contextmanager
def correlation(correlation_id: str | None = None) -> Iterator[str]:
    cid = correlation_id or new_correlation_id()
    token = _correlation_id.set(cid)
    try:
        yield cid
    finally:
        _correlation_id.reset(token)


class CorrelationFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.correlation_id = _correlation_id.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {
            "at": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "correlation_id": getattr(record, "correlation_id", None) or _correlation_id.get(),
        }
        for key in ALLOWED_FIELDS:
            if key in record.__dict__:
                out[key] = record.__dict__[key]
        if record.exc_info and record.exc_info[0] is not None:
            # The exception type only: exception texts can echo input values.
            out["exception"] = record.exc_info[0].__name__
        return json.dumps(out, default=str)


def configure_logging(level: int = logging.INFO) -> None:
    """Install the JSON formatter on the root logger (idempotent)."""
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler.formatter, JsonFormatter):
            return
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    handler.addFilter(CorrelationFilter())
    root.addHandler(handler)
    root.setLevel(level)
    # The SDKs log request URLs and headers at INFO; URLs hold entity keys.
    for noisy in ("azure", "azure.core.pipeline.policies.http_logging_policy", "urllib3", "msal"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
