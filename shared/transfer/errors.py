"""Transfer errors, named for the business condition."""

from shared.errors import Conflict, Gone, InvalidRequest, NotFound


class TransferCodeNotKnown(NotFound):
    title = "Unknown transfer code"


class TransferCodeUsed(Conflict):
    title = "Transfer code already used"


class NotALeaver(Conflict):
    title = "Not a leaver"


class RecordAlreadyMoved(Conflict):
    title = "Record already moved"


class TransferCodeExpired(Gone):
    title = "Transfer code expired"


class SameSchool(InvalidRequest):
    title = "Same school"
