"""Every registered event: its name, its examples, its typed fields."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

import pytest
from pydantic import ValidationError

from portico.contracts import Envelope, all_events
from portico.contracts.events.common import Person
from portico.contracts.events.quotes import QuoteSent

EVENTS = all_events()
SERVICES = {"portal", "signing", "quotes", "documents", "notifier"}


def test_every_event_of_the_design_is_defined() -> None:
    names = {event_type.split(".")[2] for event_type in EVENTS}
    for expected in (
        "organisation_updated",
        "staff_user_changed",
        "client_created",
        "client_updated",
        "client_invited",
        "client_joined",
        "client_deleted",
        "password_reset_requested",
        "workspace_shared",
        "message_posted",
        "task_assigned",
        "submission_sent",
        "submission_reminded",
        "submission_viewed",
        "document_completed",
        "submission_declined",
        "submission_expired",
        "quote_sent",
        "quote_reminded",
        "quote_viewed",
        "quote_downloaded",
        "quote_signed",
        "quote_declined",
        "quote_feedback_posted",
        "invoice_issued",
        "client_document_uploaded",
        "client_document_reviewed",
        "client_documents_complete",
        "client_document_expiring",
        "notification_delivered",
        "notification_failed",
    ):
        assert expected in names, expected


@pytest.mark.parametrize("event_type", EVENTS)
def test_an_event_is_named_after_its_service_and_versioned(event_type: str) -> None:
    assert re.fullmatch(r"portico\.[a-z]+\.[a-z_]+\.v\d+", event_type)
    service = event_type.split(".")[1]
    assert service in SERVICES
    assert EVENTS[event_type].__module__ == f"portico.contracts.events.{service}"
    assert EVENTS[event_type].__doc__


@pytest.mark.parametrize("event_type", EVENTS)
def test_every_example_is_valid_and_survives_the_bus(event_type: str) -> None:
    model = EVENTS[event_type]
    examples = model.model_config.get("json_schema_extra", {}).get("examples", [])  # type: ignore[union-attr]
    assert examples, f"{event_type} has no example"
    for example in examples:
        event = model.model_validate(example)
        envelope = Envelope.wrap(event, source=event_type.split(".")[1])
        assert Envelope.from_json(envelope.to_json()).event() == event


def quote(**overrides: object) -> QuoteSent:
    fields: dict[str, object] = {
        "quote_id": uuid.uuid4(),
        "number": "D-1",
        "title": "Travaux",
        "client_id": uuid.uuid4(),
        "contact": Person(id=uuid.uuid4(), name="Camille", email="c@example.com"),
        "total_excluding_tax": "100.00",
        "total_including_tax": "120.00",
        "currency": "EUR",
        "quote_url": "http://127.0.0.1:8000/q/x",
    }
    return QuoteSent.model_validate({**fields, **overrides})


def test_amounts_are_decimal_strings_end_to_end() -> None:
    sent = quote(total_including_tax="1250.50")
    assert sent.total_including_tax == Decimal("1250.50")
    assert sent.model_dump(mode="json")["total_including_tax"] == "1250.50"
    assert sent.model_dump()["total_including_tax"] == "1250.50"


@pytest.mark.parametrize("amount", [0.1, "abc", "NaN", "Infinity", None])
def test_floats_and_garbage_are_not_amounts(amount: object) -> None:
    with pytest.raises(ValidationError) as error:
        quote(total_including_tax=amount)
    assert "total_including_tax" in str(error.value)


def test_currencies_are_iso_codes() -> None:
    with pytest.raises(ValidationError, match="currency"):
        quote(currency="euro")


def test_links_carrying_a_secret_are_marked_for_tooling() -> None:
    schema = QuoteSent.model_json_schema()
    assert schema["properties"]["quote_url"]["x-secret"] is True
    assert "x-secret" not in schema["properties"]["number"]
