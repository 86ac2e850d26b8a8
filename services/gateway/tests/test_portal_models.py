"""The models the gateway reads the portal's answers into: what they compute for the pages,
and that a field the portal adds later is ignored rather than refused."""

from __future__ import annotations

from datetime import UTC, date, datetime

from portico.gateway.apis.identity import StaffUser
from portico.gateway.areas.portal.models import Client, Contact, Task
from portico.kit.pagination import Page

CONTACT = {
    "id": "5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f",
    "first_name": "Camille",
    "last_name": "Durand",
    "email": "camille@atelier-lumiere.example",
    "phone": None,
    "role": "Gérante",
    "locale": "fr",
    "portal_status": "active",
}


def test_a_person_is_named_by_first_then_last_name() -> None:
    staff = StaffUser.model_validate(
        {
            "id": "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d",
            "email": "lea@studio.example",
            "first_name": "Léa",
            "last_name": "Bernard",
            "phone": None,
            "locale": "fr",
            "role": "admin",
            "active": True,
            "created_at": "2026-11-25T10:00:00Z",
            "last_login_at": None,
        }
    )
    assert staff.full_name == "Léa Bernard"
    assert Contact.model_validate(CONTACT).full_name == "Camille Durand"


def test_a_field_the_portal_adds_is_ignored() -> None:
    contact = Contact.model_validate(CONTACT | {"pronouns": "she/her"})
    assert not hasattr(contact, "pronouns")
    assert contact.portal_status == "active"


def test_a_page_of_clients_reads_times_and_attributes_by_their_types() -> None:
    page = Page[Client].model_validate(
        {
            "items": [
                {
                    "id": "3f2b7c1e-8a4d-4e59-9c1a-2b6d7e8f9a01",
                    "kind": "company",
                    "name": "Atelier Lumière",
                    "legal_id": None,
                    "address": {"city": "Lyon"},
                    "phone": None,
                    "website": None,
                    "notes": None,
                    "tags": ["architecture"],
                    "assigned_staff_id": None,
                    "attributes": {"employees": 12, "listed": False, "sector": "Retail"},
                    "contacts": [CONTACT],
                    "portal_status": "active",
                    "created_at": "2026-11-25T10:00:00Z",
                    "updated_at": "2026-11-26T09:30:00Z",
                    "last_activity_at": None,
                }
            ],
            "total": 1,
            "limit": 25,
            "offset": 0,
        }
    )
    [client] = page.items
    assert client.updated_at == datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
    assert client.address is not None and client.address.city == "Lyon"
    assert client.attributes == {"employees": 12, "listed": False, "sector": "Retail"}
    assert type(client.attributes["employees"]) is int
    assert client.contacts[0].id == CONTACT["id"]


def test_a_task_is_due_on_a_day() -> None:
    task = Task.model_validate(
        {
            "id": "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
            "author_kind": "staff",
            "author_id": None,
            "created_at": "2026-11-25T10:00:00Z",
            "title": "Envoyer le Kbis",
            "due_on": "2026-12-05",
            "assignee_kind": "contact",
            "assignee_id": CONTACT["id"],
            "done_at": None,
        }
    )
    assert task.due_on == date(2026, 12, 5)
