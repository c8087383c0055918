"""Password-reset links: single use, short-lived, one live link per person, stored only as a hash of their secret.

Table `passwordresets`, PK = the expiry day (the retention timer drops past days whole), RK = sha256 of
the secret; the row holds the staff id, expiry and a used flag. A token is "<expiry day>.<secret>" and
travels in the link's fragment, so it never reaches a server log. A pointer row per person
(`shared.storage.links`) names the live link: a newer link retires the older ones, and using one retires all.
The retention timer drops a pointer once its link has expired, like the link rows themselves.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from shared.storage import links
from shared.storage.clients import Storage
from shared.storage.names import PASSWORD_RESETS

NOT_VALID = "This password reset link is not valid any more. Ask for a new one from the sign-in page."


def create(storage: Storage, staff_id: str, *, minutes: int, now: datetime) -> str:
    """A new link; the person's earlier links stop working (of links asked for at the same moment, the last made
    is the one that works)."""
    return links.issue(storage.table(PASSWORD_RESETS), staff_id, expires=now + timedelta(minutes=minutes)).token


def peek(storage: Storage, token: str, *, now: datetime) -> str:
    """Whose link this is, if it still works (does not use it up)."""
    return links.valid(storage.table(PASSWORD_RESETS), token, now=now, not_valid=NOT_VALID).staff_id


def claim(storage: Storage, token: str, *, now: datetime) -> str:
    """Use the link up (and with it every link of the person) and return whose it is; of concurrent uses exactly
    one succeeds."""
    return links.use_up(storage.table(PASSWORD_RESETS), token, now=now, not_valid=NOT_VALID)


def reset_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/#/password/reset/{token}"
