"""Races on staff accounts through the devhost over real HTTP: requests released together by a barrier."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pyotp
import pytest

from shared import audit
from shared.ids import utcnow
from shared.security import lockout
from tests.browser.conftest import HttpApi, start_web_host
from tests.e2e.test_devhost import wait_for
from tests.world import STAFF_PASSWORD, Actor, accept, bootstrap_admin, staff_body, totp_code

pytestmark = pytest.mark.e2e

# Client addresses of the burst at one challenge, each sending three guesses at once (issue 24 saw up to 30 codes
# checked with 100 addresses; this many is enough to show the old per-address count letting far more than five
# through, at half the time on two cores).
ADDRESSES = 50


@pytest.fixture(scope="module")
def api(azurite, tmp_path_factory) -> Iterator[HttpApi]:
    host = start_web_host(azurite, tmp_path_factory.mktemp("account-races"))
    client = HttpApi(host.base_url)
    yield client
    client.http.close()
    host.stop()


def _together(calls: list[Callable[[], int]]) -> list[int]:
    barrier = threading.Barrier(len(calls))
    statuses: list[int] = []
    lock = threading.Lock()

    def run(call: Callable[[], int]) -> None:
        barrier.wait()
        status = call()
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses


def _manager(api: HttpApi) -> Actor:
    admin = bootstrap_admin(api)
    partner = api.as_(admin.token).post("/api/partners", json={"name": "Racing Children's University"}).json()
    body = staff_body("racer")
    created = api.as_(admin.token).post(f"/api/partners/{partner['id']}/managers", json=body)
    return accept(api, created.json()["invitation_url"], body["email"])


def test_one_code_from_the_app_lets_in_only_one_of_six_parallel_sign_ins(api):
    manager = _manager(api)
    anon = api.as_(None)
    challenges = [anon.post("/api/auth/login", json={"username": manager.email, "password": STAFF_PASSWORD})
                  .json()["mfa_challenge"] for _ in range(6)]
    code = totp_code(manager.totp_secret)
    statuses = _together([
        (lambda c=c: anon.post("/api/auth/mfa/verify", json={"challenge": c, "code": code}).status)
        for c in challenges
    ])
    assert statuses.count(200) == 1 and set(statuses) - {200} <= {401, 429}


def test_parallel_forgotten_password_requests_cost_at_most_the_allowance(api, mailbox):
    manager = _manager(api)
    anon = api.as_(None)
    statuses = _together([
        (lambda: anon.post("/api/auth/password/forgot", json={"email": manager.email}).status) for _ in range(8)
    ])
    assert sorted(statuses) == [202] * 3 + [429] * 5
    mails = wait_for(lambda: len([m for m in mailbox.to(manager.email) if m.template == "password_reset"]) == 3
                     and mailbox.to(manager.email), what="three reset emails")
    links = [re.search(r"#/password/reset/(\S+)", m.text).group(1) for m in mails if m.template == "password_reset"]

    # Only the last link made works (each newer link retires the ones before): every link used by two requests
    # at once, and exactly one request sets the password.
    statuses = _together([
        (lambda link=link, n=n: anon.post("/api/auth/password/reset",
                                          json={"token": link, "password": f"quiet meadow lantern {n:02d}"}).status)
        for n, link in enumerate(links * 2)
    ])
    assert sorted(statuses) == [204] + [410] * 5


def test_a_burst_of_wrong_codes_gets_at_most_the_free_attempts_evaluated(api):
    manager = _manager(api)
    anon = api.as_(None)
    challenge = anon.post("/api/auth/login", json={"username": manager.email,
                                                   "password": STAFF_PASSWORD}).json()["mfa_challenge"]
    right = totp_code(manager.totp_secret)
    wrong = f"{(int(right) + 500_000) % 1_000_000:06d}"
    statuses = _together([
        (lambda: anon.post("/api/auth/mfa/verify", json={"challenge": challenge, "code": wrong}).status)
        for _ in range(20)
    ])
    # Each attempt is counted before the code is looked at: four are answered "wrong", the fifth locks.
    assert statuses.count(401) <= 4 and statuses.count(429) >= 16


def _second_factor_failures(storage, staff_id: str) -> int:
    today = utcnow().date()
    return [e.action for e in audit.entries(audit.EVERYTHING, start=today, end=today, subject_id=staff_id,
                                            storage=storage, limit=audit.MAX_ENTRIES)].count("second_factor_failed")


def test_one_challenge_with_several_right_codes_at_once_signs_in_once(api):
    """Issue 24, finding 1: a challenge is used up by its first success, whichever right code comes first."""
    manager = _manager(api)
    anon = api.as_(None)
    challenge = anon.post("/api/auth/login", json={"username": manager.email,
                                                   "password": STAFF_PASSWORD}).json()["mfa_challenge"]
    totp = pyotp.TOTP(manager.totp_secret)
    now = datetime.now(UTC)
    # Two right codes from the app (this step's and the next, accepted for clock drift) and three recovery codes.
    codes = [totp.at(now), totp.at(now + timedelta(seconds=30)), *manager.recovery_codes[:3]]
    answers: list = []
    lock = threading.Lock()

    def verify(code: str) -> int:
        resp = anon.post("/api/auth/mfa/verify", json={"challenge": challenge, "code": code})
        with lock:
            answers.append(resp)
        return resp.status

    statuses = _together([(lambda c=c: verify(c)) for c in codes])
    assert statuses.count(200) == 1 and set(statuses) - {200} <= {401}, statuses
    # Once used, the challenge stays used.
    later = anon.post("/api/auth/mfa/verify", json={"challenge": challenge, "code": manager.recovery_codes[4]})
    assert later.status == 401 and "already been completed" in later.json()["detail"]


def test_a_burst_of_guesses_from_many_addresses_gets_only_the_free_attempts_checked(api, storage):
    """Issue 24, finding 5: many client addresses x 3 parallel guesses at one challenge, released together. The
    devhost, like Azure's front end, appends each connection's address to X-Forwarded-For (the entry the app
    trusts), so every guess comes from the address its connection is bound to."""
    manager = _manager(api)
    challenge = api.as_(None).post("/api/auth/login", json={"username": manager.email,
                                                            "password": STAFF_PASSWORD}).json()["mfa_challenge"]
    right = pyotp.TOTP(manager.totp_secret).now()
    wrong = f"{(int(right) + 500_000) % 1_000_000:06d}"
    addresses = [f"127.0.1.{n}" for n in range(1, ADDRESSES + 1)]
    clients = [httpx.Client(base_url=api.base_url, timeout=120, trust_env=False,
                            transport=httpx.HTTPTransport(local_address=a)) for a in addresses for _ in range(3)]
    try:
        statuses = _together([
            (lambda c=c: c.post("/api/auth/mfa/verify", json={"challenge": challenge, "code": wrong},
                                headers={"x-forwarded-for": "198.51.100.1"}).status_code)
            for c in clients
        ])
    finally:
        for c in clients:
            c.close()
    assert set(statuses) <= {401, 429}, statuses
    checked = _second_factor_failures(storage, manager.id)
    assert 1 <= checked <= lockout.SECOND_FACTOR.free_attempts, checked
    assert statuses.count(401) <= lockout.SECOND_FACTOR.free_attempts - 1


def test_racing_confirmations_of_one_enrolment_sign_in_once_and_never_fail(api):
    admin = bootstrap_admin(api)
    partner = api.as_(admin.token).post("/api/partners", json={"name": "Enrolling Children's University"}).json()
    body = staff_body("enroller")
    created = api.as_(admin.token).post(f"/api/partners/{partner['id']}/managers", json=body).json()
    anon = api.as_(None)
    first = anon.post("/api/auth/invitations/accept", json={"token": created["invitation_url"].rsplit("/", 1)[1],
                                                            "password": STAFF_PASSWORD}).json()
    challenge = first["mfa_challenge"]
    secret = anon.post("/api/auth/mfa/setup", json={"challenge": challenge}).json()["secret"]
    code = totp_code(secret)
    statuses = _together([
        (lambda: anon.post("/api/auth/mfa/setup/confirm", json={"challenge": challenge, "code": code}).status)
        for _ in range(4)
    ])
    assert statuses.count(200) == 1 and set(statuses) - {200} <= {401, 409}, statuses


def test_odd_upload_names_sent_percent_encoded_are_not_found(api):
    """Issue 24, finding 4, over real HTTP: `%2e%2e` and `%2e` reach the app as ".." and "."."""
    admin = bootstrap_admin(api)
    partner = api.as_(admin.token).post("/api/partners", json={"name": "Dotty Children's University"}).json()
    school = api.as_(admin.token).post(f"/api/partners/{partner['id']}/schools", json={"name": "Dot Primary"}).json()
    as_admin = api.as_(admin.token)
    for name in ("%2e%2e", "%2e", "%2E%2E", ".%2e"):
        base = f"/api/schools/{school['id']}/roster/uploads/{name}"
        for resp in (as_admin.request("DELETE", base),
                     as_admin.request("POST", base + "/confirm", params={"confirm_leavers": "1"})):
            assert resp.status == 404, (name, resp.status, resp.body)
            assert resp.headers["content-type"].startswith("application/problem+json")
