"""Timer schedules as the Functions host reads them: six-field NCRONTAB or a TimeSpan, in UTC.

NCRONTAB is `{second} {minute} {hour} {day} {month} {day-of-week}`; croniter evaluates it with the seconds
field first. A TimeSpan (`hh:mm:ss` or `d.hh:mm:ss`) is an interval measured from the previous run.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from croniter import croniter

from devhost.appsettings import ConfigurationError, resolve_expressions

_TIMESPAN = re.compile(r"^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})$")


class Schedule(Protocol):
    expression: str

    def next_after(self, moment: datetime) -> datetime: ...


@dataclass(frozen=True)
class CronSchedule:
    expression: str

    def next_after(self, moment: datetime) -> datetime:
        return croniter(self.expression, _utc(moment), second_at_beginning=True).get_next(datetime)


@dataclass(frozen=True)
class IntervalSchedule:
    expression: str
    interval: timedelta

    def next_after(self, moment: datetime) -> datetime:
        return _utc(moment) + self.interval


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def parse_schedule(expression: str, environ: Mapping[str, str] | None = None, *, function: str = "?") -> Schedule:
    """Parse a timer trigger's schedule, resolving `%SETTING%` first; raises ConfigurationError."""
    text = resolve_expressions(expression, environ or {}, function=function).strip()
    span = _TIMESPAN.match(text)
    if span:
        days, hours, minutes, seconds = (int(part or 0) for part in span.groups())
        if hours > 23 or minutes > 59 or seconds > 59:
            raise ConfigurationError(f"function '{function}': '{text}' is not a valid TimeSpan")
        interval = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
        if interval <= timedelta(0):
            raise ConfigurationError(f"function '{function}': a TimeSpan schedule must be longer than zero")
        return IntervalSchedule(text, interval)
    fields = text.split()
    # croniter also takes five fields (no seconds) and seven (a year); NCRONTAB is exactly six.
    if len(fields) != 6 or not croniter.is_valid(text, second_at_beginning=True):
        raise ConfigurationError(
            f"function '{function}': schedule '{text}' is neither a six-field NCRONTAB expression "
            "({second} {minute} {hour} {day} {month} {day-of-week}) nor a TimeSpan (hh:mm:ss)"
        )
    return CronSchedule(" ".join(fields))
