"""Why a whole roster upload is refused. Row-level problems are `FieldError`s, not exceptions."""

from __future__ import annotations

from shared.errors import Conflict, InvalidRequest, PayloadTooLarge


class RosterUnreadable(InvalidRequest):
    """The upload cannot be used at all: not text, empty, or without name / date-of-birth / gender columns."""

    title = "Roster cannot be read"


class RosterTooLarge(PayloadTooLarge):
    title = "Roster too large"


class SchoolLeftProgramme(Conflict):
    """Its pupils are on their way to erasure; loading more would hold data the school gave up."""

    title = "School left the programme"
