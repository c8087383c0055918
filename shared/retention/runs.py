"""Retention runs: the lease that keeps runs apart, and the journal that counts each erasure exactly once.

The rows are `runs_store`'s (table `retentionruns`).

Counting each erasure exactly once, across crashes: before a batch of people is erased their keys are
written to the run's `in_flight`; afterwards the new counts and an empty `in_flight` are written in one
entity update. A run that dies in between leaves its keys behind. The next run adopts them, finishes each
erasure that is still due and counts every one that is done, including those the dead run had erased but
not yet counted. The lease makes "the previous run is dead" true: nobody else holds it while we do.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from shared.errors import ConcurrencyConflict
from shared.ids import iso, utcnow
from shared.retention import runs_store
from shared.retention.errors import LeaseLost
from shared.retention.model import Category, RetentionRunReport, RunStatus
from shared.storage.clients import Storage

# Renewed at every journal write (each batch of erasures), so only a dead run lets it lapse. Azure's own
# timer singleton already keeps scheduled runs apart; the lease also covers a manual `devhost run`.
LEASE_DURATION = timedelta(minutes=30)


def latest_run(storage: Storage) -> RetentionRunReport | None:
    record = runs_store.newest_run(storage)
    return record.report if record else None


class Lease:
    def __init__(self, storage: Storage, run_id: str, etag: str, held_until: datetime) -> None:
        self._storage = storage
        self.run_id, self._etag, self._held_until = run_id, etag, held_until

    @classmethod
    def acquire(cls, storage: Storage, run_id: str) -> Lease | None:
        """The lease, or None while another live run holds it. Conditional writes: of two runs, one wins."""
        now = utcnow()
        held_until = now + LEASE_DURATION
        current = runs_store.read_lease(storage)
        if current is not None and current.held_until > now:
            return None
        etag = runs_store.take_lease(storage, run_id, held_until, etag=current.etag if current else None)
        return cls(storage, run_id, etag, held_until) if etag else None

    def keep(self) -> None:
        """Renew once half of the lease has gone; LeaseLost if someone took it over meanwhile."""
        now = utcnow()
        if now < self._held_until - LEASE_DURATION / 2:
            return
        held_until = now + LEASE_DURATION
        try:
            self._etag = runs_store.renew_lease(self._storage, self.run_id, held_until, self._etag)
        except ConcurrencyConflict:
            raise LeaseLost("the retention lease was taken over by another run") from None
        self._held_until = held_until

    def release(self) -> None:
        runs_store.release_lease(self._storage, self._etag)


class RunJournal:
    """The run's own record, written at start, around every batch of erasures, and at the end."""

    def __init__(self, storage: Storage, lease: Lease, started_at: datetime, adopted: list[str]) -> None:
        self._storage = storage
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
        previous = runs_store.newest_run(storage)
        interrupted = previous is not None and previous.report.status == RunStatus.RUNNING
        journal = cls(storage, lease, started_at, previous.in_flight if previous and interrupted else [])
        runs_store.create_run(storage, journal._report(RunStatus.RUNNING, complete=False, ended_at=None),
                              journal.in_flight)
        if previous is not None and interrupted:
            # Only after our record holds its keys: a crash in between leaves them on a running record.
            runs_store.mark_interrupted(storage, previous.report.run_id)
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
        return self._report(RunStatus.FINISHED, complete=complete, ended_at=ended_at)

    def _report(self, status: RunStatus, *, complete: bool, ended_at: str | None) -> RetentionRunReport:
        return RetentionRunReport(
            run_id=self.run_id, started_at=self.started_at, ended_at=ended_at, status=status, complete=complete,
            counts=dict(self.counts), errors=dict(self.errors), adopted=len(self.adopted),
        )

    def _write(self, status: RunStatus, *, complete: bool, ended_at: str | None) -> None:
        self._lease.keep()
        runs_store.save_run(self._storage, self._report(status, complete=complete, ended_at=ended_at),
                            self.in_flight)
