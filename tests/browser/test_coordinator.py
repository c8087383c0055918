"""A school coordinator loads pupils from an MIS export (preview first), then prints their login cards."""

from __future__ import annotations

import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LAPTOP, PHONE, screenshot, stat_value
from tests.world import STAFF_PASSWORD, Actor

pytestmark = pytest.mark.browser

SIMS_EXPORT = Path(__file__).resolve().parents[1] / "data" / "sims_export.csv"
# A row an MIS export can carry: no such date, and a gender the programme does not record that way.
BAD_ROW = '"001099","","Bloggs","Jo","Bloggs","Jo","","Q","31/02/2016","Y4","4T","","","","",""\r\n'


def export_with_a_bad_row(folder: Path) -> Path:
    path = folder / SIMS_EXPORT.name
    path.write_bytes(SIMS_EXPORT.read_bytes() + BAD_ROW.encode())
    return path


def sign_in_as_staff(page: Page, staff: Actor, school_name: str) -> None:
    page.goto("/")
    page.get_by_role("link", name=re.compile("I'm staff")).click()
    page.get_by_label("Email address").fill(staff.email)
    page.get_by_label("Password", exact=True).fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(school_name)


def test_a_coordinator_previews_an_mis_upload_commits_it_and_prints_login_cards(browsing, http_api, new_tenant,
                                                                               tmp_path):
    tenant = new_tenant("Brookfield")
    export = export_with_a_bad_row(tmp_path)
    # What the API says about this file, to hold the preview to.
    expected = http_api.as_(tenant.staff.token).post(
        f"/api/schools/{tenant.school_id}/roster", body=export.read_bytes(),
        headers={"Content-Type": "text/csv"}, params={"dry_run": "true"}).json()
    assert expected["special_category_columns"] and expected["dropped_columns"] and expected["left"] == 1
    assert expected["rejected"] == 1 and expected["errors"]
    page = browsing.page(LAPTOP)

    sign_in_as_staff(page, tenant.staff, "Brookfield Primary")
    screenshot(page, "staff-01-school-home-laptop")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Upload").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Upload pupils")
    page.get_by_label("MIS export file").set_input_files(export)
    page.get_by_role("button", name="Check the file").click()

    preview = page.get_by_role("region", name="Check before you load: sims_export.csv")
    expect(preview).to_be_visible()
    assert stat_value(preview, "rows in the file") == str(expected["received"])
    assert stat_value(preview, "new pupils") == str(expected["created"])
    assert stat_value(preview, "to mark as left") == "1"
    assert stat_value(preview, "rows with problems") == str(expected["rejected"])
    expect(preview).to_contain_text("1 pupil is not in this file and will be marked as left.")
    expect(preview.get_by_role("list", name="Special-category columns").get_by_role("listitem")).to_have_text(
        expected["special_category_columns"])
    plain_dropped = [c for c in expected["dropped_columns"] if c not in expected["special_category_columns"]]
    expect(preview.get_by_role("list", name="Dropped columns").get_by_role("listitem")).to_have_text(plain_dropped)
    errors = preview.get_by_role("table", name=re.compile("^Rows with problems"))
    expect(errors.locator("tbody tr")).to_have_count(len(expected["errors"]))
    expect(errors.locator("tbody tr").first).to_contain_text(expected["errors"][0]["message"])
    screenshot(page, "staff-02-upload-preview-laptop")

    # Nothing was written by the preview.
    listed = http_api.as_(tenant.staff.token).get(f"/api/schools/{tenant.school_id}/pupils").json()["pupils"]
    assert [p["id"] for p in listed] == [tenant.pupil.id]

    usable = expected["created"] + expected["updated"] + expected["unchanged"]
    # The button says what it will do, leavers included.
    preview.get_by_role("button", name=f"Load {usable} pupils and mark 1 as left").click()
    loaded = page.get_by_role("region", name="Pupils loaded")
    expect(loaded).to_contain_text(f"Done. {expected['created']} new pupils, 0 updated, 1 marked as left.")
    screenshot(page, "staff-03-upload-done-laptop")

    loaded.get_by_role("link", name="Pupils and login cards").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pupils")
    rows = page.locator("table.table--pupils tbody tr")
    expect(rows).to_have_count(expected["created"])
    page.get_by_label("Search").fill("okonjo")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Teddy Okonjo")
    page.get_by_label("Search").fill("")
    expect(rows).to_have_count(expected["created"])
    usernames = [u.strip() for u in page.locator("td[data-label='Username']").all_inner_texts()]

    page.get_by_label("Select all shown pupils").check()
    print_cards = page.get_by_role("button", name=f"Print login cards ({expected['created']})")
    print_cards.click()
    dialog = page.get_by_role("dialog", name=f"Print {expected['created']} login cards?")
    expect(dialog).to_contain_text("The old passwords of these pupils stop working.")
    screenshot(page, "staff-04-login-cards-confirm-laptop")
    with page.expect_download() as download:
        dialog.get_by_role("button", name="Make login cards").click()
    cards = tmp_path / download.value.suggested_filename
    download.value.save_as(cards)
    assert cards.name == "login-cards.pdf"
    pdf = pdfium.PdfDocument(cards)
    text = "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert all(username in text for username in usernames), (usernames, text[:500])
    expect(page.get_by_role("status").filter(has_text="login cards downloaded")).to_be_visible()
    screenshot(page, "staff-05-pupils-laptop")

    phone = browsing.page(PHONE)
    sign_in_as_staff(phone, tenant.staff, "Brookfield Primary")
    screenshot(phone, "staff-06-school-home-phone")
    phone.get_by_role("navigation", name="Main").get_by_role("link", name="Pupils").click()
    expect(phone.locator("table.table--pupils tbody tr")).to_have_count(expected["created"])
    screenshot(phone, "staff-07-pupils-phone")
    phone.get_by_role("navigation", name="Main").get_by_role("link", name="Upload").click()
    phone.get_by_label("MIS export file").set_input_files(export)
    phone.get_by_role("button", name="Check the file").click()
    expect(phone.get_by_role("region", name="Check before you load: sims_export.csv")).to_contain_text("unchanged")
    screenshot(phone, "staff-08-upload-preview-phone")


