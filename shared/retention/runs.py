"""Retention run records, the journal of erasures in progress, and the lease that keeps runs apart.

Table `retentionruns`:
- PK "run", RK the inverted start time (newest first): started_at, ended_at, status, complete, counts
  (JSON {category: n}), errors (JSON {"sweep:ErrorType": n}), error_count, adopted, and in_flight (JSON list
  of journal keys made of pseudonymous ids; empty once the run has ended). No personal data.
- PK "lease", RK "retention": which run holds the lease and until when.

Counting each erasure exactly once, across crashes: before a batch of people is erased their keys are
written to the run's `in_flight`; afterwards the new counts and an empty `in_flight` are written in one
entity update. A run that dies in between leaves its keys behind. The next run adopts them, finishes each
erasure that is still due and counts every one that is done, including those the dead run had erased but
not yet counted. The lease makes "the previous run is dead" true: nobody else holds it while we do.
"""

from __future__ import annotations

import contextlib
import json
import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from azure.core.exceptions import ResourceExistsError

from shared.errors import ConcurrencyConflict
from shared.ids import iso, parse_iso, utcnow
from shared.storage.clients import Storage
from shared.storage.names import RETENTION_RUNS
from shared.storage.tables import Entity, delete_if_match, etag_of, get_entity, update_if_match

RUN_PK = "run"
LEASE_PK, LEASE_RK = "lease", "retention"
# Renewed at every journal write (each batch of erasures), so only a dead run lets it lapse. Azure's own
# timer singleton already keeps scheduled runs apart; the lease also covers a manual `devhost run`.
LEASE_DURATION = timedelta(minutes=30)
_INVERT_FROM_MS = 10**15 - 1


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


class RetentionErrors(RuntimeError):
    """Some items failed. Everything else was done and the run record counts the failures by type."""


class LeaseLost(RuntimeError):
    """Another run took the lease over (ours had lapsed); this run must stop writing at once."""


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

    @classmethod
    def from_entity(cls, e: Entity) -> RetentionRunReport:
        return cls(
            run_id=e["RowKey"],
            started_at=e["started_at"],
            ended_at=e.get("ended_at") or None,
            status=RunStatus(e["status"]),
            complete=bool(e.get("complete")),
            counts=json.loads(e.get("counts") or "{}"),
            errors=json.loads(e.get("errors") or "{}"),
            adopted=int(e.get("adopted") or 0),
        )


def run_key(started: datetime) -> str:
    """Inverted milliseconds, so the newest run sorts first; a random tail keeps two runs apart."""
    return f"{_INVERT_FROM_MS - int(started.timestamp() * 1000):015d}-{secrets.token_hex(3)}"


def _newest_run(storage: Storage) -> Entity | None:
    rows = storage.table(RETENTION_RUNS).query_entities(
        "PartitionKey eq @pk", parameters={"pk": RUN_PK}, results_per_page=1
    )
    return next(iter(rows), None)


def latest_run(storage: Storage) -> RetentionRunReport | None:
    row = _newest_run(storage)
    return RetentionRunReport.from_entity(row) if row else None


class Lease:
    def __init__(self, storage: Storage, run_id: str, etag: str, held_until: datetime) -> None:
        self._table = storage.table(RETENTION_RUNS)
        self.run_id, self._etag, self._held_until = run_id, etag, held_until

    def _entity(self, held_until: datetime) -> Entity:
        return {"PartitionKey": LEASE_PK, "RowKey": LEASE_RK, "run_id": self.run_id, "held_until": iso(held_until)}

    @classmethod
    def acquire(cls, storage: Storage, run_id: str) -> Lease | None:
        """The lease, or None while another live run holds it. Conditional writes: of two runs, one wins."""
        table = storage.table(RETENTION_RUNS)
        now = utcnow()
        held_until = now + LEASE_DURATION
        lease = cls(storage, run_id, "", held_until)
        current = get_entity(table, LEASE_PK, LEASE_RK)
        try:
            if current is None:
                lease._etag = table.create_entity(lease._entity(held_until))["etag"]
            elif parse_iso(current["held_until"]) > now:
                return None
            else:
                lease._etag = update_if_match(table, lease._entity(held_until), etag_of(current))
        except (ResourceExistsError, ConcurrencyConflict):
            return None
        return lease

    def keep(self) -> None:
        """Renew once half of the lease has gone; LeaseLost if someone took it over meanwhile."""
        now = utcnow()
        if now < self._held_until - LEASE_DURATION / 2:
            return
        held_until = now + LEASE_DURATION
        try:
            self._etag = update_if_match(self._table, self._entity(held_until), self._etag)
        except ConcurrencyConflict:
            raise LeaseLost("the retention lease was taken over by another run") from None
        self._held_until = held_until

    def release(self) -> None:
        with contextlib.suppress(ConcurrencyConflict):
            delete_if_match(self._table, LEASE_PK, LEASE_RK, self._etag)


