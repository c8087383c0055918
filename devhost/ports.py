"""Which local ports are taken, and by whom, so `devhost up` can say what to stop instead of failing obscurely."""

from __future__ import annotations

import contextlib
import os
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


def _owner(inodes: set[str]) -> str | None:
    targets = {f"socket:[{inode}]" for inode in inodes}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError):
            for fd in os.listdir(f"/proc/{pid}/fd"):
                with contextlib.suppress(OSError):
                    if os.readlink(f"/proc/{pid}/fd/{fd}") in targets:
                        command = " ".join(Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split())
                        return f"pid {pid}: {command[:160]}"
    return None


def holder(port: int) -> str | None:
    """None when the port is free; otherwise who listens on it (pid and command line where Linux tells)."""
    if not port_open(port):
        return None
    inodes = _listening_inodes(port)
    return (_owner(inodes) if inodes else None) or "another process"


def busy_ports_message(ports: dict[str, int]) -> str | None:
    """A message naming each busy port and its holder, or None when all are free."""
    busy = [f"{port} ({purpose}) is held by {who}" for purpose, port in ports.items() if (who := holder(port))]
    return "; ".join(busy) or None
