"""One-time staff invitation links (7 days, single use), stored hashed.

Table `invitations`, PK = expiry day (retention drops whole past days), RK = sha256(secret).
A link carries "<expiry day>.<secret>" in its fragment, so it never reaches server logs.
Each staff member's latest invitation is named by a pointer row (`shared.storage.links`: PK "current", RK staff
id): re-sending retires the invitation before it, so the old link stops working.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from shared.errors import Gone
from shared.organisation.model import StaffMember
from shared.organisation.store import get_staff
from shared.storage import links
from shared.storage.clients import Storage
from shared.storage.names import INVITATIONS

NOT_VALID = "This invitation link is not valid any more. Ask whoever invited you for a new one."
BUSY = "Someone else sent a new invitation at the same moment."


def create(storage: Storage, staff_id: str, *, days: int, now: datetime) -> tuple[str, datetime]:
    """A new link for the staff member; the one before it (if any) stops working.

    Of two concurrent re-sends one wins and the other's link is withdrawn (ConcurrencyConflict) rather than
    left working unseen.
    """
    expires = now + timedelta(days=days)
    return links.issue(storage.table(INVITATIONS), staff_id, expires=expires, busy=BUSY).token, expires


def forget(storage: Storage, staff_id: str) -> None:
    """Erasure: the staff member's pending invitation and its pointer go (idempotent)."""
    links.forget(storage.table(INVITATIONS), staff_id)


def peek(storage: Storage, token: str, *, now: datetime) -> StaffMember:
    """The invited staff member, if the link is still valid (does not use it up)."""
    link = links.valid(storage.table(INVITATIONS), token, now=now, not_valid=NOT_VALID)
    found = get_staff(storage, link.staff_id)
    if found is None:
        raise Gone(NOT_VALID)
    return found[0]


def consume(storage: Storage, token: str, *, now: datetime) -> None:
    """Mark the link used; of two concurrent acceptances exactly one succeeds (ETag)."""
    links.use_up(storage.table(INVITATIONS), token, now=now, not_valid=NOT_VALID)


def invitation_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/#/invitation/{token}"
