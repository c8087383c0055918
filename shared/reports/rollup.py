"""The summaries behind partner and national reports, and the scheduled run that keeps them current.

Why a roll-up rather than a counter bumped by each redemption: the redemption's atomic step is one
entity-group transaction in the school's partition of `pupils`, and `schoolstats` is another table, so
a counter there could not be in that transaction (a crash between the two would skew it for ever), and
every redemption of a school would contend for one row's ETag. Instead `roll_up_school` recomputes a
school's summary from its pupil rows, which already hold per-day aggregates: one range read, one read
of its clubs and one write per school, whatever the number of redemptions. Recomputing makes it
idempotent (a rerun writes the same row) and self-correcting: erasures, restrictions, leavers and roster
changes need no hook, they are simply absent from the next roll-up. The price is freshness, which the
reports state as `as_of`.

`roll_up_partner` rolls up a partner's schools (a few at a time on threads) and then writes the
partner's total, summed in memory from those same summaries, so the national report reads one row per
partner. A school that fails keeps its previous row, and the total counts that row instead.

Bounded work and continuation (`roll_up`, the `reports_rollup` timer, schedule REPORTS_ROLLUP_SCHEDULE):
a run takes partners in id order after the saved cursor and stops at `max_partners` or once its time
budget is spent (checked between partners, so a run overshoots by at most one partner), then saves the
cursor; the next run goes on from there and wraps around after the last partner (one *cycle*). A failed
school is logged and retried next cycle, and the run then reports failure so it shows in monitoring.
"""

from __future__ import annotations

import contextvars
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from shared.ids import iso, utcnow
from shared.organisation import store as org_store
from shared.organisation.model import School
from shared.organisation.store import schools_of_partner
from shared.reports.figures import MonthlySummary
from shared.reports.store import (
    RollupCursor,
    SummaryRow,
    get_school_summary,
    pupils_for_reports,
    put_partner_total,
    put_school_summary,
    read_cursor,
    save_cursor,
    school_clubs,
)
from shared.storage.clients import Storage, get_storage

log = logging.getLogger("cuo.reports")

MAX_PARTNERS_PER_RUN = 1_000
# Well inside the Functions timeout, and short enough that an hourly schedule never overlaps itself.
TIME_BUDGET_SECONDS = 240.0
WORKERS = 8


class RollupFailed(RuntimeError):
    """Some schools could not be rolled up this run (their ids are logged; the rest were)."""


@dataclass(frozen=True)
class PartnerRollup:
    total: SummaryRow
    rolled_up: tuple[str, ...]  # school ids, in order
    failed: tuple[str, ...]


@dataclass(frozen=True)
class RollupRun:
    started_at: str
    finished_at: str
    partners: int
    schools: int
    failed: tuple[str, ...]
    cycle_completed: bool
    resume_after: str  # the cursor (a partner id): "" when the next run starts a new cycle
    rolled_up: tuple[str, ...] = field(default=(), repr=False)

    def raise_for_errors(self) -> None:
        if self.failed:
            raise RollupFailed(f"{len(self.failed)} school(s) could not be rolled up; see the log")


def roll_up_school(storage: Storage, school: School) -> SummaryRow:
    """Recompute the school's summary from its pupil rows and store it (idempotent)."""
    row = SummaryRow(
        owner_id=school.id, rolled_up_at=iso(utcnow()),
        summary=MonthlySummary.of(pupils_for_reports(storage, school.id)), clubs=school_clubs(storage, school.id),
    )
    put_school_summary(storage, school.partner_id, row)
    return row


def roll_up_partner(storage: Storage, partner_id: str, *, workers: int = WORKERS) -> PartnerRollup:
    """Every member school now, then the partner's total from those same summaries (also on demand)."""
    schools = schools_of_partner(storage, partner_id)
    rows: list[SummaryRow] = []
    failed: list[str] = []
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="rollup") as pool:
        # Each task runs in a copy of the caller's context, so request counting scopes see its requests.
        futures = [(s, pool.submit(contextvars.copy_context().run, roll_up_school, storage, s)) for s in schools]
        for school, future in futures:
            try:
                rows.append(future.result())
            except Exception:  # noqa: BLE001 - one school's failure must not stop the others; reported by the run
                log.exception("roll-up of a school failed", extra={"school_id": school.id})
                failed.append(school.id)
                previous = get_school_summary(storage, partner_id, school.id)
                if previous is not None:
                    rows.append(previous)
    total = MonthlySummary()
    for row in rows:
        total.add(row.summary)
    partner_row = SummaryRow(
        owner_id=partner_id,
        rolled_up_at=min((r.rolled_up_at for r in rows), default=iso(utcnow())), summary=total,
        clubs=[club for row in rows for club in row.clubs], schools=len(rows),
    )
    put_partner_total(storage, partner_row)
    return PartnerRollup(total=partner_row, rolled_up=tuple(s.id for s in schools if s.id not in failed),
                         failed=tuple(failed))


def roll_up(
    storage: Storage | None = None, *, max_partners: int = MAX_PARTNERS_PER_RUN,
    time_budget_seconds: float = TIME_BUDGET_SECONDS, workers: int = WORKERS,
) -> RollupRun:
    """One bounded run of the roll-up, going on from where the last one stopped."""
    storage = storage or get_storage()
    started_at = iso(utcnow())
    deadline = time.monotonic() + time_budget_seconds
    cursor = read_cursor(storage) or RollupCursor()
    after = cursor.resume_after
    partners: list[str] = []
    schools: list[str] = []
    failed: list[str] = []
    finished_cycle = True
    for partner_id in org_store.partner_ids_after(storage, after):
        if len(partners) >= max_partners or time.monotonic() >= deadline:
            finished_cycle = False
            break
        result = roll_up_partner(storage, partner_id, workers=workers)
        partners.append(partner_id)
        schools += result.rolled_up
        failed += result.failed
    resume_after = "" if finished_cycle else (partners[-1] if partners else after)
    run = RollupRun(started_at=started_at, finished_at=iso(utcnow()), partners=len(partners),
                    schools=len(schools) + len(failed), failed=tuple(failed), cycle_completed=finished_cycle,
                    resume_after=resume_after, rolled_up=tuple(schools))
    save_cursor(storage, RollupCursor(
        resume_after=run.resume_after, last_run_started_at=run.started_at, last_run_finished_at=run.finished_at,
        last_run_partners=run.partners, last_run_schools=run.schools, last_run_failed=len(run.failed),
        last_cycle_completed_at=run.finished_at if run.cycle_completed else cursor.last_cycle_completed_at))
    log.info("reports roll-up run", extra={"partners": run.partners, "schools": run.schools,
                                           "failed": len(run.failed), "cycle_completed": run.cycle_completed})
    return run
