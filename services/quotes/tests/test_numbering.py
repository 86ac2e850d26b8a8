"""Quote and invoice numbers from a pattern: the tokens, the padding that grows, which
counter a number draws from, and the patterns refused with the reason."""

from __future__ import annotations

from datetime import date

import pytest

from portico.quotes.numbering import (
    MAX_PATTERN_LENGTH,
    InvalidPattern,
    format_number,
    parse_pattern,
    sequence_scope,
)

MARCH_7 = date(2025, 3, 7)
TOKENS = "in the numbering pattern: the tokens are {YYYY}, {YY}, {MM} and {seq:N}."


@pytest.mark.parametrize(
    ("pattern", "issued_on", "seq", "number"),
    [
        ("DEV-{YYYY}-{seq:4}", MARCH_7, 42, "DEV-2025-0042"),
        ("DEV-{YYYY}-{seq:4}", MARCH_7, 1, "DEV-2025-0001"),
        ("DEV-{YYYY}-{seq:4}", MARCH_7, 9999, "DEV-2025-9999"),
        ("DEV-{YYYY}-{seq:4}", MARCH_7, 12345, "DEV-2025-12345"),  # grows, never cut
        ("FAC-{YYYY}-{seq:5}", date(2026, 12, 31), 1, "FAC-2026-00001"),
        ("D{YY}{MM}-{seq:3}", MARCH_7, 7, "D2503-007"),
        ("F{YY}/{MM}/{seq:2}", date(2009, 11, 1), 3, "F09/11/03"),
        ("Q{seq}", MARCH_7, 7, "Q7"),
        ("{seq:1}", MARCH_7, 10, "10"),
        ("{YYYY}.{seq:10}_x", date(999, 1, 1), 5, "0999.0000000005_x"),
    ],
)
def test_a_number_fills_the_pattern(pattern: str, issued_on: date, seq: int, number: str) -> None:
    assert format_number(pattern, issued_on, seq) == number


@pytest.mark.parametrize(
    ("pattern", "issued_on", "scope"),
    [
        ("DEV-{YYYY}-{seq:4}", MARCH_7, "2025"),
        ("DEV-{YYYY}-{seq:4}", date(2026, 1, 1), "2026"),
        ("D{YY}-{seq:4}", MARCH_7, "2025"),  # the full year: 2025 and 2125 are not one counter
        ("D{YYYY}{MM}-{seq:3}", MARCH_7, "2025-03"),
        ("D{MM}{YY}-{seq:3}", date(2025, 11, 30), "2025-11"),
        ("Q{seq:6}", MARCH_7, "all"),
        ("Q{seq:6}", date(2031, 8, 1), "all"),
    ],
)
def test_a_pattern_with_a_year_restarts_each_year_with_a_month_each_month(
    pattern: str, issued_on: date, scope: str
) -> None:
    assert sequence_scope(pattern, issued_on) == scope


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("", "A numbering pattern cannot be empty: try DEV-{YYYY}-{seq:4}."),
        (
            "DEV-{YYYY}",
            "A numbering pattern needs a sequence number, {seq:N} (e.g. DEV-{YYYY}-{seq:4}).",
        ),
        ("{seq:3}-{seq:4}", "A numbering pattern holds {seq} only once."),
        ("DEV-{seq}{seq}", "A numbering pattern holds {seq} only once."),
        (
            "DEV-{DD}-{seq:4}",
            f"Unknown token {{DD}} {TOKENS}",
        ),
        (
            "DEV-{yyyy}-{seq:4}",
            f"Unknown token {{yyyy}} {TOKENS}",
        ),
        (
            "DEV-{seq:}",
            f"Unknown token {{seq:}} {TOKENS}",
        ),
        (
            "DEV-{seq:x}",
            f"Unknown token {{seq:x}} {TOKENS}",
        ),
        ("DEV-{seq:0}", "{seq:0} pads to 0 digits: choose from 1 to 10."),
        ("DEV-{seq:11}", "{seq:11} pads to 11 digits: choose from 1 to 10."),
        (
            "DEV-{MM}-{seq:4}",
            "{MM} needs {YYYY} or {YY} beside it: without the year, numbers would come back "
            "every year.",
        ),
        ("DEV-{YYYY-{seq:4}", "A brace in the numbering pattern is not closed or not opened."),
        ("DEV-YYYY}-{seq:4}", "A brace in the numbering pattern is not closed or not opened."),
        (
            "DEV {seq:4}",
            "The character ' ' cannot appear in a number: use letters, digits, - _ . /",
        ),
        (
            "DÉV-{seq:4}",
            "The character 'É' cannot appear in a number: use letters, digits, - _ . /",
        ),
        ("D" * 34 + "{seq:4}", "A numbering pattern has at most 40 characters (this one has 41)."),
    ],
)
def test_a_pattern_that_cannot_number_is_refused_saying_why(pattern: str, message: str) -> None:
    with pytest.raises(InvalidPattern) as refused:
        parse_pattern(pattern)
    assert str(refused.value) == message
    # Formatting checks the pattern too.
    with pytest.raises(InvalidPattern):
        format_number(pattern, MARCH_7, 1)


def test_the_longest_pattern_is_accepted() -> None:
    pattern = "D" * (MAX_PATTERN_LENGTH - 7) + "{seq:4}"
    assert format_number(pattern, MARCH_7, 1) == "D" * 33 + "0001"


@pytest.mark.parametrize("seq", [0, -1, True, 1.0])
def test_a_sequence_number_starts_at_one(seq: object) -> None:
    with pytest.raises(ValueError, match=r"^A sequence number is a whole number from 1 \(got "):
        format_number("DEV-{YYYY}-{seq:4}", MARCH_7, seq)  # type: ignore[arg-type]
