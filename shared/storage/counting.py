"""Counts storage requests, per operation, as they leave the SDK pipeline.

The SDK clients are built with `raw_request_hook=RequestCounter.on_request`, which azure-core's
CustomHookPolicy calls for every HTTP request it sends (retries included, after the retry policy).
`measure()` opens a scope, bound to the current context (thread or task), that sees only its own
requests; benchmarks and tests use it to assert how many round trips an operation costs.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class RequestTally:
    total: int = 0
    by_kind: Counter = field(default_factory=Counter)

    def add(self, kind: str) -> None:
        self.total += 1
        self.by_kind[kind] += 1

    @property
    def writes(self) -> int:
        return sum(n for kind, n in self.by_kind.items() if not kind.startswith(("GET", "HEAD")))


_active: contextvars.ContextVar[tuple[RequestTally, ...]] = contextvars.ContextVar("storage_tallies", default=())


def _kind(method: str, url: str) -> str:
    path = urlsplit(url).path.strip("/").split("/")
    # Azurite paths start with the account name; Azure's do not.
    if path and path[0] == "devstoreaccount1":
        path = path[1:]
    resource = path[0].split("(")[0] if path and path[0] else "account"
    return f"{method} {resource}"


class RequestCounter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.total = 0

    def on_request(self, pipeline_request) -> None:
        request = pipeline_request.http_request
        kind = _kind(request.method, request.url)
        with self._lock:
            self.total += 1
        for tally in _active.get():
            tally.add(kind)

    @contextlib.contextmanager
    def measure(self) -> Iterator[RequestTally]:
        tally = RequestTally()
        token = _active.set(_active.get() + (tally,))
        try:
            yield tally
        finally:
            _active.reset(token)


request_counter = RequestCounter()
