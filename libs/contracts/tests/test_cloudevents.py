"""The envelope is a CloudEvent as strict consumers read it: the CloudEvents SDK parses
every event Portico publishes, and the JSON format's schema with the specification's naming
rule (attribute names of lower-case letters and digits only) accepts it."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest
from cloudevents.core.formats.json import JSONFormat

from portico.contracts import Envelope, all_events
from portico.contracts.asyncapi import build_document

SCHEMA = json.loads((Path(__file__).parent / "cloudevents-1.0.schema.json").read_text())
VALIDATOR = jsonschema.Draft7Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
EXAMPLES = {
    name: message["examples"][0]["payload"]
    for name, message in build_document()["components"]["messages"].items()
}


def wired(payload: dict[str, Any], **attributes: Any) -> bytes:
    """An envelope as the bus carries it, from a published example."""
    example = Envelope.model_validate(payload)
    return Envelope.wrap(example.event(), source=example.source, **attributes).to_json()


def test_every_event_type_has_an_example() -> None:
    assert len(EXAMPLES) == len(all_events())


@pytest.mark.parametrize("message", sorted(EXAMPLES))
def test_the_sdk_reads_every_event_with_its_extensions(message: str) -> None:
    body = wired(
        EXAMPLES[message], causation_id="e-0", traceparent="00-" + "1" * 32 + "-" + "2" * 16 + "-01"
    )
    event = JSONFormat().read(None, body)
    document = orjson.loads(body)
    assert event.get_id() == document["id"]
    assert event.get_type() == document["type"]
    assert event.get_extension("correlationid") == document["correlationid"]
    assert event.get_extension("causationid") == "e-0"
    assert event.get_data() == document["data"]
    VALIDATOR.validate(document)


def test_an_event_without_optional_attributes_leaves_them_out() -> None:
    body = wired(next(iter(EXAMPLES.values())))
    document = orjson.loads(body)
    # A null attribute is not a CloudEvents value: absent instead.
    assert "causationid" not in document and "traceparent" not in document
    JSONFormat().read(None, body)
    VALIDATOR.validate(document)


def test_the_schema_and_the_sdk_refuse_the_names_portico_no_longer_writes() -> None:
    document = orjson.loads(wired(next(iter(EXAMPLES.values()))))
    document["correlation_id"] = document.pop("correlationid")
    assert not VALIDATOR.is_valid(document)
    with pytest.raises(Exception, match="lowercase letters and numbers"):
        JSONFormat().read(None, orjson.dumps(document))


def test_an_envelope_written_before_the_naming_is_still_read() -> None:
    """An outbox row or a message in flight across the upgrade keeps its old names."""
    body = wired(next(iter(EXAMPLES.values())), causation_id="e-0")
    legacy = orjson.loads(body)
    legacy["correlation_id"] = legacy.pop("correlationid")
    legacy["causation_id"] = legacy.pop("causationid")
    raw = orjson.dumps(legacy)
    for envelope in (Envelope.from_json(raw), Envelope.from_stored(raw)):
        assert envelope.correlation_id == legacy["correlation_id"]
        assert envelope.causation_id == "e-0"
        assert envelope.id == uuid.UUID(legacy["id"])
