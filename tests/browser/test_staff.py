"""CU managers and the Trust: activities and code sheets, inviting a coordinator, reports and compliance."""

from __future__ import annotations

import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from playwright.sync_api import Page, expect

from shared.reports import roll_up_partner
from shared.storage.clients import get_storage
from tests.browser.conftest import LAPTOP, PHONE, screenshot, stat_value
from tests.browser.test_pupil import partner_activity
from tests.world import STAFF_PASSWORD, Actor, totp_code, unique_email
from tests.world import sign_in as world_sign_in

pytestmark = pytest.mark.browser


def sign_in(page: Page, staff: Actor, *, lands_on: str) -> None:
    page.goto("/#/staff/signin")
    page.get_by_label("Email address").fill(staff.email)
    page.get_by_label("Password", exact=True).fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    if staff.totp_secret:
        page.get_by_label("Code from your authenticator app").fill(totp_code(staff.totp_secret))
        page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(lands_on)


def main_nav(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True).click()


def test_a_cu_manager_makes_an_activity_with_a_code_sheet_and_invites_a_coordinator(browsing, new_tenant, tmp_path):
    tenant = new_tenant("Riverside")
    page = browsing.page(LAPTOP)
    sign_in(page, tenant.manager, lands_on="Riverside Children's University")
    expect(page.get_by_role("link", name=re.compile("^Riverside Primary"))).to_be_visible()
    screenshot(page, "manager-01-partner-laptop")

    main_nav(page, "Activities")
    form = page.get_by_role("region", name="New activity")
    form.get_by_label("Title").fill("Castle trail")
    form.get_by_label("Hours").fill("1.5")
    form.get_by_role("group", name="Skills it builds").get_by_label("teamwork").check()
    form.get_by_role("group", name="Skills it builds").get_by_label("problem solving").check()
    form.get_by_role("group", name="Interests it explores").get_by_label("arts & culture").check()
    form.get_by_label("Pupils meet people from the world of work").check()
    form.get_by_role("button", name="Create activity").click()
    created = page.get_by_role("status").filter(has_text="Created “Castle trail”")
    expect(created).to_be_visible()
    expect(page.get_by_role("heading", name="Castle trail", level=2)).to_be_visible()
    screenshot(page, "manager-02-activities-laptop")

    created.get_by_role("link", name="Make its stamp codes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Castle trail")
    page.get_by_label("How many codes?").fill("12")
    page.get_by_role("button", name="Make codes").click()
    expect(page.get_by_text("12 new codes made.")).to_be_visible()
    codes = [c.strip() for c in page.locator("table.table--codes td[data-label='Code']").all_inner_texts()]
    assert len(codes) == 12 and all(re.fullmatch(r"[A-Z]+ \d{4}", c) for c in codes), codes
    with page.expect_download() as download:
        page.get_by_role("button", name="Code sheet (PDF)").click()
    sheet = tmp_path / download.value.suggested_filename
    download.value.save_as(sheet)
    pdf = pdfium.PdfDocument(sheet)
    text = "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert all(code in text for code in codes)
    screenshot(page, "manager-03-stamp-codes-laptop")

    main_nav(page, "Schools")
    page.get_by_role("link", name=re.compile("^Riverside Primary")).click()
    expect(page.get_by_role("navigation", name="Riverside Primary")).to_be_visible()  # the school's tabs
    invite = page.get_by_role("region", name="Staff")
    email = unique_email("newcoordinator")
    invite.get_by_label("First name").fill("Priya")
    invite.get_by_label("Last name").fill("Shah")
    invite.get_by_label("Known as").fill("Mrs Shah")
    invite.get_by_label("Email address").fill(email)
    invite.get_by_role("button", name="Invite colleague").click()
    link = invite.get_by_label("Invitation link")
    expect(link).to_have_value(re.compile(r"/#/invitation/"))
    expect(invite.get_by_role("cell", name=email)).to_be_visible()
    screenshot(page, "manager-04-school-invite-laptop")
    invitation_url = link.input_value()

    newcomer = browsing.page(PHONE)
    newcomer.goto(invitation_url)
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("Welcome to Children's University Online")
    newcomer.get_by_label("Choose a password").fill("short")
    newcomer.get_by_label("Type it again").fill("short")
    newcomer.get_by_role("button", name="Set password and sign in").click()
    expect(newcomer.locator(".field__error").first).to_have_text("Use at least 12 characters.")
    newcomer.get_by_label("Choose a password").fill("kettle orchard lantern 42")
    newcomer.get_by_label("Type it again").fill("kettle orchard lantern 42")
    screenshot(newcomer, "invitation-01-phone")
    newcomer.get_by_role("button", name="Set password and sign in").click()
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("Riverside Primary")
    expect(newcomer.locator(".site-header__user")).to_contain_text("Sign out")

    # The link works once.
    again = browsing.page(PHONE)
    again.goto(invitation_url)
    again.get_by_label("Choose a password").fill("kettle orchard lantern 43")
    again.get_by_label("Type it again").fill("kettle orchard lantern 43")
    again.get_by_role("button", name="Set password and sign in").click()
    expect(again.get_by_role("alert")).to_contain_text("not valid any more")


