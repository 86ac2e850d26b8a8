"""When a field is shown (and so may be required): conditions on other fields' values.

A rule joins its conditions by ``all`` or ``any``. The signer's browser evaluates the same
rules (``conditions.js``) as they fill the document; the service evaluates them again on
submission, and what the service decides is what counts.

Values are what the form holds: text, a number, True/False for a checkbox, a list of
options for a multiple choice. Text compares trimmed and without regard to case; a
comparison of size reads both sides as numbers (``to_number``) and is false when either
is not one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from portico.signing.fields.formulas import to_number


class Operator(StrEnum):
    EMPTY = "empty"
    NOT_EMPTY = "not_empty"
    EQUALS = "equals"
    NOT_EQUALS = "not_equals"
    CONTAINS = "contains"
    NOT_CONTAINS = "not_contains"
    GREATER_THAN = "greater_than"
    LESS_THAN = "less_than"
    AT_LEAST = "at_least"
    AT_MOST = "at_most"


# The operators that need a value to compare with.
WITH_VALUE = frozenset(Operator) - {Operator.EMPTY, Operator.NOT_EMPTY}


@dataclass(frozen=True)
class Condition:
    field: str
    operator: Operator
    value: str = ""

    def holds(self, values: Mapping[str, Any]) -> bool:
        actual = values.get(self.field)
        match self.operator:
            case Operator.EMPTY:
                return is_empty(actual)
            case Operator.NOT_EMPTY:
                return not is_empty(actual)
            case Operator.EQUALS:
                return _equals(actual, self.value)
            case Operator.NOT_EQUALS:
                return not _equals(actual, self.value)
            case Operator.CONTAINS:
                return _contains(actual, self.value)
            case Operator.NOT_CONTAINS:
                return not _contains(actual, self.value)
        return _compares(self.operator, actual, self.value)


@dataclass(frozen=True)
class Rule:
    conditions: tuple[Condition, ...]
    join: Literal["all", "any"] = "all"

    @property
    def references(self) -> frozenset[str]:
        return frozenset(condition.field for condition in self.conditions)

    def holds(self, values: Mapping[str, Any]) -> bool:
        results = (condition.holds(values) for condition in self.conditions)
        return all(results) if self.join == "all" else any(results)


def is_empty(value: Any) -> bool:
    """Nothing typed, nothing chosen, an unticked box."""
    if value is None or value is False:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple):
        return not value
    return False


def _text(value: Any) -> str:
    if value is True:
        return "true"
    if value is None or value is False:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip().lower()


def _equals(actual: Any, expected: str) -> bool:
    if isinstance(actual, list | tuple):
        # A multiple choice equals an option when that option is among those chosen.
        return any(_equals(item, expected) for item in actual)
    if isinstance(actual, int | float) and not isinstance(actual, bool):
        number = to_number(expected)
        return number is not None and expected.strip() != "" and float(actual) == number
    return _text(actual) == _text(expected)


def _contains(actual: Any, expected: str) -> bool:
    if isinstance(actual, list | tuple):
        return any(_equals(item, expected) for item in actual)
    return _text(expected) in _text(actual)


def _compares(operator: Operator, actual: Any, expected: str) -> bool:
    if is_empty(actual) or not expected.strip():
        return False
    a, b = to_number(actual), to_number(expected)
    if a is None or b is None:
        return False
    if operator == Operator.GREATER_THAN:
        return a > b
    if operator == Operator.LESS_THAN:
        return a < b
    if operator == Operator.AT_LEAST:
        return a >= b
    return a <= b
