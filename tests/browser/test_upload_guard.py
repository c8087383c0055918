"""The upload page names the consequence, lists who is new and who would leave, and lets staff confirm or
discard an upload their MIS dropped into storage that the leaver guard held."""

from __future__ import annotations

import csv
import io
import json

import pytest
from azure.core.exceptions import ResourceNotFoundError
from azure.storage.blob import BlobServiceClient
from playwright.sync_api import expect

from tests.browser.conftest import LAPTOP, screenshot, stat_value
from tests.browser.test_coordinator import sign_in_as_staff
from tests.data.synthetic import synthetic_sims_csv
from tests.e2e.test_devhost import wait_for

pytestmark = pytest.mark.browser


def first_rows(data: bytes, n: int) -> tuple[bytes, list[dict]]:
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows[:n])
    return out.getvalue().encode(), rows


def test_a_coordinator_sees_who_would_leave_and_confirms_a_held_upload(browsing, http_api, new_tenant, tmp_path,
                                                                      azurite):
    tenant = new_tenant("Larchfield")
    staff = http_api.as_(tenant.staff.token)
    full = synthetic_sims_csv(12, seed=61)
    assert staff.post(f"/api/schools/{tenant.school_id}/roster", body=full,
                      headers={"Content-Type": "text/csv"}).status == 200
    shorter, rows = first_rows(full, 3)
    path = tmp_path / "spring.csv"
    path.write_bytes(shorter)

    page = browsing.page(LAPTOP)
    sign_in_as_staff(page, tenant.staff, "Larchfield Primary")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Upload").click()
    page.get_by_label("MIS export file").set_input_files(path)
    page.get_by_role("button", name="Check the file").click()
    preview = page.get_by_role("region", name="Check before you load: spring.csv")
    assert stat_value(preview, "to mark as left") == "9"
    expect(preview).to_contain_text("Please check this carefully.")
    leaving = preview.get_by_role("list", name="Will be marked as left (9)").get_by_role("listitem")
    expect(leaving).to_have_count(9)
    assert sorted(leaving.all_inner_texts()) == sorted(
        f"{r['Preferred Forename'] or r['Legal Forename']} {r['Preferred Surname'] or r['Legal Surname']}"
        for r in rows[3:])
    expect(preview.get_by_role("button", name="Load 3 pupils and mark 9 as left")).to_be_visible()
    screenshot(page, "staff-11-upload-leavers-laptop")

    # The same file dropped into storage by the MIS is held, not applied.
    blobs = BlobServiceClient.from_connection_string(azurite.connection_string)
    blobs.get_container_client("mis-uploads").upload_blob(f"{tenant.school_id}/spring.csv", shorter, overwrite=True)
    reports = blobs.get_container_client("mis-reports")

    def held() -> dict | None:
        try:
            report = json.loads(reports.download_blob(f"{tenant.school_id}/spring.csv.json").readall())
        except ResourceNotFoundError:
            return None
        return report if report.get("status") == "held" else None

    assert wait_for(held, what="the held report")["confirm_leavers"] == 9
    page.reload()
    waiting = page.get_by_role("region", name="Uploads waiting for you")
    item = waiting.get_by_role("listitem", name="spring.csv")
    expect(item).to_contain_text("Held: the file would mark 9 of the school's 12 active pupils as left")
    screenshot(page, "staff-12-held-upload-laptop")
    item.get_by_role("button", name="Confirm: Load 3 pupils and mark 9 as left").click()
    expect(page.get_by_role("region", name="Pupils loaded")).to_contain_text("9 marked as left")
    expect(waiting).to_be_hidden()
    left = staff.get(f"/api/schools/{tenant.school_id}/pupils", params={"status": "left"}).json()["pupils"]
    # The nine, and the tenant's own pupil, who was not in the first upload.
    assert len(left) == 10