def test_the_trust_sees_every_partner_their_reports_and_the_compliance_view(browsing, trust_admin, new_tenant,
                                                                            http_api, mailbox):
    tenant = new_tenant("Moorside")
    # A refresh token presented twice (a stolen session) becomes an alert in the compliance view.
    refresh_token = world_sign_in(http_api, tenant.staff)["refresh_token"]
    for expected in (200, 401):
        assert http_api.post("/api/auth/refresh", json={"refresh_token": refresh_token}).status == expected
    # One pupil learns: a count of fewer than 5 pupils, and hours that would say what that child did.
    code = partner_activity(http_api, tenant, title="Moor walk", hours=2, skills=["resilience"],
                            interests=["nature & outdoors"])
    assert http_api.as_(tenant.pupil.token).post("/api/redemptions", json={"code": code}).status == 201
    page = browsing.page(LAPTOP)
    sign_in(page, trust_admin, lands_on="Partners")
    screenshot(page, "trust-01-partners-laptop")
    page.get_by_role("link", name=re.compile("^Moorside Children's University")).click()
    expect(page.get_by_role("link", name=re.compile("^Moorside Primary"))).to_be_visible()
    page.get_by_role("link", name="Report", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report: Moorside Children's University")
    # Before the first roll-up: no zeros, but when the figures will be there.
    preparing = page.locator(".notice").filter(has_text="These figures are being prepared.")
    expect(preparing).to_contain_text("The next update is at")
    expect(page.locator(".stat")).to_have_count(0)
    screenshot(page, "trust-02-partner-report-preparing-laptop")
    roll_up_partner(get_storage(), tenant.partner_id)
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.get_by_role("figure", name=re.compile("^Gender"))).to_be_visible()
    expect(page.get_by_role("figure", name="Hours of learning, month by month")).to_be_visible()
    # One pupil: their count is "<5", their hours are hidden and say why; one message per chart.
    assert stat_value(page, "pupils") == "<5"
    expect(page.locator(".stat").filter(has_text="hours of learning")).to_contain_text(
        "Hiddenhours of learninghidden: fewer than 5 pupils")
    for chart in page.locator("figure.chart").all():
        assert chart.locator("p").count() <= 1, chart.inner_text()

    main_nav(page, "National report")
    expect(page.get_by_role("heading", level=1)).to_have_text("National report")
    expect(page.get_by_role("figure", name=re.compile("^Hours by skill"))).to_be_visible()
    screenshot(page, "trust-03-national-report-laptop")

    main_nav(page, "Compliance")
    expect(page.get_by_role("heading", level=1)).to_have_text("Compliance")
    expect(page.locator(".stat__label", has_text="current pupils")).to_be_visible()
    expect(page.get_by_role("region", name="Audit trail").get_by_role("table")).to_be_visible()
    alerts = page.get_by_role("region", name="Alerts")
    expect(alerts).to_contain_text("A refresh token was used twice")
    screenshot(page, "trust-04-compliance-laptop")
    alerts.get_by_role("button", name="Email me these alerts").click()
    expect(alerts.get_by_role("status")).to_have_text("The alerts have been emailed to you.")
    assert mailbox.to(trust_admin.email)[-1].template == "alerts"