class RunJournal:
    """The run's own record, written at start, around every batch of erasures, and at the end."""

    def __init__(self, storage: Storage, lease: Lease, started_at: datetime, adopted: list[str]) -> None:
        self._table = storage.table(RETENTION_RUNS)
        self._lease = lease
        self.run_id = lease.run_id
        self.started_at = iso(started_at)
        self.counts: Counter[str] = Counter({c.value: 0 for c in Category})
        self.errors: Counter[str] = Counter()
        self.adopted = list(adopted)
        self.in_flight = list(adopted)

    @classmethod
    def open(cls, storage: Storage, lease: Lease, started_at: datetime) -> RunJournal:
        """Create this run's record, adopting what an interrupted previous run left in flight."""
        previous = _newest_run(storage)
        adopted: list[str] = []
        if previous is not None and previous["status"] == RunStatus.RUNNING:
            adopted = json.loads(previous.get("in_flight") or "[]")
        journal = cls(storage, lease, started_at, adopted)
        journal._table.create_entity(journal._entity(RunStatus.RUNNING, complete=False, ended_at=None))
        if previous is not None and previous["status"] == RunStatus.RUNNING:
            # Only after our record holds its keys: a crash in between leaves them on a running record.
            journal._table.update_entity(
                {"PartitionKey": RUN_PK, "RowKey": previous["RowKey"], "status": RunStatus.INTERRUPTED.value,
                 "in_flight": "[]"},
            )
        return journal

    def keep_lease(self) -> None:
        self._lease.keep()

    def count(self, category: Category, n: int = 1) -> None:
        self.counts[category.value] += n

    def error(self, sweep: str, exc: BaseException) -> None:
        self.errors[f"{sweep}:{type(exc).__name__}"] += 1

    def hold(self, keys: list[str]) -> None:
        """Record the people about to be erased (before any of them is touched)."""
        self.in_flight = list(keys)
        self._write(RunStatus.RUNNING, complete=False, ended_at=None)

    def settle(self) -> None:
        """Their erasures are counted: write the counts and clear the keys in one update."""
        self.in_flight = []
        self._write(RunStatus.RUNNING, complete=False, ended_at=None)

    def finish(self, *, complete: bool) -> RetentionRunReport:
        self.in_flight = []
        ended_at = iso(utcnow())
        self._write(RunStatus.FINISHED, complete=complete, ended_at=ended_at)
        return RetentionRunReport(
            run_id=self.run_id, started_at=self.started_at, ended_at=ended_at, status=RunStatus.FINISHED,
            complete=complete, counts=dict(self.counts), errors=dict(self.errors), adopted=len(self.adopted),
        )

    def _entity(self, status: RunStatus, *, complete: bool, ended_at: str | None) -> Entity:
        return {
            "PartitionKey": RUN_PK,
            "RowKey": self.run_id,
            "started_at": self.started_at,
            "ended_at": ended_at or "",
            "status": status.value,
            "complete": complete,
            "counts": json.dumps(dict(self.counts), sort_keys=True),
            "errors": json.dumps(dict(self.errors), sort_keys=True),
            "error_count": sum(self.errors.values()),
            "adopted": len(self.adopted),
            "in_flight": json.dumps(self.in_flight),
        }

    def _write(self, status: RunStatus, *, complete: bool, ended_at: str | None) -> None:
        self._lease.keep()
        self._table.upsert_entity(self._entity(status, complete=complete, ended_at=ended_at))
