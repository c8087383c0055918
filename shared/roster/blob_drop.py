"""The `mis-uploads/{school_id}/{name}` drop: ingest, write the report, delete the upload whatever happens.

The report (same JSON as the HTTP upload) goes to `mis-reports/{school_id}/{name}.json`. A file that
cannot be used at all gets a report naming the problem (never a value from the file). A re-delivery of
an upload whose report already records the same content hash is not ingested again. Storage failures
propagate, so the host retries the blob (and parks it on the poison queue after five attempts); the
retention sweep removes any upload left behind.
"""

from __future__ import annotations

import hashlib
import json
import logging

from shared.errors import DomainError
from shared.ids import iso, utcnow
from shared.organisation import store as org_store
from shared.problems import problem_for
from shared.roster.ingest import sync_school
from shared.roster.schemas import RosterMode
from shared.storage.blobs import delete_if_present, read_if_present
from shared.storage.clients import Storage, get_storage
from shared.storage.names import MIS_REPORTS, MIS_UPLOADS
from shared.storage.tables import check_key

log = logging.getLogger(__name__)

PARTIAL_SUFFIX = ".partial.csv"


def split_blob_path(path: str) -> tuple[str, str]:
    """`mis-uploads/<school>/<name>` (or without the container) → (school id, name)."""
    parts = path.split("/")
    if parts and parts[0] == MIS_UPLOADS:
        parts = parts[1:]
    if len(parts) < 2 or not parts[0] or not parts[-1]:
        raise ValueError("upload path must be mis-uploads/<school id>/<file name>")
    return parts[0], "/".join(parts[1:])


def _existing_report(storage: Storage, report_name: str) -> dict | None:
    raw = read_if_present(storage.container(MIS_REPORTS), report_name)
    return json.loads(raw) if raw is not None else None


def ingest_upload(path: str, data: bytes, *, storage: Storage | None = None) -> dict:
    """Process one dropped file; returns the report that was written."""
    storage = storage or get_storage()
    school_id, name = split_blob_path(path)
    report_name = f"{school_id}/{name}.json"
    content_hash = hashlib.sha256(data).hexdigest()
    previous = _existing_report(storage, report_name)
    if previous and previous.get("upload_sha256") == content_hash:
        report = previous
    else:
        report = _report_for(storage, school_id, name, data)
        report |= {"upload": name, "upload_sha256": content_hash, "processed_at": iso(utcnow())}
        storage.container(MIS_REPORTS).upload_blob(
            report_name, json.dumps(report, indent=2).encode(), overwrite=True
        )
    # A re-delivered event may arrive after the upload is already gone.
    delete_if_present(storage.container(MIS_UPLOADS), f"{school_id}/{name}")
    log.info("mis upload processed", extra={"school_id": school_id, "status": report.get("status", 200)})
    return report


def _report_for(storage: Storage, school_id: str, name: str, data: bytes) -> dict:
    mode = RosterMode.PARTIAL if name.lower().endswith(PARTIAL_SUFFIX) else RosterMode.FULL
    try:
        school = org_store.get_school(storage, check_key(school_id))
        if school is None:
            return {"status": 404, "title": "Unknown school", "detail": "No school has this id.",
                    "school_id": school_id}
        report = sync_school(storage, school, data=data, content_type="text/csv", mode=mode, actor_id=None)
        return {"status": 200, **report.model_dump(mode="json")}
    except DomainError as exc:
        return {**raw_problem(problem_for(exc).body), "school_id": school_id}


def raw_problem(body: dict) -> dict:
    return {k: v for k, v in body.items() if k in ("type", "title", "status", "detail", "errors")}
