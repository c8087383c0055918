"""What every retention sweep works with: the run's clock, its journal, its work budget, its error guard."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from shared.organisation import store as org_store
from shared.organisation.model import School
from shared.retention.errors import LeaseLost
from shared.retention.runs import RunJournal
from shared.settings import Settings
from shared.storage.clients import Storage

log = logging.getLogger("cuo.retention")

# A sweep whose items keep failing (storage down, a systematic bug) gives up instead of retrying each
# item with back-off until the host's time limit; its due rows wait for the next run.
MAX_CONSECUTIVE_ERRORS = 5


class SweepAborted(Exception):
    """Too many items in a row failed; the errors are already counted."""


class Budget:
    """RETENTION_BATCH_LIMIT work units per run: a person erased, a stale due row removed, a transaction
    of up to 100 expired rows, or a blob deleted. Reads are not counted: each is followed by a unit."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self.exhausted = False

    def take(self) -> bool:
        """One unit for work that is in hand; False (and the run is incomplete) once the budget is spent."""
        if self.used >= self.limit:
            self.exhausted = True
            return False
        self.used += 1
        return True


@dataclass
class Sweep:
    storage: Storage
    settings: Settings
    now: datetime
    journal: RunJournal
    budget: Budget
    _schools: dict[str, School | None] = field(default_factory=dict)

    @property
    def today(self) -> date:
        return self.now.date()

    def take(self) -> bool:
        """One unit of the budget for work in hand; keeps the lease alive through long sweeps too."""
        self.journal.keep_lease()
        return self.budget.take()

    def school(self, school_id: str) -> School | None:
        """The school, read once per run (for the scope ids of audit entries)."""
        if school_id not in self._schools:
            self._schools[school_id] = org_store.get_school(self.storage, school_id)
        return self._schools[school_id]


class ItemGuard:
    """One failing item is counted and skipped; the rest of the sweep goes on (record-by-record batches)."""

    def __init__(self, sweep: Sweep, name: str) -> None:
        self._journal = sweep.journal
        self.name = name
        self._in_a_row = 0

    @contextlib.contextmanager
    def item(self) -> Iterator[None]:
        try:
            yield
        except (LeaseLost, SweepAborted):
            raise
        except Exception as exc:  # noqa: BLE001 - counted in the run record and logged (type only); the run goes on
            self._journal.error(self.name, exc)
            log.exception("retention item failed", extra={"category": self.name, "error_type": type(exc).__name__})
            self._in_a_row += 1
            if self._in_a_row >= MAX_CONSECUTIVE_ERRORS:
                raise SweepAborted(self.name) from None
        else:
            self._in_a_row = 0
