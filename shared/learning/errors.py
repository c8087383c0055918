"""Why a redemption is refused, so the store and the services raise the same errors without importing each other."""

from __future__ import annotations

from shared.errors import Conflict, Forbidden, Gone, NotFound


class CodeNotFound(NotFound):
    title = "Unknown code"


class CodeAlreadyRedeemed(Conflict):
    title = "Already redeemed"


class CodeUsedUp(Conflict):
    title = "Code already used"


class CodeOutsideWindow(Gone):
    title = "Code not valid now"


class RedemptionNotAllowed(Forbidden):
    title = "Redemption not allowed"


class AlreadyCredited(Exception):
    """The source (a code, a session, a transfer) was already credited to this pupil: nothing was written.

    Raised by the record store; each service says what it means to its caller (a redemption: 409 with the
    earlier redemption's id; a transfer: already moved).
    """

    def __init__(self, redemption_id: str | None) -> None:
        super().__init__("already credited")
        self.redemption_id = redemption_id
