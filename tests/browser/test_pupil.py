"""A pupil signs in, types stamp codes the way children do, sees what they unlocked and earns an award."""

from __future__ import annotations

import re

import pypdfium2 as pdfium
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LAPTOP, PHONE, screenshot
from tests.world import Tenant

pytestmark = pytest.mark.browser


def partner_activity(http_api, tenant: Tenant, **body) -> str:
    """A learning destination of the tenant's partner, made by its manager; returns one fresh single-use code."""
    as_manager = http_api.as_(tenant.manager.token)
    created = as_manager.post("/api/activities", json={"partner_id": tenant.partner_id, **body})
    assert created.status == 201, created.body
    codes = as_manager.post(f"/api/activities/{created.json()['id']}/codes", json={"count": 1, "single_use": True})
    assert codes.status == 201, codes.body
    return codes.json()["codes"][0]["code"]


def pupil_credentials(http_api, tenant: Tenant) -> dict:
    """Staff give the pupil a new password, as they would before handing over a login card."""
    resp = http_api.as_(tenant.staff.token).post(f"/api/schools/{tenant.school_id}/pupils/{tenant.pupil.id}/password")
    assert resp.status == 200, resp.body
    return resp.json()


def sign_in_as_pupil(page: Page, creds: dict) -> None:
    page.goto("/")
    page.get_by_role("link", name=re.compile("I'm a pupil")).click()
    page.get_by_label("Username").fill(creds["username"])
    page.get_by_label("Password", exact=True).fill(creds["password"])
    page.get_by_role("button", name="Let's go!").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Hi, .+!$"))


def add_stamp(page: Page, typed: str) -> None:
    page.get_by_label("Stamp code").fill(typed)
    page.get_by_role("button", name="Add my stamp").click()


