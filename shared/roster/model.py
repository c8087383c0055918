"""The pupil roster as the rest of the app sees it: only the fields the DPIA allows (DESIGN.md §2)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

from shared.errors import FieldError

# The programme serves children of roughly 5–14; the band is wider so that nursery classes and sixth
# forms at through-schools load, while a typo in the year (a parent's date, a birth year of 2061) does not.
MIN_AGE = 3
MAX_AGE = 19
MAX_NAME_LENGTH = 100


class Gender(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"


@dataclass(frozen=True)
class PupilRecord:
    """One accepted row, with the school's date-of-birth policy already applied.

    `row` is the data-row number in the upload (1 = the first row under the header; for JSON, the first
    item), so a report can point back at it.
    """

    row: int
    first_name: str
    last_name: str
    date_of_birth: date
    gender: Gender
    upn: str | None
    # The English school cohort (year the pupil's school year began, from the real date of birth), kept
    # so the year group stays right when the generic policy reduces the stored date to 1 January.
    cohort: int = 0


class PupilStatus(StrEnum):
    ACTIVE = "active"
    LEFT = "left"


@dataclass(frozen=True)
class Pupil:
    """A pupil of the roster as stored (its row format: `roster.store`); year group and match key come from
    `roster.rules` (`year_group_of_cohort`, `match_key`)."""

    id: str
    school_id: str
    first_name: str
    last_name: str
    date_of_birth: date
    gender: Gender
    upn: str | None
    username: str
    status: PupilStatus
    restricted: bool
    total_minutes: int
    created_at: str
    updated_at: str
    left_at: str | None = None
    deletion_due: str | None = None
    has_login: bool = False
    cohort: int = 0
    erasing: bool = False  # set (under the row's ETag) by an erasure in progress; never written by the roster

    def same_facts(self, record: PupilRecord) -> bool:
        return (
            self.first_name == record.first_name
            and self.last_name == record.last_name
            and self.date_of_birth == record.date_of_birth
            and self.gender == record.gender
            and (self.upn or None) == (record.upn or None)
            and self.cohort == record.cohort
        )

    def with_facts(self, record: PupilRecord, now: str) -> Pupil:
        return replace(
            self, first_name=record.first_name, last_name=record.last_name, date_of_birth=record.date_of_birth,
            gender=record.gender, upn=record.upn or self.upn, cohort=record.cohort, updated_at=now,
        )


@dataclass(frozen=True)
class PupilRow:
    """A pupil's row as stored: the pupil, the learning aggregates kept on it, its session state, its ETag.

    `roster.store` is its one codec. Learning changes `total_minutes` and `stats` only through the typed
    operation that store builds (in the same entity-group transaction as its own rows); the session version
    moves only through `roster.store.end_sessions`.
    """

    pupil: Pupil
    stats: str  # learning's day aggregates, serialised by `learning.stats` ("" while there are none)
    session_version: int
    etag: str


@dataclass(frozen=True)
class ListedPupil:
    """What a list or a certificate prints of a pupil (graduation lists, an assembly's certificates)."""

    id: str
    first_name: str
    last_name: str
    status: PupilStatus
    restricted: bool
    erasing: bool
    cohort: int
    total_minutes: int


@dataclass(frozen=True)
class ReportedPupil:
    """The facts a report counts about a pupil: no name, date of birth or UPN."""

    gender: Gender
    cohort: int
    status: PupilStatus
    restricted: bool
    stats: str


@dataclass(frozen=True)
class PupilStanding:
    """Where a pupil stands for the compliance view: on roll or left, and the day a leaver is erased."""

    status: PupilStatus
    deletion_due: str | None


@dataclass(frozen=True)
class RosterSnapshot:
    """The school's pupils as read, and the roster version they were read at (None: never written yet)."""

    school_id: str
    pupils: list[Pupil]
    version: str | None


@dataclass(frozen=True)
class RejectedRow:
    """What a rejected row still tells us about who it is: a valid UPN and/or the name + date-of-birth key.

    A sync must not mark a pupil as left because their row had a fault; these let it recognise them.
    Held in memory for the length of one sync only, never stored or reported.
    """

    row: int
    upn: str | None = None
    match_key: str | None = None


@dataclass
class ParsedRoster:
    """The outcome of reading one upload: good rows, per-row errors, and what was left out.

    `received` counts pupil rows seen (blank lines and non-pupil OneRoster users are not pupils);
    `skipped` counts the OneRoster users that were not students, so the two together account for every
    non-blank data row. Column lists hold header names as written in the file, never values.
    """

    records: list[PupilRecord] = field(default_factory=list)
    errors: list[FieldError] = field(default_factory=list)
    dropped_columns: list[str] = field(default_factory=list)
    special_category_columns: list[str] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)
    # Pupils the file itself says are leaving (OneRoster `status=tobedeleted` / `enabledUser=false`).
    leaving: list[RejectedRow] = field(default_factory=list)
    # Problems that did not stop a row loading (an invalid optional UPN, two-digit years), by row and field.
    warnings: list[FieldError] = field(default_factory=list)
    date_order: str = "iso"
    source: str = "csv"  # the reader that produced it: csv, json, wonde or oneroster
    received: int = 0
    skipped: int = 0

    @property
    def rejected_rows(self) -> int:
        """Pupil rows that produced at least one error (a row can carry several)."""
        return len({e.row for e in self.errors if e.row is not None})
