"""What staff see when things go wrong: plain words instead of the browser's own error text, and an ended
session that goes to staff sign-in and back to the page it was on."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LAPTOP, PHONE, screenshot
from tests.browser.test_coordinator import sign_in_as_staff
from tests.world import STAFF_PASSWORD

pytestmark = pytest.mark.browser


def test_with_the_service_unreachable_a_page_says_so_plainly(browsing, new_tenant):
    tenant = new_tenant("Fallowfield")
    page = browsing.page(PHONE, expected_console=(r"net::ERR_CONNECTION_REFUSED",))
    sign_in_as_staff(page, tenant.staff, "Fallowfield Primary")
    page.route(lambda url: "/api/schools/" in url and url.split("?")[0].endswith("/pupils"),
               lambda route: route.abort("connectionrefused"))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Pupils", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("We can't reach Children's University")
    expect(page.locator("main")).to_contain_text("Check your internet connection")
    expect(page.locator("main")).not_to_contain_text("Failed to fetch")
    screenshot(page, "errors-01-unreachable-phone")


def test_an_expired_staff_session_goes_to_staff_sign_in_and_back_to_the_same_page(browsing, new_tenant):
    tenant = new_tenant("Greenhill")
    page = browsing.page(LAPTOP)
    sign_in_as_staff(page, tenant.staff, "Greenhill Primary")
    page.goto(f"/#/schools/{tenant.school_id}/pupils/{tenant.pupil.id}")
    expect(page.get_by_role("region", name="Details")).to_be_visible()

    refuse = lambda route: route.fulfill(status=401, body="{}", content_type="application/problem+json")  # noqa: E731
    page.route("**/api/auth/refresh", refuse)
    page.route("**/api/schools/**", refuse)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Certificates", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff sign in")
    expect(page.get_by_role("status").filter(has_text="signed out")).to_have_text(
        "You have been signed out. Please sign in again.")
    screenshot(page, "errors-02-staff-session-ended-laptop")
    page.unroute("**/api/auth/refresh")
    page.unroute("**/api/schools/**")

    page.get_by_label("Email address").fill(tenant.staff.email)
    page.get_by_label("Password", exact=True).fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Certificates for an assembly")
    assert page.url.endswith(f"#/schools/{tenant.school_id}/certificates")