def test_a_pupil_at_29_hours_adds_a_1_hour_code_and_sees_the_bronze_celebration_ladder_and_skills(
        browsing, http_api, new_tenant, tmp_path):
    tenant = new_tenant("Oakfield")
    museum = partner_activity(http_api, tenant, title="Museum explorers", hours=2.5,
                              skills=["teamwork", "communication"], interests=["arts & culture"])
    camp = partner_activity(http_api, tenant, title="Summer science camp", hours=26.5,
                            skills=["problem solving", "teamwork"], interests=["STEM", "nature & outdoors"],
                            employer_engagement=True)
    pond = partner_activity(http_api, tenant, title="Pond dipping", hours=1, skills=["teamwork"],
                            interests=["nature & outdoors"])
    creds = pupil_credentials(http_api, tenant)
    page = browsing.page(PHONE)

    page.goto("/")
    expect(page.get_by_role("heading", name="Welcome!")).to_be_visible()
    screenshot(page, "pupil-01-welcome-phone")
    sign_in_as_pupil(page, creds)
    ladder = page.get_by_role("region", name="My award ladder")
    expect(ladder).to_contain_text("Your first award is the Bronze Award at 30 hours. Keep going!")
    expect(page.get_by_role("region", name="My skills and interests")).to_contain_text(
        "Add a stamp and the skills you use will show here.")
    # Who can see what, named.
    expect(page.locator(".privacy-note")).to_have_text(
        "Who can see your hours and awards: your school, your local Children's University and the Children's "
        "University Trust. Nobody else.")
    screenshot(page, "pupil-02-home-phone")

    # "RED 2468" as a child types it: mixed case, a dash, stray spaces. The preview shows it was understood.
    colour, digits = museum.split()
    page.get_by_label("Stamp code").fill(f" {colour.title()}-{digits} ")
    expect(page.locator(".code-preview")).to_have_text(museum)
    screenshot(page, "pupil-03-typing-code-phone")
    page.get_by_role("button", name="Add my stamp").click()
    unlocked = page.get_by_role("region", name="Museum explorers")
    expect(unlocked).to_contain_text("You unlocked")
    expect(unlocked).to_contain_text("+2.5 hours")
    expect(unlocked.get_by_role("listitem")).to_have_text(["teamwork", "communication", "arts & culture"])
    expect(page.get_by_role("progressbar", name="Progress to the Bronze Award")).to_have_attribute(
        "aria-valuetext", "27.5 hours to go to the Bronze Award")
    screenshot(page, "pupil-04-unlocked-phone")

    # Slips get a hint of their own, checked before anything is sent; typing again clears it.
    add_stamp(page, "grean 1234")
    expect(page.locator(".field__error")).to_have_text("We don't know the colour GREAN. Did you mean GREEN?")
    expect(page.get_by_role("region", name="Museum explorers")).to_have_count(0)  # one result at a time
    screenshot(page, "pupil-05-unknown-colour-phone")
    page.get_by_label("Stamp code").press_sequentially("x")
    expect(page.locator(".field__error")).to_be_hidden()
    add_stamp(page, "blue 12")
    expect(page.locator(".field__error")).to_have_text("A stamp code has 4 numbers after the colour. You typed 2.")
    add_stamp(page, "blue 123456")
    expect(page.locator(".field__error")).to_have_text(
        "A stamp code has only 4 numbers after the colour. You typed 6.")

    # The same code again is a friendly "already done", not an error.
    add_stamp(page, museum.lower())
    expect(page.locator(".notice--friendly")).to_have_text("You've already added this stamp. Well done!")
    expect(page.locator(".field__error")).to_be_hidden()
    screenshot(page, "pupil-06-already-added-phone")

    add_stamp(page, camp)
    expect(page.get_by_role("region", name="Summer science camp")).to_contain_text("+26.5 hours")
    expect(page.locator(".big-number")).to_have_text("29 hours")

    # 29 + 1 = 30: the Bronze Award, celebrated full screen, medal first and the certificate one tap away.
    add_stamp(page, pond)
    celebration = page.get_by_role("dialog", name="You got the Bronze Award!")
    expect(celebration).to_be_visible()
    assert celebration.locator(".celebration__card > *").first.evaluate(
        "el => el.classList.contains('celebration__medal')")
    box = celebration.bounding_box()
    assert box is not None and box["width"] >= 389 and box["height"] >= 800  # the whole phone screen
    expect(celebration).to_contain_text("For 30 hours of learning. Well done!")
    expect(celebration).to_contain_text("Next up: the Silver Award at 65 hours.")
    get_it = celebration.get_by_role("button", name="Get my certificate")
    expect(get_it).to_be_focused()
    screenshot(page, "pupil-07-bronze-celebration-phone")
    with page.expect_download() as download:
        get_it.click()
    certificate = tmp_path / download.value.suggested_filename
    download.value.save_as(certificate)
    assert certificate.name == "certificate-bronze-award.pdf"
    pdf = pdfium.PdfDocument(certificate)
    assert len(pdf) == 1 and "Bronze Award" in pdf[0].get_textpage().get_text_range()
    expect(celebration.get_by_role("status")).to_have_text("Your certificate has downloaded.")
    celebration.get_by_role("button", name="Keep going").click()
    expect(celebration).to_be_hidden()
    expect(page.get_by_role("region", name="Pond dipping")).to_be_focused()

    # The ladder: Bronze earned with its date, Silver next with the hours to go, the rest greyed and locked.
    steps = page.get_by_role("region", name="My award ladder").get_by_role("listitem")
    expect(steps).to_have_count(4)
    expect(steps.nth(0)).to_contain_text("Bronze Award")
    expect(steps.nth(0)).to_contain_text("Earned on ")
    expect(steps.nth(1)).to_contain_text("Silver AwardNext: 35 hours to go")
    expect(steps.nth(2)).to_contain_text("Gold AwardLocked · at 100 hours")
    expect(steps.nth(3)).to_contain_text("Bronze CertificateLocked · at 130 hours")
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuetext", "35 hours to go to the Silver Award")
    # Skills and interests from every stamp, with their hours, most first.
    skills = page.get_by_role("region", name="My skills and interests")
    expect(skills.locator(".chips--skills .chip")).to_have_text(
        ["teamwork · 30 h", "problem solving · 26.5 h", "communication · 2.5 h"])
    expect(skills.locator(".chips--interests .chip")).to_have_text(
        ["nature & outdoors · 27.5 h", "STEM · 26.5 h", "arts & culture · 2.5 h"])
    screenshot(page, "pupil-08-ladder-and-skills-phone")

    laptop = browsing.page(LAPTOP)
    sign_in_as_pupil(laptop, pupil_credentials(http_api, tenant))
    expect(laptop.get_by_role("region", name="What I've done").get_by_role("listitem")).to_have_count(3)
    screenshot(laptop, "pupil-09-home-laptop")


def test_the_celebration_keeps_still_for_reduced_motion_and_fits_a_laptop(browsing, http_api, new_tenant):
    tenant = new_tenant("Stillwater")
    code = partner_activity(http_api, tenant, title="Big adventure", hours=30, skills=["resilience"],
                            interests=["sport"])
    page = browsing.page({**LAPTOP, "reduced_motion": "reduce"})
    sign_in_as_pupil(page, pupil_credentials(http_api, tenant))
    add_stamp(page, code)
    celebration = page.get_by_role("dialog", name="You got the Bronze Award!")
    expect(celebration).to_be_visible()
    moving = page.evaluate("""() => [...document.querySelectorAll('.celebration *')]
        .filter((el) => getComputedStyle(el).animationName !== 'none').length""")
    assert moving == 0
    screenshot(page, "pupil-10-bronze-celebration-laptop")
    page.keyboard.press("Escape")
    expect(celebration).to_be_hidden()


