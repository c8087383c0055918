"""Trustworthy achievements in the browser: the verify page a certificate's QR opens, the graduation list,
moving school with a transfer code, and "Download my badge"."""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LAPTOP, PHONE, screenshot
from tests.browser.test_pupil import partner_activity, pupil_credentials, sign_in_as_pupil
from tests.browser.test_staff import main_nav, sign_in
from tests.world import Tenant, add_pupil

pytestmark = pytest.mark.browser


def _bronze(http_api, tenant: Tenant) -> dict:
    """The tenant's pupil reaches the Bronze Award; returns the award with its verification code."""
    code = partner_activity(http_api, tenant, title="Summer reading", hours=30, skills=["communication"],
                            interests=[])
    pupil = http_api.as_(tenant.pupil.token)
    assert pupil.post("/api/redemptions", json={"code": code}).status == 201
    (award,) = pupil.get("/api/me/progress").json()["awards"]
    assert pupil.get(f"/api/certificates/{award['certificate_id']}").status == 200
    (award,) = pupil.get("/api/me/progress").json()["awards"]
    return award


def _pupil_name(http_api, tenant: Tenant) -> str:
    record = http_api.as_(tenant.staff.token).get(f"/api/schools/{tenant.school_id}/pupils/{tenant.pupil.id}").json()
    return f"{record['first_name']} {record['last_name']}"


def test_a_certificates_code_opens_a_page_that_says_genuine_without_naming_the_child(browsing, http_api, new_tenant):
    tenant = new_tenant("Verity")
    award = _bronze(http_api, tenant)
    name = _pupil_name(http_api, tenant)
    page = browsing.page(PHONE)
    page.goto(f"/#/verify/{award['verification_code']}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check a certificate")
    expect(page.get_by_text("Genuine: this is a real Children's University certificate.")).to_be_visible()
    expect(page.locator(".facts")).to_contain_text("Bronze Award")
    body = page.locator("main").inner_text()
    assert name.split()[0] not in body and "Verity Primary" not in body
    screenshot(page, "verify-01-genuine-phone")

    page.get_by_label("The child's name, as you have it").fill(name.upper())
    page.get_by_role("button", name="Check the name").click()
    expect(page.get_by_text("The name matches this certificate.")).to_be_visible()
    page.get_by_label("The child's name, as you have it").fill("Someone Else")
    page.get_by_role("button", name="Check the name").click()
    expect(page.get_by_text("The name does not match this certificate.")).to_be_visible()

    page.get_by_label("Verification code").fill("0000-0000-0000-0000")
    page.get_by_role("button", name="Check", exact=True).click()
    expect(page.get_by_text(re.compile("^Not known"))).to_be_visible()
    screenshot(page, "verify-02-not-known-phone")


def test_a_cu_manager_downloads_the_graduation_list_and_a_schools_certificates(browsing, http_api, new_tenant,
                                                                                tmp_path):
    tenant = new_tenant("Gradwell")
    _bronze(http_api, tenant)
    name = _pupil_name(http_api, tenant)
    page = browsing.page(LAPTOP)
    sign_in(page, tenant.manager, lands_on="Gradwell Children's University")
    main_nav(page, "Graduation")
    expect(page.get_by_role("heading", level=1)).to_have_text("Graduation list")
    school = page.get_by_role("region", name="Gradwell Primary")
    expect(school).to_contain_text(name)
    expect(school).to_contain_text("Bronze Award: 1")
    screenshot(page, "graduation-01-manager-laptop")

    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV for invitations").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    rows = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
    assert rows[0][:3] == ["school", "first_name", "last_name"]
    assert ["Gradwell Primary", *name.split(" ", 1)] == rows[1][:3] and rows[1][5] == "Bronze Award"

    with page.expect_download() as download:
        school.get_by_role("button", name="Certificates (PDF)").click()
    pdf = tmp_path / "certificates.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")


def test_a_leavers_hours_move_to_the_new_school_with_a_transfer_code(browsing, http_api, new_tenant):
    old, new = new_tenant("Oldbury"), new_tenant("Newbury")
    _bronze(http_api, old)
    name = _pupil_name(http_api, old)
    as_old = http_api.as_(old.manager.token)
    sync = as_old.post(f"/api/schools/{old.school_id}/roster", params={"mode": "full"}, json={"pupils": [
        {"first_name": "Stays", "last_name": "Behind", "date_of_birth": "2016-05-05", "gender": "male"}]})
    assert sync.status == 200 and sync.json()["left"] == 1, sync.body
    newcomer = add_pupil(http_api.as_(new.staff.token), new.school_id, first_name=name.split()[0])

    page = browsing.page(LAPTOP)
    sign_in(page, old.staff, lands_on="Oldbury Primary")
    page.goto(f"/#/schools/{old.school_id}/pupils/{old.pupil.id}/transfer")
    expect(page.get_by_role("heading", level=1)).to_contain_text("moving school")
    page.get_by_role("button", name="Make a transfer code").click()
    code = page.get_by_test_id("transfer-code").inner_text()
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", code)
    screenshot(page, "transfer-01-slip-laptop")

    other = browsing.page(LAPTOP)
    sign_in(other, new.staff, lands_on="Newbury Primary")
    main_nav(other, "Pupils")
    pupils = other.get_by_role("table", name="Pupils")
    pupils.get_by_role("link", name=f"{name.split()[0]} Testpupil", exact=True).click()
    other.get_by_role("link", name="Moving school").click()
    other.get_by_label("Transfer code from the old school").fill(code.lower())
    other.get_by_role("button", name="Move the record here").click()
    expect(other.get_by_text(re.compile(r"^Done: 30 hours"))).to_be_visible()
    screenshot(other, "transfer-02-moved-laptop")
    progress = http_api.as_(new.staff.token).get(f"/api/schools/{new.school_id}/pupils/{newcomer}/progress").json()
    assert progress["total_hours"] == 30 and progress["awards"][0]["name"] == "Bronze Award"


def test_a_pupil_downloads_their_badge_only_where_the_school_allows_it(browsing, http_api, new_tenant, tmp_path):
    tenant = new_tenant("Badgeley")
    _bronze(http_api, tenant)
    creds = pupil_credentials(http_api, tenant)
    page = browsing.page(PHONE)
    sign_in_as_pupil(page, creds)
    expect(page.get_by_role("button", name="Download my Bronze Award certificate")).to_be_visible()
    expect(page.get_by_role("button", name="Download my Bronze Award badge")).to_have_count(0)

    assert http_api.as_(tenant.manager.token).patch(f"/api/schools/{tenant.school_id}",
                                                    json={"open_badges": True}).status == 200
    page.reload()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download my Bronze Award badge").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name.endswith(".jwt") and saved.read_text().count(".") == 2
    screenshot(page, "pupil-badge-phone")
