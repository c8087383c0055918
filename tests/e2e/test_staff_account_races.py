"""Races on staff accounts through the devhost over real HTTP: requests released together by a barrier."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator

import pytest

from tests.browser.conftest import HttpApi, start_web_host
from tests.e2e.test_devhost import wait_for
from tests.world import STAFF_PASSWORD, Actor, accept, bootstrap_admin, staff_body, totp_code

pytestmark = pytest.mark.e2e


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

    # One link used by several requests at once: exactly one sets the password.
    statuses = _together([
        (lambda n=n: anon.post("/api/auth/password/reset",
                               json={"token": links[0], "password": f"quiet meadow lantern {n:02d}"}).status)
        for n in range(5)
    ])
    assert sorted(statuses) == [204] + [410] * 4


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