def test_an_expired_session_keeps_the_typed_code_and_adds_it_after_signing_in_again(browsing, http_api, new_tenant):
    tenant = new_tenant("Hollybrook")
    code = partner_activity(http_api, tenant, title="Library quest", hours=2, skills=["independence"],
                            interests=["reading & writing"])
    creds = pupil_credentials(http_api, tenant)
    page = browsing.page(PHONE)
    sign_in_as_pupil(page, creds)

    # The session has ended on the server: the API refuses the code and the refresh token alike.
    refuse = lambda route: route.fulfill(status=401, body="{}", content_type="application/problem+json")  # noqa: E731
    page.route("**/api/redemptions", refuse)
    page.route("**/api/auth/refresh", refuse)
    add_stamp(page, code.lower())
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_role("status").filter(has_text="You were signed out.")).to_have_text(
        f"You were signed out. Sign in again and we'll add {code} for you.")
    screenshot(page, "pupil-11-session-ended-phone")
    page.unroute("**/api/redemptions")
    page.unroute("**/api/auth/refresh")

    page.get_by_label("Username").fill(creds["username"])
    page.get_by_label("Password", exact=True).fill(creds["password"])
    page.get_by_role("button", name="Let's go!").click()
    expect(page.get_by_role("region", name="Library quest")).to_contain_text("+2 hours")
    expect(page.locator(".big-number")).to_have_text("2 hours")


def test_a_wrong_password_gets_a_plain_message_and_keeps_the_username(browsing, http_api, new_tenant):
    tenant = new_tenant("Larchwood")
    creds = pupil_credentials(http_api, tenant)
    page = browsing.page(PHONE)
    page.goto("/#/signin")
    page.get_by_label("Username").fill(creds["username"])
    page.get_by_label("Password", exact=True).fill("not-my-password")
    page.get_by_role("button", name="Let's go!").click()
    expect(page.get_by_role("alert")).to_have_text("That didn't work. Check your username and password and try again.")
    expect(page.get_by_label("Username")).to_have_value(creds["username"])
    expect(page.get_by_label("Password", exact=True)).to_be_focused()


FOCUS_RING = "() => { const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineColor]; }"


def test_a_pupil_can_sign_in_and_add_a_stamp_with_the_keyboard_alone(browsing, http_api, new_tenant):
    tenant = new_tenant("Elmhurst")
    code = partner_activity(http_api, tenant, title="Pond dipping", hours=1, skills=["teamwork"],
                            interests=["nature & outdoors"])
    creds = pupil_credentials(http_api, tenant)
    page = browsing.page(LAPTOP)
    page.goto("/")

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    assert page.evaluate(FOCUS_RING) == ["solid", "rgb(255, 207, 51)"]
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name=re.compile("I'm a pupil"))).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Username")).to_be_focused()
    assert page.evaluate(FOCUS_RING) == ["solid", "rgb(255, 207, 51)"]
    page.keyboard.type(creds["username"])
    page.keyboard.press("Tab")
    page.keyboard.type(creds["password"])
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Hi, "))
    page.keyboard.press("Tab")
    expect(page.get_by_label("Stamp code")).to_be_focused()
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    expect(page.get_by_role("region", name="Pond dipping")).to_be_focused()


def test_tokens_stay_out_of_local_storage_and_a_401_is_refreshed_once(browsing, http_api, new_tenant):
    tenant = new_tenant("Fernbank")
    creds = pupil_credentials(http_api, tenant)
    page = browsing.page(PHONE)
    sign_in_as_pupil(page, creds)
    stored = page.evaluate("() => [localStorage.length, Object.keys(sessionStorage), document.cookie]")
    assert stored == [0, ["cuo.refresh_token"], ""]
    first_refresh_token = page.evaluate("() => sessionStorage.getItem('cuo.refresh_token')")

    # The access token "expires": the API refuses the next call once. The client swaps the refresh token
    # (once) and repeats the call, and the pupil notices nothing.
    calls: list[str] = []
    refused = []

    def refuse_once(route, request) -> None:
        calls.append(request.url)
        if not refused:
            refused.append(request.url)
            route.fulfill(status=401, content_type="application/problem+json",
                          body='{"title": "Unauthenticated", "status": 401, "detail": "expired"}')
        else:
            route.continue_()

    page.route("**/api/me/progress", refuse_once)
    with page.expect_request("**/api/auth/refresh") as refresh, page.expect_response(
            lambda response: response.url.endswith("/api/me/progress") and response.status == 200):
        page.get_by_role("link", name="Children's University Online: home").click()
    expect(page.get_by_role("heading", name="My hours")).to_be_visible()
    assert refresh.value.post_data_json == {"refresh_token": first_refresh_token}
    assert len(calls) == 2
    assert page.evaluate("() => sessionStorage.getItem('cuo.refresh_token')") not in (None, first_refresh_token)

    # A reload signs back in from sessionStorage alone.
    page.unroute("**/api/me/progress")
    page.reload()
    expect(page.get_by_role("heading", name="My hours")).to_be_visible()

    # When the refresh token is refused too, the pupil is asked to sign in again and told why.
    page.route("**/api/me/progress", lambda route: route.fulfill(status=401, body="{}",
                                                                   content_type="application/problem+json"))
    page.route("**/api/auth/refresh", lambda route: route.fulfill(status=401, body="{}",
                                                                   content_type="application/problem+json"))
    page.get_by_role("link", name="Children's University Online: home").click()
    expect(page.get_by_role("status").filter(has_text="You have been signed out. Please sign in again.")
           ).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert page.evaluate("() => sessionStorage.length") == 0
