"""Which types apply to a client, the state of each, and when a client is complete."""

from __future__ import annotations

from datetime import date

from portico.documents.checklist import (
    Given,
    Requested,
    State,
    Status,
    UploadMode,
    applies,
    checklist,
    complete,
    outstanding,
    state_of,
)

TODAY = date(2026, 12, 6)
ID_CARD = Requested("id-card", UploadMode.REQUIRED, None)
KBIS = Requested("kbis", UploadMode.REQUIRED, "company")
CONTRACT = Requested("contract", UploadMode.ADMIN_ONLY, None)
PHOTO = Requested("photo", UploadMode.OPTIONAL, None)
TYPES = [ID_CARD, KBIS, CONTRACT, PHOTO]


def test_a_tagged_type_is_asked_only_of_clients_with_the_tag_whatever_its_case() -> None:
    assert applies(None, [])
    assert applies("company", ["Company"])
    assert not applies("company", ["individual"])


def test_each_state_from_what_was_given() -> None:
    assert state_of(None, TODAY) == State.MISSING
    assert state_of(Given("x", Status.UPLOADED, None), TODAY) == State.IN_REVIEW
    assert state_of(Given("x", Status.ACCEPTED, date(2026, 12, 6)), TODAY) == State.ACCEPTED
    assert state_of(Given("x", Status.ACCEPTED, date(2026, 12, 5)), TODAY) == State.EXPIRED
    assert state_of(Given("x", Status.REJECTED, None), TODAY) == State.REJECTED


def test_complete_once_every_required_type_that_applies_is_accepted() -> None:
    individual = checklist(TYPES, ["individual"], [], TODAY)
    assert set(individual) == {"id-card", "contract", "photo"}
    assert outstanding(TYPES, individual) == ["id-card"]

    given = [Given("id-card", Status.UPLOADED, None)]
    states = checklist(TYPES, ["individual"], given, TODAY)
    assert not complete(TYPES, states)  # waiting for review
    given = [Given("id-card", Status.ACCEPTED, date(2027, 1, 1))]
    assert complete(TYPES, checklist(TYPES, ["individual"], given, TODAY))
    # The Kbis is asked of companies too; an expired ID card counts as none.
    company = checklist(TYPES, ["company"], given, TODAY)
    assert outstanding(TYPES, company) == ["kbis"]
    later = checklist(TYPES, ["individual"], given, date(2027, 1, 2))
    assert later["id-card"] == State.EXPIRED and not complete(TYPES, later)