def test_a_coordinator_corrects_a_pupil_and_gives_them_a_new_password(browsing, http_api, new_tenant):
    tenant = new_tenant("Hollins")
    page = browsing.page(PHONE)
    sign_in_as_staff(page, tenant.staff, "Hollins Primary")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Pupils").click()
    row = page.locator("table.table--pupils tbody tr").first
    name = row.locator("th").inner_text()

    row.get_by_role("button", name=f"Edit {name}").click()
    dialog = page.get_by_role("dialog", name=f"Correct details: {name}")
    dialog.get_by_label("Last name").fill("Fotheringham")
    dialog.get_by_label("UPN").fill("not-a-upn")
    dialog.get_by_role("button", name="Save changes").click()
    expect(dialog.locator(".field--error")).to_contain_text("UPN")
    screenshot(page, "staff-09-rectify-error-phone")
    dialog.get_by_label("UPN").fill("")
    dialog.get_by_role("button", name="Save changes").click()
    expect(dialog).to_be_hidden()
    expect(row.locator("th")).to_contain_text("Fotheringham")
    pupil = http_api.as_(tenant.staff.token).get(f"/api/schools/{tenant.school_id}/pupils/{tenant.pupil.id}").json()
    assert pupil["last_name"] == "Fotheringham"

    row.get_by_role("button", name=re.compile("^New password for")).click()
    page.get_by_role("dialog").get_by_role("button", name="Make a new password").click()
    shown = page.get_by_role("dialog", name=re.compile("^New password for"))
    expect(shown).to_contain_text("This is shown only once.")
    username = shown.locator("dd").nth(0).inner_text()
    password = shown.locator("dd").nth(1).inner_text()
    screenshot(page, "staff-10-new-password-phone")
    signed_in = http_api.post("/api/auth/login", json={"username": username, "password": password})
    assert signed_in.status == 200
    shown.get_by_role("button", name="Done").click()
    expect(shown).to_be_hidden()
