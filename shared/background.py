"""Work done after the answer is sent: one worker thread per process.

Used where doing the work inside the request would show in its timing (a password-reset email goes only
to addresses that exist, yet the answer must take the same time either way). A failed job is logged by
error type only and never retried: the person can ask again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from threading import Lock

log = logging.getLogger("cuo.background")

_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cuo-after-answer")
_pending: set[Future] = set()
_lock = Lock()


def _run(job: Callable[[], None]) -> None:
    try:
        job()
    except Exception as exc:  # noqa: BLE001 - a background job has nobody to raise to
        log.exception("background job failed", extra={"error_type": type(exc).__name__})


def after_answer(job: Callable[[], None]) -> None:
    future = _executor.submit(_run, job)
    with _lock:
        _pending.add(future)
    future.add_done_callback(lambda f: _discard(f))


def _discard(future: Future) -> None:
    with _lock:
        _pending.discard(future)


def drain(timeout: float = 30.0) -> None:
    """Wait until every job submitted so far has finished (tests, and a clean shutdown)."""
    with _lock:
        running = list(_pending)
    wait(running, timeout=timeout)
