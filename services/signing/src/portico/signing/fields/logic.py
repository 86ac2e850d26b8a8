"""A form's conditions and formulas together: which fields are shown, what each computes.

Fields are taken in an order where every field comes after those its rule and formula
read, so one pass settles the form; a template whose fields read each other in a circle
is refused when it is saved (``order`` raises ``LogicCycle``). A hidden field's value
counts as empty for the fields that read it, and a computed field's value is what its
formula gives, whatever was posted for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter
from typing import Any

from portico.signing.fields.conditions import Rule
from portico.signing.fields.formulas import Formula


class LogicCycle(ValueError):
    def __init__(self, names: list[str]) -> None:
        super().__init__("These fields depend on each other in a circle: " + ", ".join(names))
        self.names = names


@dataclass(frozen=True)
class FieldLogic:
    name: str
    rule: Rule | None = None
    formula: Formula | None = None

    @property
    def references(self) -> frozenset[str]:
        found: frozenset[str] = frozenset()
        if self.rule is not None:
            found |= self.rule.references
        if self.formula is not None:
            found |= self.formula.references
        return found


@dataclass
class FormState:
    visible: set[str] = field(default_factory=set)
    # The values posted for visible fields, with computed ones replaced by their result.
    values: dict[str, Any] = field(default_factory=dict)

    def shown(self, name: str) -> bool:
        return name in self.visible


def order(fields: Iterable[FieldLogic]) -> list[FieldLogic]:
    """The fields with every one after those it reads; a reference to a field the form
    does not have reads as empty."""
    by_name = {logic.name: logic for logic in fields}
    graph = {
        name: {reference for reference in logic.references if reference in by_name}
        for name, logic in by_name.items()
    }
    try:
        return [by_name[name] for name in TopologicalSorter(graph).static_order()]
    except CycleError as cycle:
        raise LogicCycle(list(dict.fromkeys(cycle.args[1]))) from cycle


def evaluate(fields: Iterable[FieldLogic], posted: Mapping[str, Any]) -> FormState:
    state = FormState()
    for logic in order(fields):
        if logic.rule is not None and not logic.rule.holds(state.values):
            continue
        state.visible.add(logic.name)
        if logic.formula is not None:
            state.values[logic.name] = logic.formula.evaluate(state.values)
        elif logic.name in posted:
            state.values[logic.name] = posted[logic.name]
    return state
