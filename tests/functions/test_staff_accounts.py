"""Password reset by email, re-sent invitations, change password, two-step sign-in: through the app's handlers,
with the suite's own SMTP server catching the mail."""

from __future__ import annotations

import re
import secrets
import threading
from datetime import timedelta

import pyotp

from shared import background
from shared.identity.recovery import LINKS_PER_CLIENT_PER_HOUR
from shared.ids import clock_moved, utcnow
from tests.world import STAFF_PASSWORD, Actor, accept, sign_in, staff_body, totp_code

NEW_PASSWORD = "lantern orchard kettle 42"


def _own_client() -> dict[str, str]:
    # Each test is its own client (a /64 of its own), so the suite's other requests without an address do not
    # use up this test's per-client allowance.
    return {"x-forwarded-for": f"2001:db8:{secrets.token_hex(2)}:{secrets.token_hex(2)}::1"}


def _link(mailbox, address: str, fragment: str) -> str:
    background.drain()
    mails = [m for m in mailbox.to(address) if fragment in m.text]
    assert mails, f"no mail with {fragment} to the address"
    return re.search(r"https?://\S+" + re.escape(fragment) + r"\S+", mails[-1].text).group(0)


def _new_coordinator(world, label: str) -> tuple[dict, Actor]:
    body = staff_body(label)
    created = world.as_(world.a.manager).post(f"/api/schools/{world.a.school_id}/staff", json=body)
    assert created.status == 201, created.body
    return created.json(), accept(world.client, created.json()["invitation_url"], body["email"])


def test_a_coordinator_resets_a_forgotten_password_from_the_email(world, mailbox):
    _, coordinator = _new_coordinator(world, "forgetful")
    anon = world.client.as_(None)
    asked = anon.post("/api/auth/password/forgot", json={"email": coordinator.email.upper()})
    assert asked.status == 202
    link = _link(mailbox, coordinator.email, "#/password/reset/")
    mail = mailbox.to(coordinator.email)[-1]
    assert "Children's University Online" in mail.subject and STAFF_PASSWORD not in mail.text
    token = link.rsplit("/", 1)[1]

    weak = anon.post("/api/auth/password/reset", json={"token": token, "password": "short"})
    assert weak.status == 400
    assert anon.post("/api/auth/password/reset", json={"token": token, "password": NEW_PASSWORD}).status == 204
    again = anon.post("/api/auth/password/reset", json={"token": token, "password": NEW_PASSWORD + "x"})
    assert again.status == 410

    assert anon.post("/api/auth/login", json={"username": coordinator.email, "password": STAFF_PASSWORD}).status == 401
    # Every session from before the reset has ended: its access token and its refresh token.
    assert world.client.as_(coordinator.token).get("/api/me").status == 401
    assert anon.post("/api/auth/refresh", json={"refresh_token": coordinator.refresh_token}).status == 401
    assert sign_in(world.client, coordinator, NEW_PASSWORD)["access_token"]
    background.drain()
    assert any(m.template == "password_changed" for m in mailbox.to(coordinator.email))


def test_a_reset_link_stops_working_after_thirty_minutes(world, mailbox):
    _, coordinator = _new_coordinator(world, "slowreader")
    world.client.as_(None).post("/api/auth/password/forgot", json={"email": coordinator.email})
    token = _link(mailbox, coordinator.email, "#/password/reset/").rsplit("/", 1)[1]
    with clock_moved(timedelta(minutes=31)):
        late = world.client.as_(None).post("/api/auth/password/reset", json={"token": token, "password": NEW_PASSWORD})
    assert late.status == 410


def test_forgot_password_answers_the_same_for_unknown_addresses_and_sends_nothing(world, mailbox):
    unknown = "nobody.at.all@example.org.uk"
    answer = world.client.as_(None).post("/api/auth/password/forgot", json={"email": unknown})
    known = world.client.as_(None).post("/api/auth/password/forgot", json={"email": world.b.staff.email})
    assert answer.status == known.status == 202 and answer.json() == known.json()
    background.drain()
    assert mailbox.to(unknown) == []


