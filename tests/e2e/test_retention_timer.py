"""`python -m devhost run retention_run`: the real app's timer, once, in a subprocess, on the session's Azurite."""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from shared.ids import digest, iso, parse_iso
from shared.retention.runs_store import RUN_PK
from shared.storage.names import INVITATIONS, RETENTION_RUNS
from shared.storage.tables import get_entity

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def test_the_devhost_runs_the_retention_timer_once_records_the_run_and_exits_zero(host_env, settings_file, storage):
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    expired = {"PartitionKey": yesterday, "RowKey": digest(secrets.token_hex(16)), "staff_id": "stf_e2e",
               "expires_at": iso(datetime.now(UTC) - timedelta(hours=1)), "used": False}
    storage.table(INVITATIONS).create_entity(expired)
    started = datetime.now(UTC) - timedelta(seconds=1)

    done = subprocess.run(
        [sys.executable, "-m", "devhost", "run", "retention_run", "--settings", str(settings_file)],
        cwd=ROOT, env=host_env, capture_output=True, text=True, timeout=120,
    )

    assert done.returncode == 0, done.stderr[-3000:]
    runs = [r for r in storage.table(RETENTION_RUNS).query_entities("PartitionKey eq @pk", parameters={"pk": RUN_PK})
            if started <= parse_iso(r["started_at"]) <= datetime.now(UTC)]
    assert len(runs) == 1
    (run,) = runs
    assert run["status"] == "finished" and run["complete"] is True and run["error_count"] == 0
    assert json.loads(run["counts"])["invitations_deleted"] >= 1
    assert get_entity(storage.table(INVITATIONS), yesterday, expired["RowKey"]) is None
    assert "Executed 'Functions.retention_run' (Succeeded)" in done.stderr + done.stdout
