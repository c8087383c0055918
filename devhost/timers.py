"""Timer triggers: one thread per function fires it on its schedule, never two runs of it at once."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from azure.functions.timer import TimerRequest

from devhost.invocation import call
from devhost.schedules import Schedule, parse_schedule
from shared.observability import correlation

log = logging.getLogger("devhost.timer")

# A wake-up later than this (a suspended laptop, a run that overran the next occurrence) is past due.
PAST_DUE_AFTER = timedelta(seconds=1)


@dataclass(frozen=True)
class TimerFunction:
    name: str
    arg_name: str
    schedule: Schedule
    run_on_startup: bool
    user_function: Callable[..., Any]

    @classmethod
    def from_function(cls, fn: Any, environ: Mapping[str, str]) -> TimerFunction:
        trigger = fn.get_trigger()
        name = fn.get_function_name()
        return cls(
            name=name,
            arg_name=trigger.name,
            schedule=parse_schedule(trigger.schedule, environ, function=name),
            run_on_startup=bool(trigger.run_on_startup),
            user_function=fn.get_user_function(),
        )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def invoke_timer(
    timer: TimerFunction, *, past_due: bool = False, last: datetime | None = None, reason: str = "Timer fired"
) -> bool:
    """Run the function once; True when it succeeded. The exception is logged (its type only), not raised."""
    now = datetime.now(UTC)
    request = TimerRequest(
        past_due=past_due,
        schedule_status={"Last": _iso(last), "Next": _iso(timer.schedule.next_after(now)), "LastUpdated": _iso(now)},
        schedule={"AdjustForDST": True},
    )
    with correlation():
        log.info("Executing 'Functions.%s' (Reason='%s')", timer.name, reason, extra={"function": timer.name})
        started = time.perf_counter()
        try:
            call(timer.user_function, {timer.arg_name: request})
        except Exception as exc:  # noqa: BLE001 - a failed run is reported; the schedule goes on
            log.exception(
                "Executed 'Functions.%s' (Failed)",
                timer.name,
                extra={"function": timer.name, "status": "Failed", "error_type": type(exc).__name__},
            )
            return False
        log.info(
            "Executed 'Functions.%s' (Succeeded)",
            timer.name,
            extra={
                "function": timer.name,
                "status": "Succeeded",
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return True


class TimerRunner:
    """Fires one timer function on its schedule until stopped. Missed occurrences are not caught up."""

    def __init__(self, timer: TimerFunction) -> None:
        self.timer = timer
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"timer:{timer.name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def request_stop(self) -> None:
        self._stop.set()

    def join(self, timeout: float = 30.0) -> None:
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        last: datetime | None = None
        if self.timer.run_on_startup:
            last = datetime.now(UTC)
            invoke_timer(self.timer, reason="Run on startup")
        due = self.timer.schedule.next_after(datetime.now(UTC))
        while not self._stop.wait(max(0.0, (due - datetime.now(UTC)).total_seconds())):
            now = datetime.now(UTC)
            if now < due:
                continue
            invoke_timer(self.timer, past_due=now - due > PAST_DUE_AFTER, last=last, reason=f"Timer fired at {now}")
            last = now
            due = self.timer.schedule.next_after(datetime.now(UTC))