def test_forgot_password_is_throttled_per_address(world):
    body = staff_body("throttled")
    anon = world.client.as_(None)
    client = _own_client()
    statuses = [anon.post("/api/auth/password/forgot", json={"email": body["email"]}, headers=client).status
                for _ in range(4)]
    assert statuses == [202, 202, 202, 429]


def test_parallel_forgot_password_requests_cost_at_most_the_allowance(world):
    email = staff_body("burst")["email"]
    barrier = threading.Barrier(8)
    statuses: list[int] = []
    client = _own_client()

    def ask() -> None:
        barrier.wait()
        statuses.append(world.client.as_(None).post("/api/auth/password/forgot", json={"email": email},
                                                    headers=client).status)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses.count(202) == 3 and statuses.count(429) == 5


def test_an_expired_invitation_is_re_sent_and_the_old_link_stops_working(world, mailbox):
    body = staff_body("latecomer")
    as_manager = world.as_(world.a.manager)
    created = as_manager.post(f"/api/schools/{world.a.school_id}/staff", json=body).json()
    assert created["invitation_emailed"] is True
    first_mail = mailbox.to(body["email"])[-1]
    assert first_mail.template == "invitation" and created["invitation_url"] in first_mail.text
    old_token = created["invitation_url"].rsplit("/", 1)[1]
    with clock_moved(timedelta(days=8)):
        expired = world.client.as_(None).post("/api/auth/invitations/accept",
                                              json={"token": old_token, "password": STAFF_PASSWORD})
        assert expired.status == 410
        resent = as_manager.post(f"/api/staff/{created['id']}/invitation")
        assert resent.status == 201, resent.body
        assert resent.json()["invitation_emailed"] is True
    new_mail = mailbox.to(body["email"])[-1]
    assert new_mail.template == "invitation_resent" and resent.json()["invitation_url"] in new_mail.text

    # Re-sending again (before it expires) withdraws the link just sent.
    second = resent.json()["invitation_url"]
    third = as_manager.post(f"/api/staff/{created['id']}/invitation").json()["invitation_url"]
    anon = world.client.as_(None)
    assert anon.post("/api/auth/invitations/accept",
                     json={"token": second.rsplit("/", 1)[1], "password": STAFF_PASSWORD}).status == 410
    accepted = anon.post("/api/auth/invitations/accept",
                         json={"token": third.rsplit("/", 1)[1], "password": STAFF_PASSWORD})
    assert accepted.status == 200
    assert as_manager.post(f"/api/staff/{created['id']}/invitation").status == 409


def test_school_staff_cannot_re_send_invitations(world):
    created = world.as_(world.a.manager).post(f"/api/schools/{world.a.school_id}/staff",
                                              json=staff_body("colleague")).json()
    assert world.as_(world.a.staff).post(f"/api/staff/{created['id']}/invitation").status == 403


def test_changing_the_password_needs_the_current_one(world, mailbox):
    _, coordinator = _new_coordinator(world, "changer")
    me = world.client.as_(coordinator.token)
    wrong = me.post("/api/auth/password", json={"current_password": "not it at all", "new_password": NEW_PASSWORD})
    assert wrong.status == 400 and wrong.json()["errors"][0]["field"] == "current_password"
    elsewhere = sign_in(world.client, coordinator)
    changed = me.post("/api/auth/password", json={"current_password": STAFF_PASSWORD, "new_password": NEW_PASSWORD})
    assert changed.status == 200 and changed.json()["access_token"]
    # The other sessions end; the one that made the change carries on with the tokens it was given.
    assert world.client.as_(elsewhere["access_token"]).get("/api/me").status == 401
    assert world.client.as_(coordinator.token).get("/api/me").status == 401
    assert world.client.as_(changed.json()["access_token"]).get("/api/me").status == 200
    assert sign_in(world.client, coordinator, NEW_PASSWORD)["access_token"]
    assert mailbox.to(coordinator.email)[-1].template == "password_changed"


