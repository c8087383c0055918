"""A coordinator's stamp-code list says which codes were used: a Status column, sortable and filtered like
the pupil list, at phone and laptop size; the printed sheet holds only the codes still to hand out."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LAPTOP, PHONE, screenshot
from tests.browser.test_coordinator import sign_in_as_staff
from tests.browser.test_coordinator_journeys import load_class, school_club

pytestmark = pytest.mark.browser


def statuses(page: Page) -> list[tuple[str, str]]:
    rows = page.locator("table.table--codes tbody tr")
    return [(r.locator("td[data-label='Code']").inner_text().strip(),
             r.locator("td[data-label='Status'] .pill").inner_text().strip()) for r in rows.all()]


def test_a_coordinator_sees_which_stamp_codes_were_used_and_prints_only_unused_ones(browsing, http_api, new_tenant,
                                                                                     tmp_path):
    tenant = new_tenant("Hillside")
    pupils = load_class(http_api, tenant)
    club = school_club(http_api, tenant, "Chess club", 1)
    staff = http_api.as_(tenant.staff.token)
    codes_path = f"/api/activities/{club['id']}/codes"
    singles = [c["code"] for c in staff.post(codes_path, json={"count": 5, "single_use": True}).json()["codes"]]
    (capped,) = [c["code"] for c in staff.post(codes_path, json={"count": 1, "single_use": False,
                                                                  "max_uses": 2}).json()["codes"]]
    used = singles[:2]
    for code, pupil in [(used[0], pupils[0]), (used[1], pupils[1]), (capped, pupils[2]), (capped, pupils[3])]:
        resp = staff.post("/api/redemptions", json={"code": code, "pupil_id": pupil["id"]})
        assert resp.status == 201, resp.body
    unused = singles[2:]

    page = browsing.page(LAPTOP)
    sign_in_as_staff(page, tenant.staff, "Hillside Primary")
    page.goto(f"/#/schools/{tenant.school_id}/activities/{club['id']}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Chess club")
    listing = page.get_by_role("region", name="Stamp codes (6)")
    expect(listing.get_by_role("status")).to_have_text("Showing 6 of 6 codes · 3 unused, 3 used.")
    shown = dict(statuses(page))
    assert {code: shown[code] for code in [*used, capped]} == dict.fromkeys([*used, capped], "Used")
    assert {shown[code] for code in unused} == {"Unused"}
    expect(listing.get_by_text("2 of 2 uses")).to_be_visible()

    # "Used first" by the column heading (which carries aria-sort), then only the unused ones.
    listing.get_by_role("button", name="Status").click()
    listing.get_by_role("button", name="Status").click()
    expect(listing.get_by_role("columnheader", name="Status")).to_have_attribute("aria-sort", "descending")
    assert [s for _, s in statuses(page)] == ["Used"] * 3 + ["Unused"] * 3
    screenshot(page, "coordinator-10-code-list-used-first-laptop")
    listing.get_by_label("Show").select_option("Unused")
    expect(listing.get_by_role("status")).to_have_text("Showing 3 of 6 codes · 3 unused, 3 used.")
    assert sorted(code for code, _ in statuses(page)) == sorted(unused)
    listing.get_by_label("Search codes").fill(unused[0].lower().replace(" ", "-"))
    assert [code for code, _ in statuses(page)] == [unused[0]]
    listing.get_by_label("Search codes").fill("")

    # The code sheet is for handing out: the unused codes only, unless asked for every code.
    def sheet_text() -> str:
        with page.expect_download() as download:
            listing.get_by_role("button", name="Code sheet (PDF)").click()
        path = tmp_path / f"sheet-{len(list(tmp_path.iterdir()))}.pdf"
        download.value.save_as(path)
        pdf = pdfium.PdfDocument(path)
        try:
            return "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
        finally:
            pdf.close()

    text = sheet_text()
    assert all(code in text for code in unused) and not any(code in text for code in [*used, capped])
    listing.get_by_label("Print used codes too").check()
    text = sheet_text()
    assert all(code in text for code in [*unused, *used, capped])

    phone = browsing.page(PHONE)
    sign_in_as_staff(phone, tenant.staff, "Hillside Primary")
    phone.goto(f"/#/schools/{tenant.school_id}/activities/{club['id']}")
    on_phone = phone.get_by_role("region", name="Stamp codes (6)")
    expect(on_phone.get_by_role("status")).to_contain_text("3 unused, 3 used")
    # A phone shows no column headings: the same orders are in the "Sort by" menu.
    on_phone.get_by_label("Sort by").select_option(label="Used first")
    assert [s for _, s in statuses(phone)][:3] == ["Used"] * 3
    on_phone.get_by_label("Show").select_option("Used")
    expect(on_phone.get_by_role("status")).to_have_text("Showing 3 of 6 codes · 3 unused, 3 used.")
    on_phone.get_by_role("heading", name="Stamp codes (6)").scroll_into_view_if_needed()
    screenshot(phone, "coordinator-11-code-list-used-phone")
