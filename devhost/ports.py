"""Which local ports are taken, and by whom, so `devhost up` can say what to stop instead of failing obscurely,
and stop it itself when it is the Azurite an earlier `devhost up` left on the same data folder."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterable
from pathlib import Path

from devhost.azurite import port_open

_LISTEN = "0A"


def _listening_inodes(port: int) -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                local, state, inode = fields[1], fields[3], fields[9]
                if state == _LISTEN and int(local.rsplit(":", 1)[1], 16) == port:
                    inodes.add(inode)
    return inodes


def _owner(inodes: set[str]) -> tuple[int, list[str]] | None:
    targets = {f"socket:[{inode}]" for inode in inodes}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError):
            for fd in os.listdir(f"/proc/{pid}/fd"):
                with contextlib.suppress(OSError):
                    if os.readlink(f"/proc/{pid}/fd/{fd}") in targets:
                        arguments = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
                        return int(pid), [a for a in arguments if a]
    return None


def listener(port: int) -> tuple[int, list[str]] | None:
    """The pid and command line of the process listening on a local port, where Linux tells (else None)."""
    inodes = _listening_inodes(port)
    return _owner(inodes) if inodes else None


def holder(port: int) -> str | None:
    """None when the port is free; otherwise who listens on it (pid and command line where Linux tells)."""
    if not port_open(port):
        return None
    found = listener(port)
    return f"pid {found[0]}: {' '.join(found[1])[:160]}" if found else "another process"


def busy_ports_message(ports: dict[str, int]) -> str | None:
    """A message naming each busy port and its holder, or None when all are free."""
    busy = [f"{port} ({purpose}) is held by {who}" for purpose, port in ports.items() if (who := holder(port))]
    return "; ".join(busy) or None


def _parent(pid: int) -> int | None:
    with contextlib.suppress(OSError, IndexError, ValueError):
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    return None


def _arguments(pid: int | None) -> list[str]:
    with contextlib.suppress(OSError):
        return [a for a in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0") if a]
    return []


def _is_leftover_azurite(pid: int, arguments: list[str], location: Path) -> bool:
    """An Azurite with its data in `location` whose parent is not a running `python -m devhost` (its own host)."""
    if not any(Path(argument).name.startswith("azurite") for argument in arguments[:2]):
        return False
    try:
        on_location = Path(arguments[arguments.index("--location") + 1]).resolve() == location.resolve()
    except (ValueError, IndexError):
        return False
    parent = _arguments(_parent(pid))
    hosted = any(a == "-m" and b == "devhost" for a, b in zip(parent, parent[1:], strict=False))
    return on_location and not hosted


def stop_leftover_azurite(location: Path, ports: Iterable[int], *, timeout: float = 10.0) -> list[int]:
    """Stop an Azurite an earlier run left on these ports with its data in `location`, and return its pid. Any
    other process on the ports (another Azurite, or the Azurite of a `devhost up` still running) is left alone,
    for the caller to report. Azurite saves its data and closes its ports on SIGTERM but does not then exit, so
    once the ports are closed (or the time is up) it is killed."""
    ports = list(ports)
    stopped = []
    for port in ports:
        found = listener(port)
        if found and found[0] not in stopped and _is_leftover_azurite(*found, location):
            os.kill(found[0], signal.SIGTERM)
            stopped.append(found[0])
    deadline = time.monotonic() + timeout
    while stopped and any(port_open(port) for port in ports) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in stopped:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return stopped
