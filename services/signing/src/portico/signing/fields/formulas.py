"""Number fields computed from others: ``{quantity} * {unit_price}``, ``round(sum(...), 2)``.

A formula is parsed by a grammar of our own, never by ``eval``: the signer's browser runs
the same grammar (``formulas.js``) while they type and the service runs this one when
they submit, and both must reach the same number. Hence plain binary floating point on
both sides, and a ``round`` that rounds half away from zero the same way in both.

    expression := term (("+" | "-") term)*
    term       := unary (("*" | "/" | "%") unary)*
    unary      := ("-" | "+") unary | primary
    primary    := number | "{" field name "}" | function "(" arguments ")" | "(" expression ")"

An empty field counts as 0 (a total over lines partly filled in); a field whose text is
not a number, or a division by zero, leaves the formula without a value.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

MAX_LENGTH = 500
MAX_DEPTH = 32

TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d+)?|\.\d+)|\{(?P<field>[^{}]+)\}|(?P<name>[a-z_]+)"
    r"|(?P<symbol>[-+*/%(),]))"
)


class FormulaError(ValueError):
    """A formula that cannot be parsed; ``position`` is the offset of the fault."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


# --- Values ---------------------------------------------------------------------------------


def to_number(value: Any) -> float | None:
    """A field's value as a number: ``12``, ``"1 234,50"`` and ``"1234.5"`` all read; an
    empty value is 0; text that is not a number is None."""
    if value is None or value == "" or value is False:
        return 0.0
    if value is True:
        return 1.0
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    text = re.sub(r"[\s\u00a0\u202f]", "", str(value))
    if not text:
        return 0.0
    if "," in text and "." not in text:
        text = text.replace(",", ".")  # a decimal comma (1,5), as French speakers type it
    elif "," in text:
        text = text.replace(",", "")  # thousands separators (1,234.5)
    if not re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)", text):
        return None
    return float(text)


def round_half_away(value: float, digits: int = 0) -> float:
    """``round`` as people expect it (2.5 -> 3, -2.5 -> -3) and as JavaScript computes it
    with the same steps; Python's own rounds half to even."""
    scale = 10.0 ** max(0, min(digits, 10))
    return math.copysign(math.floor(abs(value) * scale + 0.5) / scale, value)


def _round(arguments: Sequence[float]) -> float:
    if len(arguments) not in (1, 2):
        raise ArithmeticError
    return round_half_away(arguments[0], int(arguments[1]) if len(arguments) == 2 else 0)


def _one(function: Callable[[float], float]) -> Callable[[Sequence[float]], float]:
    def apply(arguments: Sequence[float]) -> float:
        if len(arguments) != 1:
            raise ArithmeticError
        return float(function(arguments[0]))

    return apply


FUNCTIONS: dict[str, Callable[[Sequence[float]], float]] = {
    "sum": lambda arguments: float(sum(arguments)),
    "min": lambda arguments: min(arguments),
    "max": lambda arguments: max(arguments),
    "round": _round,
    "abs": _one(abs),
    "floor": _one(math.floor),
    "ceil": _one(math.ceil),
}
# How many arguments each function takes (least, most); None: any number from the least.
ARITY: dict[str, tuple[int, int | None]] = {
    "sum": (1, None),
    "min": (1, None),
    "max": (1, None),
    "round": (1, 2),
    "abs": (1, 1),
    "floor": (1, 1),
    "ceil": (1, 1),
}


# --- The tree -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Number:
    value: float


@dataclass(frozen=True)
class Field:
    name: str


@dataclass(frozen=True)
class Negate:
    operand: Node


@dataclass(frozen=True)
class Binary:
    operator: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Call:
    function: str
    arguments: tuple[Node, ...]


Node = Number | Field | Negate | Binary | Call


class _Undefined(Exception):
    """The formula has no value for these inputs (a division by zero, a word in a number)."""


@dataclass(frozen=True)
class Formula:
    text: str
    tree: Node

    @classmethod
    def parse(cls, text: str) -> Formula:
        if len(text) > MAX_LENGTH:
            raise FormulaError(f"A formula has at most {MAX_LENGTH} characters.", MAX_LENGTH)
        return cls(text=text, tree=_Parser(text).parse())

    @property
    def references(self) -> frozenset[str]:
        """The fields it reads."""
        return frozenset(_references(self.tree))

    def evaluate(self, values: Mapping[str, Any]) -> float | None:
        try:
            result = _evaluate(self.tree, values)
        except (_Undefined, ArithmeticError, ValueError):
            return None
        return result if math.isfinite(result) else None


