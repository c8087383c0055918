"""`python -m devhost up` (what `make run` runs) and its Azurite: killing the host takes Azurite with it, an
Azurite an earlier run left on the same data folder is stopped by the next run, and anything else holding the
ports is named and left alone. Each test runs the host as a subprocess on free ports with its own data folder."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from devhost import azurite
from devhost.ports import listener
from tests.e2e.test_devhost import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(sys.platform != "linux", reason="reads /proc for port holders")]

ROOT = Path(__file__).resolve().parents[2]


class Up:
    def __init__(self, tmp_path: Path) -> None:
        self.http, self.blob, self.queue, self.table, self.smtp = (azurite.free_port() for _ in range(5))
        self.data = tmp_path / "azurite"
        self.settings = tmp_path / "local.settings.json"
        self.log = tmp_path / "devhost-up.log"
        self.process: subprocess.Popen | None = None

    @property
    def storage_ports(self) -> tuple[int, int, int]:
        return self.blob, self.queue, self.table

    def start(self) -> Up:
        command = [
            sys.executable, "-m", "devhost", "up", "--port", str(self.http),
            "--azurite-ports", *map(str, self.storage_ports), "--smtp-port", str(self.smtp),
            "--data-dir", str(self.data), "--settings", str(self.settings),
        ]
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        return self

    def azurite_pid(self) -> int | None:
        """The pid of the Azurite this host started, once it holds all three ports."""
        if self.process.poll() is not None:
            pytest.fail(f"devhost up exited with {self.process.returncode}:\n{self.log.read_text()[-3000:]}")
        holders = {found[0] if (found := listener(port)) else None for port in self.storage_ports}
        pid = holders.pop() if len(holders) == 1 else None
        return pid if pid and _parent(pid) == self.process.pid else None

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def _parent(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def _gone(pid: int) -> bool:
    """No such process, or only its zombie (it holds nothing any more)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def _ports_closed(ports: tuple[int, ...]) -> bool:
    return not any(azurite.port_open(port) for port in ports)


@pytest.fixture
def up(tmp_path) -> Iterator[Up]:
    host = Up(tmp_path)
    yield host
    host.kill()
    wait_for(lambda: _ports_closed(host.storage_ports), what="the host's Azurite ports to close", log=host.log)


def test_killing_the_local_host_takes_its_azurite_down(up):
    up.start()
    pid = wait_for(up.azurite_pid, timeout=60, what="the host's own Azurite on all three ports", log=up.log)

    os.kill(up.process.pid, signal.SIGKILL)
    up.process.wait()

    wait_for(lambda: _ports_closed(up.storage_ports), what="Azurite's ports to close", log=up.log)
    wait_for(lambda: _gone(pid), what=f"Azurite (pid {pid}) to end", log=up.log)


def test_the_next_run_stops_an_azurite_an_earlier_run_left_on_its_data_folder(up):
    # An earlier run's Azurite, as an older devhost or a platform without parent-death signals leaves it.
    leftover = azurite.start(location=up.data, ports=up.storage_ports)
    try:
        up.start()
        pid = wait_for(up.azurite_pid, timeout=60, what="the new run's Azurite on all three ports", log=up.log)

        assert leftover.process.wait(timeout=10) is not None
        assert pid != leftover.process.pid
        assert f"stopped the Azurite an earlier run left (pid {leftover.process.pid}" in up.log.read_text()
    finally:
        leftover.stop()


def test_a_port_held_by_anything_else_is_named_and_left_alone(up):
    with socket.socket() as foreign:
        foreign.bind(("127.0.0.1", up.queue))
        foreign.listen()

        up.start()
        code = up.process.wait(timeout=60)

        assert code == 2
        assert f"{up.queue} (Azurite queue) is held by pid {os.getpid()}" in up.log.read_text()
        assert azurite.port_open(up.queue)
    assert _ports_closed(up.storage_ports)
