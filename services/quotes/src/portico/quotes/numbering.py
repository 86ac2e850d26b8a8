"""Quote and invoice numbers from a pattern staff choose: ``DEV-{YYYY}-{seq:4}`` gives
DEV-2025-0042, ``FAC-{YYYY}-{seq:5}`` gives FAC-2025-00001.

Tokens:

- ``{YYYY}``: the year of issue (2025); ``{YY}``: its last two digits (25);
- ``{MM}``: the month of issue, two digits (03);
- ``{seq:N}``: the sequence number, zero-padded to N digits (1 to 10) and growing past N
  when it must (never cut: a cut number would repeat); ``{seq}`` is not padded.

A pattern holds exactly one ``{seq…}``; other characters are letters, digits and
``- _ . /``, because numbers end up in file names, e-mail subjects and accounting exports.

Which counter a number draws from follows the pattern (``sequence_scope``): with a year,
the sequence restarts each year; with a month too, each month; without either, never. A
month without a year is refused: March 2025's DEV-03-0001 would come back in March 2026.
Storing the counters and allocating without gaps belongs to the database, not here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

MAX_PATTERN_LENGTH = 40
MAX_SEQ_DIGITS = 10
# The scope of a pattern whose sequence never restarts.
NEVER = "all"

_TOKEN = re.compile(r"\{([^{}]*)\}")
_LITERAL = re.compile(r"[A-Za-z0-9_./-]*")
_SEQ = re.compile(r"seq(?::(\d+))?")
_DATE_TOKENS = ("YYYY", "YY", "MM")


class InvalidPattern(ValueError):
    """A numbering pattern that cannot number anything; the message says what to change."""


@dataclass(frozen=True)
class NumberPattern:
    """A checked pattern: its parts are literal text, a date token, or the sequence
    (``seq_digits``, 1 when unpadded)."""

    parts: tuple[str, ...]
    seq_digits: int

    @property
    def restarts_yearly(self) -> bool:
        return "{YYYY}" in self.parts or "{YY}" in self.parts

    @property
    def restarts_monthly(self) -> bool:
        return "{MM}" in self.parts


@lru_cache(maxsize=64)
def parse_pattern(pattern: str) -> NumberPattern:
    """The pattern checked and split; raises ``InvalidPattern`` saying why not."""
    if not pattern:
        raise InvalidPattern("A numbering pattern cannot be empty: try DEV-{YYYY}-{seq:4}.")
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise InvalidPattern(
            f"A numbering pattern has at most {MAX_PATTERN_LENGTH} characters "
            f"(this one has {len(pattern)})."
        )
    parts: list[str] = []
    seq_digits: int | None = None
    position = 0
    for token in _TOKEN.finditer(pattern):
        _check_literal(pattern[position : token.start()])
        if token.start() > position:
            parts.append(pattern[position : token.start()])
        name = token.group(1)
        seq = _SEQ.fullmatch(name)
        if seq is not None:
            if seq_digits is not None:
                raise InvalidPattern("A numbering pattern holds {seq} only once.")
            seq_digits = _seq_digits(seq.group(1))
            parts.append("{seq}")
        elif name in _DATE_TOKENS:
            parts.append(token.group(0))
        else:
            raise InvalidPattern(
                f"Unknown token {token.group(0)} in the numbering pattern: "
                "the tokens are {YYYY}, {YY}, {MM} and {seq:N}."
            )
        position = token.end()
    _check_literal(pattern[position:])
    if position < len(pattern):
        parts.append(pattern[position:])
    if seq_digits is None:
        raise InvalidPattern(
            "A numbering pattern needs a sequence number, {seq:N} (e.g. DEV-{YYYY}-{seq:4})."
        )
    checked = NumberPattern(tuple(parts), seq_digits)
    if checked.restarts_monthly and not checked.restarts_yearly:
        raise InvalidPattern(
            "{MM} needs {YYYY} or {YY} beside it: without the year, numbers would come "
            "back every year."
        )
    return checked


def format_number(pattern: str, issued_on: date, seq: int) -> str:
    """The number ``seq`` of ``pattern`` for a document issued on ``issued_on``."""
    checked = parse_pattern(pattern)
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
        raise ValueError(f"A sequence number is a whole number from 1 (got {seq!r}).")
    values = {
        "{YYYY}": f"{issued_on.year:04d}",
        "{YY}": f"{issued_on.year % 100:02d}",
        "{MM}": f"{issued_on.month:02d}",
        "{seq}": f"{seq:0{checked.seq_digits}d}",
    }
    return "".join(values.get(part, part) for part in checked.parts)


def sequence_scope(pattern: str, issued_on: date) -> str:
    """Which counter a number of ``pattern`` issued on ``issued_on`` draws from: the year
    (``2025``), the month (``2025-03``), or ``all`` for a pattern that never restarts."""
    checked = parse_pattern(pattern)
    if checked.restarts_monthly:
        return f"{issued_on.year:04d}-{issued_on.month:02d}"
    if checked.restarts_yearly:
        return f"{issued_on.year:04d}"
    return NEVER


def _seq_digits(digits: str | None) -> int:
    if digits is None:
        return 1
    width = int(digits)
    if not 1 <= width <= MAX_SEQ_DIGITS:
        raise InvalidPattern(
            f"{{seq:{digits}}} pads to {width} digits: choose from 1 to {MAX_SEQ_DIGITS}."
        )
    return width


def _check_literal(text: str) -> None:
    if "{" in text or "}" in text:
        raise InvalidPattern("A brace in the numbering pattern is not closed or not opened.")
    if _LITERAL.fullmatch(text) is None:
        bad = next(char for char in text if _LITERAL.fullmatch(char) is None)
        raise InvalidPattern(
            f"The character {bad!r} cannot appear in a number: use letters, digits, - _ . /"
        )
