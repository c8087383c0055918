"""Throttles that hold under concurrency, through the real app on the devhost (finding 2 of issue 14).

Bursts of parallel requests released together (threading.Barrier) at one account: the attempts are
counted before Argon2 runs or a code is looked up, so at most the free allowance is evaluated, the lock
is minutes not an hour, and the real user signing in from another address is not locked out.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable

import httpx
import pytest

from shared import audit
from shared.ids import utcnow
from shared.organisation.schemas import PartnerIn, SchoolIn
from shared.organisation.service import create_partner, create_school
from shared.organisation.store import get_school
from shared.roster.ingest import sync_school
from shared.roster.pupils import set_pupil_password
from shared.roster.schemas import RosterMode
from shared.roster.store import roster_of
from shared.security import lockout
from shared.security.principal import Principal, Role
from tests.e2e.test_devhost import Devhost

pytestmark = pytest.mark.e2e

PASSWORD = "otter-comet-47"
# Two addresses of this machine's loopback network: the devhost, like Azure's front end, appends the address
# a connection came from to X-Forwarded-For, and that last entry is the one the app trusts.
ATTACKER = "127.0.0.66"
REAL_USER = "127.0.0.23"


def _client(address: str) -> httpx.Client:
    return httpx.Client(timeout=60, transport=httpx.HTTPTransport(local_address=address))


@pytest.fixture(scope="module")
def real_app(host_env, settings_file, tmp_path_factory):
    host = Devhost("function_app:app", host_env, settings_file, tmp_path_factory.mktemp("bursts") / "devhost.log")
    host.start()
    yield host
    host.stop()


def _new_pupil(storage) -> tuple[str, str]:
    """(pupil id, username) of a fresh pupil with PASSWORD, in a school of its own."""
    trust = Principal(subject_id="stf_bursts", role=Role.TRUST_ADMIN)
    partner = create_partner(trust, PartnerIn(name="Burst partner"), storage=storage)
    school = create_school(trust, partner.id, SchoolIn(name="Burst Primary"), storage=storage)
    stored = get_school(storage, school.id)
    assert stored is not None
    name = f"Burst{secrets.token_hex(3)}"
    sync_school(storage, stored, pupils=[{"first_name": name, "last_name": "Pupil", "date_of_birth": "2016-03-04",
                                          "gender": "female"}], content_type="application/json",
                mode=RosterMode.PARTIAL)
    (pupil,) = [p for p in roster_of(storage, school.id) if p.first_name == name]
    return pupil.id, set_pupil_password(storage, stored, pupil.id, PASSWORD)


def _burst(n: int, address: str, send: Callable[[httpx.Client], httpx.Response]) -> list[httpx.Response]:
    barrier = threading.Barrier(n)
    responses: list[httpx.Response] = []
    lock = threading.Lock()

    def one() -> None:
        with _client(address) as client:
            barrier.wait()
            resp = send(client)
        with lock:
            responses.append(resp)

    threads = [threading.Thread(target=one) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return responses


def _actions(storage, subject_id: str) -> list[str]:
    today = utcnow().date()
    return [e.action for e in audit.entries(audit.EVERYTHING, start=today, end=today, subject_id=subject_id,
                                            storage=storage, limit=audit.MAX_ENTRIES)]


def test_sixty_parallel_wrong_passwords_get_at_most_the_allowance_evaluated(real_app, storage):
    pupil_id, username = _new_pupil(storage)
    url = f"{real_app.base_url}/api/auth/login"
    wrong = {"username": username, "password": "wrong-guess-00"}
    # A forged X-Forwarded-For does not help: only the entry the front end appends counts.
    responses = _burst(60, ATTACKER, lambda c: c.post(url, json=wrong, headers={"x-forwarded-for": REAL_USER}))

    assert {r.status_code for r in responses} <= {401, 429}, real_app.log.read_text()[-4000:]
    evaluated = _actions(storage, pupil_id).count("sign_in_failed")  # one per Argon2 verification
    assert 1 <= evaluated <= lockout.SIGN_IN.free_attempts
    waits = [int(r.headers["retry-after"]) for r in responses if r.status_code == 429]
    assert waits and max(waits) <= lockout.SIGN_IN.max_lock.total_seconds()

    # The attacker's address is locked, even with the right password...
    right = {"username": username, "password": PASSWORD}
    with _client(ATTACKER) as attacker:
        assert attacker.post(url, json=right).status_code == 429
    # ...but the real pupil, on the school's network, signs in.
    with _client(REAL_USER) as pupil:
        signed_in = pupil.post(url, json=right)
    assert signed_in.status_code == 200, signed_in.text


def test_a_hundred_parallel_code_guesses_get_at_most_the_allowance_looked_up(real_app, storage):
    _, username = _new_pupil(storage)
    with _client(REAL_USER) as pupil:
        login = pupil.post(f"{real_app.base_url}/api/auth/login", json={"username": username, "password": PASSWORD})
    token = login.json()["access_token"]
    url = f"{real_app.base_url}/api/redemptions"
    headers = {"authorization": f"Bearer {token}"}
    guesses = iter([f"GREY {n:04d}" for n in range(100)])
    guess_lock = threading.Lock()

    def guess(client: httpx.Client) -> httpx.Response:
        with guess_lock:
            code = next(guesses)
        return client.post(url, json={"code": code}, headers=headers)

    responses = _burst(100, ATTACKER, guess)
    statuses = [r.status_code for r in responses]
    assert 500 not in statuses, real_app.log.read_text()[-4000:]
    assert 429 in statuses
    # Everything but a 429 was looked up (a guess could even hit a real code another test made).
    looked_up = [s for s in statuses if s != 429]
    assert 1 <= len(looked_up) <= lockout.CODE_GUESS.free_attempts, statuses
    assert max(int(r.headers["retry-after"]) for r in responses if r.status_code == 429) <= 15 * 60
