"""The `mis-uploads/{school_id}/{name}` drop: ingest, write the report, delete the upload.

A blob anywhere else in the container (at its root, or a name ending in "/") is not a school's export: it
gets a report under `mis-reports/misplaced/` saying where files go, and is deleted at once (it may hold
special-category columns), never retried or poisoned.

The report (same JSON as the HTTP upload) goes to `mis-reports/{school_id}/{name}.json`. A file that
cannot be used at all gets a report naming the problem (never a value from the file). A re-delivery of
an upload whose report already records the same content hash is not ingested again. Storage failures
propagate, so the host retries the blob (and parks it on the poison queue after five attempts); the
retention sweep removes any upload left behind.

A full sync stopped by the leaver guard is *held*: its report says `"status": "held"` with the reason
and the number to confirm, and the upload is kept (the 24 h sweep still applies) until staff confirm it
(`confirm_upload`) or discard it (`discard_upload`). A sync that finds another sync of the school
running waits for the school's upload lease, then raises, so the host retries the blob.
"""

from __future__ import annotations

import hashlib
import logging

from shared import audit
from shared.audit import Action
from shared.errors import DomainError, NotFound
from shared.ids import iso, utcnow
from shared.organisation import store as org_store
from shared.organisation.access import visible_school
from shared.organisation.model import School
from shared.problems import problem_for
from shared.roster import uploads_store
from shared.roster.errors import RosterSyncHeld, RosterSyncInProgress
from shared.roster.formats import JSON_CONTENT_TYPE, ZIP_CONTENT_TYPES
from shared.roster.ingest import sync_school
from shared.roster.schemas import HeldUpload, HeldUploadList, RosterMode, RosterReport
from shared.security.principal import Principal
from shared.settings import get_settings
from shared.storage.clients import Storage, get_storage
from shared.storage.names import MIS_UPLOADS
from shared.storage.tables import check_key

log = logging.getLogger(__name__)

PARTIAL_MARK = ".partial"  # `term.partial.csv`, `delta.partial.zip`, `page2.partial.json`
HELD = "held"
DISCARDED = "discarded"


def split_blob_path(path: str) -> tuple[str, str]:
    """`mis-uploads/<school>/<name>` (or without the container) → (school id, name)."""
    parts = path.split("/")
    if parts and parts[0] == MIS_UPLOADS:
        parts = parts[1:]
    if len(parts) < 2 or any(not p for p in parts):
        raise ValueError("upload path must be mis-uploads/<school id>/<file name>")
    return parts[0], "/".join(parts[1:])


def _misplaced(storage: Storage, blob_name: str) -> dict:
    report = {"status": 400, "title": "Upload in the wrong place",
              "detail": ("Put each export at mis-uploads/<school id>/<file name> (.csv, .zip or .json); this file was "
                         "deleted unread."),
              "processed_at": iso(utcnow())}
    uploads_store.write_misplaced_report(storage, blob_name, report)
    uploads_store.delete_upload(storage, blob_name)
    log.info("misplaced mis upload deleted", extra={"status": 400})
    return report


def ingest_upload(path: str, data: bytes, *, storage: Storage | None = None) -> dict:
    """Process one dropped file; returns the report that was written."""
    storage = storage or get_storage()
    try:
        school_id, name = split_blob_path(path)
    except ValueError:
        return _misplaced(storage, path.removeprefix(f"{MIS_UPLOADS}/"))
    content_hash = hashlib.sha256(data).hexdigest()
    previous = uploads_store.read_report(storage, school_id, name)
    if previous and previous.get("upload_sha256") == content_hash:
        report = previous
    else:
        report = _report_for(storage, school_id, name, data)
        _write_report(storage, school_id, name, report, content_hash)
    if report.get("status") != HELD:
        _delete_upload(storage, school_id, name)
    log.info("mis upload processed", extra={"school_id": school_id, "status": report.get("status", 200)})
    return report


def _write_report(storage: Storage, school_id: str, name: str, report: dict, content_hash: str) -> None:
    report |= {"upload": name, "upload_sha256": content_hash, "processed_at": iso(utcnow())}
    uploads_store.write_report(storage, school_id, name, report)


def _delete_upload(storage: Storage, school_id: str, name: str) -> None:
    uploads_store.delete_upload(storage, f"{school_id}/{name}")


