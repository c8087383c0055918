"""Storage that stalls or sheds load, under real requests (issue 24, finding 11): the devhost's storage goes
through a loopback proxy the test freezes (`tests/stalling_proxy.py`), with the SDK's timeouts and retries set
small, so a stalled request fails in seconds instead of minutes.

A passing storage failure answers 503 problem+json with Retry-After, never 500, and is logged as "storage
unavailable" with the error type only. A redemption stays safe to retry: whether the stalled attempt's
transaction was done or not, the same code then answers 201 or 409, each with the one redemption's id.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from decimal import Decimal
from types import SimpleNamespace

import pytest

from shared.learning.activities import create_activity, create_codes
from shared.learning.schemas import ActivityIn, CodesIn
from shared.organisation.schemas import PartnerIn, SchoolIn
from shared.organisation.service import create_partner, create_school
from shared.organisation.store import get_school
from shared.roster.ingest import sync_school
from shared.roster.pupils import set_pupil_password
from shared.roster.schemas import RosterMode
from shared.roster.store import roster_of
from shared.security.principal import Principal, Role
from shared.storage.clients import get_storage
from tests.browser.conftest import HttpApi, start_web_host
from tests.stalling_proxy import StallingProxy

pytestmark = pytest.mark.e2e

PASSWORD = "otter-comet-47"
TRUST = Principal(subject_id="stf_faults", role=Role.TRUST_ADMIN)
# One storage request waits at most this long for an answer, and is retried once.
TIMEOUT_SECONDS = 1.5


@pytest.fixture(scope="module")
def proxies(azurite) -> Iterator[SimpleNamespace]:
    tables, blobs = StallingProxy(azurite.table_port), StallingProxy(azurite.blob_port)
    yield SimpleNamespace(tables=tables, blobs=blobs, azurite=azurite)
    tables.close()
    blobs.close()


@pytest.fixture(scope="module")
def host(proxies, tmp_path_factory):
    behind = SimpleNamespace(connection_string=proxies.azurite.connection_string
                             .replace(f":{proxies.azurite.table_port}/", f":{proxies.tables.port}/")
                             .replace(f":{proxies.azurite.blob_port}/", f":{proxies.blobs.port}/"))
    devhost = start_web_host(behind, tmp_path_factory.mktemp("storage-faults"), lambda base_url: {
        "STORAGE_READ_TIMEOUT_SECONDS": str(TIMEOUT_SECONDS), "STORAGE_CONNECT_TIMEOUT_SECONDS": str(TIMEOUT_SECONDS),
        "STORAGE_RETRIES": "1",
        # No blob polling: the trigger's own storage calls stay out of these tests' stalls.
        "DEVHOST_BLOB_POLL_SECONDS": "3600",
    })
    yield devhost
    devhost.stop()


@pytest.fixture(scope="module")
def pupil(host) -> SimpleNamespace:
    """A pupil signed in through the devhost, and ten single-use stamp codes of an activity of their partner."""
    storage = get_storage()  # the session's Azurite, directly
    partner = create_partner(TRUST, PartnerIn(name="Faulty partner"), storage=storage)
    school = create_school(TRUST, partner.id, SchoolIn(name="Faulty Primary"), storage=storage)
    stored = get_school(storage, school.id)
    assert stored is not None
    name = f"Stall{secrets.token_hex(3)}"
    sync_school(storage, stored, pupils=[{"first_name": name, "last_name": "Pupil", "date_of_birth": "2016-03-04",
                                          "gender": "female"}], content_type="application/json",
                mode=RosterMode.PARTIAL)
    (record,) = [p for p in roster_of(storage, school.id) if p.first_name == name]
    username = set_pupil_password(storage, stored, record.id, PASSWORD)
    activity = create_activity(TRUST, ActivityIn(title="Storm watching", hours=Decimal("2"), partner_id=partner.id),
                               storage=storage)
    codes = [c.code for c in create_codes(TRUST, activity.id, CodesIn(count=10), storage=storage).codes]
    api = HttpApi(host.base_url)
    signed_in = api.as_(None).post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert signed_in.status == 200, signed_in.body
    return SimpleNamespace(api=api.as_(signed_in.json()["access_token"]), codes=codes)


def _is_storage_unavailable(resp) -> bool:
    return (resp.status == 503 and resp.headers["content-type"].startswith("application/problem+json")
            and int(resp.headers["retry-after"]) >= 1 and resp.json()["type"].endswith("/storage-unavailable"))


def _log_lines(host, since: int) -> list[dict]:
    lines = host.log.read_text(encoding="utf-8", errors="replace")[since:].splitlines()
    return [json.loads(line) for line in lines if line.startswith("{")]


def test_a_storage_stall_answers_503_with_retry_after_and_is_logged_as_such(host, proxies, pupil):
    before = len(host.log.read_text(encoding="utf-8", errors="replace"))
    proxies.tables.stall()
    try:
        stalled = pupil.api.get("/api/me/progress")
    finally:
        proxies.tables.release()
    assert _is_storage_unavailable(stalled), (stalled.status, stalled.body, host.log.read_text()[-3000:])
    assert proxies.tables.seen >= 1
    logged = [e for e in _log_lines(host, before) if e.get("function") == "my_progress"]
    unavailable = [e for e in logged if e.get("message") == "storage unavailable"]
    assert unavailable and unavailable[0]["level"] == "WARNING"
    assert unavailable[0]["error_type"] in ("ServiceResponseError", "ServiceResponseTimeoutError",
                                            "ServiceRequestError", "ServiceRequestTimeoutError")
    assert not [e for e in logged if e.get("message") == "unhandled error" or e.get("exception")]
    # Storage is back: the same request works.
    assert pupil.api.get("/api/me/progress").status == 200


def test_storage_answering_server_busy_after_the_sdks_retries_is_a_503_too(host, proxies, pupil):
    proxies.tables.busy()
    try:
        busy = pupil.api.get("/api/me")
    finally:
        proxies.tables.release()
    assert _is_storage_unavailable(busy), (busy.status, busy.body)
    assert proxies.tables.seen == 2  # the request and the SDK's one retry
    assert pupil.api.get("/api/me").status == 200


@pytest.mark.parametrize("lost", ["answer", "request"])
def test_a_redemption_whose_transaction_stalled_is_safe_to_send_again(host, proxies, pupil, lost):
    """The transaction that records the redemption stalls: either its answer is lost (the hours were added) or the
    request itself (nothing was written). Either way the pupil sends the same code again and gets the one
    redemption, never two, and never an error that says it is their fault."""
    code = pupil.codes.pop()
    hours_before = pupil.api.get("/api/me/progress").json()["total_hours"]
    if lost == "answer":
        proxies.tables.lose_answers_after(b"$batch")
    else:
        proxies.tables.lose_requests_from(b"$batch")
    try:
        stalled = pupil.api.post("/api/redemptions", json={"code": code})
    finally:
        proxies.tables.release()
    assert proxies.tables.seen >= 1
    assert _is_storage_unavailable(stalled), (stalled.status, stalled.body)

    again = pupil.api.post("/api/redemptions", json={"code": code})
    if lost == "answer":
        assert again.status == 409, again.body
        redemption_id = again.json()["redemption_id"]
    else:
        assert again.status == 201, again.body
        redemption_id = again.json()["redemption_id"]
    once_more = pupil.api.post("/api/redemptions", json={"code": code})
    assert once_more.status == 409 and once_more.json()["redemption_id"] == redemption_id

    progress = pupil.api.get("/api/me/progress").json()
    assert [r["id"] for r in progress["redemptions"]].count(redemption_id) == 1
    assert progress["total_hours"] == hours_before + 2
