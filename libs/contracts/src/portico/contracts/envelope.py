"""The event envelope (CloudEvents attributes) and the base of every event payload."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from functools import cache
from typing import Any, ClassVar, Literal, Self

import orjson
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
)

from portico.contracts import registry
from portico.contracts.errors import InvalidEnvelope, InvalidPayload, UnknownEventType

MASK = "[secret]"
WITHHELD = "[withheld: unknown event type]"


class Event(BaseModel):
    """Base of every event payload.

    A subclass sets ``event_type`` (``portico.<service>.<event>.v<N>``) and registers itself.
    A producer building an event is held to the schema (a misspelt field is an error);
    a consumer parsing one through ``Envelope.event()`` ignores fields it doesn't know,
    so a schema may grow optional fields within a version.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_type: ClassVar[str]
    # The aggregate the event is about; becomes the envelope's ``subject``.
    subject_field: ClassVar[str | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "event_type" in cls.__dict__:
            registry.register(cls)

    def subject(self) -> str | None:
        if self.subject_field is None:
            return None
        value = getattr(self, self.subject_field)
        return None if value is None else str(value)


class Envelope(BaseModel):
    """CloudEvents 1.0 attributes plus Portico's tracing and causality attributes.

    On the wire every attribute is named as CloudEvents requires (lower-case letters and
    digits only): the correlation and causation ids are the extension attributes
    ``correlationid`` and ``causationid``, ``correlation_id`` and ``causation_id`` in Python.
    An envelope written before that naming (an outbox row or a message in flight across an
    upgrade) is still read."""

    model_config = ConfigDict(
        extra="ignore", frozen=True, validate_by_name=True, validate_by_alias=True
    )

    specversion: Literal["1.0"] = "1.0"
    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    type: str
    source: str
    time: AwareDatetime = Field(default_factory=lambda: datetime.now(UTC))
    subject: str | None = None
    correlation_id: str = Field(alias="correlationid")
    causation_id: str | None = Field(default=None, alias="causationid")
    traceparent: str | None = None
    datacontenttype: Literal["application/json"] = "application/json"
    data: dict[str, Any]
    _event: Event | None = PrivateAttr(default=None)
    # The JSON this envelope was read from, when it came from its own service's outbox.
    _stored_json: bytes | None = PrivateAttr(default=None)

    @field_validator("time")
    @classmethod
    def _in_utc(cls, moment: datetime) -> datetime:
        return moment.astimezone(UTC)

    @classmethod
    def wrap(
        cls,
        event: Event,
        *,
        source: str,
        correlation_id: str | None = None,
        causation_id: str | None = None,
        traceparent: str | None = None,
    ) -> Self:
        event_id = uuid.uuid4()
        return cls(
            id=event_id,
            type=event.event_type,
            source=source,
            subject=event.subject(),
            correlation_id=correlation_id or str(event_id),
            causation_id=causation_id,
            traceparent=traceparent,
            data=event.model_dump(mode="json"),
        )

    def __eq__(self, other: object) -> bool:
        # The parsed payload is a cache, not part of what an envelope is.
        return isinstance(other, Envelope) and self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]

    @property
    def key(self) -> str:
        """What makes a delivery unique: the inbox key."""
        return f"{self.source}/{self.id}"

    def event(self) -> Event:
        """The typed payload (parsed once); raises UnknownEventType or InvalidPayload."""
        if self._event is None:
            model = registry.model_for(self.type)
            try:
                # Forward compatible: a newer producer may send fields this consumer lacks.
                self._event = model.model_validate(self.data, extra="ignore")
            except ValidationError as exc:
                raise InvalidPayload(self.type, _describe(exc)) from None
        return self._event

    def _wire(self) -> dict[str, Any]:
        # CloudEvents' JSON format: an optional attribute without a value is left out (a
        # strict reader refuses ``"subject": null``); the payload is kept as it is.
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)

    def to_json(self) -> bytes:
        if self._stored_json is not None:
            return self._stored_json
        return orjson.dumps(self._wire())

    @classmethod
    def from_stored(cls, raw: bytes) -> Envelope:
        """An envelope its own service wrote (``to_json``) to its outbox: not checked again.

        The relay reads every event this way; validating what ``wrap`` already validated
        was a third of its work per event. ``to_json`` gives back the very same bytes.
        """
        document = orjson.loads(raw)
        document["id"] = uuid.UUID(document["id"])
        document["time"] = datetime.fromisoformat(document["time"])
        # model_construct takes the Python names; a row written before the CloudEvents
        # naming has them already.
        for field, alias in _ALIASED:
            if alias in document:
                document[field] = document.pop(alias)
        envelope = cls.model_construct(**document)
        envelope._stored_json = raw
        return envelope

    def redacted(self) -> dict[str, Any]:
        """The envelope as JSON data fit for a log line: every secret link masked.

        Secrets are the fields the schemas mark ``x-secret``; the payload of a type this
        process does not know is withheld, since nothing says what in it is secret.
        """
        document = self._wire()
        try:
            schema = _payload_schema(registry.model_for(self.type))
        except UnknownEventType:
            document["data"] = WITHHELD
        else:
            document["data"] = _mask(schema, document["data"], schema.get("$defs", {}))
        return document

    @classmethod
    def from_json(cls, raw: bytes | str) -> Self:
        """Parse and check an envelope; the payload is checked against its schema too."""
        try:
            document = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise InvalidEnvelope(f"not JSON: {exc}") from None
        try:
            envelope = cls.model_validate(document)
        except ValidationError as exc:
            raise InvalidEnvelope(f"invalid envelope: {_describe(exc)}") from None
        envelope.event()
        return envelope


