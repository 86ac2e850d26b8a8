"""The benchmark's reading of disk stalls from I/O pressure samples (``bench/pressure.py``)."""

from __future__ import annotations

import pytest

from bench.pressure import DiskStalls, describe, full_microseconds, stalls


def samples(waited_ms_per_tick: list[float], tick_ms: float = 10) -> list[tuple[float, int]]:
    """Samples every ``tick_ms``, the pressure counter growing by the given waits."""
    series, full = [(0.0, 0)], 0.0
    for index, waited in enumerate(waited_ms_per_tick, start=1):
        full += waited * 1000
        series.append((index * tick_ms / 1000, int(full)))
    return series


def test_ordinary_waits_under_load_are_no_stall() -> None:
    assert stalls(samples([0.2, 1.5, 0.0, 3.0, 7.9] * 20)) == []


def test_consecutive_stalled_samples_make_one_stall_of_their_summed_waits() -> None:
    found = stalls(samples([0.3, 10.0, 9.6, 10.0, 9.9, 0.4, 0.1]))
    assert found == pytest.approx([39.5])


def test_separate_stalls_are_reported_apart_including_one_at_the_end() -> None:
    found = stalls(samples([10.0, 10.0, 1.0, 0.0, 10.0, 9.0, 10.0]))
    assert found == pytest.approx([20.0, 29.0])


def test_a_late_sample_is_weighed_by_its_own_length() -> None:
    # The sampling thread woke 30 ms late: 36 ms of its 40 were a stall, 24 of 40 not.
    stalled = [(0.0, 0), (0.01, 100), (0.05, 36_100), (0.06, 36_200)]
    assert stalls(stalled) == pytest.approx([36.0])
    busy = [(0.0, 0), (0.01, 100), (0.05, 24_100), (0.06, 24_200)]
    assert stalls(busy) == []


def test_the_note_names_the_reported_stalls_and_the_longest() -> None:
    assert describe([]) == "no disk stall of 20 ms or more meanwhile (PSI)"
    assert describe([12.0, 19.9]) == "no disk stall of 20 ms or more meanwhile (PSI)"
    note = describe([12.0, 45.2, 180.6])
    assert note.startswith("2 disk stall(s) of 20 ms or more meanwhile, the longest 181 ms")


def test_a_block_is_sampled_where_the_kernel_reports_pressure() -> None:
    with DiskStalls() as measured:
        pass
    if full_microseconds() is None:
        assert measured.note() is None
    else:
        assert measured.samples, "at least one sample is taken before the block ends"
        assert measured.note() is not None
