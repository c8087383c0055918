"""Two uploads of one file at the same moment, over real HTTP through the devhost, load each pupil once."""

from __future__ import annotations

import csv
import io
import threading

import httpx
import pytest

from shared.organisation.schemas import PartnerIn, SchoolIn, StaffIn
from shared.organisation.service import create_partner, create_school, create_school_staff
from shared.roster.store import roster_of
from shared.security.principal import Principal, Role
from tests.data.synthetic import synthetic_sims_csv
from tests.e2e.test_devhost import Devhost
from tests.world import STAFF_PASSWORD, staff_body

pytestmark = pytest.mark.e2e


@pytest.fixture
def real_app(host_env, settings_file, tmp_path):
    host = Devhost("function_app:app", host_env, settings_file, tmp_path / "devhost.log").start()
    yield host
    host.stop()


TRUST = Principal(subject_id="stf_race", role=Role.TRUST_ADMIN)


def school_and_coordinator(base_url: str, storage) -> tuple[dict, str]:
    """An empty school, and the access token of its coordinator, signed in over HTTP."""
    partner = create_partner(TRUST, PartnerIn(name="Race CU"), storage=storage)
    school = create_school(TRUST, partner.id, SchoolIn(name="Race Primary"), storage=storage)
    invitation = create_school_staff(TRUST, school.id, StaffIn(**staff_body("racer")), storage=storage).invitation_url
    resp = httpx.post(f"{base_url}/api/auth/invitations/accept",
                      json={"token": invitation.rsplit("/", 1)[1], "password": STAFF_PASSWORD}, timeout=30)
    assert resp.status_code == 200, resp.text
    return {"id": school.id}, resp.json()["access_token"]


def test_two_simultaneous_uploads_of_one_file_to_an_empty_school_load_each_pupil_once(real_app, storage):
    school, token = school_and_coordinator(real_app.base_url, storage)
    headers = {"authorization": f"Bearer {token}"}
    api = real_app.base_url + "/api"
    data = synthetic_sims_csv(50, seed=41)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == 50

    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def upload() -> None:
        with httpx.Client(timeout=60) as client:
            barrier.wait()
            resp = client.post(f"{api}/schools/{school['id']}/roster", content=data,
                               headers=headers | {"content-type": "text/csv"})
            statuses.append(resp.status_code)

    threads = [threading.Thread(target=upload) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    # One upload loads the file; the other either finds the school busy (409) or, if it came second,
    # finds every pupil already there. Never a second copy of anyone.
    assert sorted(statuses) in ([200, 200], [200, 409]), statuses
    pupils = roster_of(storage, school["id"])
    assert len(pupils) == 50
    upns = [p.upn for p in pupils if p.upn]
    assert len(upns) == len(set(upns)) == sum(1 for r in rows if r["UPN"])
    again = httpx.post(f"{api}/schools/{school['id']}/roster", content=data,
                       headers=headers | {"content-type": "text/csv"}, timeout=60).json()
    assert again["left"] == 0 and again["unchanged"] == 50
