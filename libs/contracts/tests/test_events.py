"""Every registered event: its name, its documentation, its examples, its typed fields."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal
from typing import Any

import orjson
import pytest
from pydantic import ValidationError

from portico.contracts import Envelope, Event, all_events
from portico.contracts.events.common import Person
from portico.contracts.events.portal import ClientCreated
from portico.contracts.events.quotes import QuoteSent
from portico.contracts.events.signing import MappedField, SubmissionSent

EVENTS = all_events()
SERVICES = {"portal", "signing", "quotes", "documents", "notifier", "exports"}
# The events each service emits (docs/asyncapi.yaml lists them), plus the expiry warning
# the signing service sends before a link dies.
DESIGNED = {
    "portal": {
        "OrganisationUpdated",
        "StaffUserChanged",
        "ClientCreated",
        "ClientUpdated",
        "ClientInvited",
        "ClientJoined",
        "ClientDeleted",
        "PasswordResetRequested",
        "WorkspaceShared",
        "MessagePosted",
        "TaskAssigned",
        "FileUploaded",
        "TaskCompleted",
    },
    "signing": {
        "SubmissionSent",
        "SubmissionReminded",
        "SubmissionViewed",
        "DocumentCompleted",
        "SubmissionDeclined",
        "SubmissionExpired",
        "SubmissionExpiring",
        "SigningCodeSent",
    },
    "quotes": {
        "QuoteSent",
        "QuoteReminded",
        "QuoteViewed",
        "QuoteDownloaded",
        "QuoteSigned",
        "QuoteDeclined",
        "QuoteFeedbackPosted",
        "QuoteTaskRequested",
        "InvoiceIssued",
    },
    "documents": {
        "ClientDocumentUploaded",
        "ClientDocumentReviewed",
        "ClientDocumentsComplete",
        "ClientDocumentExpiring",
        "ClientDocumentStates",
    },
    "notifier": {"NotificationDelivered", "NotificationFailed"},
    # Asked by the portal and answered by every service (docs/exports.md).
    "exports": {"ClientExportRequested", "ClientExportPartReady"},
}


def examples_of(model: type[Event]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = model.model_json_schema().get("examples", [])
    return found


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def test_the_catalogue_holds_exactly_the_designed_events() -> None:
    defined: dict[str, set[str]] = {}
    for model in EVENTS.values():
        defined.setdefault(model.__module__.rsplit(".", 1)[-1], set()).add(model.__name__)
    assert defined == DESIGNED


@pytest.mark.parametrize("event_type", EVENTS)
def test_an_event_type_names_its_service_and_class_and_is_versioned(event_type: str) -> None:
    match = re.fullmatch(r"portico\.([a-z]+)\.([a-z]+(?:_[a-z]+)*)\.v([1-9]\d*)", event_type)
    assert match, event_type
    service, name, _ = match.groups()
    model = EVENTS[event_type]
    assert service in SERVICES
    assert model.__module__ == f"portico.contracts.events.{service}"
    assert snake(model.__name__) == name


@pytest.mark.parametrize("event_type", EVENTS)
def test_an_event_says_when_it_is_emitted_and_who_consumes_it(event_type: str) -> None:
    doc = EVENTS[event_type].__doc__ or ""
    assert doc.startswith("Emitted "), doc
    assert "Consumed by" in doc, doc


@pytest.mark.parametrize("event_type", EVENTS)
def test_every_example_is_valid_and_survives_the_bus(event_type: str) -> None:
    model = EVENTS[event_type]
    examples = examples_of(model)
    assert examples, f"{event_type} has no example"
    for example in examples:
        event = model.model_validate(example)
        envelope = Envelope.wrap(event, source=event_type.split(".")[1])
        received = Envelope.from_json(envelope.to_json())
        assert received.event() == event
        if model.subject_field is not None:
            assert received.subject == str(getattr(event, model.subject_field))
            assert received.subject is not None


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


@pytest.mark.parametrize(
    ("given", "on_the_wire"),
    [("1250.50", "1250.50"), ("1234.5", "1234.5"), (Decimal("0.10"), "0.10"), (12, "12")],
)
def test_amounts_travel_as_decimal_strings(given: object, on_the_wire: str) -> None:
    sent = quote(total_including_tax=given)
    assert isinstance(sent.total_including_tax, Decimal)
    received = Envelope.from_json(Envelope.wrap(sent, source="quotes").to_json())
    assert orjson.loads(received.to_json())["data"]["total_including_tax"] == on_the_wire
    assert received.event() == sent
    assert sent.model_dump()["total_including_tax"] == on_the_wire


@pytest.mark.parametrize(
    "amount",
    [0.1, 1250.0, True, "abc", "NaN", "Infinity", "1e3", " 12", "12,50", "", None, Decimal("NaN")],
)
def test_floats_and_garbage_are_not_amounts(amount: object) -> None:
    with pytest.raises(ValidationError) as error:
        quote(total_including_tax=amount)
    assert error.value.errors()[0]["loc"] == ("total_including_tax",)


def test_an_amount_schema_is_a_string() -> None:
    schema = QuoteSent.model_json_schema()["properties"]["total_including_tax"]
    assert schema["type"] == "string"
    assert "anyOf" not in schema


def test_currencies_are_iso_codes() -> None:
    with pytest.raises(ValidationError, match="currency"):
        quote(currency="euro")


def test_timestamps_are_utc_and_never_naive() -> None:
    data = examples_of(SubmissionSent)[0]
    shifted = SubmissionSent.model_validate({**data, "expires_at": "2026-12-24T01:00:00+01:00"})
    assert shifted.model_dump(mode="json")["expires_at"] == "2026-12-24T00:00:00Z"
    with pytest.raises(ValidationError, match="expires_at"):
        SubmissionSent.model_validate({**data, "expires_at": "2026-12-24T00:00:00"})


@pytest.mark.parametrize(
    ("link", "valid"),
    [
        ("http://127.0.0.1:8000/q/abc", True),
        ("https://portal.example/q/abc?x=1", True),
        ("/q/abc", False),
        ("javascript:alert(1)", False),
        ("http://", False),
        ("http://127.0.0.1:8000/q/a b", False),
    ],
)
def test_links_are_absolute_http_urls(link: str, valid: bool) -> None:
    if valid:
        assert quote(quote_url=link).quote_url == link
    else:
        with pytest.raises(ValidationError, match="quote_url"):
            quote(quote_url=link)


def secret_fields(schema: dict[str, Any], defs: dict[str, Any], path: str) -> set[str]:
    if "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[-1]]
    found = {path} if schema.get("x-secret") else set()
    for branch in schema.get("anyOf", []):
        found |= secret_fields(branch, defs, path)
    for name, field in schema.get("properties", {}).items():
        found |= secret_fields(field, defs, f"{path}.{name}" if path else name)
    if "items" in schema:
        found |= secret_fields(schema["items"], defs, f"{path}[]")
    return found


def test_exactly_the_links_and_codes_carrying_a_token_are_marked_secret() -> None:
    marked = set()
    for model in EVENTS.values():
        schema = model.model_json_schema()
        paths = secret_fields(schema, schema.get("$defs", {}), "")
        marked |= {f"{model.__name__}.{path}" for path in paths}
    assert marked == {
        "ClientInvited.accept_url",
        "PasswordResetRequested.reset_url",
        "SubmissionSent.signing_url",
        "SubmissionReminded.signing_url",
        "SubmissionExpiring.signing_url",
        "SigningCodeSent.code",
        "DocumentCompleted.submitters[].copy_url",
        "QuoteSent.quote_url",
        "QuoteReminded.quote_url",
        "QuoteSigned.copy_url",
    }


def submission(channel: str, **submitter: object) -> SubmissionSent:
    data = examples_of(SubmissionSent)[0]
    return SubmissionSent.model_validate(
        {**data, "channel": channel, "submitter": {**data["submitter"], **submitter}}
    )


def test_a_signing_link_goes_only_where_the_submitter_can_be_reached() -> None:
    assert submission("sms", email=None).channel == "sms"
    assert submission("email", phone=None).channel == "email"
    with pytest.raises(ValidationError, match="no phone number"):
        submission("sms", phone=None)
    with pytest.raises(ValidationError, match="no email address"):
        submission("email", email=None)


def test_a_quote_asked_with_its_pdf_names_the_pdf() -> None:
    assert quote(attach_pdf=True, pdf_key="quotes/q.pdf").attach_pdf
    with pytest.raises(ValidationError, match="pdf_key"):
        quote(attach_pdf=True)
    with pytest.raises(ValidationError, match="no email address"):
        quote(contact=Person(id=uuid.uuid4(), name="Camille", phone="+33612345678"))


def test_a_mapped_field_names_its_target_and_the_contact_it_belongs_to() -> None:
    contact_id = uuid.uuid4()
    assert MappedField(target="contact.phone", contact_id=contact_id, value="+33 6").contact_id
    assert MappedField(target="client.attributes.vat_number", value="FR40").value == "FR40"
    with pytest.raises(ValidationError, match="contact_id"):
        MappedField(target="contact.phone", value="+33 6")
    with pytest.raises(ValidationError, match="target"):
        MappedField(target="invoice.total", value="0")


def test_custom_attributes_keep_their_json_types() -> None:
    data = examples_of(ClientCreated)[0]
    attributes = {"vat": "FR40", "employees": 12, "rate": 0.2, "newsletter": True, "fax": None}
    created = ClientCreated.model_validate({**data, "attributes": attributes})
    received = Envelope.from_json(Envelope.wrap(created, source="portal").to_json()).event()
    assert isinstance(received, ClientCreated)
    assert received.attributes == attributes
    assert received.attributes["newsletter"] is True
