"""The first page a child opens is light: compressed files with names that carry their content hash, and no
staff page's script; staff pages load their scripts when a member of staff opens them. Checked in Chromium
and, for the headers, over real HTTP from the devhost (the same app as in Azure)."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Page, Request, expect

from tests.browser.conftest import LAPTOP, PHONE, screenshot
from tests.browser.test_coordinator import sign_in_as_staff
from tests.browser.test_pupil import pupil_credentials

pytestmark = pytest.mark.browser

HASHED_NAME = re.compile(r"\.[0-9a-f]{10}\.[a-z0-9]+$")
STAFF_PAGES = ("account", "activities", "certificates", "compliance", "dashboard", "graduation", "group-hours",
               "nav", "organisation", "pupil-detail", "pupils", "report", "school-settings", "staff-admin",
               "transfer", "upload")
IMMUTABLE = "public, max-age=31536000, immutable"


def scripts_of(requests: list[Request]) -> list[str]:
    return [request.url for request in requests if request.resource_type == "script"]


def staff_scripts(urls: list[str]) -> list[str]:
    return [url for url in urls if re.search(rf"/js/pages/({'|'.join(STAFF_PAGES)})\.", url)]


def recording(page: Page) -> list[Request]:
    requests: list[Request] = []
    page.on("request", lambda request: requests.append(request))
    return requests


def test_the_pupils_sign_in_page_loads_no_staff_script_and_only_hashed_compressed_files(browsing, http_api,
                                                                                         new_tenant):
    tenant = new_tenant("Lightfoot")
    page = browsing.page(PHONE)
    requests = recording(page)

    page.goto("/#/signin")
    expect(page.get_by_role("button", name="Let's go!")).to_be_visible()
    page.wait_for_load_state("networkidle")

    scripts = scripts_of(requests)
    assert any("/js/pages/signin." in url for url in scripts)
    assert staff_scripts(scripts) == []
    loaded = [request for request in requests if request.resource_type in ("script", "stylesheet", "image")]
    assert loaded and all(HASHED_NAME.search(request.url) for request in loaded), [r.url for r in loaded]
    for request in loaded:
        response = request.response()
        assert response.headers["cache-control"] == IMMUTABLE, request.url
        if request.resource_type != "image":
            assert response.headers["content-encoding"] == "br", request.url
    assert len(requests) <= 15
    screenshot(page, "first-page-01-pupil-sign-in-phone")

    # Signed in, the pupil's home brings its own modules and still no staff page.
    creds = pupil_credentials(http_api, tenant)
    page.get_by_label("Username").fill(creds["username"])
    page.get_by_label("Password", exact=True).fill(creds["password"])
    page.get_by_role("button", name="Let's go!").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Hi, .+!$"))
    assert any("/js/pages/pupil." in url for url in scripts_of(requests))
    assert staff_scripts(scripts_of(requests)) == []


def test_staff_pages_fetch_their_scripts_when_they_are_first_opened(browsing, new_tenant):
    tenant = new_tenant("Fetchwell")
    page = browsing.page(LAPTOP)
    requests = recording(page)

    sign_in_as_staff(page, tenant.staff, "Fetchwell Primary")
    on_arrival = scripts_of(requests)
    assert any("/js/pages/organisation." in url for url in on_arrival)
    assert any("/js/pages/nav." in url for url in on_arrival)
    assert not any("/js/pages/upload." in url for url in on_arrival)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Upload", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Upload pupils")
    assert any("/js/pages/upload." in url for url in scripts_of(requests))
    assert not any("/js/pages/report." in url for url in scripts_of(requests))
    screenshot(page, "first-page-02-staff-upload-laptop")


def test_a_page_whose_script_cannot_be_fetched_says_so_and_offers_a_reload(browsing, new_tenant):
    tenant = new_tenant("Stalewood")
    page = browsing.page(LAPTOP, expected_console=(r"Failed to fetch dynamically imported module",))
    sign_in_as_staff(page, tenant.staff, "Stalewood Primary")
    # As after a new release: this tab's index.html names a version of the page that is no longer served.
    page.route(re.compile(r"/js/pages/report\.[0-9a-f]{10}\.js$"), lambda route: route.fulfill(status=404))

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Report", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("We can't open this page")
    screenshot(page, "first-page-03-page-not-loaded-laptop")
    page.unroute(re.compile(r"/js/pages/report\.[0-9a-f]{10}\.js$"))
    page.get_by_role("button", name="Reload the page").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report: Stalewood Primary")


def test_the_devhost_sends_what_the_app_says_compressed_and_cached(web_host):
    """Over real HTTP: the devhost passes the app's encodings and caching through untouched."""
    with httpx.Client(base_url=web_host.base_url, trust_env=False, headers={"Accept-Encoding": "identity"}) as http:
        index = http.get("/")
        app_js = re.search(r'src="(js/app\.[0-9a-f]{10}\.js)"', index.text).group(1)
        identity = http.get(f"/{app_js}")
        br = http.get(f"/{app_js}", headers={"Accept-Encoding": "br"})
        gz = http.get(f"/{app_js}", headers={"Accept-Encoding": "gzip"})
        again = http.get(f"/{app_js}", headers={"Accept-Encoding": "br", "If-None-Match": br.headers["etag"]})
        stale = http.get(re.sub(r"[0-9a-f]{10}", "0" * 10, f"/{app_js}"))

    assert index.headers["cache-control"] == "no-cache" and index.headers["etag"]
    assert identity.headers["cache-control"] == IMMUTABLE and "content-encoding" not in identity.headers
    assert br.headers["content-encoding"] == "br" and gz.headers["content-encoding"] == "gzip"
    # httpx decodes each body by its Content-Encoding; Content-Length is what went over the wire.
    assert br.content == gz.content == identity.content
    assert int(br.headers["content-length"]) < int(gz.headers["content-length"]) < len(identity.content) / 2
    assert {r.headers["vary"] for r in (identity, br, gz)} == {"Accept-Encoding"}
    assert len({r.headers["etag"] for r in (identity, br, gz)}) == 3
    assert again.status_code == 304 and again.content == b"" and again.headers["cache-control"] == IMMUTABLE
    assert stale.status_code == 404
