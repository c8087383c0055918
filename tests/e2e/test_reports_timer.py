"""The `reports_rollup` timer of the real app, run once by the devhost (`python -m devhost run`) against Azurite."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from devhost.routing import functions_of
from shared.ids import iso, new_id, utcnow
from shared.learning import stats as learning_stats
from shared.organisation.model import DobPolicy, Partner, School
from shared.organisation.store import create_school, put_partner
from shared.reports.store import CURSOR_PK, CURSOR_RK, PARTNER_TOTALS_PK, month_property
from shared.roster.model import Gender, Pupil, PupilStatus
from shared.roster.rules import cohort_of
from shared.roster.store import pupil_upsert
from shared.storage.clients import get_storage
from shared.storage.names import PUPILS, SCHOOL_STATS
from shared.storage.tables import get_entity, submit_batches

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def _timer_settings() -> dict[str, str]:
    """A yearly schedule for every %SETTING% the app's timers name: `run` fires them itself."""
    from function_app import app

    names = set()
    for fn in functions_of(app):
        trigger = fn.get_trigger()
        if trigger.get_binding_name() == "timerTrigger":
            names |= set(re.findall(r"%([^%\s]+)%", trigger.schedule))
    return dict.fromkeys(names, "0 0 0 1 1 *")


def _seed_school(storage) -> School:
    now = iso(utcnow())
    partner = Partner(id=new_id("ptn"), name="Timer CU", created_at=now)
    put_partner(storage, partner)
    school = School(id=new_id("sch"), partner_id=partner.id, name="Timer Primary", urn=None,
                    dob_policy=DobPolicy.EXACT, active=True, created_at=now)
    create_school(storage, school)
    stats = learning_stats.add_redemption({}, date(2025, 5, 6), minutes=90, employer=False, skills=["teamwork"],
                                          interests=[], activity_id="act_timer")
    for n, gender in enumerate((Gender.FEMALE, Gender.MALE)):
        dob = date(2017, 3, 1 + n)
        pupil = Pupil(id=new_id("pup"), school_id=school.id, first_name=f"Timer{n}", last_name="Pupil",
                      date_of_birth=dob, gender=gender, upn=None, username=f"timer{n}{new_id('u')[-6:]}",
                      status=PupilStatus.ACTIVE, restricted=False, total_minutes=90 * (1 - n), created_at=now,
                      updated_at=now, cohort=cohort_of(dob))
        submit_batches(storage.table(PUPILS), [pupil_upsert(pupil, stats=learning_stats.dump(stats) if n == 0 else "")])
    return school


def test_the_devhost_runs_the_reports_rollup_timer_of_the_real_app(azurite, tmp_path):
    storage = get_storage()
    school = _seed_school(storage)
    settings = tmp_path / "local.settings.json"
    settings.write_text(json.dumps({"IsEncrypted": False, "Values": _timer_settings()}))
    env = {**os.environ, "AzureWebJobsStorage": azurite.connection_string, "CUO_ENVIRONMENT": "test",
           "PYTHONUNBUFFERED": "1"}

    done = subprocess.run(
        [sys.executable, "-m", "devhost", "run", "reports_rollup", "--app", "function_app:app",
         "--settings", str(settings)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )

    assert done.returncode == 0, done.stderr[-3000:]
    row = get_entity(storage.table(SCHOOL_STATS), school.partner_id, school.id)
    assert row is not None and row["rolled_up_at"]
    assert json.loads(row["roster"])["all"] == 2
    may = json.loads(row[month_property("2025-05")])
    assert may["m"]["all"] == 90 and may["d"]["all"] == {"": 1}
    total = get_entity(storage.table(SCHOOL_STATS), PARTNER_TOTALS_PK, school.partner_id)
    assert total is not None and total["schools"] == 1
    assert json.loads(total[month_property("2025-05")]) == may
    cursor = get_entity(storage.table(SCHOOL_STATS), CURSOR_PK, CURSOR_RK)
    assert cursor is not None and cursor["last_run_schools"] >= 1
