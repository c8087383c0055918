"""Start and stop the pinned Azurite (npm) on local ports, in memory or with data on disk.

On Linux an Azurite dies with the process that started it, however that process ends (even SIGKILL): the
kernel kills it when its parent goes (prctl PR_SET_PDEATHSIG), so a killed `make run` or test run leaves no
emulator holding its ports. SIGKILL, because Azurite answers SIGTERM by closing its ports and saving its data
but then does not exit; its metadata file is saved every 5 seconds by write-and-rename, so a kill loses at
most those last seconds, never the file. The signal follows the starting *thread*: start Azurite from a
thread that lives as long as you need it (the main thread, as devhost and the test fixtures do).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AZURITE_BIN = ROOT / "node_modules" / ".bin" / "azurite"
ACCOUNT = "devstoreaccount1"
ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


_PR_SET_PDEATHSIG = 1
# Resolved before any fork: the child between fork and exec only calls it.
_prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform == "linux" else None


def _die_with_parent(parent: int) -> None:
    """In the child, before exec: ask to be killed when the parent dies, and go at once if it already has."""
    _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class Azurite:
    blob_port: int
    queue_port: int
    table_port: int
    process: subprocess.Popen | None = None
    persistent: bool = False

    @property
    def connection_string(self) -> str:
        base = f"http://127.0.0.1:{{port}}/{ACCOUNT}"
        return (
            f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={ACCOUNT_KEY};"
            f"BlobEndpoint={base.format(port=self.blob_port)};"
            f"QueueEndpoint={base.format(port=self.queue_port)};"
            f"TableEndpoint={base.format(port=self.table_port)};"
        )

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            if not self.persistent:
                # Nothing on disk to flush: an in-memory emulator is simply killed.
                self.process.kill()
                self.process.wait()
                return
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start(
    *,
    location: Path | None = None,
    ports: tuple[int, int, int] | None = None,
    timeout: float = 30.0,
    log_file: Path | None = None,
) -> Azurite:
    """Start Azurite; in memory when no location is given. Returns once all three services accept connections."""
    if not AZURITE_BIN.exists() and not shutil.which("azurite"):
        raise RuntimeError("Azurite is not installed: run `npm ci` (make does this for you)")
    blob, queue, table = ports or (free_port(), free_port(), free_port())
    args = [
        str(AZURITE_BIN if AZURITE_BIN.exists() else shutil.which("azurite")),
        "--blobHost", "127.0.0.1", "--blobPort", str(blob),
        "--queueHost", "127.0.0.1", "--queuePort", str(queue),
        "--tableHost", "127.0.0.1", "--tablePort", str(table),
        "--skipApiVersionCheck", "--disableProductStyleUrl", "--silent",
    ]
    if location is None:
        args.append("--inMemoryPersistence")
    else:
        location.mkdir(parents=True, exist_ok=True)
        args += ["--location", str(location)]
    out = open(log_file, "ab") if log_file else subprocess.DEVNULL  # noqa: SIM115 - owned by the child
    parent = os.getpid()
    # preexec_fn runs between fork and exec: it only calls prctl and getppid.
    process = subprocess.Popen(
        args, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, env={**os.environ},
        preexec_fn=(lambda: _die_with_parent(parent)) if _prctl else None,
    )
    azurite = Azurite(blob, queue, table, process, persistent=location is not None)
    deadline = time.monotonic() + timeout
    while not all(port_open(p) for p in (blob, queue, table)):
        if process.poll() is not None:
            raise RuntimeError(f"Azurite exited with code {process.returncode}")
        if time.monotonic() > deadline:
            azurite.stop()
            raise RuntimeError("Azurite did not start in time")
        time.sleep(0.1)
    return azurite


@contextlib.contextmanager
def running(**kwargs) -> Iterator[Azurite]:
    azurite = start(**kwargs)
    try:
        yield azurite
    finally:
        azurite.stop()
