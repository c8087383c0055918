"""Opaque identifiers and clocks."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta


def new_id(prefix: str) -> str:
    """e.g. `sch_k3v9x2...`: random, URL- and table-key-safe, says what it identifies."""
    return f"{prefix}_{base64.b32encode(secrets.token_bytes(10)).decode().lower()}"


def is_pupil_id(value: str) -> bool:
    """A pupil's id (`new_id("pup")`), as opposed to a staff member's (`stf_...`)."""
    return value.startswith("pup_")


_offset = timedelta(0)


def utcnow() -> datetime:
    return datetime.now(UTC) + _offset


@contextlib.contextmanager
def clock_moved(by: timedelta) -> Iterator[None]:
    """Run with the service clock moved forward (tests of expiry, lockout and retention; never in production code)."""
    global _offset
    before = _offset
    _offset = before + by
    try:
        yield
    finally:
        _offset = before


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def digest(secret: str) -> str:
    """SHA-256 of a high-entropy secret (tokens, invitation links): safe to store, useless to steal."""
    return hashlib.sha256(secret.encode()).hexdigest()
