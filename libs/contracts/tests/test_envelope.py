"""The envelope: CloudEvents attributes, orjson on the wire, clear rejections, redaction."""

from __future__ import annotations

import uuid
from typing import Any

import orjson
import pytest
from pydantic import ValidationError

from portico.contracts import (
    ContractError,
    Envelope,
    InvalidEnvelope,
    InvalidPayload,
    UnknownEventType,
)
from portico.contracts.envelope import MASK, WITHHELD
from portico.contracts.events.portal import ClientDeleted, ClientInvited, ClientJoined
from portico.contracts.events.signing import DocumentCompleted


def example(model: Any) -> dict[str, Any]:
    examples: list[dict[str, Any]] = model.model_json_schema()["examples"]
    return examples[0]


def raw_envelope(event_type: str, data: dict[str, Any], **attributes: Any) -> bytes:
    document = {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "type": event_type,
        "source": "portal",
        "time": "2026-11-25T10:00:00Z",
        "correlationid": "c-1",
        "data": data,
        **attributes,
    }
    return orjson.dumps(document)


def test_an_envelope_round_trips_through_json() -> None:
    event = ClientInvited.model_validate(example(ClientInvited))
    envelope = Envelope.wrap(
        event, source="portal", correlation_id="corr-1", causation_id="ev-0", traceparent="00-x"
    )
    parsed = Envelope.from_json(envelope.to_json())
    assert parsed == envelope
    assert parsed.event() == event
    assert parsed.subject == str(event.client_id)
    assert parsed.key == f"portal/{envelope.id}"
    document = orjson.loads(envelope.to_json())
    assert document["specversion"] == "1.0"
    assert document["type"] == "portico.portal.client_invited.v1"
    assert document["source"] == "portal"
    assert (document["correlationid"], document["causationid"]) == ("corr-1", "ev-0")
    assert document["time"].endswith("Z")
    assert document["data"]["expires_at"] == "2026-12-01T09:00:00Z"


def test_an_envelope_read_back_from_its_outbox_is_the_one_stored() -> None:
    event = ClientInvited.model_validate(example(ClientInvited))
    envelope = Envelope.wrap(event, source="portal", correlation_id="corr-1", traceparent="00-x")
    stored = envelope.to_json()
    read = Envelope.from_stored(stored)
    assert read == envelope
    assert read.to_json() is stored
    assert isinstance(read.id, uuid.UUID) and read.time == envelope.time
    assert read.event() == event


def test_a_new_envelope_correlates_to_itself_when_nothing_caused_it() -> None:
    envelope = Envelope.wrap(ClientDeleted(client_id=uuid.uuid4()), source="portal")
    assert envelope.correlation_id == str(envelope.id)
    assert envelope.causation_id is None


def test_an_unknown_type_is_rejected_as_a_contract_error() -> None:
    raw = raw_envelope("portico.portal.client_teleported.v1", {})
    with pytest.raises(UnknownEventType, match="client_teleported") as error:
        Envelope.from_json(raw)
    assert isinstance(error.value, ContractError)  # parked by consumers, never retried


def test_an_invalid_payload_is_rejected_naming_each_field_at_fault() -> None:
    raw = raw_envelope(
        ClientJoined.event_type,
        {"client_id": "nope", "contact_id": str(uuid.uuid4()), "joined_at": "2026-11-25T10:00Z"},
    )
    with pytest.raises(InvalidPayload) as error:
        Envelope.from_json(raw)
    assert error.value.event_type == ClientJoined.event_type
    assert "client_id" in error.value.detail
    assert "account_id" in error.value.detail
    assert "contact_id" not in error.value.detail


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b"[]",
        b'{"type": "portico.portal.client_deleted.v1"}',
        raw_envelope(ClientDeleted.event_type, [1]),  # type: ignore[arg-type]
        raw_envelope(ClientDeleted.event_type, {"client_id": str(uuid.uuid4())}, id="42"),
    ],
    ids=["not-json", "not-an-object", "missing-attributes", "data-not-an-object", "bad-id"],
)
def test_something_that_is_not_an_envelope_is_rejected(raw: bytes) -> None:
    with pytest.raises(InvalidEnvelope):
        Envelope.from_json(raw)


def test_an_envelope_time_is_utc_and_never_naive() -> None:
    client = {"client_id": str(uuid.uuid4())}
    shifted = Envelope.from_json(
        raw_envelope(ClientDeleted.event_type, client, time="2026-11-25T12:00:00+02:00")
    )
    assert orjson.loads(shifted.to_json())["time"] == "2026-11-25T10:00:00Z"
    with pytest.raises(InvalidEnvelope, match="time"):
        Envelope.from_json(raw_envelope(ClientDeleted.event_type, client, time="2026-11-25T12:00"))


def test_consumers_ignore_fields_they_do_not_know_yet() -> None:
    data = example(ClientInvited)
    newer = {
        **data,
        "invited_via": "api",
        "contact": {**data["contact"], "pronouns": "elle"},
    }
    raw = raw_envelope(ClientInvited.event_type, newer, added_attribute="later")
    assert Envelope.from_json(raw).event() == ClientInvited.model_validate(data)


def test_producers_cannot_misspell_a_field() -> None:
    misspelt: dict[str, Any] = {"client_id": uuid.uuid4(), "reasons": "no such field"}
    with pytest.raises(ValidationError, match="reasons"):
        ClientDeleted(**misspelt)


def test_a_redacted_envelope_masks_every_secret_link_and_nothing_else() -> None:
    completed = DocumentCompleted.model_validate(example(DocumentCompleted))
    redacted = Envelope.wrap(completed, source="signing").redacted()
    data = redacted["data"]
    assert [submitter["copy_url"] for submitter in data["submitters"]] == [MASK]
    assert data["submitters"][0]["email"] == "camille@atelier-lumiere.example"
    assert data["submission_url"].startswith("http://127.0.0.1:8000/")
    assert data["completed_pdf_key"] == completed.completed_pdf_key

    invited = ClientInvited.model_validate(example(ClientInvited))
    redacted = Envelope.wrap(invited, source="portal").redacted()
    assert redacted["data"]["accept_url"] == MASK
    assert redacted["data"]["contact"]["name"] == "Camille Durand"
    assert redacted["type"] == ClientInvited.event_type


def test_a_redacted_envelope_of_an_unknown_type_withholds_its_payload() -> None:
    envelope = Envelope(
        type="portico.portal.client_teleported.v1",
        source="portal",
        correlation_id="c",
        data={"teleport_url": "http://127.0.0.1:8000/t?token=secret"},
    )
    assert envelope.redacted()["data"] == WITHHELD
