"""The evaluator of conditions and formulas against the cases the browser's runs too."""

import json
from pathlib import Path
from typing import Any

import pytest

from portico.signing.fields.conditions import Condition, Operator, Rule
from portico.signing.fields.formulas import Formula, FormulaError, round_half_away, to_number
from portico.signing.fields.logic import FieldLogic, LogicCycle, evaluate, order

CASES = json.loads((Path(__file__).parent / "cases" / "expressions.json").read_text())


def rule_of(data: dict[str, Any]) -> Rule:
    conditions = tuple(
        Condition(item["field"], Operator(item["operator"]), item.get("value", ""))
        for item in data["conditions"]
    )
    return Rule(conditions, data["join"])


@pytest.mark.parametrize("case", CASES["formulas"], ids=lambda case: case["formula"])
def test_a_formula_computes_its_value(case: dict[str, Any]) -> None:
    assert Formula.parse(case["formula"]).evaluate(case["values"]) == case["expected"]


@pytest.mark.parametrize("case", CASES["invalid_formulas"], ids=lambda case: case["formula"])
def test_a_malformed_formula_is_refused_where_it_goes_wrong(case: dict[str, Any]) -> None:
    with pytest.raises(FormulaError) as refused:
        Formula.parse(case["formula"])
    assert refused.value.position == case["position"]
    assert refused.value.message


@pytest.mark.parametrize("case", CASES["conditions"])
def test_a_rule_holds_or_not(case: dict[str, Any]) -> None:
    assert rule_of(case["rule"]).holds(case["values"]) is case["expected"]


def test_a_formula_names_the_fields_it_reads() -> None:
    formula = Formula.parse("round(sum({a}, {b} * 2), 2) - {a}")
    assert formula.references == {"a", "b"}


def test_a_formula_too_long_or_too_deep_is_refused_before_it_is_evaluated() -> None:
    with pytest.raises(FormulaError, match="at most 500"):
        Formula.parse("1+" * 300 + "1")
    with pytest.raises(FormulaError, match="nested too deeply"):
        Formula.parse("(" * 40 + "1" + ")" * 40)
    with pytest.raises(FormulaError, match="nested too deeply"):
        Formula.parse("-" * 40 + "1")


def test_numbers_read_as_people_type_them() -> None:
    assert to_number("") == 0
    assert to_number(None) == 0
    assert to_number("-3,5") == -3.5
    assert to_number("+2") == 2
    assert to_number(float("nan")) is None
    assert to_number("1.2.3") is None
    assert to_number("12 €") is None


def test_rounding_goes_half_away_from_zero() -> None:
    assert round_half_away(0.5) == 1
    assert round_half_away(-0.5) == -1
    assert round_half_away(2.675, 2) == 2.68
    assert round_half_away(12.3456, 2) == 12.35


def test_a_form_is_settled_in_one_pass_whatever_the_order_of_its_fields() -> None:
    fields = [
        FieldLogic("total", formula=Formula.parse("{subtotal} * 1.2")),
        FieldLogic("subtotal", formula=Formula.parse("{quantity} * {price}")),
        FieldLogic("quantity"),
        FieldLogic("price"),
        FieldLogic(
            "purchase_order",
            rule=Rule((Condition("total", Operator.GREATER_THAN, "1000"),)),
        ),
    ]
    small = evaluate(fields, {"quantity": "2", "price": "100", "total": "999999"})
    assert small.values["total"] == 240
    assert not small.shown("purchase_order")
    large = evaluate(fields, {"quantity": "10", "price": "100", "purchase_order": "PO-7"})
    assert large.values["total"] == 1200
    assert large.values["purchase_order"] == "PO-7"


def test_a_hidden_field_counts_as_empty_for_those_that_read_it() -> None:
    fields = [
        FieldLogic("company", rule=Rule((Condition("kind", Operator.EQUALS, "company"),))),
        FieldLogic("vat", rule=Rule((Condition("company", Operator.NOT_EMPTY),))),
        FieldLogic("kind"),
    ]
    state = evaluate(fields, {"kind": "person", "company": "Dupont SARL", "vat": "FR123"})
    assert state.visible == {"kind"}
    assert state.values == {"kind": "person"}


def test_fields_that_read_each_other_in_a_circle_are_refused() -> None:
    fields = [
        FieldLogic("a", formula=Formula.parse("{b} + 1")),
        FieldLogic("b", rule=Rule((Condition("c", Operator.NOT_EMPTY),))),
        FieldLogic("c", formula=Formula.parse("{a}")),
        FieldLogic("d", formula=Formula.parse("{missing} + 1")),
    ]
    with pytest.raises(LogicCycle) as cycle:
        order(fields)
    assert set(cycle.value.names) == {"a", "b", "c"}
    assert [logic.name for logic in order(fields[3:])] == ["d"]
