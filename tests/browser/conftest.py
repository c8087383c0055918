"""Browser tests: Debian's Chromium, driven by Playwright, against the devhost (a subprocess) and Azurite.

The devhost serves web/ at `/` and the API under /api on one free port. Test data is made through the
public API over HTTP (tests/world.py, with an HTTP client in place of the in-process one). The app serves
every page with its own strict Content-Security-Policy (shared/security/headers.py), and a test fails if a
page comes without it, logs an error, breaks that policy or requests anything from another origin.
Screenshots land in test-artifacts/web/.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Locator, Page, Playwright, sync_playwright

from shared.security.headers import web_file_headers
from tests.e2e.test_devhost import Devhost
from tests.support import Response
from tests.world import Tenant, bootstrap_admin, make_tenant

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
# Debian's Chromium, headless, with nothing that reaches out to the network on its own.
LAUNCH_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = ROOT / "test-artifacts" / "web"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
LAPTOP = {"viewport": {"width": 1366, "height": 900}, "device_scale_factor": 1}
CLIENT_ERROR_LOG = re.compile(r"^Failed to load resource: the server responded with a status of 4\d\d\b")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives Debian's Chromium through Playwright against the devhost")


class HttpApi:
    """The interface of tests.support.FunctionsClient, over real HTTP to the devhost (for tests/world.py)."""

    def __init__(self, base_url: str, token: str | None = None, http: httpx.Client | None = None) -> None:
        self.base_url = base_url
        self.token = token
        self.http = http or httpx.Client(base_url=base_url, timeout=30, trust_env=False)

    def as_(self, token: str | None) -> HttpApi:
        return HttpApi(self.base_url, token, self.http)

    def request(self, method: str, path: str, *, json_body: Any = None, body: bytes | None = None,
                headers: dict[str, str] | None = None, params: dict[str, str] | None = None) -> Response:
        sent = dict(headers or {})
        if self.token:
            sent.setdefault("Authorization", f"Bearer {self.token}")
        if json_body is not None:
            body = json.dumps(json_body).encode()
            sent.setdefault("Content-Type", "application/json")
        resp = self.http.request(method, path, content=body, headers=sent, params=params)
        return Response(resp.status_code, {k.lower(): v for k, v in resp.headers.items()}, resp.content)

    def get(self, path: str, **kw: Any) -> Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, json: Any = None, **kw: Any) -> Response:
        return self.request("POST", path, json_body=json, **kw)

    def patch(self, path: str, json: Any = None, **kw: Any) -> Response:
        return self.request("PATCH", path, json_body=json, **kw)

    def delete(self, path: str, **kw: Any) -> Response:
        return self.request("DELETE", path, **kw)


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is not installed at /usr/bin/chromium (`make test` installs it: "
                    "apt-get install chromium)")
    return CHROMIUM


def start_web_host(azurite, folder: Path, settings: Callable[[str], dict[str, str]] = lambda base_url: {}) -> Devhost:
    """The real Function App and web/ on the devhost, over the session's Azurite; `settings(base_url)` adds some."""
    settings_file = folder / "local.settings.json"
    # The sample's settings (schedules...); the environment below wins where both set one, as with `func start`.
    settings_file.write_text((ROOT / "local.settings.sample.json").read_text(encoding="utf-8"))
    env = {**os.environ, "AzureWebJobsStorage": azurite.connection_string, "CUO_ENVIRONMENT": "test",
           "PYTHONUNBUFFERED": "1"}
    host = Devhost("function_app:app", env, settings_file, folder / "devhost.log")
    # Invitation links and login cards point at the web client, which is this host.
    host.env.update({"PUBLIC_BASE_URL": host.base_url, **settings(host.base_url)})
    return host.start()


# Package scope, like the browser: the host polls Azurite's mis-uploads for its blob trigger, so it must not
# outlive these tests and pick up blobs that other tests drop for their own ingest.
@pytest.fixture(scope="package")
def web_host(azurite, tmp_path_factory) -> Iterator[Devhost]:
    # The report roll-up runs when a test says so (tests/browser/test_staff.py), never on the hour mid-test.
    host = start_web_host(azurite, tmp_path_factory.mktemp("web-devhost"),
                          lambda base_url: {"REPORTS_ROLLUP_SCHEDULE": "0 0 0 1 1 *"})
    yield host
    host.stop()


