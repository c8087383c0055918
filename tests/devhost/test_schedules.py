from datetime import UTC, datetime, timedelta

import pytest

from devhost.appsettings import ConfigurationError
from devhost.schedules import CronSchedule, IntervalSchedule, parse_schedule

MIDNIGHT = datetime(2025, 3, 1, 0, 0, 0, tzinfo=UTC)  # a Saturday


def test_the_seconds_field_comes_first():
    schedule = parse_schedule("30 0 2 * * *")
    assert schedule.next_after(MIDNIGHT) == datetime(2025, 3, 1, 2, 0, 30, tzinfo=UTC)


def test_every_five_seconds():
    schedule = parse_schedule("*/5 * * * * *")
    assert schedule.next_after(MIDNIGHT + timedelta(seconds=1)) == MIDNIGHT + timedelta(seconds=5)


def test_day_of_week_is_the_sixth_field():
    schedule = parse_schedule("0 30 9 * * 1-5")
    assert schedule.next_after(MIDNIGHT) == datetime(2025, 3, 3, 9, 30, tzinfo=UTC)  # the Monday


def test_day_and_month_names_are_understood():
    assert parse_schedule("0 0 12 * Jan Mon").next_after(MIDNIGHT) == datetime(2026, 1, 5, 12, tzinfo=UTC)


def test_a_schedule_from_an_app_setting():
    schedule = parse_schedule("%RETENTION_SCHEDULE%", {"RETENTION_SCHEDULE": "0 0 2 * * *"})
    assert isinstance(schedule, CronSchedule)
    assert schedule.expression == "0 0 2 * * *"
    assert schedule.next_after(MIDNIGHT) == datetime(2025, 3, 1, 2, tzinfo=UTC)


def test_a_missing_app_setting_names_the_setting_and_the_function():
    with pytest.raises(ConfigurationError, match="'RETENTION_SCHEDULE'.*") as caught:
        parse_schedule("%RETENTION_SCHEDULE%", {}, function="retention")
    assert "retention" in str(caught.value)


@pytest.mark.parametrize("expression", ["0 2 * * *", "0 0 2 * * * 2030", "0 0 25 * * *", "every day", ""])
def test_anything_but_six_ncrontab_fields_is_refused(expression):
    with pytest.raises(ConfigurationError, match="six-field NCRONTAB"):
        parse_schedule(expression)


def test_a_timespan_is_an_interval_from_the_previous_run():
    schedule = parse_schedule("01:30:00")
    assert isinstance(schedule, IntervalSchedule)
    assert schedule.next_after(MIDNIGHT) == MIDNIGHT + timedelta(hours=1, minutes=30)
    assert parse_schedule("2.00:00:05").next_after(MIDNIGHT) == MIDNIGHT + timedelta(days=2, seconds=5)


@pytest.mark.parametrize("expression", ["00:00:00", "24:00:00", "00:61:00"])
def test_an_empty_or_malformed_timespan_is_refused(expression):
    with pytest.raises(ConfigurationError):
        parse_schedule(expression)


def test_naive_times_are_taken_as_utc():
    assert parse_schedule("0 0 2 * * *").next_after(datetime(2025, 3, 1)) == datetime(2025, 3, 1, 2, tzinfo=UTC)
