"""Brute-force protection for logins: failures counted per account and per address."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class ThrottleRule:
    """At most ``limit`` failures within ``window``, then blocked until the window ends."""

    limit: int
    window: timedelta


ACCOUNT_RULE = ThrottleRule(limit=5, window=timedelta(minutes=15))
ADDRESS_RULE = ThrottleRule(limit=20, window=timedelta(minutes=15))


def retry_after(failures: list[datetime], rule: ThrottleRule, now: datetime) -> int | None:
    """Seconds until another try is allowed, or None when one is allowed now."""
    recent = sorted(moment for moment in failures if moment > now - rule.window)
    if len(recent) < rule.limit:
        return None
    # Allowed again once enough of the recent failures have left the window.
    oldest_that_blocks = recent[len(recent) - rule.limit]
    return max(1, int((oldest_that_blocks + rule.window - now).total_seconds()) + 1)
