"""A coordinator's daily tasks in the browser: a club session for 12 pupils in one go, an assembly's
certificates, a pupil restricted on their page, and the school switched to generic dates of birth."""

from __future__ import annotations

import json
import re

import pypdfium2 as pdfium
import pytest
from playwright.sync_api import Page, expect

from shared.verification_codes import normalise_verification_code
from tests.browser.conftest import LAPTOP, PHONE, screenshot, stat_value
from tests.browser.test_coordinator import sign_in_as_staff
from tests.browser.test_staff import sign_in
from tests.world import Tenant

pytestmark = pytest.mark.browser

FIRST_NAMES = ["Amara", "Ben", "Chloe", "Dev", "Ella", "Finn", "Grace", "Hassan", "Isla", "Jack", "Kai", "Lily",
               "Mia", "Noah"]


def load_class(http_api, tenant: Tenant) -> list[dict]:
    """Fourteen pupils born in 2016, with exact dates of birth, loaded as the MIS would."""
    pupils = [{"first_name": name, "last_name": "Clubber", "date_of_birth": f"2016-{(i % 9) + 2:02d}-{i + 10:02d}",
               "gender": "female" if i % 2 else "male"} for i, name in enumerate(FIRST_NAMES)]
    staff = http_api.as_(tenant.staff.token)
    resp = staff.post(f"/api/schools/{tenant.school_id}/roster", json={"pupils": pupils}, params={"mode": "partial"})
    assert resp.status == 200 and resp.json()["created"] == len(pupils), resp.body
    listed = staff.get(f"/api/schools/{tenant.school_id}/pupils", params={"page_size": "500"}).json()["pupils"]
    return [p for p in listed if p["last_name"] == "Clubber"]


def school_club(http_api, tenant: Tenant, title: str, hours: float) -> dict:
    resp = http_api.as_(tenant.staff.token).post("/api/activities", json={
        "title": title, "hours": hours, "skills": ["teamwork"], "interests": ["sport"], "school_id": tenant.school_id})
    assert resp.status == 201, resp.body
    return resp.json()


def nav(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True).click()


