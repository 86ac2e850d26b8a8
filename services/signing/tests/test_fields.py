"""A template's fields: each field's schema, the checks across fields, prefills."""

from typing import Any

import pytest
from pydantic import ValidationError

from portico.signing.fields.checks import check_fields, sendable_problem
from portico.signing.fields.prefill import SAMPLE_CLIENT, SAMPLE_CONTACT, resolve
from portico.signing.fields.spec import FieldSpec, FieldType


def field(**overrides: Any) -> FieldSpec:
    values: dict[str, Any] = {
        "name": "f",
        "type": "text",
        "role": "Client",
        "page": 0,
        "x": 0.1,
        "y": 0.1,
        "w": 0.3,
        "h": 0.05,
    }
    return FieldSpec.model_validate(values | overrides)


def errors_of(*fields: FieldSpec, pages: int = 2) -> dict[str, str]:
    found = check_fields(fields, page_count=pages, roles=["Client", "Company"])
    return {str(error.field): error.message for error in found}


@pytest.mark.parametrize("kind", list(FieldType))
def test_every_type_of_field_is_accepted_on_its_own(kind: FieldType) -> None:
    extra: dict[str, Any] = (
        {"options": ["A", "B"]} if kind in {"radio", "select", "multiple"} else {}
    )
    if kind == FieldType.CELLS:
        extra["cells"] = 27
    assert errors_of(field(type=kind, **extra)) == {}


@pytest.mark.parametrize(
    ("overrides", "location"),
    [
        ({"x": 0.8, "w": 0.3}, ()),
        ({"y": -0.1}, ("y",)),
        ({"w": 0}, ("w",)),
        ({"type": "hologram"}, ("type",)),
        ({"name": "  "}, ("name",)),
        ({"validation": {"pattern": "(unclosed"}}, ("validation",)),
        ({"validation": {"min": 5, "max": 1}}, ("validation",)),
        ({"condition": {"conditions": []}}, ("condition", "conditions")),
        ({"colour": "red"}, ("colour",)),
    ],
)
def test_a_field_out_of_its_schema_is_refused_naming_what_is_wrong(
    overrides: dict[str, Any], location: tuple[str, ...]
) -> None:
    with pytest.raises(ValidationError) as refused:
        field(**overrides)
    assert refused.value.errors()[0]["loc"][: len(location)] == location


def test_checks_across_fields_name_the_field_at_fault() -> None:
    found = errors_of(
        field(name="a"),
        field(name="a", page=2),
        field(name="b", role="Witness"),
        field(name="c", type="radio"),
        field(name="d", type="cells"),
        field(name="e", formula="{a} * 2"),
        field(name="f", mapping="client.address"),
        field(name="g", prefill="{{client.name}} {{client.shoe_size}}"),
        field(name="h", validation={"min": 1}),
        field(name="i", type="checkbox", validation={"pattern": "x"}),
    )
    assert set(found) == {
        "fields.1.name",
        "fields.1.page",
        "fields.2.role",
        "fields.3.options",
        "fields.4.cells",
        "fields.5.formula",
        "fields.6.mapping",
        "fields.7.prefill",
        "fields.8.validation",
        "fields.9.validation",
    }
    assert found["fields.1.page"] == "The document has 2 page(s)."
    assert "Client, Company" in found["fields.2.role"]
    assert found["fields.7.prefill"] == "Unknown value: {{client.shoe_size}}"


def test_formulas_and_conditions_must_read_fields_that_exist_and_not_go_round() -> None:
    assert (
        errors_of(
            field(name="qty", type="number"),
            field(name="price", type="number"),
            field(name="total", type="number", formula="{qty} * {price}"),
            field(
                name="po",
                condition={
                    "join": "any",
                    "conditions": [{"field": "total", "operator": "at_least", "value": "1000"}],
                },
            ),
        )
        == {}
    )
    found = errors_of(
        field(name="a", type="number", formula="{b} + {nothing}"),
        field(name="b", type="number", formula="round({a}"),
        field(name="c", condition={"conditions": [{"field": "c", "operator": "empty"}]}),
    )
    assert found == {
        "fields.0.formula": "There is no field named “nothing”.",
        "fields.1.formula": "“)” expected. (at character 10)",
        "fields.2.condition": "A field cannot depend on itself.",
    }
    circle = errors_of(
        field(name="a", type="number", formula="{b} + 1"),
        field(name="b", type="number", formula="{a} + 1"),
    )
    assert list(circle) in (["fields.0.formula"], ["fields.1.formula"])
    assert "circle" in next(iter(circle.values()))


def test_a_template_without_a_field_to_fill_cannot_be_sent() -> None:
    assert sendable_problem([]) is not None
    assert sendable_problem([field(type="readonly"), field(type="signing_date")]) is not None
    assert sendable_problem([field(type="readonly"), field(type="signature")]) is None


def test_prefills_resolve_from_the_client_and_the_signer() -> None:
    text = "{{client.name}} ({{ client.legal_id }}), {{client.address.city}}, {{contact.full_name}}"
    assert resolve(text, SAMPLE_CLIENT, SAMPLE_CONTACT) == (
        "Dupont & Fils SARL (FR 123 456 789), Paris, Camille Martin"
    )
    client = {"name": "Acme", "attributes": {"vat_number": "FR999"}, "address": None}
    assert (
        resolve(
            "{{client.attributes.vat_number}}|{{client.address.city}}|{{contact.email}}",
            client,
            None,
        )
        == "FR999||"
    )
    assert resolve("{{client.attributes}}", client, None) == ""
    assert resolve("no placeholders {{ not one", client, None) == "no placeholders {{ not one"