# --- two-step sign-in ----------------------------------------------------------------------------------


def _new_manager(world) -> Actor:
    body = staff_body("twostep")
    created = world.as_(world.admin).post(f"/api/partners/{world.a.partner_id}/managers", json=body)
    assert created.status == 201
    return accept(world.client, created.json()["invitation_url"], body["email"])


def test_a_trust_admin_cannot_sign_in_without_the_second_factor(world):
    anon = world.client.as_(None)
    first = anon.post("/api/auth/login", json={"username": world.admin.email, "password": STAFF_PASSWORD}).json()
    assert first["mfa_required"] is True and first["access_token"] is None and first["mfa_enrolment_required"] is False
    challenge = first["mfa_challenge"]
    # The challenge is not an access token.
    assert world.client.as_(challenge).get("/api/me").status == 401
    wrong = anon.post("/api/auth/mfa/verify", json={"challenge": challenge, "code": "000000"})
    assert wrong.status == 401
    right = anon.post("/api/auth/mfa/verify", json={"challenge": challenge, "code": totp_code(world.admin.totp_secret)})
    assert right.status == 200 and right.json()["user"]["role"] == "trust_admin"


def test_a_code_from_the_app_works_once(world):
    manager = _new_manager(world)
    anon = world.client.as_(None)
    code = totp_code(manager.totp_secret)
    challenges = [anon.post("/api/auth/login", json={"username": manager.email, "password": STAFF_PASSWORD}).json()
                  ["mfa_challenge"] for _ in range(2)]
    assert anon.post("/api/auth/mfa/verify", json={"challenge": challenges[0], "code": code}).status == 200
    assert anon.post("/api/auth/mfa/verify", json={"challenge": challenges[1], "code": code}).status == 401


def test_two_requests_racing_with_one_code_let_in_only_one(world):
    manager = _new_manager(world)
    anon = world.client.as_(None)
    code = totp_code(manager.totp_secret)
    challenges = [anon.post("/api/auth/login", json={"username": manager.email, "password": STAFF_PASSWORD}).json()
                  ["mfa_challenge"] for _ in range(6)]
    barrier = threading.Barrier(len(challenges))
    statuses: list[int] = []

    def verify(challenge: str) -> None:
        barrier.wait()
        statuses.append(anon.post("/api/auth/mfa/verify", json={"challenge": challenge, "code": code}).status)

    threads = [threading.Thread(target=verify, args=(c,)) for c in challenges]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # One gets in; the others are refused (the fifth failure also locks the account).
    assert statuses.count(200) == 1 and set(statuses) - {200} <= {401, 429}, statuses


def test_a_recovery_code_works_once_instead_of_the_app(world):
    manager = _new_manager(world)
    assert len(manager.recovery_codes) == 10 and len(set(manager.recovery_codes)) == 10
    anon = world.client.as_(None)

    def with_code(code: str) -> int:
        challenge = anon.post("/api/auth/login", json={"username": manager.email,
                                                       "password": STAFF_PASSWORD}).json()["mfa_challenge"]
        return anon.post("/api/auth/mfa/verify", json={"challenge": challenge, "code": code}).status

    recovery = manager.recovery_codes[0]
    assert with_code(recovery.upper()) == 200
    assert with_code(recovery) == 401
    status = world.client.as_(sign_in(world.client, manager)["access_token"]).get("/api/auth/mfa").json()
    assert status == {"enrolled": True, "required": True, "recovery_codes_left": 9}