def test_a_coordinator_records_a_club_session_for_12_pupils_and_prints_the_assembly_certificates(
        browsing, http_api, new_tenant, tmp_path):
    tenant = new_tenant("Meadowbank")
    pupils = load_class(http_api, tenant)
    school_club(http_api, tenant, "Football club", 1)
    # Ten of them are one hour short of the Bronze Award already.
    summer = school_club(http_api, tenant, "Summer scheme", 29)
    near = [p["id"] for p in pupils if p["first_name"] in FIRST_NAMES[:10]]
    assert http_api.as_(tenant.staff.token).post(f"/api/schools/{tenant.school_id}/group-redemptions", json={
        "activity_id": summer["id"], "pupil_ids": near, "session_id": "summer-scheme-2026"}).status == 200
    page = browsing.page(LAPTOP)
    sign_in_as_staff(page, tenant.staff, "Meadowbank Primary")

    nav(page, "Record hours")
    expect(page.get_by_role("heading", level=1)).to_have_text("Record hours for a group")
    page.get_by_label("Activity").select_option(label="Football club (1 hour)")
    # Twelve who came: filter to the class, tick them all, untick the two who were off.
    page.get_by_label("Find a pupil").fill("clubber")
    page.get_by_role("button", name="Tick all shown").click()
    page.get_by_label("Mia Clubber").uncheck()
    page.get_by_label("Noah Clubber").uncheck()
    expect(page.get_by_role("status").filter(has_text="ticked")).to_have_text("12 pupils ticked")
    screenshot(page, "coordinator-01-group-hours-laptop")

    with page.expect_request(lambda r: r.url.endswith("/group-redemptions")) as sent:
        page.get_by_role("button", name="Record hours for 12 pupils").click()
    assert len(sent.value.post_data_json["pupil_ids"]) == 12
    done = page.locator(".notice--success")
    expect(done).to_contain_text("Recorded 1 hour of Football club for 12 pupils.")
    expect(done.get_by_role("listitem")).to_have_count(10)  # the ten who reached the Bronze Award
    expect(done).to_contain_text("Amara Clubber: Bronze Award")
    screenshot(page, "coordinator-02-group-hours-done-laptop")
    for pupil in pupils:
        progress = http_api.as_(tenant.staff.token).get(
            f"/api/schools/{tenant.school_id}/pupils/{pupil['id']}/progress").json()
        came = pupil["first_name"] not in ("Mia", "Noah")
        assert [r["activity"]["title"] for r in progress["redemptions"]].count("Football club") == (1 if came else 0)

    done.get_by_role("link", name="Print their certificates").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Certificates for an assembly")
    found = page.get_by_role("region", name="10 awards to celebrate")
    expect(found.get_by_role("listitem")).to_have_count(10)
    screenshot(page, "coordinator-03-assembly-laptop")
    with page.expect_download() as download:
        found.get_by_role("button", name="Download 10 certificates (PDF)").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    pdf = pdfium.PdfDocument(path)
    texts = [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    assert len(texts) == 10
    assert all("Bronze Award" in t for t in texts)
    assert [n for n in FIRST_NAMES if any(f"{n} Clubber" in t for t in texts)] == FIRST_NAMES[:10]
    # Each certificate can be checked: its own verification code, as on the pupil's single certificate.
    codes = [next((w for w in t.split() if normalise_verification_code(w)), None) for t in texts]
    assert all(codes) and len(set(codes)) == 10, codes

    # Home, at a glance: this term's figures and the latest awards.
    nav(page, "Home")
    term = page.get_by_role("region", name=re.compile(r"^This (autumn|spring|summer) term so far$"))
    assert stat_value(term, "awards reached") == "10"
    assert stat_value(term, "pupils taking part") == "12"
    expect(term.get_by_role("listitem")).to_have_count(5)
    screenshot(page, "coordinator-04-home-dashboard-laptop")
    nav(page, "Certificates")

    # A range with nothing in it says so.
    page.get_by_label("From", exact=True).fill("2020-01-01")
    page.get_by_label("To", exact=True).fill("2020-01-31")
    page.get_by_role("button", name="Show awards").click()
    expect(page.locator(".empty")).to_have_text("No awards were reached between 1 January 2020 and 31 January 2020.")


def test_a_coordinator_restricts_a_pupil_from_their_page_and_switches_to_generic_dates_of_birth(
        browsing, http_api, new_tenant):
    tenant = new_tenant("Willowdene")
    pupils = load_class(http_api, tenant)
    page = browsing.page(PHONE)
    sign_in_as_staff(page, tenant.staff, "Willowdene Primary")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Pupils", exact=True).click()
    table = page.get_by_role("table", name="Pupils")
    # Sorted by surname, then first name; the heading says how, and a click turns it round.
    expect(table.locator("tbody th a").first).to_have_text("Amara Clubber")
    page.get_by_label("Sort by").select_option(label="Surname, Z to A")
    expect(table.locator("thead th").nth(1)).to_have_attribute("aria-sort", "descending")
    expect(table.locator("tbody th a").first).to_have_text(re.compile("Testpupil$"))
    expect(table.locator("tbody th a").nth(1)).to_have_text("Noah Clubber")
    screenshot(page, "coordinator-04-pupils-sorted-phone")
    table.get_by_role("link", name="Grace Clubber").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Grace Clubber")
    details = page.get_by_role("region", name="Details")
    grace = next(p for p in pupils if p["first_name"] == "Grace")
    expect(details).to_contain_text(f"YearYear {grace['year_group']}")
    screenshot(page, "coordinator-05-pupil-page-phone")
    details.get_by_role("button", name="Restrict").click()
    page.get_by_role("dialog", name="Restrict Grace Clubber?").get_by_role("button", name="Restrict").click()
    expect(page.locator(".notice--warning")).to_contain_text("Restricted: their record is kept")
    expect(details.get_by_role("button", name="Lift the restriction")).to_be_visible()
    screenshot(page, "coordinator-06-pupil-restricted-phone")
    stored = http_api.as_(tenant.staff.token).get(f"/api/schools/{tenant.school_id}/pupils/{grace['id']}").json()
    assert stored["restricted"] is True

    nav(page, "Settings")
    expect(page.get_by_role("heading", level=1)).to_have_text("School settings")
    page.get_by_label("Keep only the year of birth").check()
    screenshot(page, "coordinator-07-settings-phone")
    page.get_by_role("button", name="Save").click()
    sure = page.get_by_role("dialog", name="Keep only the year of birth?")
    expect(sure).to_contain_text("reduced to 1 January of its year now")
    sure.get_by_role("button", name="Keep only the year").click()
    expect(page.locator(".notice--success")).to_have_text("Done. Only the year of birth is kept now, for every pupil.")
    listed = http_api.as_(tenant.staff.token).get(f"/api/schools/{tenant.school_id}/pupils",
                                                  params={"page_size": "500"}).json()["pupils"]
    assert listed and all(p["date_of_birth"].endswith("-01-01") for p in listed)
    assert {p["id"]: p["year_group"] for p in listed if p["last_name"] == "Clubber"} == {
        p["id"]: p["year_group"] for p in pupils}

    # The pupil page now shows only the year of birth.
    page.goto(f"/#/schools/{tenant.school_id}/pupils/{grace['id']}")
    expect(page.get_by_role("region", name="Details")).to_contain_text("Year of birth2016")

    # The audit trail names the member of staff (never by id) and counts what a load touched.
    nav(page, "Compliance")
    audit = page.get_by_role("region", name="Audit trail")
    nickname = http_api.as_(tenant.staff.token).get("/api/me").json()["display_name"]
    restricted = audit.locator("tbody tr").filter(has_text="Pupil restricted").first
    expect(restricted).to_contain_text(f"{nickname} · school staff")
    expect(audit.locator("tbody tr").filter(has_text="Roster ingested").first).to_contain_text("14 records")
    expect(audit).not_to_contain_text("stf_")
    expect(audit.get_by_label("Record id (optional)")).to_have_count(0)
    screenshot(page, "coordinator-09-audit-phone")


def test_a_cu_manager_corrects_exports_and_removes_a_school_staff_account(browsing, http_api, new_tenant, tmp_path):
    tenant = new_tenant("Elmfield")
    colleague = http_api.as_(tenant.manager.token).post(f"/api/schools/{tenant.school_id}/staff", json={
        "first_name": "Sam", "last_name": "Leaver", "nickname": "Mr Leaver",
        "email": f"sam.leaver.{tenant.school_id}@example.org.uk"}).json()
    page = browsing.page(LAPTOP)
    sign_in(page, tenant.manager, lands_on="Elmfield Children's University")
    page.get_by_role("link", name=re.compile("^Elmfield Primary")).click()
    staff = page.get_by_role("region", name="Staff")
    # Sam never used the first link: a new one, and the old one stops working.
    staff.get_by_role("button", name="Send a new invitation to Sam Leaver").click()
    new_link = staff.get_by_label("New invitation link for Sam Leaver")
    expect(new_link).to_have_value(re.compile(r"/#/invitation/"))
    assert new_link.input_value() != colleague["invitation_url"]
    staff.get_by_role("button", name="Edit Sam Leaver").click()
    dialog = page.get_by_role("dialog", name="Correct details: Sam Leaver")
    dialog.get_by_label("Known as").fill("Sam")
    dialog.get_by_role("button", name="Save changes").click()
    expect(staff.get_by_role("status").or_(staff.locator(".notice--success"))).to_contain_text(
        "Saved the changes for Sam Leaver.")
    assert http_api.as_(tenant.manager.token).get(f"/api/staff/{colleague['id']}").json()["nickname"] == "Sam"
    with page.expect_download() as download:
        staff.get_by_role("button", name="Download data of Sam Leaver").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert json.loads(saved.read_text())["staff_id"] == colleague["id"]
    screenshot(page, "manager-05-school-staff-laptop")
    staff.get_by_role("button", name="Remove Sam Leaver").click()
    page.get_by_role("dialog", name="Remove Sam Leaver's account?").get_by_role(
        "button", name="Remove the account").click()
    expect(staff.locator(".notice--success")).to_have_text("Sam Leaver's account has been removed.")
    expect(staff.get_by_role("row", name=re.compile("Sam Leaver"))).to_have_count(0)
    assert http_api.as_(tenant.manager.token).get(f"/api/staff/{colleague['id']}").status == 404