SIMS_EXPORT = Path(__file__).resolve().parents[1] / "data" / "sims_export.csv"
# (title, hours, skills, interests, meets employers, which of the uploaded pupils take part)
CLUBS = [
    ("Orchestra day", 3, ["teamwork", "confidence"], ["music"], False, [0, 1, 2, 3]),
    ("Coding club", 10, ["problem solving", "creativity"], ["STEM", "digital"], False, [1, 4]),
    ("Farm visit", 4.5, ["communication", "independence"], ["nature & outdoors"], True, [0, 2]),
]


def a_school_with_some_learning(http_api, tenant) -> None:
    """The SIMS sample on top of the tenant's own pupil; five of the six take part in partner activities."""
    as_staff, as_manager = http_api.as_(tenant.staff.token), http_api.as_(tenant.manager.token)
    uploaded = as_staff.post(f"/api/schools/{tenant.school_id}/roster", body=SIMS_EXPORT.read_bytes(),
                             headers={"Content-Type": "text/csv"}, params={"mode": "partial"})
    assert uploaded.status == 200, uploaded.body
    pupils = sorted((p for p in as_staff.get(f"/api/schools/{tenant.school_id}/pupils").json()["pupils"]
                     if p["id"] != tenant.pupil.id), key=lambda p: p["last_name"])
    for title, hours, skills, interests, employers, takers in CLUBS:
        activity = as_manager.post("/api/activities", json={
            "partner_id": tenant.partner_id, "title": title, "hours": hours, "skills": skills,
            "interests": interests, "employer_engagement": employers}).json()
        code = as_manager.post(f"/api/activities/{activity['id']}/codes",
                               json={"count": 1, "single_use": False}).json()["codes"][0]["code"]
        for index in takers:
            redeemed = as_staff.post("/api/redemptions", json={"code": code, "pupil_id": pupils[index]["id"]})
            assert redeemed.status == 201, redeemed.body


def test_a_school_report_draws_hours_by_skill_and_the_gender_split(browsing, http_api, new_tenant):
    tenant = new_tenant("Ashgrove")
    a_school_with_some_learning(http_api, tenant)

    for device, name in ((LAPTOP, "laptop"), (PHONE, "phone")):
        page = browsing.page(device)
        sign_in(page, tenant.staff, lands_on="Ashgrove Primary")
        main_nav(page, "Report")
        expect(page.get_by_role("figure", name=re.compile("^Hours by skill"))).to_be_visible()
        assert stat_value(page, "hours of learning") == "41"
        assert stat_value(page, "taking part") == "5"
        expect(page.get_by_role("region", name="Activities used").locator("tbody tr")).to_have_count(len(CLUBS))
        skills = page.get_by_role("figure", name=re.compile("^Hours by skill")).get_by_role("img")
        expect(skills).to_have_accessible_name(re.compile(r"problem solving: 20 h"))
        expect(skills).to_have_accessible_name(re.compile(r"teamwork: 12 h"))
        expect(skills).to_have_accessible_name(re.compile(r"communication: 9 h"))
        gender = page.get_by_role("figure", name=re.compile("^Gender")).get_by_role("img")
        expect(gender).to_have_accessible_name(re.compile("All pupils: .*; Taking part: "))
        screenshot(page, f"report-01-school-{name}")
