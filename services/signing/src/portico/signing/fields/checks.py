"""The checks a template's fields pass together, beyond what each field's schema says.

Each error names the field at fault by its place in the list (``fields.3.formula``) so the
editor shows it beside that field.
"""

from __future__ import annotations

from collections.abc import Sequence

from portico.kit.problems import FieldError
from portico.signing.fields.conditions import Condition, Rule
from portico.signing.fields.formulas import Formula, FormulaError
from portico.signing.fields.logic import FieldLogic, LogicCycle, order
from portico.signing.fields.prefill import known_name, names_in, writable
from portico.signing.fields.spec import INTERACTIVE, TYPED, WITH_OPTIONS, FieldSpec, FieldType


def _error(index: int, attribute: str, message: str, code: str, **params: str | int) -> FieldError:
    return FieldError(
        field=f"fields.{index}.{attribute}",
        location="body",
        message=message,
        code=code,
        params=params or None,
    )


def check_fields(
    fields: Sequence[FieldSpec], *, page_count: int, roles: Sequence[str]
) -> list[FieldError]:
    errors: list[FieldError] = []
    names: dict[str, int] = {}
    for index, spec in enumerate(fields):
        if spec.name in names:
            errors.append(
                _error(
                    index,
                    "name",
                    f"Another field is already named “{spec.name}”.",
                    "duplicate_name",
                    name=spec.name,
                )
            )
        names.setdefault(spec.name, index)
        if spec.page >= page_count:
            errors.append(
                _error(
                    index,
                    "page",
                    f"The document has {page_count} page(s).",
                    "no_such_page",
                    count=page_count,
                )
            )
        if spec.role not in roles:
            errors.append(
                _error(
                    index,
                    "role",
                    "Choose one of the template's roles: " + ", ".join(roles),
                    "unknown_role",
                    roles=", ".join(roles),
                )
            )
        errors.extend(_check_kind(index, spec))
    if errors:
        return errors
    logic, logic_errors = _logic(fields, names)
    errors.extend(logic_errors)
    if not errors:
        try:
            order(logic)
        except LogicCycle as cycle:
            index = names[cycle.names[0]]
            message = "These fields depend on each other in a circle: " + ", ".join(cycle.names)
            errors.append(_error(index, "formula", message, "cycle", names=", ".join(cycle.names)))
    return errors


def _check_kind(index: int, spec: FieldSpec) -> list[FieldError]:
    errors: list[FieldError] = []
    if spec.type in WITH_OPTIONS and not spec.options:
        errors.append(_error(index, "options", "Give at least one option.", "no_options"))
    if spec.type == FieldType.CELLS and spec.cells is None:
        errors.append(_error(index, "cells", "Say how many boxes it has.", "no_cells"))
    if spec.formula is not None and spec.type != FieldType.NUMBER:
        errors.append(
            _error(index, "formula", "Only a number field has a formula.", "formula_not_number")
        )
    if spec.mapping is not None and not writable(spec.mapping):
        message = (
            "A document writes back client.name, legal_id, phone or website, "
            "client.address.<part>, client.attributes.<name> or contact.<field>."
        )
        errors.append(_error(index, "mapping", message, "unknown_mapping"))
    if spec.mapping is not None and spec.type not in INTERACTIVE | {FieldType.SIGNING_DATE}:
        errors.append(
            _error(
                index,
                "mapping",
                "A read-only field has no value to write back.",
                "read_only_mapping",
            )
        )
    if spec.prefill is not None:
        unknown = [name for name in names_in(spec.prefill) if not known_name(name)]
        if unknown:
            tokens = ", ".join("{{" + name + "}}" for name in unknown)
            message = f"Unknown value: {tokens}"
            errors.append(_error(index, "prefill", message, "unknown_prefill", names=tokens))
    validation = spec.validation
    if validation is not None:
        if (validation.min is not None or validation.max is not None) and (
            spec.type != FieldType.NUMBER
        ):
            errors.append(
                _error(
                    index, "validation", "Only a number field has a min or max.", "range_not_number"
                )
            )
        if validation.pattern is not None and spec.type not in TYPED:
            errors.append(
                _error(
                    index,
                    "validation",
                    "Only a typed text field has a pattern.",
                    "pattern_not_text",
                )
            )
    return errors


def _logic(
    fields: Sequence[FieldSpec], names: dict[str, int]
) -> tuple[list[FieldLogic], list[FieldError]]:
    logic: list[FieldLogic] = []
    errors: list[FieldError] = []
    for index, spec in enumerate(fields):
        formula = None
        if spec.formula is not None:
            try:
                formula = Formula.parse(spec.formula)
            except FormulaError as error:
                message = f"{error.message} (at character {error.position + 1})"
                errors.append(
                    _error(index, "formula", message, "formula_syntax", position=error.position + 1)
                )
            else:
                errors.extend(_references(index, "formula", formula.references, spec, names))
        rule = None
        if spec.condition is not None:
            rule = Rule(
                tuple(
                    Condition(condition.field, condition.operator, condition.value)
                    for condition in spec.condition.conditions
                ),
                spec.condition.join,
            )
            errors.extend(_references(index, "condition", rule.references, spec, names))
        logic.append(FieldLogic(spec.name, rule=rule, formula=formula))
    return logic, errors


def _references(
    index: int, attribute: str, references: frozenset[str], spec: FieldSpec, names: dict[str, int]
) -> list[FieldError]:
    errors = []
    for reference in sorted(references):
        if reference == spec.name:
            errors.append(
                _error(index, attribute, "A field cannot depend on itself.", "self_reference")
            )
        elif reference not in names:
            errors.append(
                _error(
                    index,
                    attribute,
                    f"There is no field named “{reference}”.",
                    "unknown_field",
                    name=reference,
                )
            )
    return errors


def sendable_problem(fields: Sequence[FieldSpec]) -> str | None:
    """Why the template cannot be sent yet, or None when it can."""
    if not any(spec.type in INTERACTIVE for spec in fields):
        return "The template has no field for a signer to fill in or sign."
    return None
