"""AsyncAPI 3 document of every event: ``python -m portico.contracts.asyncapi --output FILE``."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

import yaml

from portico.contracts.envelope import Envelope
from portico.contracts.registry import all_events

EXCHANGE = "portico.events"
REF_PREFIX = "#/components/schemas/"


def _name(event_type: str) -> str:
    """``portico.signing.document_completed.v1`` → ``signing.DocumentCompleted.v1``."""
    _, service, event, version = event_type.split(".")
    return f"{service}.{''.join(part.title() for part in event.split('_'))}.{version}"


def _lift_defs(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    """Move pydantic's local ``$defs`` to components/schemas and point the refs there."""
    for name, definition in schema.pop("$defs", {}).items():
        definition = _rewrite_refs(definition)
        if components.setdefault(name, definition) != definition:
            raise ValueError(f"two different schemas are named {name!r}")
    return _rewrite_refs(schema)


def _rewrite_refs(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: (value.replace("#/$defs/", REF_PREFIX) if key == "$ref" else _rewrite_refs(value))
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rewrite_refs(item) for item in node]
    return node


def build_document() -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    envelope = Envelope.model_json_schema()
    envelope["properties"].pop("data")
    envelope["required"] = [name for name in envelope.get("required", []) if name != "data"]
    schemas["Envelope"] = envelope

    for event_type, model in all_events().items():
        name = _name(event_type)
        service = event_type.split(".")[1]
        payload = _lift_defs(model.model_json_schema(ref_template="#/$defs/{model}"), schemas)
        examples = payload.pop("examples", [])
        schemas[name] = payload
        message: dict[str, Any] = {
            "name": name,
            "title": re.sub(r"(?<!^)(?=[A-Z])", " ", name.split(".")[1]),
            "summary": (model.__doc__ or "").strip().splitlines()[0],
            "contentType": "application/json",
            "payload": {
                "allOf": [
                    {"$ref": REF_PREFIX + "Envelope"},
                    {
                        "type": "object",
                        "required": ["type", "data"],
                        "properties": {
                            "type": {"const": event_type},
                            "data": {"$ref": REF_PREFIX + name},
                        },
                    },
                ]
            },
            "bindings": {"amqp": {"contentEncoding": "utf-8", "messageType": event_type}},
        }
        if examples:
            message["examples"] = [
                {"name": f"example{index + 1}", "payload": {"type": event_type, "data": example}}
                for index, example in enumerate(examples)
            ]
        messages[name] = message
        channels[name] = {
            "address": event_type,
            "description": f"Routing key {event_type} on the {EXCHANGE} topic exchange.",
            "messages": {name: {"$ref": f"#/components/messages/{name}"}},
            "bindings": {
                "amqp": {
                    "is": "routingKey",
                    "exchange": {"name": EXCHANGE, "type": "topic", "durable": True, "vhost": "/"},
                }
            },
        }
        operations[f"{service}.send.{name.split('.')[1]}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{name}"},
            "summary": f"The {service} service publishes it through its outbox.",
            "messages": [{"$ref": f"#/channels/{name}/messages/{name}"}],
        }

    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Portico events",
            "version": "1.0.0",
            "description": (
                "Every event Portico's services publish. Each message is a CloudEvents "
                "envelope (JSON) whose `data` is the typed payload; schemas only grow by "
                "optional fields within a version. Delivery is at least once: consumers "
                "deduplicate on `source` + `id`."
            ),
        },
        "defaultContentType": "application/json",
        "servers": {
            "rabbitmq": {
                "host": "rabbitmq:5672",
                "protocol": "amqp",
                "protocolVersion": "0.9.1",
                "description": "The broker of the distributed mode.",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {"schemas": dict(sorted(schemas.items())), "messages": messages},
    }


def render() -> str:
    return yaml.safe_dump(build_document(), sort_keys=True, allow_unicode=True, width=100)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", type=Path, help="file to write (default: standard output)")
    arguments = parser.parse_args()
    text = render()
    if arguments.output is None:
        print(text, end="")
        return
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text(text)
    print(f"wrote {arguments.output}")


if __name__ == "__main__":
    main()
