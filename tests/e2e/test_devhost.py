"""The devhost as a subprocess, over real HTTP and the session's Azurite, hosting tests/e2e/sample_app.py."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.storage.blob import BlobServiceClient, ContainerClient
from azure.storage.queue import QueueClient, TextBase64DecodePolicy

from devhost.azurite import free_port

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_APP = "tests.e2e.sample_app:app"
DROP = "e2e-drop"
RESULTS = "e2e-results"


def wait_for(condition: Callable[[], Any], *, timeout: float = 20.0, what: str, log: Path | None = None) -> Any:
    """Poll `condition` until it returns something truthy; fail with `what` (and the host's log) at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            tail = log.read_text()[-3000:] if log and log.exists() else ""
            pytest.fail(f"timed out waiting for {what}\n--- devhost log ---\n{tail}")
        time.sleep(0.05)


class Devhost:
    """`python -m devhost serve` in a subprocess on a free port, with its output in a log file."""

    def __init__(self, app: str, env: dict[str, str], settings: Path, log: Path) -> None:
        self.app, self.env, self.settings, self.log = app, env, settings, log
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self, *, ready_path: str = "/api/__devhost_ready__") -> Devhost:
        command = [
            sys.executable, "-m", "devhost", "serve", "--app", self.app,
            "--port", str(self.port), "--settings", str(self.settings),
        ]
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        wait_for(lambda: self._answers(ready_path), what="the devhost to answer HTTP", log=self.log)
        return self

    def _answers(self, path: str) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            pytest.fail(f"devhost exited with {self.process.returncode}:\n{self.log.read_text()[-3000:]}")
        try:
            httpx.get(self.base_url + path, timeout=1.0)
        except httpx.TransportError:
            return False
        return True

    def stop(self) -> int | None:
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        self.process.terminate()
        try:
            return self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()

    def restart(self) -> Devhost:
        self.stop()
        return self.start()


@pytest.fixture(scope="module")
def marker() -> str:
    return uuid.uuid4().hex[:12]


@pytest.fixture(scope="module")
def host_env(azurite, marker) -> dict[str, str]:
    return {
        **os.environ,
        "AzureWebJobsStorage": azurite.connection_string,
        "CUO_ENVIRONMENT": "test",
        "DEVHOST_BLOB_POLL_SECONDS": "0.1",
        "E2E_MARKER": marker,
        "PYTHONUNBUFFERED": "1",
    }


@pytest.fixture(scope="module")
def settings_file(tmp_path_factory) -> Path:
    """The sample's Values (schedules and the like, as a developer's file has them) plus the e2e extras.

    Storage and the signing key come from the environment, which wins over the file.
    """
    sample = json.loads((ROOT / "local.settings.sample.json").read_text())["Values"]
    values = {k: v for k, v in sample.items() if k not in ("AzureWebJobsStorage", "TOKEN_SIGNING_KEY")}
    # Settings the sample app reads only from the file, to show the file's Values reach the app.
    values |= {"E2E_TIMER_SCHEDULE": "0 0 0 1 1 *", "CORS_ALLOWED_ORIGINS": "http://web.test"}
    path = tmp_path_factory.mktemp("devhost") / "local.settings.json"
    path.write_text(json.dumps({"IsEncrypted": False, "Values": values}))
    return path


@pytest.fixture(scope="module")
def blobs(azurite) -> BlobServiceClient:
    service = BlobServiceClient.from_connection_string(azurite.connection_string)
    for name in (DROP, RESULTS):
        with contextlib.suppress(ResourceExistsError):
            service.create_container(name)
    return service


@pytest.fixture(scope="module")
def devhost(host_env, settings_file, blobs, tmp_path_factory) -> Iterator[Devhost]:
    host = Devhost(SAMPLE_APP, host_env, settings_file, tmp_path_factory.mktemp("logs") / "devhost.log").start()
    yield host
    host.stop()


def lines_of(container: ContainerClient, name: str) -> list[str]:
    try:
        return container.download_blob(name).readall().decode().splitlines()
    except ResourceNotFoundError:
        return []


def exists(container: ContainerClient, name: str) -> bool:
    return container.get_blob_client(name).exists()


def test_http_functions_answer_over_real_http_with_route_values(devhost):
    resp = httpx.get(f"{devhost.base_url}/api/items/7", params={"q": "maths"})
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "application/json"
    assert resp.headers["x-sample"] == "item"
    assert resp.json() == {"item_id": "7", "q": "maths", "url": f"{devhost.base_url}/api/items/7?q=maths"}

    assert httpx.get(f"{devhost.base_url}/api/files/reports/2025/summary.csv").text == "file reports/2025/summary.csv"
    stored = httpx.put(f"{devhost.base_url}/api/files/a.txt", content=b"12345")
    assert (stored.status_code, stored.text) == (201, "stored 5 bytes at a.txt")


