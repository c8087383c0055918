"""Staff "Sign in with Microsoft": offered only when configured, and the whole round trip through the web client.

The provider is the local OpenID Connect provider of the SSO function tests. Its login page is not ours (and
pulls a stylesheet from a CDN), so the browser does not visit it: where /api/auth/sso/login sends the browser
to the provider, the test has the provider sign the staff member in and sends the browser straight back with
code and state, as Microsoft would.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from tests import oidc_provider
from tests.browser.conftest import LAPTOP, browsing_on, screenshot, start_web_host

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore::DeprecationWarning:authlib.*"),
]


@pytest.fixture(scope="module")
def provider(tmp_path_factory) -> Iterator[oidc_provider.LocalProvider]:
    with oidc_provider.running(tmp_path_factory.mktemp("oidc")) as running:
        yield running


@pytest.fixture(scope="module")
def sso_host(azurite, provider, tmp_path_factory):
    host = start_web_host(azurite, tmp_path_factory.mktemp("sso-devhost"), lambda base_url: {
        # MSAL reaches the provider through requests, which trusts this bundle instead of the system's.
        "REQUESTS_CA_BUNDLE": str(provider.ca_file),
        "SSO_CLIENT_ID": "cu-online-web-tests",
        "SSO_CLIENT_SECRET": secrets.token_urlsafe(24),
        "SSO_OIDC_AUTHORITY": provider.authority,
        # Microsoft returns to the web client, which hands code and state to /api/auth/sso/callback.
        "SSO_REDIRECT_URI": f"{base_url}/",
    })
    yield host
    host.stop()


def test_without_single_sign_on_staff_see_only_the_password_form(browsing):
    page = browsing.page(LAPTOP)
    with page.expect_response("**/api/auth/sso") as probe:
        page.goto("/#/staff/signin")
    assert probe.value.json() == {"enabled": False}
    expect(page.get_by_label("Email address")).to_be_visible()
    expect(page.get_by_role("link", name="Sign in with Microsoft")).to_be_hidden()


def test_a_coordinator_signs_in_with_microsoft_and_lands_on_their_school(browser, sso_host, provider, new_tenant):
    tenant = new_tenant("Kingsmead")
    sub = secrets.token_hex(8)
    provider.set_user(sub, {"email": tenant.staff.email})

    def microsoft_signs_them_in(route, request) -> None:
        if not request.is_navigation_request():
            route.continue_()  # the page's probe for whether SSO is on
            return
        to_microsoft = route.fetch(max_redirects=0)
        assert to_microsoft.status == 302
        back = provider.authorize(to_microsoft.headers["location"], sub)
        route.fulfill(status=302, headers={"Location": f"{sso_host.base_url}/?{urlencode(back)}"})

    with browsing_on(browser, sso_host) as browsing:
        page = browsing.page(LAPTOP)
        page.context.route("**/api/auth/sso/login", microsoft_signs_them_in)
        page.goto("/#/staff/signin")
        microsoft = page.get_by_role("link", name="Sign in with Microsoft")
        expect(microsoft).to_be_visible()
        screenshot(page, "staff-00-sign-in-with-microsoft-laptop")
        microsoft.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Kingsmead Primary")
        expect(page).to_have_url(f"{sso_host.base_url}/#/schools/{tenant.school_id}")
        # A reload keeps the session (refresh token in sessionStorage), and nothing is in localStorage.
        page.reload()
        expect(page.get_by_role("heading", level=1)).to_have_text("Kingsmead Primary")
        assert page.evaluate("() => window.localStorage.length") == 0
