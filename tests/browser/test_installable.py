"""Installable on phones and tablets: a web app manifest, icons, a service worker that caches only the app
shell (never an API answer), and an offline page that says what works."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LAUNCH_ARGS, PHONE, PageWatch, screenshot
from tests.browser.test_pupil import pupil_credentials, sign_in_as_pupil

pytestmark = pytest.mark.browser

HASHED_NAME = re.compile(r"\.[0-9a-f]{10}\.[a-z0-9]+$")


@pytest.fixture
def installable_context(playwright_session, chromium_path, web_host, tmp_path):
    """A phone-sized, non-incognito profile (Chromium never offers to install from incognito) in which the
    service worker may run (the other browser tests block it)."""
    context = playwright_session.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=str(chromium_path), args=LAUNCH_ARGS, base_url=web_host.base_url,
        locale="en-GB", timezone_id="Europe/London", service_workers="allow", **PHONE)
    context.set_default_timeout(15_000)
    watch = PageWatch(web_host.base_url)
    context.on("request", lambda request: watch.request(request.url))
    yield context, watch
    context.close()
    assert watch.problems == []


def test_the_app_is_installable_and_its_worker_never_keeps_an_api_answer(installable_context, http_api, new_tenant):
    context, _ = installable_context
    page = context.pages[0] if context.pages else context.new_page()
    page.goto("/")
    expect(page.get_by_role("heading", name="Welcome!")).to_be_visible()
    manifest = json.loads(page.request.get("/manifest.json").text())
    assert manifest["display"] == "standalone" and manifest["start_url"] == "./"
    assert {"192x192", "512x512"} <= {icon["sizes"] for icon in manifest["icons"] if icon["type"] == "image/png"}
    assert any(icon.get("purpose") == "maskable" for icon in manifest["icons"])
    for icon in manifest["icons"]:
        assert page.request.get(icon["src"]).ok, icon["src"]

    # The worker takes control; then Chromium's own installability check has nothing to object to.
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    cdp = context.new_cdp_session(page)
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert errors == [], errors
    manifest_seen = cdp.send("Page.getAppManifest")
    assert manifest_seen["url"].endswith("/manifest.json") and not manifest_seen.get("errors")

    # A pupil signs in and uses the app through the worker; nothing from the API lands in its caches.
    tenant = new_tenant("Installable")
    sign_in_as_pupil(page, pupil_credentials(http_api, tenant))
    cached = page.evaluate("""async () => {
        const urls = [];
        for (const name of await caches.keys()) {
            for (const request of await (await caches.open(name)).keys()) urls.push(request.url);
        }
        return urls;
    }""")
    stylesheet = page.evaluate("() => document.querySelector('link[rel=stylesheet]').href")
    assert stylesheet in cached and HASHED_NAME.search(stylesheet), (stylesheet, cached)
    assert not [url for url in cached if "/api/" in url], cached
    # Besides the offline page, the worker keeps only files whose names carry their content (never stale).
    assert [url for url in cached if not url.endswith("/offline.html") and not HASHED_NAME.search(url)] == []

    # Offline, navigations get the offline page the worker keeps (Playwright's offline switch does not reach a
    # service worker's own requests, so the page is checked as the worker would serve it).
    assert any(url.endswith("/offline.html") for url in cached)
    page.goto("/offline.html")
    expect(page.get_by_role("heading", level=1)).to_have_text("You're offline")
    expect(page.get_by_role("region", name="What still works")).to_contain_text("Type them in when you are back online")
    screenshot(page, "offline-01-phone")
