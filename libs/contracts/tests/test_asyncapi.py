"""docs/asyncapi.yaml: current, structurally AsyncAPI 3, and true to the events on the wire."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from portico.contracts import Envelope, all_events
from portico.contracts.asyncapi import build_document, main, render

COMMITTED = Path(__file__).resolve().parents[3] / "docs" / "asyncapi.yaml"
DOCUMENT_URI = "urn:portico:asyncapi"
DOCUMENT = build_document()
MESSAGES = sorted(DOCUMENT["components"]["messages"])
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@pytest.fixture(scope="module")
def rendered() -> str:
    return render()


@pytest.fixture(scope="module")
def published(rendered: str) -> dict[str, Any]:
    """The document as a reader of the YAML file gets it."""
    loaded: dict[str, Any] = yaml.load(rendered, Loader=Loader)
    return loaded


def test_the_committed_document_is_up_to_date(rendered: str) -> None:
    assert COMMITTED.read_text(encoding="utf-8") == rendered, (
        "docs/asyncapi.yaml is out of date with the event schemas: run `make asyncapi`"
    )


def test_the_command_writes_the_document_and_checks_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rendered: str
) -> None:
    target = tmp_path / "docs" / "asyncapi.yaml"
    assert main(["--output", str(target), "--check"]) == 1
    assert "make asyncapi" in capsys.readouterr().err
    assert main(["--output", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == rendered
    assert main(["--output", str(target), "--check"]) == 0


def resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), f"{ref} is not a local reference"
    node: Any = document
    for part in ref[2:].split("/"):
        assert isinstance(node, dict) and part in node, f"unresolved reference {ref}"
        node = node[part]
    return node


def refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in refs(value)]
    if isinstance(node, list):
        return [ref for item in node for ref in refs(item)]
    return []


def test_the_document_is_asyncapi_3_with_a_rabbitmq_server(published: dict[str, Any]) -> None:
    document = published
    assert document["asyncapi"] == "3.1.0"
    assert {"title", "version"} <= set(document["info"])
    assert document["servers"]["rabbitmq"]["protocol"] == "amqp"
    assert set(document) <= {
        "asyncapi",
        "id",
        "info",
        "servers",
        "defaultContentType",
        "channels",
        "operations",
        "components",
    }


def test_every_reference_resolves(published: dict[str, Any]) -> None:
    document = published
    found = refs(document)
    assert len(found) > 3 * len(all_events())
    for ref in found:
        resolve(document, ref)


def test_each_event_has_its_channel_on_the_exchange_and_its_message() -> None:
    channels = DOCUMENT["channels"]
    assert sorted(channel["address"] for channel in channels.values()) == sorted(all_events())
    for channel in channels.values():
        amqp = channel["bindings"]["amqp"]
        assert amqp["is"] == "routingKey"
        assert (amqp["exchange"]["name"], amqp["exchange"]["type"]) == ("portico.events", "topic")
        assert channel["messages"], channel["address"]
        for message_ref in channel["messages"].values():
            message = resolve(DOCUMENT, message_ref["$ref"])
            assert message["bindings"]["amqp"]["messageType"] == channel["address"]
            envelope_part = message["payload"]["allOf"][1]
            assert envelope_part["properties"]["type"]["const"] == channel["address"]


def test_each_operation_sends_a_message_of_its_own_channel_from_its_service() -> None:
    operations = DOCUMENT["operations"]
    assert len(operations) == len(all_events())
    for operation_id, operation in operations.items():
        assert operation["action"] == "send"
        channel_ref = operation["channel"]["$ref"]
        channel = resolve(DOCUMENT, channel_ref)
        assert operation_id.split(".")[0] == channel["address"].split(".")[1]
        assert operation["messages"], operation_id
        for message in operation["messages"]:
            # AsyncAPI 3: an operation's messages must be among its channel's messages.
            assert message["$ref"].startswith(channel_ref + "/messages/")
            resolve(DOCUMENT, message["$ref"])


def message_validator(message: str, part: str) -> jsonschema.Draft7Validator:
    registry: Registry[Any] = Registry().with_resource(
        DOCUMENT_URI, Resource.from_contents(DOCUMENT, default_specification=DRAFT7)
    )
    schema = {"$ref": f"{DOCUMENT_URI}#/components/messages/{message}/{part}"}
    return jsonschema.Draft7Validator(
        schema, registry=registry, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )


@pytest.mark.parametrize("message", MESSAGES)
def test_every_example_validates_against_the_published_schema(message: str) -> None:
    examples = DOCUMENT["components"]["messages"][message]["examples"]
    assert examples
    for example in examples:
        message_validator(message, "payload").validate(example["payload"])
        message_validator(message, "headers").validate(example["headers"])


@pytest.mark.parametrize("message", MESSAGES)
def test_the_published_schema_describes_the_envelope_the_bus_carries(message: str) -> None:
    envelope = Envelope.model_validate(
        DOCUMENT["components"]["messages"][message]["examples"][0]["payload"]
    )
    wired = Envelope.wrap(envelope.event(), source=envelope.source, causation_id="e-0")
    document = orjson.loads(wired.to_json())
    validator = message_validator(message, "payload")
    validator.validate(document)

    newer = copy.deepcopy(document)
    newer["data"]["field_added_later"] = "consumers accept it"
    validator.validate(newer)

    without_id = {key: value for key, value in document.items() if key != "id"}
    assert not validator.is_valid(without_id)
    wrong_type = {**document, "type": "portico.portal.something_else.v1"}
    assert not validator.is_valid(wrong_type)


def test_the_published_schema_refuses_what_the_models_refuse() -> None:
    message = "quotes.QuoteSent.v1"
    payload = DOCUMENT["components"]["messages"][message]["examples"][0]["payload"]
    validator = message_validator(message, "payload")
    for amount in (12500.0, "12,500.00", "1e4"):
        broken = copy.deepcopy(payload)
        broken["data"]["total_including_tax"] = amount
        assert not validator.is_valid(broken), amount
    missing = copy.deepcopy(payload)
    del missing["data"]["quote_url"]
    assert not validator.is_valid(missing)


def test_secret_links_are_marked_in_the_document() -> None:
    schemas = DOCUMENT["components"]["schemas"]
    assert schemas["signing.SubmissionSent.v1"]["properties"]["signing_url"]["x-secret"] is True
    assert schemas["SignedCopy"]["properties"]["copy_url"]["x-secret"] is True
    assert "x-secret" not in schemas["portal.WorkspaceShared.v1"]["properties"]["workspace_url"]
