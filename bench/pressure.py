"""Stalls of the disk during a measurement, from Linux's pressure stall information (PSI).

The "full" line of ``/proc/pressure/io`` counts the time in which every task that had work
to do was waiting for I/O. Sampled every 10 ms, an interval spent almost wholly so is a
stall; consecutive ones make one. Every figure of the bus benchmark waits on disk flushes
(PostgreSQL commits, the quorum queue's log), so a stall of the machine's disk shows in
its tail: printed beside the figure, it tells a slow disk from a slow Portico.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from types import TracebackType

IO_PRESSURE = Path("/proc/pressure/io")
SAMPLE_SECONDS = 0.01
# The share of a sample that every task spent waiting for I/O, for the sample to count.
STALLED_SHARE = 0.8
# Stalls shorter than this are ordinary flushes under load, not worth a reader's notice.
REPORTED_MS = 20


def _full_microseconds() -> int | None:
    try:
        lines = IO_PRESSURE.read_text().splitlines()
    except OSError:  # not Linux, or a kernel built without PSI
        return None
    for line in lines:
        if line.startswith("full "):
            return int(line.rpartition("total=")[2])
    return None


class DiskStalls:
    """Samples, over a ``with`` block, the stalls of the disk (in a thread of its own)."""

    def __init__(self) -> None:
        self.stalls_ms: list[float] = []
        self.supported = _full_microseconds() is not None
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
        previous, previous_at = _full_microseconds() or 0, time.perf_counter()
        current = 0.0
        while not self._done.wait(SAMPLE_SECONDS):
            full, now = _full_microseconds() or 0, time.perf_counter()
            waited_ms = (full - previous) / 1000
            if waited_ms >= STALLED_SHARE * (now - previous_at) * 1000:
                current += waited_ms
            elif current:
                self.stalls_ms.append(current)
                current = 0.0
            previous, previous_at = full, now
        if current:
            self.stalls_ms.append(current)

    def note(self) -> str | None:
        """What a reader of the figure should know, or None where Linux does not say."""
        if not self.supported:
            return None
        reported = [stall for stall in self.stalls_ms if stall >= REPORTED_MS]
        if not reported:
            return f"no disk stall of {REPORTED_MS} ms or more meanwhile (PSI)"
        return (
            f"{len(reported)} disk stall(s) of {REPORTED_MS} ms or more meanwhile, the longest"
            f" {max(reported):.0f} ms: every task waited for the disk (PSI)"
        )
