"""A loopback TCP proxy in front of one Azurite port that a test can freeze: storage faults on demand.

Modes (set with the methods, each until `release()`):
- `stall()`: nothing goes either way on any connection, old or new: storage hangs (a frozen emulator).
- `lose_answers_after(marker)`: requests go through, but once a connection has carried a request containing
  `marker` (b"$batch": an entity-group transaction), nothing comes back on it: the work is done, the answer lost.
- `lose_requests_from(marker)`: a request containing `marker` is held and never delivered: the work is not done.
- `busy()`: every new request is answered 503 Server Busy (as Azure Storage does when it sheds load), and the
  connection closed.
`release()` goes back to passing everything, and closes the connections it held, so nothing held is delivered
late.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from dataclasses import dataclass, field

BUSY_ANSWER = (
    b"HTTP/1.1 503 Server Busy\r\nContent-Type: application/xml\r\nx-ms-error-code: ServerBusy\r\n"
    b"Connection: close\r\nContent-Length: 0\r\n\r\n"
)
PASS, STALL, LOSE_ANSWERS, LOSE_REQUESTS, BUSY = "pass", "stall", "lose answers", "lose requests", "busy"


@dataclass
class _Pair:
    client: socket.socket
    server: socket.socket
    answers_lost: bool = False
    held: bool = False
    closed: threading.Event = field(default_factory=threading.Event)

    def close(self) -> None:
        self.closed.set()
        for s in (self.client, self.server):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()


class StallingProxy:
    def __init__(self, target_port: int) -> None:
        self.target = ("127.0.0.1", target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.mode = PASS
        self.marker = b""
        self.seen = 0  # requests that met the current mode's marker (or were stalled, or answered busy)
        self._lock = threading.Lock()
        self._released = threading.Event()
        self._released.set()
        self._pairs: list[_Pair] = []
        self._stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    # --- modes -------------------------------------------------------------------------------------------------

    def _set(self, mode: str, marker: bytes = b"") -> None:
        with self._lock:
            self.mode, self.marker, self.seen = mode, marker, 0
            self._released.clear()

    def stall(self) -> None:
        self._set(STALL)

    def lose_answers_after(self, marker: bytes) -> None:
        self._set(LOSE_ANSWERS, marker)

    def lose_requests_from(self, marker: bytes) -> None:
        self._set(LOSE_REQUESTS, marker)

    def busy(self) -> None:
        self._set(BUSY)

    def release(self) -> None:
        with self._lock:
            self.mode = PASS
            held = [p for p in self._pairs if p.held]
        for pair in held:
            pair.close()
        self._released.set()

    def close(self) -> None:
        self._stopped = True
        self.release()
        self.listener.close()
        with self._lock:
            pairs = list(self._pairs)
        for pair in pairs:
            pair.close()

    # --- pumping -----------------------------------------------------------------------------------------------

    def _accept(self) -> None:
        while not self._stopped:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            pair = _Pair(client, server)
            with self._lock:
                self._pairs = [p for p in self._pairs if not p.closed.is_set()] + [pair]
            threading.Thread(target=self._requests, args=(pair,), daemon=True).start()
            threading.Thread(target=self._answers, args=(pair,), daemon=True).start()

    def _hold(self, pair: _Pair) -> None:
        """Keep the connection open and silent until released (then it is closed)."""
        with self._lock:
            pair.held = True
        self._released.wait()
        pair.close()

    def _met(self) -> None:
        with self._lock:
            self.seen += 1

    def _requests(self, pair: _Pair) -> None:
        while not pair.closed.is_set():
            try:
                data = pair.client.recv(65536)
            except OSError:
                break
            if not data:
                break
            with self._lock:
                mode, marker = self.mode, self.marker
            if mode == STALL or (mode == LOSE_REQUESTS and marker in data):
                self._met()
                self._hold(pair)
                return
            if mode == BUSY:
                self._met()
                with contextlib.suppress(OSError):
                    pair.client.sendall(BUSY_ANSWER)
                pair.close()
                return
            if mode == LOSE_ANSWERS and marker in data:
                pair.answers_lost = True
                self._met()
            try:
                pair.server.sendall(data)
            except OSError:
                break
        pair.close()

    def _answers(self, pair: _Pair) -> None:
        while not pair.closed.is_set():
            try:
                data = pair.server.recv(65536)
            except OSError:
                break
            if not data:
                break
            with self._lock:
                mode = self.mode
                lost = pair.answers_lost
            if mode == STALL or lost:
                self._hold(pair)
                return
            try:
                pair.client.sendall(data)
            except OSError:
                break
        pair.close()
