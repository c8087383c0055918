"""Why a whole roster upload is refused. Row-level problems are `FieldError`s, not exceptions."""

from __future__ import annotations

from typing import Any, Protocol

from shared.errors import ConcurrencyConflict, Conflict, FieldError, InvalidRequest, PayloadTooLarge, Unprocessable


class RosterReport(Protocol):
    """What these errors need of `schemas.RosterReport` (named structurally: schemas sits above this module)."""

    hold_reason: str | None
    confirm_leavers: int | None
    errors: list[Any]

    def model_dump(self, *, mode: str) -> dict: ...


class RosterUnreadable(InvalidRequest):
    """The upload cannot be used at all: not text, empty, or without name / date-of-birth / gender columns."""

    title = "Roster cannot be read"


class RosterTooLarge(PayloadTooLarge):
    title = "Roster too large"


class SchoolLeftProgramme(Conflict):
    """Its pupils are on their way to erasure; loading more would hold data the school gave up."""

    title = "School left the programme"


class RosterSyncHeld(Conflict):
    """A full sync that looks wrong (too many leavers, most rows rejected): nothing written until confirmed."""

    title = "Roster sync held for confirmation"

    def __init__(self, report: RosterReport) -> None:
        super().__init__(
            f"Nothing was changed: the file {report.hold_reason}. Check it; to apply it anyway, send it again with"
            f" confirm_leavers={report.confirm_leavers}."
        )
        self.report = report
        self.extra = {"confirm_leavers": report.confirm_leavers, "report": report.model_dump(mode="json")}


class RosterNothingAccepted(Unprocessable):
    """A full sync in which no row could be accepted would mark every pupil as left."""

    title = "No pupil row could be accepted"

    def __init__(self, report: RosterReport) -> None:
        super().__init__(
            "Nothing was changed: none of the file's rows could be accepted. Correct the rows listed and upload again.",
            errors=[FieldError(message=e.message, field=e.field, row=e.row) for e in report.errors],
        )
        self.extra = {"report": report.model_dump(mode="json")}


class RosterSyncInProgress(ConcurrencyConflict):
    title = "Another roster upload is in progress"


class DuplicateUpn(ConcurrencyConflict):
    """Another pupil of the school already holds the UPN (another sync got there first, or a rectification)."""

    title = "UPN already in use"