def test_unknown_paths_are_404_other_methods_405_and_crashes_a_bare_500(devhost):
    assert httpx.post(f"{devhost.base_url}/api/items/7").status_code == 405
    assert httpx.get(f"{devhost.base_url}/api/nothing-here").status_code == 404
    assert httpx.get(f"{devhost.base_url}/items/7").status_code == 404
    crash = httpx.get(f"{devhost.base_url}/api/boom")
    assert (crash.status_code, crash.content) == (500, b"")


def test_cors_origins_come_from_the_settings_file(devhost):
    preflight = httpx.options(
        f"{devhost.base_url}/api/items/7",
        headers={"Origin": "http://web.test", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.headers["access-control-allow-origin"] == "http://web.test"


def test_a_dropped_blob_is_processed_exactly_once_even_across_a_restart(devhost, blobs, marker):
    drop, results = blobs.get_container_client(DROP), blobs.get_container_client(RESULTS)
    first, later = f"{marker}-a.csv", f"{marker}-b.csv"
    drop.upload_blob(first, b"rows")
    wait_for(lambda: exists(results, f"done/{first}"), what="the dropped blob's result", log=devhost.log)
    assert results.download_blob(f"done/{first}").readall() == b"rows"

    devhost.restart()
    # The restarted host scans in name order: once the later blob is done, the first has been looked at again.
    drop.upload_blob(later, b"more rows")
    wait_for(lambda: exists(results, f"done/{later}"), what="the blob dropped after the restart", log=devhost.log)
    assert len(lines_of(results, f"invocations/{first}.log")) == 1
    assert len(lines_of(results, f"invocations/{later}.log")) == 1


def test_a_failing_blob_is_attempted_five_times_then_poisoned(devhost, blobs, azurite, marker):
    name = f"{marker}-poison.csv"
    blobs.get_container_client(DROP).upload_blob(name, b"bad rows")
    poison = QueueClient.from_connection_string(
        azurite.connection_string, "webjobs-blobtrigger-poison", message_decode_policy=TextBase64DecodePolicy()
    )

    def poison_message() -> dict | None:
        try:
            messages = [json.loads(m.content) for m in poison.peek_messages(max_messages=32)]
        except ResourceNotFoundError:
            return None
        return next((m for m in messages if m["BlobName"] == name), None)

    message = wait_for(poison_message, what="the poison message", log=devhost.log)
    assert message["FunctionId"] == "Host.Functions.on_drop"
    assert message["ContainerName"] == DROP
    assert message["Type"] == "blob"
    results = blobs.get_container_client(RESULTS)
    assert len(lines_of(results, f"invocations/{name}.log")) == 5
    assert not exists(results, f"done/{name}")


def test_timers_run_on_startup_and_then_on_their_schedule(devhost, blobs, marker):
    results = blobs.get_container_client(RESULTS)

    def two_ticks() -> list[str]:
        ticks = lines_of(results, f"tick/{marker}.log")
        return ticks if len(ticks) >= 2 else []

    ticks = wait_for(two_ticks, timeout=10, what="two ticks of the every-second timer", log=devhost.log)
    assert set(ticks) <= {"past_due=False", "past_due=True"}


def run_command(*args: str, env: dict[str, str], settings: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "devhost", "run", *args, "--app", SAMPLE_APP, "--settings", str(settings)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )


def test_run_fires_a_timer_function_once_and_exits(host_env, settings_file, blobs):
    marker = uuid.uuid4().hex[:12]
    done = run_command("write_marker", env={**host_env, "E2E_MARKER": marker}, settings=settings_file)
    assert done.returncode == 0, done.stderr
    assert lines_of(blobs.get_container_client(RESULTS), f"timer/{marker}.log") == ["past_due=False"]


def test_run_exits_non_zero_when_the_timer_fails_or_does_not_exist(host_env, settings_file):
    failed = run_command("failing_timer", env=host_env, settings=settings_file)
    assert failed.returncode == 1
    assert "RuntimeError" in failed.stderr
    unknown = run_command("no_such_timer", env=host_env, settings=settings_file)
    assert unknown.returncode == 2
    assert "no timer function named 'no_such_timer'" in unknown.stderr


def test_the_real_app_reports_health_through_the_devhost(host_env, settings_file, tmp_path):
    host = Devhost("function_app:app", host_env, settings_file, tmp_path / "devhost.log").start()
    try:
        resp = httpx.get(f"{host.base_url}/api/health")
        assert resp.status_code == 200
        assert resp.json() == {"status": "ok", "storage": "ok"}
    finally:
        host.stop()
