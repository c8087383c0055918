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