def test_wrong_codes_lock_the_account_like_wrong_passwords(world):
    manager = _new_manager(world)
    anon = world.client.as_(None)
    challenge = anon.post("/api/auth/login", json={"username": manager.email,
                                                   "password": STAFF_PASSWORD}).json()["mfa_challenge"]
    right = pyotp.TOTP(manager.totp_secret).now()
    wrong = f"{(int(right) + 500_000) % 1_000_000:06d}"
    statuses = [anon.post("/api/auth/mfa/verify", json={"challenge": challenge, "code": wrong}).status
                for _ in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    locked = anon.post("/api/auth/mfa/verify", json={"challenge": challenge, "code": totp_code(manager.totp_secret)})
    assert locked.status == 429 and int(locked.headers["retry-after"]) >= 1


def test_school_staff_may_opt_in_and_are_then_asked_for_a_code(world):
    _, coordinator = _new_coordinator(world, "optin")
    me = world.client.as_(coordinator.token)
    assert me.get("/api/auth/mfa").json() == {"enrolled": False, "required": False, "recovery_codes_left": 0}
    setup = me.post("/api/auth/mfa/enrolment").json()
    assert setup["otpauth_uri"].startswith("otpauth://totp/") and setup["qr_svg"].startswith("data:image/svg+xml")
    assert me.post("/api/auth/mfa/enrolment/confirm", json={"code": "123456"}).status == 400
    codes = me.post("/api/auth/mfa/enrolment/confirm", json={"code": totp_code(setup["secret"])})
    assert codes.status == 200 and len(codes.json()["recovery_codes"]) == 10
    coordinator.totp_secret = setup["secret"]
    first = world.client.as_(None).post("/api/auth/login", json={"username": coordinator.email,
                                                                 "password": STAFF_PASSWORD}).json()
    assert first["mfa_required"] is True
    assert sign_in(world.client, coordinator)["access_token"]


def test_the_trust_resets_a_lost_second_factor_and_it_is_audited(world, mailbox):
    manager = _new_manager(world)
    assert world.as_(world.a.manager).delete(f"/api/staff/{manager.id}/mfa").status == 403
    assert world.as_(world.admin).delete(f"/api/staff/{manager.id}/mfa").status == 204
    assert mailbox.to(manager.email)[-1].template == "second_factor_reset"
    # The lost phone may be in someone else's hands: the person's sessions end too.
    assert world.client.as_(manager.token).get("/api/me").status == 401
    anon = world.client.as_(None)
    first = anon.post("/api/auth/login", json={"username": manager.email, "password": STAFF_PASSWORD}).json()
    assert first["mfa_enrolment_required"] is True
    old_recovery = anon.post("/api/auth/mfa/verify", json={"challenge": first["mfa_challenge"],
                                                           "code": manager.recovery_codes[0]})
    assert old_recovery.status == 401
    audit = world.as_(world.admin).get("/api/audit", params={"subject_id": manager.id}).json()["entries"]
    reset = [e for e in audit if e["action"] == "second_factor_reset"]
    assert reset and reset[0]["actor_id"] == world.admin.id


def test_asking_for_a_reset_link_does_the_same_storage_work_for_known_and_unknown_addresses(world, storage):
    from shared.identity.recovery import forgot_password
    from shared.storage.counting import request_counter

    def tally(email: str, client: str):
        with request_counter.measure() as counted:
            forgot_password(email, client, storage=storage)
        return dict(counted.by_kind)

    _, coordinator = _new_coordinator(world, "sametiming")
    # Each from a client that has not asked before, so both count from the same allowance state.
    known = tally(coordinator.email, "203.0.113.9")
    unknown = tally(staff_body("nobody")["email"], "203.0.113.10")
    # Making the link and sending it happen after the answer, on another thread; the answer itself differs
    # in nothing that storage sees.
    assert known == unknown and known
    background.drain()


def test_deleting_a_staff_member_removes_their_second_factor_and_pending_invitation(world, storage):
    from shared.storage.links import CURRENT_PK
    from shared.storage.names import INVITATIONS, SECOND_FACTORS

    manager = _new_manager(world)
    invited = world.as_(world.admin).post(f"/api/partners/{world.a.partner_id}/managers", json=staff_body("never"))
    assert invited.status == 201
    never_id = invited.json()["id"]

    def rows_of(table: str, pk: str) -> list:
        return list(storage.table(table).query_entities("PartitionKey eq @pk", parameters={"pk": pk}))

    assert len(rows_of(SECOND_FACTORS, manager.id)) == 11  # the factor and ten recovery codes
    assert storage.table(INVITATIONS).get_entity(CURRENT_PK, never_id)
    for staff_id in (manager.id, never_id):
        assert world.as_(world.admin).delete(f"/api/staff/{staff_id}").status == 204
    assert rows_of(SECOND_FACTORS, manager.id) == []
    assert not [r for r in rows_of(INVITATIONS, CURRENT_PK) if r["RowKey"] == never_id]


def test_a_client_cannot_escape_the_per_client_throttle_by_forging_x_forwarded_for(world):
    """Azure's front end appends the real client address to X-Forwarded-For; earlier entries are the client's own
    words. Reading the first entry let one client spoof a new address per request and never be throttled."""
    anon = world.client.as_(None)
    statuses = [
        anon.post("/api/auth/password/forgot", json={"email": staff_body(f"spoof{i}")["email"]},
                  headers={"X-Forwarded-For": f"198.51.100.{i}, 203.0.113.7:50123"}).status
        for i in range(LINKS_PER_CLIENT_PER_HOUR + 1)
    ]
    assert statuses == [202] * LINKS_PER_CLIENT_PER_HOUR + [429]


# --- issue 24: single-use challenges and reset links, counted recovery-code renewal, a used code says so --------


def _challenge(world, actor: Actor) -> str:
    resp = world.client.as_(None).post("/api/auth/login", json={"username": actor.email, "password": STAFF_PASSWORD})
    assert resp.status == 200, resp.body
    return resp.json()["mfa_challenge"]


def test_a_sign_in_challenge_is_used_up_by_its_first_success(world):
    manager = _new_manager(world)
    anon = world.client.as_(None)
    challenge = _challenge(world, manager)
    first = anon.post("/api/auth/mfa/verify", json={"challenge": challenge, "code": totp_code(manager.totp_secret)})
    assert first.status == 200
    # The same challenge with a later code, or a recovery code: no second set of tokens.
    later = anon.post("/api/auth/mfa/verify", json={"challenge": challenge, "code": totp_code(manager.totp_secret)})
    assert later.status == 401 and "already been completed" in later.json()["detail"]
    recovery = anon.post("/api/auth/mfa/verify", json={"challenge": challenge, "code": manager.recovery_codes[0]})
    assert recovery.status == 401
    # A used challenge is refused before anything is looked at: the recovery code was not spent.
    status = world.client.as_(first.json()["access_token"]).get("/api/auth/mfa").json()
    assert status["recovery_codes_left"] == 10


def test_a_code_already_used_in_its_step_says_so_on_any_challenge(world):
    manager = _new_manager(world)
    anon = world.client.as_(None)
    code = totp_code(manager.totp_secret)
    assert anon.post("/api/auth/mfa/verify", json={"challenge": _challenge(world, manager), "code": code}).status == 200
    again = anon.post("/api/auth/mfa/verify", json={"challenge": _challenge(world, manager), "code": code})
    assert again.status == 401
    assert again.json()["detail"] == "This code has just been used; wait for the next one."
    wrong = f"{(int(code) + 500_000) % 1_000_000:06d}"
    other = anon.post("/api/auth/mfa/verify", json={"challenge": _challenge(world, manager), "code": wrong})
    assert other.status == 401 and other.json()["detail"].startswith("The code is not right")


def test_new_recovery_codes_are_emailed_about_without_a_code_and_retire_the_old_ones(world, mailbox):
    manager = _new_manager(world)
    me = world.client.as_(manager.token)
    renewed = me.post("/api/auth/mfa/recovery-codes", json={"code": totp_code(manager.totp_secret)})
    assert renewed.status == 200, renewed.body
    codes = renewed.json()["recovery_codes"]
    assert len(codes) == 10 and not set(codes) & set(manager.recovery_codes)
    mail = mailbox.to(manager.email)[-1]
    assert mail.template == "recovery_codes_renewed"
    assert mail.text.startswith("Hello Twostep,")
    text = mail.text.lower().replace("-", "")
    assert not any(c.replace("-", "") in text for c in codes + manager.recovery_codes)
    assert manager.email not in mail.text and "Twostepfirst" not in mail.text
    anon = world.client.as_(None)
    old = anon.post("/api/auth/mfa/verify", json={"challenge": _challenge(world, manager),
                                                  "code": manager.recovery_codes[1]})
    assert old.status == 401


def test_guessing_the_code_for_new_recovery_codes_is_counted_and_locks_renewal_but_never_sign_in(world, mailbox):
    manager = _new_manager(world)
    me = world.client.as_(manager.token)
    right = pyotp.TOTP(manager.totp_secret).now()
    wrong = f"{(int(right) + 500_000) % 1_000_000:06d}"
    statuses = [me.post("/api/auth/mfa/recovery-codes", json={"code": wrong}).status for _ in range(8)]
    # Five free attempts (the fifth sets the lock), then every attempt is refused before the code is looked at.
    assert statuses == [400, 400, 400, 400, 429, 429, 429, 429]
    locked = me.post("/api/auth/mfa/recovery-codes", json={"code": right})
    assert locked.status == 429 and 1 <= int(locked.headers["retry-after"]) <= 60
    assert not [m for m in mailbox.to(manager.email) if m.template == "recovery_codes_renewed"]
    # The owner still signs in, from anywhere, with a code and with a recovery code.
    assert sign_in(world.client, manager)["access_token"]
    anon = world.client.as_(None)
    assert anon.post("/api/auth/mfa/verify", json={"challenge": _challenge(world, manager),
                                                   "code": manager.recovery_codes[0]}).status == 200
    # After the lock, a right code makes new codes (and clears the count).
    with clock_moved(timedelta(seconds=31)):
        # The next step's code (accepted for clock drift), later than any step this test has used.
        code = pyotp.TOTP(manager.totp_secret).at(utcnow() + timedelta(seconds=30))
        assert me.post("/api/auth/mfa/recovery-codes", json={"code": code}).status == 200
    audit = world.as_(world.admin).get("/api/audit", params={"subject_id": manager.id}).json()["entries"]
    assert [e["action"] for e in audit].count("second_factor_failed") == 5


def test_only_the_newest_password_reset_link_works_and_using_it_retires_all(world, mailbox):
    _, coordinator = _new_coordinator(world, "twolinks")
    anon = world.client.as_(None)
    client = _own_client()
    tokens = []
    for _ in range(2):
        assert anon.post("/api/auth/password/forgot", json={"email": coordinator.email}, headers=client).status == 202
        tokens.append(_link(mailbox, coordinator.email, "#/password/reset/").rsplit("/", 1)[1])
    older, newer = tokens
    assert older != newer
    retired = anon.post("/api/auth/password/reset", json={"token": older, "password": NEW_PASSWORD})
    assert retired.status == 410 and retired.content_type.startswith("application/problem+json")
    assert anon.post("/api/auth/password/reset", json={"token": newer, "password": NEW_PASSWORD}).status == 204
    for token in (newer, older):
        again = anon.post("/api/auth/password/reset", json={"token": token, "password": NEW_PASSWORD + "x"})
        assert again.status == 410
    assert sign_in(world.client, coordinator, NEW_PASSWORD)["access_token"]
