"""A school's own choices made while its roster sync runs survive the sync (over real HTTP, through the devhost).

The sync used to read the school row before its upload lease and write the whole row back when it ended, so
a school that left the programme, or switched to the generic date of birth, while thousands of rows loaded
was silently put back: active again (its school-exit due date then looked stale, and its pupils were never
erased on schedule) or keeping exact dates of birth. Each test starts a large upload, waits until the sync
holds the school's upload lease, changes the school, checks the sync was still running after the change,
and then checks what the school and its pupils look like once the sync has ended.
"""

from __future__ import annotations

import threading

import httpx
import pytest

from shared import due_dates
from shared.ids import utcnow
from shared.organisation.store import get_school
from shared.roster.store import roster_of
from shared.settings import get_settings
from shared.storage.names import PUPILS
from shared.storage.tables import get_entity
from tests.data.synthetic import synthetic_sims_csv
from tests.e2e.test_devhost import wait_for
from tests.e2e.test_roster_concurrency import real_app, school_and_coordinator  # noqa: F401 - the fixture

pytestmark = pytest.mark.e2e

ROWS = 6000
SYNC_LEASE = "sync-lease"  # the school's upload lease row (roster.store), read here only to see the sync run


def _sync_running(storage, school_id: str) -> bool:
    return get_entity(storage.table(PUPILS), school_id, SYNC_LEASE) is not None


def _upload_while(real_app, storage, change: dict) -> tuple[str, dict, int]:  # noqa: F811 - the fixture's value
    """Start a full upload of ROWS pupils, make `change` to the school while its sync runs; (school id, the
    PATCH answer, the upload's status)."""
    school, token = school_and_coordinator(real_app.base_url, storage)
    headers = {"authorization": f"Bearer {token}"}
    api = real_app.base_url + "/api"
    data = synthetic_sims_csv(ROWS, seed=2101)
    answer: list[int] = []

    def upload() -> None:
        with httpx.Client(timeout=300) as client:
            answer.append(client.post(f"{api}/schools/{school['id']}/roster", content=data,
                                      headers=headers | {"content-type": "text/csv"}).status_code)

    thread = threading.Thread(target=upload)
    thread.start()
    try:
        wait_for(lambda: _sync_running(storage, school["id"]) or answer, timeout=120, what="the sync to start",
                 log=real_app.log)
        assert not answer, "the upload ended before the school could be changed during it"
        patched = httpx.patch(f"{api}/schools/{school['id']}", json=change, headers=headers, timeout=120)
        assert patched.status_code == 200, patched.text
        # The change landed while the sync still held the school: the sync's end is what is tested.
        assert _sync_running(storage, school["id"]), "the sync ended before the change; make the upload bigger"
    finally:
        thread.join()
    return school["id"], patched.json(), answer[0]


def test_a_school_that_leaves_the_programme_during_a_sync_stays_left(real_app, storage):  # noqa: F811
    school_id, patched, status = _upload_while(real_app, storage, {"active": False})
    assert status == 200
    assert patched["active"] is False
    school = get_school(storage, school_id)
    assert school is not None and school.active is False and school.left_programme_at is not None
    assert school.last_sync_at is not None  # the sync still recorded when it ran
    # Its pupils stay due for erasure on the exit day: the due row is there and the school is not back.
    exit_day = due_dates.school_exit_due_day(utcnow(), get_settings().school_exit_grace_days)
    assert school_id in {row.subject_id for row in due_dates.school_exits_due(storage, exit_day)}


def test_a_switch_to_the_generic_date_of_birth_during_a_sync_keeps_only_years(real_app, storage):  # noqa: F811
    school_id, patched, status = _upload_while(real_app, storage, {"dob_policy": "generic"})
    assert status == 200
    assert patched["dob_policy"] == "generic"
    school = get_school(storage, school_id)
    assert school is not None and school.dob_policy.value == "generic"
    pupils = roster_of(storage, school_id)
    assert len(pupils) == ROWS
    # Rows the sync wrote after the switch were reduced too; the school year (cohort) stays right.
    assert {(p.date_of_birth.month, p.date_of_birth.day) for p in pupils} == {(1, 1)}
    assert all(p.cohort in (p.date_of_birth.year, p.date_of_birth.year - 1) for p in pupils)
    assert any(p.cohort == p.date_of_birth.year - 1 for p in pupils)  # January–August birthdays kept their year
