"""Recurring jobs: which slot a moment falls in. Pure arithmetic, no I/O.

A schedule's runs are slots: ``every`` cuts time into equal slots counted from the Unix
epoch (so every runner, in every process, cuts it at the same instants), ``daily_at`` makes
one slot a day starting at that wall-clock time in the schedule's time zone. A runner
enqueues the current slot's job under a key naming the slot, so however many runners pass
through a slot, it runs once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Schedule:
    """Enqueue a job of ``kind`` once per slot: ``every`` interval, or ``daily_at`` a time
    of day in ``timezone`` (an IANA name). Exactly one of the two is given."""

    name: str
    kind: str
    every: timedelta | None = None
    daily_at: time | None = None
    timezone: str = "UTC"
    payload: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if (self.every is None) == (self.daily_at is None):
            raise ValueError(f"schedule {self.name!r}: give exactly one of every and daily_at")
        if self.every is not None and self.every <= timedelta(0):
            raise ValueError(f"schedule {self.name!r}: every must be positive")
        if self.daily_at is not None and self.daily_at.tzinfo is not None:
            raise ValueError(
                f"schedule {self.name!r}: daily_at is a wall-clock time, the "
                "time zone goes in timezone"
            )
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(
                f"schedule {self.name!r}: unknown time zone {self.timezone!r}"
            ) from error


def slot_start(schedule: Schedule, now: datetime) -> datetime:
    """The start (in UTC) of the slot that ``now`` falls in."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if schedule.every is not None:
        slots = (now - EPOCH) // schedule.every
        return EPOCH + slots * schedule.every
    assert schedule.daily_at is not None
    zone = ZoneInfo(schedule.timezone)
    today = now.astimezone(zone).date()
    start = _daily_start(today, schedule.daily_at, zone)
    return (
        start if start <= now else _daily_start(today - timedelta(days=1), schedule.daily_at, zone)
    )


def _daily_start(day: date, at: time, zone: ZoneInfo) -> datetime:
    # fold=0: a time that happens twice (clocks going back) starts the slot the first
    # time; a time that never happens (clocks going forward) is read with the offset from
    # before the change, which lands after the gap: the day still has its one run.
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def slot_key(schedule: Schedule, start: datetime) -> str:
    """The job key of a slot: one job per schedule and slot, whoever enqueues it."""
    return f"schedule:{schedule.name}:{start.astimezone(UTC).isoformat()}"
