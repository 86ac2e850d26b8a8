"""What a client is asked for and where they stand: which document types apply to them, the
state of each, and whether they have given every required one. No I/O: the endpoints,
the gate and the expiry job all read it from here."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class UploadMode(StrEnum):
    OPTIONAL = "optional"
    REQUIRED = "required"
    # The client sees it; only staff upload or change it.
    ADMIN_ONLY = "admin_only"


class Status(StrEnum):
    """A stored document's review: ``uploaded`` waits for staff when review is on."""

    UPLOADED = "uploaded"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class State(StrEnum):
    """Where a client stands for one type, as they and staff see it."""

    MISSING = "missing"
    IN_REVIEW = "in_review"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    EXPIRED = "expired"


@dataclass(frozen=True)
class Requested:
    """A type as the checklist needs it."""

    id: object
    upload_mode: UploadMode
    client_tag: str | None


@dataclass(frozen=True)
class Given:
    """A stored document as the checklist needs it."""

    document_type_id: object
    status: Status
    expires_on: date | None


def applies(client_tag: str | None, client_tags: Collection[str]) -> bool:
    """A type without a tag is asked of every client; one with a tag, of those who have it
    (tags compare without regard to case, as staff type them)."""
    if client_tag is None:
        return True
    wanted = client_tag.casefold()
    return any(tag.casefold() == wanted for tag in client_tags)


def state_of(given: Given | None, today: date) -> State:
    if given is None:
        return State.MISSING
    if given.expires_on is not None and given.expires_on < today:
        return State.EXPIRED
    return {
        Status.UPLOADED: State.IN_REVIEW,
        Status.ACCEPTED: State.ACCEPTED,
        Status.REJECTED: State.REJECTED,
    }[given.status]


def checklist(
    types: Iterable[Requested], client_tags: Collection[str], given: Iterable[Given], today: date
) -> dict[object, State]:
    """The state of every type that applies to the client, by type id."""
    by_type = {document.document_type_id: document for document in given}
    return {
        requested.id: state_of(by_type.get(requested.id), today)
        for requested in types
        if applies(requested.client_tag, client_tags)
    }


def outstanding(types: Iterable[Requested], states: dict[object, State]) -> list[object]:
    """The required types that apply and are not accepted yet (missing, waiting for review,
    rejected or expired): what keeps the client's documents incomplete, and, with the gate
    on, the rest of the portal closed. With review off an upload is accepted as it comes."""
    return [
        requested.id
        for requested in types
        if requested.upload_mode == UploadMode.REQUIRED
        and requested.id in states
        and states[requested.id] != State.ACCEPTED
    ]


def complete(types: Iterable[Requested], states: dict[object, State]) -> bool:
    return not outstanding(types, states)
