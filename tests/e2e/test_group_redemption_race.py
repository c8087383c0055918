"""A club session recorded twice at the same moment (a double tap, a retry racing the original) through the
real app on the devhost: every pupil gets the hours exactly once."""

from __future__ import annotations

import secrets
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.browser.conftest import HttpApi
from tests.e2e.test_devhost import Devhost
from tests.world import add_pupil, bootstrap_admin, make_tenant

pytestmark = pytest.mark.e2e

PUPILS = 12
RACERS = 3


@pytest.fixture(scope="module")
def app_host(host_env, settings_file, tmp_path_factory) -> Iterator[Devhost]:
    host = Devhost("function_app:app", host_env, settings_file, tmp_path_factory.mktemp("race") / "devhost.log")
    yield host.start()
    host.stop()


def test_the_same_session_sent_three_times_at_once_records_each_pupil_exactly_once(app_host):
    api = HttpApi(app_host.base_url)
    tenant = make_tenant(api, bootstrap_admin(api), "racing")
    staff = api.as_(tenant.staff.token)
    pupils = [add_pupil(staff, tenant.school_id) for _ in range(PUPILS)]
    club = staff.post("/api/activities", json={"title": "Football club", "hours": 1.5, "skills": ["teamwork"],
                                               "interests": ["sport"], "school_id": tenant.school_id}).json()
    body = {"activity_id": club["id"], "pupil_ids": pupils, "session_id": secrets.token_hex(8)}
    start = threading.Barrier(RACERS)

    def send(_: int):
        start.wait()
        return staff.post(f"/api/schools/{tenant.school_id}/group-redemptions", json=body)

    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        answers = list(pool.map(send, range(RACERS)))

    assert [a.status for a in answers] == [200] * RACERS, [a.body for a in answers]
    recorded = Counter(m["pupil_id"] for a in answers for m in a.json()["recorded"])
    assert recorded == Counter(pupils), "each pupil recorded by exactly one of the racing requests"
    for answer in answers:
        listed = {m["pupil_id"] for m in answer.json()["recorded"]} | {
            m["pupil_id"] for m in answer.json()["already_recorded"]}
        assert listed == set(pupils)
    for pupil in pupils:
        progress = staff.get(f"/api/schools/{tenant.school_id}/pupils/{pupil}/progress").json()
        assert progress["total_hours"] == 1.5
        assert [r["activity"]["title"] for r in progress["redemptions"]] == ["Football club"]
