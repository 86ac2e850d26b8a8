"""The envelope: CloudEvents attributes, orjson serialisation, clear rejections."""

from __future__ import annotations

import uuid

import orjson
import pytest

from portico.contracts import Envelope, InvalidEnvelope, InvalidPayload, UnknownEventType
from portico.contracts.events.portal import ClientDeleted, ClientJoined


def test_an_envelope_round_trips_through_json() -> None:
    event = ClientDeleted(client_id=uuid.uuid4())
    envelope = Envelope.wrap(event, source="portal", correlation_id="corr-1", causation_id="ev-0")
    parsed = Envelope.from_json(envelope.to_json())
    assert parsed == envelope
    assert parsed.event() == event
    assert parsed.subject == str(event.client_id)
    assert parsed.key == f"portal/{envelope.id}"
    document = orjson.loads(envelope.to_json())
    assert document["specversion"] == "1.0"
    assert document["type"] == "portico.portal.client_deleted.v1"
    assert document["time"].endswith("Z") or document["time"].endswith("+00:00")


def test_a_new_envelope_correlates_to_itself_when_nothing_caused_it() -> None:
    envelope = Envelope.wrap(ClientDeleted(client_id=uuid.uuid4()), source="portal")
    assert envelope.correlation_id == str(envelope.id)
    assert envelope.causation_id is None


def test_an_unknown_type_is_rejected() -> None:
    raw = Envelope(
        type="portico.portal.client_teleported.v1", source="portal", correlation_id="c", data={}
    )
    with pytest.raises(UnknownEventType, match="client_teleported"):
        Envelope.from_json(raw.to_json())


def test_an_invalid_payload_is_rejected_naming_the_field() -> None:
    raw = Envelope(
        type=ClientJoined.event_type,
        source="portal",
        correlation_id="c",
        data={"client_id": "nope", "contact_id": str(uuid.uuid4())},
    )
    with pytest.raises(InvalidPayload) as error:
        Envelope.from_json(raw.to_json())
    assert "client_id" in str(error.value)
    assert "account_id" in str(error.value)


@pytest.mark.parametrize("raw", [b"not json", b"[]", b'{"type": "x"}'])
def test_something_that_is_not_an_envelope_is_rejected(raw: bytes) -> None:
    with pytest.raises(InvalidEnvelope):
        Envelope.from_json(raw)


def test_consumers_ignore_fields_they_do_not_know_yet() -> None:
    client_id = uuid.uuid4()
    raw = Envelope(
        type=ClientDeleted.event_type,
        source="portal",
        correlation_id="c",
        data={"client_id": str(client_id), "deleted_by": "someone", "reason": "added later"},
        subject=str(client_id),
    )
    assert Envelope.from_json(raw.to_json()).event() == ClientDeleted(client_id=client_id)
