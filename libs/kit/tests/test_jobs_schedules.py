"""Schedule slots: pure arithmetic, no database."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from portico.kit.jobs import Schedule, slot_key, slot_start


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, us, tzinfo=UTC)


def test_every_n_minutes_slots_are_aligned_on_the_epoch() -> None:
    schedule = Schedule("sweep", "sweep", every=timedelta(minutes=15))
    assert slot_start(schedule, utc(2026, 12, 4, 10, 14, 59)) == utc(2026, 12, 4, 10, 0)
    assert slot_start(schedule, utc(2026, 12, 4, 10, 15)) == utc(2026, 12, 4, 10, 15)
    assert slot_start(schedule, utc(2026, 12, 4, 10, 29, 59, 999999)) == utc(2026, 12, 4, 10, 15)


def test_every_slot_is_the_same_whatever_the_time_zone_of_now() -> None:
    schedule = Schedule("sweep", "sweep", every=timedelta(hours=1))
    paris = utc(2026, 12, 4, 10, 30).astimezone(ZoneInfo("Europe/Paris"))
    assert slot_start(schedule, paris) == utc(2026, 12, 4, 10)


def test_daily_slot_starts_at_the_local_time_of_the_latest_day_that_reached_it() -> None:
    schedule = Schedule("remind", "remind", daily_at=time(9, 0), timezone="Europe/Paris")
    # 07:59 UTC is 08:59 in Paris in winter: still yesterday's slot.
    assert slot_start(schedule, utc(2026, 12, 4, 7, 59)) == utc(2026, 12, 3, 8, 0)
    assert slot_start(schedule, utc(2026, 12, 4, 8, 0)) == utc(2026, 12, 4, 8, 0)


def test_daily_slot_follows_the_wall_clock_across_the_spring_change() -> None:
    schedule = Schedule("remind", "remind", daily_at=time(9, 0), timezone="Europe/Paris")
    # Clocks went forward on 29 March 2026: 09:00 is 08:00 UTC before, 07:00 UTC after.
    assert slot_start(schedule, utc(2026, 3, 28, 12)) == utc(2026, 3, 28, 8)
    assert slot_start(schedule, utc(2026, 3, 29, 7, 30)) == utc(2026, 3, 29, 7)
    assert slot_start(schedule, utc(2026, 3, 29, 6, 59)) == utc(2026, 3, 28, 8)


def test_a_daily_time_skipped_by_the_clock_change_still_runs_that_day() -> None:
    schedule = Schedule("night", "night", daily_at=time(2, 30), timezone="Europe/Paris")
    # 02:30 never happened on 29 March 2026 in Paris: the slot starts at 03:30 local.
    assert slot_start(schedule, utc(2026, 3, 29, 1, 29)) == utc(2026, 3, 28, 1, 30)
    assert slot_start(schedule, utc(2026, 3, 29, 1, 30)) == utc(2026, 3, 29, 1, 30)
    assert slot_start(schedule, utc(2026, 3, 30, 0, 30)) == utc(2026, 3, 30, 0, 30)


def test_a_daily_time_that_happens_twice_in_autumn_starts_one_slot() -> None:
    schedule = Schedule("night", "night", daily_at=time(2, 30), timezone="Europe/Paris")
    # On 25 October 2026 02:30 happens at 00:30 UTC and again at 01:30 UTC: one slot.
    first = utc(2026, 10, 25, 0, 30)
    assert slot_start(schedule, first) == first
    assert slot_start(schedule, utc(2026, 10, 25, 1, 45)) == first
    assert slot_start(schedule, utc(2026, 10, 26, 1, 30)) == utc(2026, 10, 26, 1, 30)


def test_the_slot_key_names_the_schedule_and_the_slot_start_in_utc() -> None:
    schedule = Schedule("remind", "remind", daily_at=time(9, 0), timezone="Europe/Paris")
    start = slot_start(schedule, utc(2026, 12, 4, 12))
    assert slot_key(schedule, start) == "schedule:remind:2026-12-04T08:00:00+00:00"


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"every": timedelta(minutes=1), "daily_at": time(9)},
        {"every": timedelta(0)},
        {"daily_at": time(9), "timezone": "Mars/Olympus"},
    ],
)
def test_a_schedule_without_exactly_one_valid_rhythm_is_refused(options: dict) -> None:
    with pytest.raises(ValueError):
        Schedule("bad", "bad", **options)
