"""Numbers as people type them and as the forms show them again: "1 234,50" and "1234.50"
are the same price. The service takes decimals as strings, never floats."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from babel.numbers import get_decimal_symbol

from portico.gateway.web.i18n import current_locale

# Digits with at most one decimal point, no exponent ("1e9" is not a price anyone types).
PLAIN_NUMBER = re.compile(r"^-?(\d+(\.\d*)?|\.\d+)$")
# Spaces people (and French number formatting) put between thousands.
GROUPING = re.compile(r"[\s\u00a0\u202f\u2009']")


class NotANumber(ValueError):
    pass


def parse_number(text: str) -> Decimal | None:
    """What was typed as a Decimal; None when nothing was; ``NotANumber`` otherwise."""
    cleaned = GROUPING.sub("", text).replace(",", ".")
    if not cleaned:
        return None
    if not PLAIN_NUMBER.match(cleaned):
        raise NotANumber(text)
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        raise NotANumber(text) from None


def as_request(text: str) -> str | None:
    """A typed number as the service takes it ("1234.50"), or None when left empty."""
    number = parse_number(text)
    return None if number is None else format(number, "f")


def is_number(text: str) -> bool:
    try:
        parse_number(text)
    except NotANumber:
        return False
    return True


def for_input(value: Decimal | None, *, trim: bool = False) -> str:
    """A number as an input shows it, in the page's language ("5,5" in French), without
    grouping so that it reads back as typed; ``trim`` drops trailing zeros (a rate kept
    as 20.00 reads 20)."""
    if value is None:
        return ""
    if trim:
        value = value.normalize()
    return format(value, "f").replace(".", get_decimal_symbol(current_locale()))
