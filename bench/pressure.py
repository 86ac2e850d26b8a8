"""Stalls of the disk during a measurement, from Linux's pressure stall information (PSI).

The "full" line of ``/proc/pressure/io`` counts the time in which every task that had work
to do was waiting for I/O. Sampled every 10 ms, an interval spent almost wholly so is a
stall; consecutive ones make one. Every figure of the bus benchmark waits on disk flushes
(PostgreSQL commits, the quorum queue's log), so a stall of the machine's disk shows in
its tail: printed beside the figure, it tells a slow disk from a slow Portico.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

IO_PRESSURE = Path("/proc/pressure/io")
SAMPLE_SECONDS = 0.01
# The share of a sample that every task spent waiting for I/O, for the sample to count.
STALLED_SHARE = 0.8
# Stalls shorter than this are ordinary flushes under load, not worth a reader's notice.
REPORTED_MS = 20

# (seconds on a monotonic clock, microseconds of "full" I/O pressure so far)
Sample = tuple[float, int]


def full_microseconds() -> int | None:
    try:
        lines = IO_PRESSURE.read_text().splitlines()
    except OSError:  # not Linux, or a kernel built without PSI
        return None
    for line in lines:
        if line.startswith("full "):
            return int(line.rpartition("total=")[2])
    return None


def stalls(samples: Sequence[Sample]) -> list[float]:
    """The stalls in a series of samples, in milliseconds each."""
    found: list[float] = []
    current = 0.0
    for (then, full_then), (now, full_now) in itertools.pairwise(samples):
        waited_ms = (full_now - full_then) / 1000
        if waited_ms >= STALLED_SHARE * (now - then) * 1000:
            current += waited_ms
        elif current:
            found.append(current)
            current = 0.0
    if current:
        found.append(current)
    return found


def describe(stalls_ms: Sequence[float]) -> str:
    reported = [stall for stall in stalls_ms if stall >= REPORTED_MS]
    if not reported:
        return f"no disk stall of {REPORTED_MS} ms or more meanwhile (PSI)"
    return (
        f"{len(reported)} disk stall(s) of {REPORTED_MS} ms or more meanwhile, the longest"
        f" {max(reported):.0f} ms: every task waited for the disk (PSI)"
    )


class DiskStalls:
    """Samples I/O pressure over a ``with`` block, in a thread of its own."""

    def __init__(self) -> None:
        self.samples: list[Sample] = []
        self.supported = full_microseconds() is not None
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> DiskStalls:
        if self.supported:
            self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._done.set()
        if self.supported:
            self._thread.join()

    def _sample(self) -> None:
        while True:
            full = full_microseconds()
            if full is not None:
                self.samples.append((time.perf_counter(), full))
            if self._done.wait(SAMPLE_SECONDS):
                return

    def note(self) -> str | None:
        """What a reader of the figure should know, or None where Linux does not say."""
        return describe(stalls(self.samples)) if self.supported else None