def _references(node: Node) -> set[str]:
    match node:
        case Field(name):
            return {name}
        case Negate(operand):
            return _references(operand)
        case Binary(_, left, right):
            return _references(left) | _references(right)
        case Call(_, arguments):
            return set().union(*(_references(argument) for argument in arguments))
    return set()


def _evaluate(node: Node, values: Mapping[str, Any]) -> float:
    match node:
        case Number(value):
            return value
        case Field(name):
            number = to_number(values.get(name))
            if number is None:
                raise _Undefined
            return number
        case Negate(operand):
            return -_evaluate(operand, values)
        case Binary(operator, left, right):
            a, b = _evaluate(left, values), _evaluate(right, values)
            if operator in "/%" and b == 0:
                raise _Undefined
            if operator == "+":
                return a + b
            if operator == "-":
                return a - b
            if operator == "*":
                return a * b
            if operator == "/":
                return a / b
            # The sign of the dividend, as JavaScript's % (Python's follows the divisor).
            return math.fmod(a, b)
        case Call(function, arguments):
            return FUNCTIONS[function]([_evaluate(argument, values) for argument in arguments])
    raise _Undefined


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = list(self._tokens(text))
        self.index = 0
        self.depth = 0

    @staticmethod
    def _tokens(text: str) -> list[tuple[str, str, int]]:
        tokens: list[tuple[str, str, int]] = []
        position = 0
        while position < len(text):
            if text[position:].strip() == "":
                break
            found = TOKEN.match(text, position)
            if found is None or found.lastgroup is None:
                start = len(text) - len(text[position:].lstrip())
                raise FormulaError(f"Unexpected character “{text[start]}”.", start)
            lexeme = found.group()
            start = found.start() + len(lexeme) - len(lexeme.lstrip())
            tokens.append((found.lastgroup, found.group(found.lastgroup), start))
            position = found.end()
        return tokens

    def parse(self) -> Node:
        if not self.tokens:
            raise FormulaError("The formula is empty.", 0)
        node = self._expression()
        if self.index < len(self.tokens):
            _, value, position = self.tokens[self.index]
            raise FormulaError(f"Unexpected “{value}”.", position)
        return node

    def _peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def _take(self, symbol: str) -> bool:
        token = self._peek()
        if token is not None and token[0] == "symbol" and token[1] == symbol:
            self.index += 1
            return True
        return False

    def _expect(self, symbol: str) -> None:
        if not self._take(symbol):
            token = self._peek()
            position = token[2] if token else len(self.text)
            raise FormulaError(f"“{symbol}” expected.", position)

    def _expression(self) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FormulaError("The formula is nested too deeply.", self._position())
        node = self._term()
        while True:
            if self._take("+"):
                node = Binary("+", node, self._term())
            elif self._take("-"):
                node = Binary("-", node, self._term())
            else:
                break
        self.depth -= 1
        return node

    def _term(self) -> Node:
        node = self._unary()
        while True:
            for operator in "*/%":
                if self._take(operator):
                    node = Binary(operator, node, self._unary())
                    break
            else:
                return node

    def _unary(self) -> Node:
        if self._take("-"):
            self._deeper()
            operand = self._unary()
            self.depth -= 1
            return Negate(operand)
        if self._take("+"):
            return self._unary()
        return self._primary()

    def _deeper(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FormulaError("The formula is nested too deeply.", self._position())

    def _position(self) -> int:
        token = self._peek()
        return token[2] if token else len(self.text)

    def _primary(self) -> Node:
        token = self._peek()
        if token is None:
            raise FormulaError("The formula ends too soon.", len(self.text))
        kind, value, position = token
        self.index += 1
        if kind == "number":
            return Number(float(value))
        if kind == "field":
            return Field(value.strip())
        if kind == "name":
            if value not in FUNCTIONS:
                raise FormulaError(f"Unknown function “{value}”.", position)
            self._expect("(")
            arguments = [self._expression()]
            while self._take(","):
                arguments.append(self._expression())
            self._expect(")")
            least, most = ARITY[value]
            if len(arguments) < least or (most is not None and len(arguments) > most):
                raise FormulaError(f"Wrong number of values given to “{value}”.", position)
            return Call(value, tuple(arguments))
        if value == "(":
            node = self._expression()
            self._expect(")")
            return node
        raise FormulaError(f"Unexpected “{value}”.", position)