# The envelope's fields whose wire name differs from their Python name.
_ALIASED = tuple(
    (name, field.alias) for name, field in Envelope.model_fields.items() if field.alias
)


def carries_secrets(event_type: str) -> bool:
    """Whether events of this type have fields marked ``x-secret`` (links with a token).

    False for a type this process does not know: nothing says what in it is secret.
    """
    try:
        return _marks_secret(registry.model_for(event_type))
    except UnknownEventType:
        return False


def masked_stored(raw: bytes) -> bytes:
    """A stored envelope (``to_json``) with its secret fields replaced by MASK.

    What a service keeps of an event once it is published: the token of a link must not
    outlive the delivery in a database row (the relay writes this over the row it marks).
    """
    document = orjson.loads(raw)
    schema = _payload_schema(registry.model_for(document["type"]))
    document["data"] = _mask(schema, document["data"], schema.get("$defs", {}))
    return orjson.dumps(document)


@cache
def _marks_secret(model: type[Event]) -> bool:
    # Once per type: a relay asks for every event it marks.
    return b'"x-secret"' in orjson.dumps(_payload_schema(model))


def _describe(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in error['loc']) or '(root)'}: {error['msg']}"
        for error in exc.errors()
    )


@cache
def _payload_schema(model: type[Event]) -> dict[str, Any]:
    return model.model_json_schema()


def _mask(schema: dict[str, Any], value: Any, defs: dict[str, Any]) -> Any:
    """``value`` with every part that ``schema`` marks ``x-secret`` replaced by MASK."""
    if value is None:
        return None
    branches = [_resolve(branch, defs) for branch in _resolve(schema, defs).get("anyOf", [schema])]
    if any(branch.get("x-secret") for branch in branches):
        return MASK
    for branch in branches:
        if isinstance(value, dict) and "properties" in branch:
            fields = branch["properties"]
            return {key: _mask(fields.get(key, {}), item, defs) for key, item in value.items()}
        if isinstance(value, list) and "items" in branch:
            return [_mask(branch["items"], item, defs) for item in value]
    return value


def _resolve(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    if "$ref" not in schema:
        return schema
    resolved: dict[str, Any] = defs[schema["$ref"].removeprefix("#/$defs/")]
    return resolved
