"""The `retentionruns` table (its one owner): the record of each retention run, and the lease between runs.

- PK "run", RK the inverted start time (newest first): started_at, ended_at, status, complete, counts
  (JSON {category: n}), errors (JSON {"sweep:ErrorType": n}), error_count, adopted, and in_flight (JSON list
  of journal keys made of pseudonymous ids; empty once the run has ended). No personal data.
- PK "lease", RK "retention": which run holds the lease and until when; taken and renewed under its ETag.
"""

from __future__ import annotations

import contextlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime

from azure.core.exceptions import ResourceExistsError

from shared.errors import ConcurrencyConflict
from shared.ids import iso, parse_iso
from shared.retention.model import RetentionRunReport, RunStatus
from shared.storage.clients import Storage
from shared.storage.names import RETENTION_RUNS
from shared.storage.tables import Entity, delete_if_match, etag_of, get_entity, update_if_match

RUN_PK = "run"
LEASE_PK, LEASE_RK = "lease", "retention"
_INVERT_FROM_MS = 10**15 - 1


@dataclass(frozen=True)
class RunRecord:
    report: RetentionRunReport
    in_flight: list[str]


@dataclass(frozen=True)
class LeaseRow:
    held_until: datetime
    etag: str


def run_key(started: datetime) -> str:
    """Inverted milliseconds, so the newest run sorts first; a random tail keeps two runs apart."""
    return f"{_INVERT_FROM_MS - int(started.timestamp() * 1000):015d}-{secrets.token_hex(3)}"


def _report_from(e: Entity) -> RetentionRunReport:
    return RetentionRunReport(
        run_id=e["RowKey"],
        started_at=e["started_at"],
        ended_at=e.get("ended_at") or None,
        status=RunStatus(e["status"]),
        complete=bool(e.get("complete")),
        counts=json.loads(e.get("counts") or "{}"),
        errors=json.loads(e.get("errors") or "{}"),
        adopted=int(e.get("adopted") or 0),
    )


def _run_entity(report: RetentionRunReport, in_flight: list[str]) -> Entity:
    return {
        "PartitionKey": RUN_PK,
        "RowKey": report.run_id,
        "started_at": report.started_at,
        "ended_at": report.ended_at or "",
        "status": report.status.value,
        "complete": report.complete,
        "counts": json.dumps(report.counts, sort_keys=True),
        "errors": json.dumps(report.errors, sort_keys=True),
        "error_count": report.error_count,
        "adopted": report.adopted,
        "in_flight": json.dumps(in_flight),
    }


def newest_run(storage: Storage) -> RunRecord | None:
    rows = storage.table(RETENTION_RUNS).query_entities(
        "PartitionKey eq @pk", parameters={"pk": RUN_PK}, results_per_page=1
    )
    row = next(iter(rows), None)
    return RunRecord(_report_from(row), json.loads(row.get("in_flight") or "[]")) if row else None


def create_run(storage: Storage, report: RetentionRunReport, in_flight: list[str]) -> None:
    storage.table(RETENTION_RUNS).create_entity(_run_entity(report, in_flight))


def save_run(storage: Storage, report: RetentionRunReport, in_flight: list[str]) -> None:
    storage.table(RETENTION_RUNS).upsert_entity(_run_entity(report, in_flight))


def mark_interrupted(storage: Storage, run_id: str) -> None:
    """The run died before finishing; its in-flight keys are adopted by the run that says so."""
    storage.table(RETENTION_RUNS).update_entity(
        {"PartitionKey": RUN_PK, "RowKey": run_id, "status": RunStatus.INTERRUPTED.value, "in_flight": "[]"},
    )


def _lease_entity(run_id: str, held_until: datetime) -> Entity:
    return {"PartitionKey": LEASE_PK, "RowKey": LEASE_RK, "run_id": run_id, "held_until": iso(held_until)}


def read_lease(storage: Storage) -> LeaseRow | None:
    row = get_entity(storage.table(RETENTION_RUNS), LEASE_PK, LEASE_RK)
    return LeaseRow(parse_iso(row["held_until"]), etag_of(row)) if row else None


def take_lease(storage: Storage, run_id: str, held_until: datetime, *, etag: str | None) -> str | None:
    """Hold the lease: an insert when the read found none (`etag` None), else a write under the read's ETag.
    The new ETag, or None when another run wrote first."""
    table = storage.table(RETENTION_RUNS)
    try:
        if etag is None:
            return table.create_entity(_lease_entity(run_id, held_until))["etag"]
        return update_if_match(table, _lease_entity(run_id, held_until), etag)
    except (ResourceExistsError, ConcurrencyConflict):
        return None


def renew_lease(storage: Storage, run_id: str, held_until: datetime, etag: str) -> str:
    """The new ETag; ConcurrencyConflict when someone else wrote the lease since `etag`."""
    return update_if_match(storage.table(RETENTION_RUNS), _lease_entity(run_id, held_until), etag)


def release_lease(storage: Storage, etag: str) -> None:
    """Give the lease up, unless someone else holds it by now."""
    with contextlib.suppress(ConcurrencyConflict):
        delete_if_match(storage.table(RETENTION_RUNS), LEASE_PK, LEASE_RK, etag)
