"""Transfer codes (domain dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class TransferState(StrEnum):
    ISSUED = "issued"
    CLAIMED = "claimed"  # a new school's pupil holds it; the move may still be finishing
    DONE = "done"


@dataclass(frozen=True)
class Transfer:
    """A one-time code for one leaver's record. Stored under a hash of the code, never the code."""

    key: str
    from_school_id: str
    from_pupil_id: str
    expires_on: str  # the old record's erasure date: after it there is nothing to move
    issued_at: str
    state: TransferState
    to_school_id: str | None
    to_pupil_id: str | None
    etag: str | None = None
