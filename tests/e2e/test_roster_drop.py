"""A real-looking SIMS export dropped into Azurite is ingested by the real app through the devhost."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import httpx
import pytest
from azure.core.exceptions import ResourceNotFoundError
from azure.storage.blob import BlobServiceClient

from shared.organisation.schemas import SchoolIn
from shared.organisation.service import create_school
from shared.organisation.store import get_school
from shared.roster.store import roster_of
from shared.security.principal import Principal, Role
from shared.storage.names import PUPILS
from tests.e2e.test_devhost import Devhost, wait_for

pytestmark = pytest.mark.e2e

SIMS = Path(__file__).resolve().parents[1] / "data" / "sims_export.csv"


@pytest.fixture
def school(storage):
    from shared.organisation.schemas import PartnerIn
    from shared.organisation.service import create_partner

    trust = Principal(subject_id="stf_e2e", role=Role.TRUST_ADMIN)
    partner = create_partner(trust, PartnerIn(name="E2E partner"), storage=storage)
    return create_school(trust, partner.id, SchoolIn(name="E2E Primary"), storage=storage)


@pytest.fixture
def real_app(host_env, settings_file, tmp_path):
    host = Devhost("function_app:app", host_env, settings_file, tmp_path / "devhost.log").start()
    yield host
    host.stop()


def test_a_sims_export_dropped_in_mis_uploads_creates_pupils_writes_a_report_and_is_deleted(
    real_app, school, storage, azurite
):
    blobs = BlobServiceClient.from_connection_string(azurite.connection_string)
    uploads, reports = blobs.get_container_client("mis-uploads"), blobs.get_container_client("mis-reports")
    uploads.upload_blob(f"{school.id}/spring-term.csv", SIMS.read_bytes(), overwrite=True)

    def report():
        try:
            return json.loads(reports.download_blob(f"{school.id}/spring-term.csv.json").readall())
        except ResourceNotFoundError:
            return None

    got = wait_for(report, what="the ingest report", log=real_app.log)
    rows = list(csv.DictReader(io.StringIO(SIMS.read_text(encoding="utf-8-sig"))))
    assert got["status"] == 200 and got["created"] == len(rows) and got["mode"] == "full"
    assert "Ethnicity" in got["special_category_columns"]
    # The report is written just before the upload is deleted: wait for the deletion too.
    wait_for(lambda: [b.name for b in uploads.list_blobs(name_starts_with=f"{school.id}/")] == [],
             what="the upload's deletion", log=real_app.log)
    pupils = roster_of(storage, school.id)
    assert len(pupils) == len(rows)
    stored = json.dumps([dict(e) for e in storage.table(PUPILS).query_entities(
        "PartitionKey eq @s", parameters={"s": school.id})], default=str)
    for row in rows:
        for column in ("Ethnicity", "SEN Status", "Medical Conditions", "Adno", "Reg"):
            if len(row[column]) > 2:
                assert row[column] not in stored
    assert get_school(storage, school.id).last_sync_at is not None
    assert httpx.get(f"{real_app.base_url}/api/health").json()["status"] == "ok"


@pytest.mark.parametrize("blob_name", ["lonely-{n}.csv", "{school}/folder-{n}/"], ids=["container root", "folder"])
def test_a_file_in_the_wrong_place_is_reported_and_deleted_not_left_or_poisoned(real_app, school, azurite,
                                                                                blob_name):
    """Finding 6: `mis-uploads/<school>/dir/` went to poison and `mis-uploads/lonely.csv` never triggered, so the raw
    export (special-category columns) lingered until the sweep."""
    import secrets

    blobs = BlobServiceClient.from_connection_string(azurite.connection_string)
    uploads, reports = blobs.get_container_client("mis-uploads"), blobs.get_container_client("mis-reports")
    name = blob_name.format(n=secrets.token_hex(3), school=school.id)
    uploads.upload_blob(name, SIMS.read_bytes(), overwrite=True)

    def report():
        try:
            return json.loads(reports.download_blob(f"misplaced/{name.replace('/', '_')}.json").readall())
        except ResourceNotFoundError:
            return None

    got = wait_for(report, what="the misplaced-upload report", log=real_app.log)
    assert got["status"] == 400 and "mis-uploads/<school id>/" in got["detail"]
    wait_for(lambda: not uploads.get_blob_client(name).exists(), what="the upload's deletion", log=real_app.log)
    assert "Ethnicity" not in json.dumps(got)