def _mode_of(name: str) -> RosterMode:
    return RosterMode.PARTIAL if name.lower().rsplit(".", 1)[0].endswith(PARTIAL_MARK) else RosterMode.FULL


def _content_type_of(name: str) -> str:
    """By the file's extension: `.zip` a OneRoster bundle, `.json` Wonde (or our own) JSON, else a CSV export."""
    extension = name.lower().rsplit(".", 1)[-1]
    return {"zip": ZIP_CONTENT_TYPES[0], "json": JSON_CONTENT_TYPE}.get(extension, "text/csv")


def _report_for(storage: Storage, school_id: str, name: str, data: bytes) -> dict:
    try:
        school = org_store.get_school(storage, check_key(school_id))
        if school is None:
            return {"status": 404, "title": "Unknown school", "detail": "No school has this id.",
                    "school_id": school_id}
        return _sync(storage, school, name, data, confirm_leavers=None, actor_id=None)
    except RosterSyncInProgress:
        # Not a verdict on the file: the host delivers the blob again once the other sync is done.
        raise
    except DomainError as exc:
        return {**raw_problem(problem_for(exc).body), "school_id": school_id}


def _sync(storage: Storage, school: School, name: str, data: bytes, *, confirm_leavers: int | None,
          actor_id: str | None) -> dict:
    try:
        report = sync_school(storage, school, data=data, content_type=_content_type_of(name), mode=_mode_of(name),
                             confirm_leavers=confirm_leavers, actor_id=actor_id,
                             lease_wait_seconds=get_settings().roster_lease_wait_seconds)
    except RosterSyncHeld as held:
        return {"status": HELD, **held.report.model_dump(mode="json", exclude_none=True)}
    return {"status": 200, **report.model_dump(mode="json", exclude_none=True)}


# --- Held uploads: staff list, confirm or discard them ------------------------------------------------------


def held_uploads(caller: Principal, school_id: str, *, storage: Storage | None = None) -> HeldUploadList:
    """The school's uploads waiting in `mis-uploads` (held by the leaver guard, or not yet processed)."""
    storage = storage or get_storage()
    school = visible_school(storage, caller, school_id)
    out = []
    for upload in uploads_store.waiting_uploads(storage, school.id):
        report = uploads_store.read_report(storage, school.id, upload.name)
        held = report is not None and report.get("status") == HELD
        out.append(HeldUpload(
            name=upload.name, uploaded_at=upload.uploaded_at, size=upload.size, status=HELD if held else "waiting",
            report=RosterReport.model_validate(report) if held else None,
        ))
    return HeldUploadList(uploads=out)


def _held_upload(storage: Storage, school: School, name: str) -> bytes:
    check_key(name)
    data = uploads_store.read_upload(storage, school.id, name)
    if data is None:
        raise NotFound("No upload of this name is waiting for this school.")
    return data


def confirm_upload(
    caller: Principal, school_id: str, name: str, confirm_leavers: int, *, storage: Storage | None = None
) -> RosterReport:
    """Apply a held upload (the same confirm_leavers rule as HTTP: the number must still be right)."""
    storage = storage or get_storage()
    school = visible_school(storage, caller, school_id)
    data = _held_upload(storage, school, name)
    # Raises RosterSyncHeld (409) again when the number no longer matches; the upload stays held.
    report = sync_school(storage, school, data=data, content_type=_content_type_of(name), mode=_mode_of(name),
                         confirm_leavers=confirm_leavers, actor_id=caller.subject_id)
    _write_report(storage, school.id, name, {"status": 200, **report.model_dump(mode="json", exclude_none=True)},
                  hashlib.sha256(data).hexdigest())
    _delete_upload(storage, school.id, name)
    return report


def discard_upload(caller: Principal, school_id: str, name: str, *, storage: Storage | None = None) -> None:
    storage = storage or get_storage()
    school = visible_school(storage, caller, school_id)
    data = _held_upload(storage, school, name)
    report = uploads_store.read_report(storage, school.id, name) or {}
    _write_report(storage, school.id, name, report | {"status": DISCARDED}, hashlib.sha256(data).hexdigest())
    _delete_upload(storage, school.id, name)
    audit.record(Action.ROSTER_UPLOAD_DISCARDED, actor_id=caller.subject_id, subject_ids=[], school_id=school.id,
                 partner_id=school.partner_id, storage=storage)


def raw_problem(body: dict) -> dict:
    return {k: v for k, v in body.items() if k in ("type", "title", "status", "detail", "errors")}
