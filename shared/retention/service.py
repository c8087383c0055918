"""One retention run (DESIGN.md section 7): every sweep in order of harm, within one work budget, recorded."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime

from shared.ids import iso, utcnow
from shared.retention import expired, persons
from shared.retention.errors import LeaseLost
from shared.retention.model import RetentionRunReport, RunStatus
from shared.retention.runs import Lease, RunJournal
from shared.retention.runs_store import run_key
from shared.retention.sweep import Budget, Sweep, SweepAborted
from shared.settings import get_settings
from shared.storage.clients import Storage, get_storage

log = logging.getLogger("cuo.retention")

# Raw MIS exports hold the most personal data, then people, then rows that hold pseudonymous ids only:
# when the budget runs out, what is left for the next run is the least harmful.
SWEEPS: tuple[tuple[str, Callable[[Sweep], None]], ...] = (
    ("adopted", persons.settle_adopted),
    ("mis_uploads", expired.sweep_mis_uploads),
    ("leavers", persons.sweep_leavers),
    ("school_exits", persons.sweep_school_exits),
    ("inactive_staff", persons.sweep_inactive_staff),
    ("invitations", expired.sweep_invitations),
    ("refresh_tokens", expired.sweep_refresh_tokens),
    ("sso_flows", expired.sweep_sso_flows),
    ("password_resets", expired.sweep_password_resets),
    ("sign_in_challenges", expired.sweep_sign_in_challenges),
    ("throttle", expired.sweep_throttle),
    ("audit", expired.sweep_audit),
)


def run_retention(now: datetime | None = None, storage: Storage | None = None) -> RetentionRunReport:
    """Delete everything whose retention period is over, as of `now` (default: the service clock).

    Idempotent and resumable: a rerun finds only what is still due, and finishes what an interrupted run
    left in flight. Stops after RETENTION_BATCH_LIMIT units of work (`complete` False); the next run goes on.
    """
    storage = storage or get_storage()
    settings = get_settings()
    started = utcnow()
    clock = time.perf_counter()
    lease = Lease.acquire(storage, run_key(started))
    if lease is None:
        log.warning("retention run skipped: another run is in progress", extra={"status": RunStatus.SKIPPED.value})
        return RetentionRunReport(run_id="", started_at=iso(started), ended_at=iso(utcnow()),
                                  status=RunStatus.SKIPPED, complete=False)
    try:
        journal = RunJournal.open(storage, lease, started)
        sweep = Sweep(storage=storage, settings=settings, now=now or started, journal=journal,
                      budget=Budget(settings.retention_batch_limit))
        for name, run_sweep in SWEEPS:
            _run(sweep, name, run_sweep)
        report = journal.finish(complete=not sweep.budget.exhausted)
    finally:
        lease.release()
    _log(report, duration_ms=round((time.perf_counter() - clock) * 1000, 1))
    return report


def _run(sweep: Sweep, name: str, run_sweep: Callable[[Sweep], None]) -> None:
    """A sweep that fails (its query, or too many items in a row) is counted; the other sweeps still run."""
    try:
        run_sweep(sweep)
    except LeaseLost:
        raise
    except SweepAborted:
        return  # its failures are counted already
    except Exception as exc:  # noqa: BLE001 - counted in the run record and logged (type only)
        sweep.journal.error(name, exc)
        log.exception("retention sweep failed", extra={"category": name, "error_type": type(exc).__name__})


def _log(report: RetentionRunReport, *, duration_ms: float) -> None:
    for category, count in sorted(report.counts.items()):
        if count:
            log.info("retention %s", category, extra={"category": category, "count": count})
    log.info(
        "retention run %s", "complete" if report.complete else "stopped at the batch limit",
        extra={"status": report.status.value, "count": report.persons_erased, "duration_ms": duration_ms},
    )
    if report.error_count:
        log.warning("retention run had failures", extra={"count": report.error_count})
