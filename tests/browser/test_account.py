"""Staff accounts in the browser: forgotten password by email, setting up two-step sign-in from an invitation
(QR code and recovery codes), signing in with a recovery code, and the account page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from shared.identity.totp import RECOVERY_ALPHABET
from tests.browser.conftest import LAPTOP, PHONE, screenshot
from tests.e2e.test_devhost import wait_for
from tests.world import STAFF_PASSWORD, staff_body, totp_code

pytestmark = pytest.mark.browser

NEW_PASSWORD = "marble harbour violin 58"


def _staff_sign_in(page: Page, email: str, password: str) -> None:
    page.goto("/#/staff/signin")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def _sign_out(page: Page) -> None:
    # The app goes to its start page when the server has ended the session, so wait for that answer.
    with page.expect_response(lambda response: response.url.endswith("/api/auth/logout")):
        page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome!")


def test_a_coordinator_resets_a_forgotten_password_from_the_email(browsing, new_tenant, mailbox):
    tenant = new_tenant("Hollybrook")
    page = browsing.page(PHONE)
    page.goto("/#/staff/signin")
    page.get_by_role("link", name="Forgotten your password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Forgotten your password?")
    page.get_by_label("Email address").fill(tenant.staff.email)
    page.get_by_role("button", name="Email me a link").click()
    expect(page.locator(".notice[role=status]")).to_contain_text("we have emailed it a link")
    screenshot(page, "account-01-forgot-phone")

    mail = wait_for(lambda: [m for m in mailbox.to(tenant.staff.email) if m.template == "password_reset"],
                    what="the password reset email")[-1]
    link = re.search(r"http://\S+#/password/reset/\S+", mail.text).group(0)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_label("Type it again").fill(NEW_PASSWORD)
    screenshot(page, "account-02-reset-phone")
    page.get_by_role("button", name="Save new password").click()
    expect(page.locator(".notice[role=status]")).to_contain_text("Your password has been changed")

    _staff_sign_in(page, tenant.staff.email, NEW_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hollybrook Primary")
    expect(page.get_by_role("link", name="Your account")).to_be_visible()
    screenshot(page, "account-07-signed-in-phone")

    # The link works once.
    _sign_out(page)
    page.goto(link)
    page.get_by_label("New password").fill(NEW_PASSWORD + "x")
    page.get_by_label("Type it again").fill(NEW_PASSWORD + "x")
    page.get_by_role("button", name="Save new password").click()
    expect(page.get_by_role("alert")).to_contain_text("not valid any more")


def test_a_new_cu_manager_sets_up_two_step_sign_in_and_later_uses_a_recovery_code(
        browsing, http_api, trust_admin, mailbox):
    partner = http_api.as_(trust_admin.token).post("/api/partners", json={"name": "Fernhill Children's University"})
    body = staff_body("fernmanager")
    invited = http_api.as_(trust_admin.token).post(f"/api/partners/{partner.json()['id']}/managers", json=body)
    assert invited.status == 201
    invitation = next(m for m in mailbox.to(body["email"]) if m.template == "invitation")
    link = re.search(r"http://\S+#/invitation/\S+", invitation.text).group(0)

    page = browsing.page(LAPTOP)
    page.goto(link)
    page.get_by_label("Choose a password").fill(STAFF_PASSWORD)
    page.get_by_label("Type it again").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Set password and sign in").click()
    expect(page.get_by_role("heading", name="Set up two-step sign-in")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    secret = page.get_by_test_id("totp-secret").inner_text()
    screenshot(page, "account-03-two-step-setup-laptop")
    page.get_by_label("Code from the app").fill("000000" if totp_code(secret) != "000000" else "111111")
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.locator(".field__error").first).to_contain_text("not right")
    page.get_by_label("Code from the app").fill(totp_code(secret))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_role("list", name="Recovery codes").get_by_role("listitem")).to_have_count(10)
    codes = page.get_by_role("list", name="Recovery codes").get_by_role("listitem").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(f"[{RECOVERY_ALPHABET}-]{{12}}", c) for c in codes)
    screenshot(page, "account-04-recovery-codes-laptop")
    page.get_by_role("button", name="I have kept them – continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fernhill Children's University")

    _sign_out(page)
    _staff_sign_in(page, body["email"], STAFF_PASSWORD)
    page.get_by_label("Code from your authenticator app").fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("not right")
    screenshot(page, "account-05-second-step-laptop")
    page.get_by_label("Code from your authenticator app").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fernhill Children's University")


def test_a_coordinator_changes_their_password_and_turns_on_two_step_sign_in(browsing, new_tenant):
    tenant = new_tenant("Larkspur")
    page = browsing.page(LAPTOP)
    _staff_sign_in(page, tenant.staff.email, STAFF_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Larkspur Primary")
    page.get_by_role("link", name="Your account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    page.get_by_label("Current password").fill("not my password")
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_label("Type it again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".field__error").first).to_contain_text("current password is not right")
    page.get_by_label("Current password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".notice[role=status]")).to_contain_text("Your password has been changed")

    page.get_by_role("button", name="Set up two-step sign-in").click()
    secret = page.get_by_test_id("totp-secret").inner_text()
    page.get_by_label("Code from the app").fill(totp_code(secret))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_role("list", name="Recovery codes")).to_be_visible()
    page.get_by_role("button", name="Done").click()
    expect(page.get_by_text("Two-step sign-in is on.")).to_be_visible()
    screenshot(page, "account-06-account-laptop")

    _sign_out(page)
    _staff_sign_in(page, tenant.staff.email, NEW_PASSWORD)
    page.get_by_label("Code from your authenticator app").fill(totp_code(secret))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Larkspur Primary")
