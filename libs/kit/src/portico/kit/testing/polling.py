"""Waiting in tests for what travels: an event handled by another service, a job run by a
worker. The test asks again until the answer comes, rather than sleeping for a guess."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def wait_until(check: Callable[[], Awaitable[T | None]], seconds: float = 30) -> T:
    """``await check()`` again and again until it answers something true, and return
    that; the test fails (``AssertionError``) once ``seconds`` have passed."""
    deadline = time.monotonic() + seconds
    while True:
        found = await check()
        if found:
            return found
        assert time.monotonic() < deadline, f"still nothing after {seconds} s"
        await asyncio.sleep(0.05)
