"""The growing delays between tries of a webhook delivery, and the end of them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portico.notifier.webhooks.retries import DEFAULT_DELAYS, most_tries, next_delay


def test_the_default_schedule_grows_from_a_minute_to_six_hours_then_gives_up() -> None:
    delays = [next_delay(tries) for tries in range(1, 7)]
    assert delays == [
        timedelta(minutes=1),
        timedelta(minutes=5),
        timedelta(minutes=30),
        timedelta(hours=2),
        timedelta(hours=6),
        None,
    ]
    assert most_tries() == 6
    assert list(DEFAULT_DELAYS) == sorted(DEFAULT_DELAYS)


def test_a_configured_schedule_is_followed() -> None:
    assert next_delay(1, (0.2, 0.4)) == timedelta(seconds=0.2)
    assert next_delay(2, (0.2, 0.4)) == timedelta(seconds=0.4)
    assert next_delay(3, (0.2, 0.4)) is None
    assert most_tries((0.2, 0.4)) == 3


def test_tries_count_from_one() -> None:
    with pytest.raises(ValueError, match="from 1"):
        next_delay(0)
