"""When a failed webhook delivery is tried again: growing delays, then it gives up.

Pure: the schedule is the setting ``PORTICO_NOTIFIER_WEBHOOKS_RETRY_DELAYS`` (seconds).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

# 1 min, 5 min, 30 min, 2 h, 6 h: a receiver down for a deployment or a night gets
# everything once it is back, about eight and a half hours at most after the first try.
DEFAULT_DELAYS: tuple[float, ...] = (60.0, 300.0, 1800.0, 7200.0, 21600.0)


def next_delay(failed_tries: int, delays: Sequence[float] = DEFAULT_DELAYS) -> timedelta | None:
    """How long after its ``failed_tries``-th failed try (1 for the first) a delivery is
    tried again; None once every delay is spent: the delivery has failed for good."""
    if failed_tries < 1:
        raise ValueError("failed_tries counts from 1")
    if failed_tries > len(delays):
        return None
    return timedelta(seconds=delays[failed_tries - 1])


def most_tries(delays: Sequence[float] = DEFAULT_DELAYS) -> int:
    """How many tries a delivery gets at most: the first and one per delay."""
    return len(delays) + 1
