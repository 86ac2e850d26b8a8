"""docs/asyncapi.yaml is current and every reference in it resolves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from portico.contracts import all_events
from portico.contracts.asyncapi import build_document, render

COMMITTED = Path(__file__).resolve().parents[3] / "docs" / "asyncapi.yaml"


def test_the_committed_document_is_up_to_date() -> None:
    assert COMMITTED.read_text() == render(), (
        "docs/asyncapi.yaml is out of date with the event schemas: run `make asyncapi`"
    )


def resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = document
    for part in ref[2:].split("/"):
        assert part in node, f"unresolved reference {ref}"
        node = node[part]
    return node


def refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in refs(value)]
    if isinstance(node, list):
        return [ref for item in node for ref in refs(item)]
    return []


def test_the_document_is_asyncapi_3_with_one_channel_and_operation_per_event() -> None:
    document = yaml.safe_load(render())
    assert document["asyncapi"] == "3.0.0"
    assert {channel["address"] for channel in document["channels"].values()} == set(all_events())
    assert len(document["operations"]) == len(all_events())
    for operation in document["operations"].values():
        assert operation["action"] == "send"
        resolve(document, operation["channel"]["$ref"])
    for ref in refs(document):
        resolve(document, ref)


def test_payload_schemas_say_which_fields_are_required() -> None:
    schemas = build_document()["components"]["schemas"]
    completed = schemas["signing.DocumentCompleted.v1"]
    assert "completed_pdf_sha256" in completed["required"]
    assert "mapped_fields" not in completed["required"]