@pytest.fixture(scope="package")
def http_api(web_host) -> Iterator[HttpApi]:
    client = HttpApi(web_host.base_url)
    yield client
    client.http.close()


@pytest.fixture(scope="package")
def trust_admin(http_api):
    return bootstrap_admin(http_api)


@pytest.fixture
def new_tenant(http_api, trust_admin) -> Callable[[str], Tenant]:
    """Makes a partner with its manager and one school with a coordinator and one pupil, named after `label`."""
    return lambda label: make_tenant(http_api, trust_admin, label)


# Package scope: Playwright's sync API holds an asyncio loop open in this thread while it runs, so it must be
# gone before tests elsewhere call asyncio.run().
@pytest.fixture(scope="package")
def playwright_session(chromium_path) -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="package")
def browser(playwright_session, chromium_path) -> Iterator[Browser]:
    browser = playwright_session.chromium.launch(executable_path=str(chromium_path), args=LAUNCH_ARGS)
    yield browser
    browser.close()


@dataclass
class PageWatch:
    """What a page did that it must not: errors in its console, uncaught exceptions, other origins."""

    origin: str
    problems: list[str] = field(default_factory=list)
    # Console errors a test causes on purpose (a request it makes fail), as regular expressions.
    expected: tuple[str, ...] = ()

    def console(self, message: ConsoleMessage) -> None:
        # Chromium logs every 4xx answer; those are answers the pages handle (a wrong code, a 404 probe).
        if message.type == "error" and not CLIENT_ERROR_LOG.match(message.text) and not any(
                re.search(pattern, message.text) for pattern in self.expected):
            self.problems.append(f"console error: {message.text}")

    def request(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme in ("blob", "data"):
            return
        if f"{parts.scheme}://{parts.netloc}" != self.origin:
            self.problems.append(f"request to another origin: {url}")


def _check_security_headers(watch: PageWatch, response) -> None:
    """The page itself must arrive with the app's headers: the browser enforces what the app sends."""
    if urlsplit(response.url).path not in ("/", "/index.html") or response.status != 200:
        return
    expected = {k.lower(): v for k, v in web_file_headers().items() if k != "Cache-Control"}
    missing = {name: value for name, value in expected.items() if response.headers.get(name) != value}
    if missing:
        watch.problems.append(f"{response.url} lacks the app's security headers: {sorted(missing)}")


class Browsing:
    """Opens pages on the web host in a given device profile and checks each one on the way out."""

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.contexts: list[tuple[BrowserContext, PageWatch]] = []

    def page(self, device: dict, *, expected_console: tuple[str, ...] = ()) -> Page:
        """A page in a fresh context (its own sessionStorage); `expected_console`: errors the test causes."""
        context = self.browser.new_context(base_url=self.base_url, accept_downloads=True, locale="en-GB",
                                           timezone_id="Europe/London", service_workers="block", **device)
        context.set_default_timeout(15_000)
        watch = PageWatch(self.base_url, expected=expected_console)
        context.on("response", lambda response: _check_security_headers(watch, response))
        context.on("request", lambda request: watch.request(request.url))
        page = context.new_page()
        page.on("console", watch.console)
        page.on("pageerror", lambda error: watch.problems.append(f"uncaught: {error}"))
        self.contexts.append((context, watch))
        return page

    def close(self) -> list[str]:
        problems = []
        for context, watch in self.contexts:
            problems.extend(watch.problems)
            context.close()
        return problems


@contextlib.contextmanager
def browsing_on(browser: Browser, host: Devhost) -> Iterator[Browsing]:
    session = Browsing(browser, host.base_url)
    yield session
    problems = session.close()
    assert problems == [], "the web client misbehaved:\n" + "\n".join(problems)


@pytest.fixture
def browsing(browser, web_host) -> Iterator[Browsing]:
    with browsing_on(browser, web_host) as session:
        yield session


# Checks a page in the state it is shown: form controls have labels, buttons and links have names, images
# have alt text, ids are unique, there is one h1, and text meets WCAG AA contrast against a solid background
# (4.5:1, or 3:1 for large text; disabled controls are exempt, text over gradients is skipped).
ACCESSIBILITY_PROBLEMS = """() => {
  const problems = [];
  const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
  for (const el of document.querySelectorAll("input:not([type=hidden]), select, textarea")) {
    if (!(el.labels?.length || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby"))) {
      problems.push(`unlabelled ${el.tagName.toLowerCase()} #${el.id}`);
    }
  }
  for (const el of document.querySelectorAll("button, a[href]")) {
    if (shown(el) && !(el.textContent.trim() || el.getAttribute("aria-label"))) {
      problems.push(`nameless ${el.tagName.toLowerCase()} ${el.outerHTML.slice(0, 80)}`);
    }
  }
  for (const el of document.querySelectorAll("img:not([alt])")) problems.push(`img without alt: ${el.src}`);
  const ids = [...document.querySelectorAll("[id]")].map((el) => el.id);
  for (const id of new Set(ids.filter((id, i) => ids.indexOf(id) !== i))) problems.push(`duplicate id ${id}`);
  if (document.querySelectorAll("h1").length !== 1) problems.push("not exactly one h1");

  const rgb = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const channel = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  const backdrop = (el) => {
    for (let node = el; node; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.backgroundImage !== "none") return null;
      const colour = rgb(style.backgroundColor);
      if (colour.length === 3 || (colour.length === 4 && colour[3] === 1)) return colour.slice(0, 3);
      if (colour.length === 4 && colour[3] > 0) return null;
    }
    return [255, 255, 255];
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim() || seen.has(el) || !shown(el)) continue;
    if (el.closest("svg, [disabled]")) continue;
    seen.add(el);
    const style = getComputedStyle(el);
    if (parseFloat(style.opacity) < 1) continue;
    const background = backdrop(el);
    if (!background) continue;
    const fg = rgb(style.color).slice(0, 3);
    const [a, b] = [luminance(fg), luminance(background)].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) {
      problems.push(`contrast ${ratio.toFixed(2)}:1 for "${walker.currentNode.textContent.trim().slice(0, 40)}"`);
    }
  }
  return problems;
}"""


def stat_value(region: Page | Locator, label: str) -> str:
    """The figure of the headline number labelled exactly `label` (e.g. "new pupils")."""
    page = region if isinstance(region, Page) else region.page
    label_pattern = re.compile(f"^{re.escape(label)}$")
    return region.locator(".stat").filter(has=page.locator(".stat__label", has_text=label_pattern)).locator(
        ".stat__value").inner_text()


SETTLED = """() => Promise.all(document.getAnimations()
  .filter((a) => a.effect.getTiming().iterations !== Infinity).map((a) => a.finished.catch(() => null)))"""
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# axe-core's own rules (WCAG 2.x A/AA and its best practices), on the page as shown.
AXE_RUN = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} -> ${v.nodes.slice(0, 3)
    .map((n) => n.target.join(" ")).join(" | ")}`);
}"""


def axe_violations(page: Page) -> list[str]:
    """axe-core's violations on the page as it is now (loaded through DevTools, so the page's CSP still holds)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    return page.evaluate(AXE_RUN)


def screenshot(page: Page, name: str) -> Path:
    """Check the page as shown (ACCESSIBILITY_PROBLEMS and axe-core), then save it as test-artifacts/web/<name>.png."""
    # Judge what stays on screen: entrance animations (a card fading in) run to their end first.
    page.evaluate(SETTLED)
    problems = page.evaluate(ACCESSIBILITY_PROBLEMS)
    assert problems == [], f"{name}: {problems}"
    violations = axe_violations(page)
    assert violations == [], f"{name}: axe-core found " + "\n".join(violations)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    return path
