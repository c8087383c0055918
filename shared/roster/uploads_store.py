"""The MIS drop's blobs: uploads in `mis-uploads/<school id>/<name>` and their reports in
`mis-reports/<school id>/<name>.json` (misplaced files' reports under `mis-reports/misplaced/`)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from shared.ids import iso
from shared.storage.blobs import delete_if_present, list_blobs, read_if_present
from shared.storage.clients import Storage
from shared.storage.names import MIS_REPORTS, MIS_UPLOADS


@dataclass(frozen=True)
class WaitingUpload:
    name: str  # within the school's folder
    uploaded_at: str
    size: int


def _report_name(school_id: str, name: str) -> str:
    return f"{school_id}/{name}.json"


def read_report(storage: Storage, school_id: str, name: str) -> dict | None:
    raw = read_if_present(storage.container(MIS_REPORTS), _report_name(school_id, name))
    return json.loads(raw) if raw is not None else None


def write_report(storage: Storage, school_id: str, name: str, report: dict) -> None:
    storage.container(MIS_REPORTS).upload_blob(_report_name(school_id, name), json.dumps(report, indent=2).encode(),
                                               overwrite=True)


def write_misplaced_report(storage: Storage, blob_name: str, report: dict) -> None:
    safe = blob_name.replace("/", "_") or "_"
    storage.container(MIS_REPORTS).upload_blob(f"misplaced/{safe}.json", json.dumps(report, indent=2).encode(),
                                               overwrite=True)


def delete_upload(storage: Storage, blob_name: str) -> None:
    """Delete an upload by its name in the container; one already gone (a re-delivered event) is fine."""
    delete_if_present(storage.container(MIS_UPLOADS), blob_name)


def read_upload(storage: Storage, school_id: str, name: str) -> bytes | None:
    """The upload's bytes, or None when there is none of that name (or none could have that name)."""
    if name.endswith("."):
        # "." and ".." are URL dot-segments: the request would address the school's folder or the container,
        # which the service refuses (400, 403). Azure's naming rules say no path segment ends with a dot: such a
        # blob cannot be addressed, so none is waiting under that name.
        return None
    return read_if_present(storage.container(MIS_UPLOADS), f"{school_id}/{name}")


def waiting_uploads(storage: Storage, school_id: str) -> list[WaitingUpload]:
    """The school's uploads still in the container: one listing of its folder."""
    return [WaitingUpload(name=b.name.removeprefix(f"{school_id}/"), uploaded_at=iso(b.last_modified), size=b.size)
            for b in list_blobs(storage.container(MIS_UPLOADS), f"{school_id}/")]
