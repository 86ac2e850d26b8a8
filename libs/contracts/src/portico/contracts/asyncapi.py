"""The AsyncAPI 3 document of every Portico event.

Usage: ``python -m portico.contracts.asyncapi [--output docs/asyncapi.yaml] [--check]``
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import yaml

from portico.contracts import generated
from portico.contracts.envelope import Envelope, Event
from portico.contracts.registry import all_events

EXCHANGE = "portico.events"
SCHEMAS = "#/components/schemas/"
AMQP_BINDING = "0.3.0"
# Examples must not change from one build to the next, or the committed file never matches.
_EXAMPLE_TIME = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
_EXAMPLE_TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
# The services in the order the documents list them (here and in docs/events.md).
SERVICES = {
    "portal": "Organisation, staff users, clients and contacts, invitations, workspaces.",
    "signing": "Smart-document templates, submissions and signatures.",
    "quotes": "Quotes, their online answers, invoices.",
    "documents": "Documents requested from clients: uploads, reviews, expiry.",
    "notifier": "Email, SMS and in-app notifications, and what became of them.",
    "exports": "A client's data export, asked by the portal and answered by each service.",
}
_HEADERS: dict[str, Any] = {
    "type": "object",
    "description": "AMQP headers; message_id, type, app_id and timestamp mirror the envelope.",
    "properties": {
        "correlation_id": {"type": "string", "description": "The envelope's correlation_id"},
        "traceparent": {
            "type": "string",
            "pattern": r"^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$",
            "description": "W3C trace context of the publisher, when it was tracing",
        },
    },
    "required": ["correlation_id"],
}


def build_document() -> dict[str, Any]:
    """The whole document, as plain data: ``asyncapi: 3.1.0`` with one channel per event."""
    schemas: dict[str, Any] = {"Envelope": _envelope_schema(), "MessageHeaders": _HEADERS}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for event_type, model in all_events().items():
        service, name = service_of(event_type), message_name(event_type)
        payload = _lift_defs(model.model_json_schema(ref_template="#/$defs/{model}"), schemas)
        examples = payload.pop("examples", [])
        schemas[name] = payload
        messages[name] = _message(event_type, model, examples)
        channels[name] = {
            "address": event_type,
            "title": name,
            "description": f"Routing key `{event_type}` on the `{EXCHANGE}` topic exchange.",
            "messages": {name: {"$ref": f"#/components/messages/{name}"}},
            "bindings": {
                "amqp": {
                    "is": "routingKey",
                    "exchange": {
                        "name": EXCHANGE,
                        "type": "topic",
                        "durable": True,
                        "autoDelete": False,
                        "vhost": "/",
                    },
                    "bindingVersion": AMQP_BINDING,
                }
            },
        }
        operations[f"{service}.send.{model.__name__}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{name}"},
            "summary": f"The {service} service publishes {model.__name__} through its outbox.",
            "messages": [{"$ref": f"#/channels/{name}/messages/{name}"}],
            "tags": [{"name": service}],
            "bindings": {
                "amqp": {
                    "deliveryMode": 2,
                    "mandatory": True,
                    "timestamp": True,
                    "bindingVersion": AMQP_BINDING,
                }
            },
        }
    return {
        "asyncapi": "3.1.0",
        "info": {
            "title": "Portico events",
            "version": "1.0.0",
            "description": (
                "Every event Portico's services publish. Each message is a CloudEvents 1.0 "
                "envelope (JSON) whose `data` is the typed payload of its `type`. A schema "
                "only grows by optional fields within a version, so consumers ignore fields "
                "they don't know. Delivery is at least once: consumers deduplicate on "
                "`source` + `id`. Fields marked `x-secret: true` carry a capability token: "
                "only the notifier reads them, and nothing may log them."
            ),
            "tags": [
                {"name": service, "description": description}
                for service, description in SERVICES.items()
            ],
        },
        "defaultContentType": "application/json",
        "servers": {
            "rabbitmq": {
                "host": "rabbitmq:5672",
                "protocol": "amqp",
                "protocolVersion": "0-9-1",
                "description": "The broker of the distributed mode (the compose service's name).",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {"schemas": schemas, "messages": messages},
    }


def render() -> str:
    """The document as YAML: keys sorted, no anchors, so equal schemas give equal bytes."""
    return yaml.dump(
        build_document(), Dumper=_Dumper, sort_keys=True, allow_unicode=True, width=100
    )


def write(path: Path) -> bool:
    """Write the document to ``path``; False when it already held exactly that."""
    return generated.write(path, render())


def main(argv: Sequence[str] | None = None) -> int:
    return generated.run(
        argv,
        prog="python -m portico.contracts.asyncapi",
        description="Write the AsyncAPI 3 document of every Portico event.",
        render=render,
        make_target="make asyncapi",
    )


class _Dumper(yaml.SafeDumper):
    # Examples share dicts between events; anchors (&id001) would make the file hard to read.
    def ignore_aliases(self, data: Any) -> bool:
        return True


def service_of(event_type: str) -> str:
    """``portico.quotes.quote_sent.v1`` → ``quotes``: the service that emits it."""
    return event_type.split(".")[1]


def message_name(event_type: str) -> str:
    """``portico.signing.document_completed.v1`` → ``signing.DocumentCompleted.v1``."""
    _, service, event, version = event_type.split(".")
    return f"{service}.{''.join(part.title() for part in event.split('_'))}.{version}"


def _message(event_type: str, model: type[Event], examples: list[Any]) -> dict[str, Any]:
    name = message_name(event_type)
    summary, _, description = (model.__doc__ or "").strip().partition("\n")
    message: dict[str, Any] = {
        "name": name,
        "title": re.sub(r"(?<!^)(?=[A-Z])", " ", model.__name__),
        "summary": summary.strip(),
        "contentType": "application/json",
        "tags": [{"name": service_of(event_type)}],
        "correlationId": {
            "description": "Shared by every event of one business flow",
            "location": "$message.payload#/correlationid",
        },
        "headers": {"$ref": SCHEMAS + "MessageHeaders"},
        "payload": {
            "allOf": [
                {"$ref": SCHEMAS + "Envelope"},
                {
                    "type": "object",
                    "required": ["type", "source", "data"],
                    "properties": {
                        "type": {"const": event_type},
                        "source": {"const": service_of(event_type)},
                        "data": {"$ref": SCHEMAS + name},
                    },
                },
            ]
        },
        "bindings": {"amqp": {"messageType": event_type, "bindingVersion": AMQP_BINDING}},
    }
    if description.strip():
        message["description"] = " ".join(description.split())
    if examples:
        message["examples"] = [
            example_message(event_type, model, example, index)
            for index, example in enumerate(examples)
        ]
    return message


def example_message(
    event_type: str, model: type[Event], example: dict[str, Any], index: int
) -> dict[str, Any]:
    """An example as it travels: the payload checked by its model, inside a real envelope."""
    event = model.model_validate(example)
    event_id = uuid.uuid5(uuid.NAMESPACE_URL, f"urn:portico:example:{event_type}:{index}")
    envelope = Envelope(
        id=event_id,
        type=event_type,
        source=service_of(event_type),
        time=_EXAMPLE_TIME,
        subject=event.subject(),
        correlation_id=str(event_id),
        traceparent=_EXAMPLE_TRACEPARENT,
        data=event.model_dump(mode="json"),
    )
    return {
        "name": f"example{index + 1}",
        "headers": {"correlation_id": str(event_id), "traceparent": _EXAMPLE_TRACEPARENT},
        "payload": orjson.loads(envelope.to_json()),
    }


def _envelope_schema() -> dict[str, Any]:
    schema = Envelope.model_json_schema(by_alias=True)
    schema["properties"].pop("data")
    # A producer always writes the attributes that always have a value and leaves out an
    # optional one it has none for (CloudEvents' JSON format): consumers may rely on the
    # first being there. ``data`` is typed per message.
    schema["required"] = sorted(
        name for name, field in schema["properties"].items() if not _nullable(field)
    )
    return schema


def _nullable(field: dict[str, Any]) -> bool:
    return any(option.get("type") == "null" for option in field.get("anyOf", []))


def _lift_defs(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    """Move pydantic's local ``$defs`` to components/schemas and point the refs there."""
    for name, definition in schema.pop("$defs", {}).items():
        definition = _published(definition)
        if components.setdefault(name, definition) != definition:
            raise ValueError(f"two different schemas are named {name!r}")
    return dict(_published(schema))


def _published(node: Any) -> Any:
    """A schema as consumers must read it.

    Refs point into components; ``additionalProperties: false`` goes, because producers
    are strict but consumers must accept the optional fields a schema gains in a version.
    """
    if isinstance(node, dict):
        return {
            key: value.replace("#/$defs/", SCHEMAS) if key == "$ref" else _published(value)
            for key, value in node.items()
            if not (key == "additionalProperties" and value is False)
        }
    if isinstance(node, list):
        return [_published(item) for item in node]
    return node


if __name__ == "__main__":
    raise SystemExit(main())
