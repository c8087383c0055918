"""What a retention run counts and reports (its record's rows are `runs_store`'s)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from shared.retention.errors import RetentionErrors


class Category(StrEnum):
    """What a run counts. Persons are counted once each; table rows and blobs one per row or blob."""

    LEAVERS_ERASED = "leavers_erased"
    SCHOOL_EXIT_PUPILS_ERASED = "school_exit_pupils_erased"
    SCHOOL_EXITS_COMPLETED = "school_exits_completed"
    INACTIVE_STAFF_ERASED = "inactive_staff_erased"
    STALE_DUE_ROWS_REMOVED = "stale_due_rows_removed"
    INVITATIONS_DELETED = "invitations_deleted"
    REFRESH_TOKENS_DELETED = "refresh_tokens_deleted"
    SSO_FLOWS_DELETED = "sso_flows_deleted"
    PASSWORD_RESETS_DELETED = "password_resets_deleted"
    SIGN_IN_CHALLENGES_DELETED = "sign_in_challenges_deleted"
    THROTTLE_ROWS_DELETED = "throttle_rows_deleted"
    AUDIT_ENTRIES_DELETED = "audit_entries_deleted"
    MIS_UPLOADS_DELETED = "mis_uploads_deleted"


PERSON_CATEGORIES = (
    Category.LEAVERS_ERASED, Category.SCHOOL_EXIT_PUPILS_ERASED, Category.INACTIVE_STAFF_ERASED,
)


class RunStatus(StrEnum):
    RUNNING = "running"
    FINISHED = "finished"
    INTERRUPTED = "interrupted"  # died (or was killed) before finishing; a later run adopted its work
    SKIPPED = "skipped"  # another run held the lease; nothing was done and nothing recorded


@dataclass
class RetentionRunReport:
    run_id: str
    started_at: str
    ended_at: str | None
    status: RunStatus
    complete: bool
    counts: dict[str, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    adopted: int = 0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def raise_for_errors(self) -> None:
        """Fail the invocation when anything failed, so monitoring sees it (the work done is kept)."""
        if self.error_count:
            raise RetentionErrors(f"{self.error_count} retention item(s) failed; see run {self.run_id}")

    @property
    def persons_erased(self) -> int:
        return sum(self.counts.get(c, 0) for c in PERSON_CATEGORIES)
