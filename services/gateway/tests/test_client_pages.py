"""The staff's clients pages: the list and its filters, create and invite, a client's page
(contacts, invitations, details, custom attributes, history, workspaces), and who may see them.
"""

from __future__ import annotations

import asyncio
import html
import re
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from babel.support import Translations

from portico.contracts import Envelope
from portico.contracts.events.portal import ClientInvited, ClientUpdated
from portico.contracts.events.signing import DocumentCompleted, MappedField, SignedCopy
from portico.gateway.testing import PASSWORD, Accounts, Site
from portico.gateway.web.i18n import CATALOGS
from portico.kit.testing.services import RunningPortico
from portico.pdf.testing import pdf_with_text

# What a page shows is the same on both backends (the services' tests prove each one).
pytestmark = pytest.mark.backends("embedded")

API = "/api/portal/v1"
CLIENT_PATH = re.compile(r"^/clients/([0-9a-f-]{36})$")


async def api(
    portico: RunningPortico, method: str, path: str, body: Any = None, expected: int = 200
) -> Any:
    response = await portico.http.request(
        method, f"{API}{path}", json=body, headers=portico.headers("admin")
    )
    assert response.status_code == expected, response.text
    return response.json() if response.content else None


async def make_client(
    portico: RunningPortico,
    name: str,
    *,
    contact: tuple[str, str, str] | None = None,
    tags: list[str] | None = None,
    assignee: str | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {"name": name, "tags": tags or [], "assigned_staff_id": assignee}
    if contact:
        first, last, email = contact
        body["contacts"] = [{"first_name": first, "last_name": last, "email": email}]
    return dict(await api(portico, "POST", "/clients", body, 201))


def results(page: httpx.Response) -> str:
    """The list's results region (what htmx swaps), without the filter form."""
    return page.text.split('id="clients-results"', 1)[1]


def rows(page: httpx.Response) -> int:
    return results(page).count('class="client-name"')


def toast(page: httpx.Response) -> str:
    found = re.search(r'<div class="toast toast-(\w+)">([^<]*)</div>', page.text)
    assert found, "no toast on the page"
    return f"{found.group(1)}: {html.unescape(found.group(2))}"


def token_of(invited: Envelope) -> str:
    return str(invited.data["accept_url"]).split("token=")[1]


async def test_create_and_invite_a_client_through_the_form(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    admin = await accounts.staff("admin")
    await site.log_in(admin["email"])
    form = await site.get("/clients/new")
    assert form.status_code == 200
    for name, label in [
        ("name", "Name"),
        ("tags", "Tags"),
        ("assignee", "Assignee"),
        ("first_name", "First name"),
        ("last_name", "Last name"),
        ("email", "Email"),
        ("phone", "Phone"),
        ("locale", "Language"),
        ("invite", "Invite this contact to the client portal now"),
    ]:
        assert f'<label for="field-{name}">{label}' in form.text
    assert re.search(r'name="invite" value="1"[^>]* checked', form.text)
    assert f'<option value="{admin["id"]}">Léa Martin</option>' in form.text

    created = await site.post(
        "/clients/new",
        {
            "kind": "company",
            "name": "Atelier Lumière",
            "tags": "architecture, Paris, architecture",
            "assignee": admin["id"],
            "first_name": "Camille",
            "last_name": "Durand",
            "email": "camille@atelier.example",
            "phone": "+33 6 12 34 56 78",
            "locale": "fr",
            "invite": "1",
        },
    )
    assert created.status_code == 303, created.text[:2000]
    found = CLIENT_PATH.match(created.headers["location"])
    assert found
    client_id = found.group(1)

    page = await site.follow(created)
    assert page.status_code == 200
    assert toast(page) == (
        "success: Client created. The invitation is on its way to camille@atelier.example."
    )
    assert "<h1>Atelier Lumière</h1>" in page.text
    assert "Assigned to Léa Martin" in page.text
    assert '<a href="mailto:camille@atelier.example">' in page.text
    assert '<span class="badge badge-invited">Invited</span>' in page.text
    assert "Resend invitation" in page.text and "Revoke invitation" in page.text
    assert ">architecture</a>" in page.text and ">Paris</a>" in page.text

    [invited] = await portico.events.wait_for(ClientInvited.event_type, subject=client_id)
    assert invited.data["contact"]["email"] == "camille@atelier.example"
    assert invited.data["contact"]["locale"] == "fr"
    stored = await api(portico, "GET", f"/clients/{client_id}")
    assert stored["tags"] == ["Paris", "architecture"]
    assert stored["assigned_staff_id"] == admin["id"]
    assert stored["contacts"][0]["phone"] == "+33 6 12 34 56 78"

    listed = await site.get("/clients")
    assert listed.status_code == 200
    region = results(listed)
    assert f'<a class="client-name" href="/clients/{client_id}">Atelier Lumière</a>' in region
    assert "camille@atelier.example" in region
    assert '<span class="badge badge-invited">Invited</span>' in region
    assert "Léa Martin" in region


async def test_a_client_can_start_without_an_invitation(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    admin = await accounts.staff("staff")
    await site.log_in(admin["email"])
    created = await site.post(
        "/clients/new",
        {
            "kind": "individual",
            "name": "Jeanne Moreau",
            "first_name": "Jeanne",
            "last_name": "Moreau",
            "email": "jeanne@example.org",
            "locale": "en",
        },
    )
    page = await site.follow(created)
    assert toast(page) == "success: Client created."
    assert "Individual" in page.text
    assert '<span class="badge badge-none">Not invited</span>' in page.text
    assert ">Invite<" in page.text
    assert portico.events.of_type(ClientInvited.event_type) == []


async def test_field_errors_are_shown_beside_the_inputs_and_nothing_is_created(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    admin = await accounts.staff("admin")
    await site.log_in(admin["email"])
    refused = await site.post(
        "/clients/new",
        {
            "kind": "company",
            "name": " ",
            "tags": "ok, " + "x" * 60,
            "first_name": "Camille",
            "last_name": "",
            "email": "not-an-email",
            "locale": "en",
            "invite": "1",
        },
    )
    assert refused.status_code == 422
    text = refused.text
    for name in ("name", "last_name", "email", "tags"):
        assert f'aria-invalid="true" aria-describedby="error-{name}"' in text, name
    assert '<p class="field-error" id="error-name">This field is required.</p>' in text
    assert '<p class="field-error" id="error-last_name">This field is required.</p>' in text
    assert '<p class="field-error" id="error-email">This value is not valid.</p>' in text
    assert (
        '<p class="field-error" id="error-tags">This is too long: at most 50 characters.</p>'
        in text
    )
    # What was typed stays, the invitation box too.
    assert 'value="Camille"' in text and 'value="not-an-email"' in text
    assert re.search(r'name="invite" value="1"[^>]* checked', text)

    assert (await api(portico, "GET", "/clients"))["total"] == 0
    assert portico.events.of_type(ClientInvited.event_type) == []


async def test_search_and_each_filter_narrow_the_list(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    admin = await accounts.staff("admin")
    colleague = await api(
        portico,
        "POST",
        "/staff",
        {"email": "hugo@studio.example", "first_name": "Hugo", "last_name": "Blanc"},
        201,
    )
    await site.log_in(admin["email"])

    empty = await site.get("/clients")
    assert "No client yet" in empty.text
    assert '<a class="button button-primary" href="/clients/new">Create a client</a>' in empty.text

    bakery = await make_client(
        portico,
        "Boulangerie Martin",
        contact=("Paul", "Roux", "paul@boulangerie.example"),
        tags=["food"],
        assignee=colleague["id"],
    )
    await make_client(
        portico,
        "Cabinet Durand",
        contact=("Julie", "Petit", "julie@cabinet.example"),
        tags=["law", "Paris"],
    )
    studio = await make_client(
        portico, "Studio Nord", contact=("Camille", "Durand", "camille@nord.example")
    )
    await api(
        portico,
        "POST",
        f"/clients/{studio['id']}/contacts/{studio['contacts'][0]['id']}/invitation",
        expected=201,
    )
    joined = await accounts.client_with_contact("Agence Sud")
    await accounts.client_account(joined)
    everyone = {"Boulangerie Martin", "Cabinet Durand", "Studio Nord", "Agence Sud"}

    async def shown(query: str) -> set[str]:
        page = await site.get(f"/clients?{query}")
        assert page.status_code == 200
        return {name for name in everyone if f">{name}</a>" in results(page)}

    assert await shown("") == everyone
    # By the client's name or a contact's (Agence Sud's contact is a Durand too).
    assert await shown("q=durand") == {"Cabinet Durand", "Studio Nord", "Agence Sud"}
    assert await shown("q=paul%40boulangerie") == {"Boulangerie Martin"}
    assert await shown("tag=law") == {"Cabinet Durand"}
    assert await shown("tag=Paris") == {"Cabinet Durand"}
    assert await shown(f"assignee={colleague['id']}") == {"Boulangerie Martin"}
    assert await shown("status=invited") == {"Studio Nord"}
    assert await shown("status=active") == {"Agence Sud"}
    assert await shown("status=none") == {"Boulangerie Martin", "Cabinet Durand"}
    assert await shown("q=durand&status=invited") == {"Studio Nord"}

    page = await site.get(f"/clients?assignee={colleague['id']}")
    region = results(page)
    assert "Hugo Blanc" in region and "paul@boulangerie.example" in region
    assert f'<a class="client-name" href="/clients/{bakery["id"]}">' in region
    assert f'<option value="{colleague["id"]}" selected>Hugo Blanc</option>' in page.text

    nothing = await site.get("/clients?q=nobody-by-this-name")
    assert "No client matches" in nothing.text
    assert '<a class="button" href="/clients">Clear the filters</a>' in nothing.text

    # The filter form updates the results in place with htmx, and still works without it.
    assert 'hx-get="/clients"' in page.text and 'hx-push-url="true"' in page.text
    assert 'hx-select="#clients-results"' in page.text
    swapped = await site.get("/clients?tag=food", headers={"HX-Request": "true"})
    assert swapped.status_code == 200
    assert ">Boulangerie Martin</a>" in results(swapped)
    assert ">Cabinet Durand</a>" not in results(swapped)

    # Nonsense in the query is ignored rather than refused.
    assert await shown("status=bogus&assignee=nobody&offset=x") == everyone


async def test_the_list_pages_by_25_keeping_the_filters(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    admin = await accounts.staff("admin")
    for number in range(1, 28):
        await make_client(portico, f"Client {number:02d}", tags=["bulk"])
    await make_client(portico, "Client 99 untagged")
    await site.log_in(admin["email"])

    first = await site.get("/clients?tag=bulk")
    assert rows(first) == 25
    assert "27 clients" in first.text
    assert "1–25 of 27" in first.text
    assert ">Client 01</a>" in first.text and ">Client 25</a>" in first.text
    assert ">Client 26</a>" not in first.text
    found = re.search(r'<a class="button" href="([^"]+)" rel="next">Next</a>', first.text)
    assert found
    next_link = html.unescape(found.group(1))
    assert "tag=bulk" in next_link and "offset=25" in next_link

    second = await site.get("/clients" + next_link)
    assert rows(second) == 2
    assert "26–27 of 27" in second.text
    assert ">Client 26</a>" in second.text and ">Client 27</a>" in second.text
    assert "Client 99 untagged" not in second.text
    assert 'rel="prev">Previous</a>' in second.text

    beyond = await site.get("/clients?offset=100")
    assert rows(beyond) == 0
    assert "No client matches" in beyond.text and "No client yet" not in beyond.text


async def test_invite_resend_and_revoke_from_the_client_page(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    admin = await accounts.staff("admin")
    client = await accounts.client_with_contact()
    contact = client["contacts"][0]
    base = f"/clients/{client['id']}/contacts/{contact['id']}"
    await site.log_in(admin["email"])

    page = await site.get(f"/clients/{client['id']}")
    assert '<span class="badge badge-none">Not invited</span>' in page.text
    assert f'action="{base}/invite"' in page.text

    invited = await site.follow(await site.post(f"{base}/invite"))
    assert toast(invited) == f"success: The invitation is on its way to {contact['email']}."
    assert '<span class="badge badge-invited">Invited</span>' in invited.text
    assert f'action="{base}/revoke"' in invited.text
    assert (
        'data-confirm="Revoke the invitation of Camille Durand? Its link will stop working."'
        in (invited.text)
    )
    [first] = await portico.events.wait_for(ClientInvited.event_type, subject=client["id"])

    resent = await site.follow(await site.post(f"{base}/invite"))
    assert toast(resent) == (
        f"success: A new invitation is on its way to {contact['email']}; "
        "the previous link no longer works."
    )
    [_, second] = await portico.events.wait_for(ClientInvited.event_type, 2, subject=client["id"])
    assert token_of(second) != token_of(first)
    assert (await site.get(f"/invitations/accept?token={token_of(first)}")).status_code == 410

    revoked = await site.follow(await site.post(f"{base}/revoke"))
    assert toast(revoked) == (
        "success: The invitation of Camille Durand is revoked: its link no longer works."
    )
    assert '<span class="badge badge-none">Not invited</span>' in revoked.text
    assert (await site.get(f"/invitations/accept?token={token_of(second)}")).status_code == 410
    stored = await api(portico, "GET", f"/clients/{client['id']}")
    assert stored["contacts"][0]["portal_status"] == "none"

    again = await site.follow(await site.post(f"{base}/revoke"))
    assert toast(again) == "info: Camille Durand has no pending invitation."


async def test_a_contact_who_joined_cannot_be_invited_again(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    admin = await accounts.staff("admin")
    client = await accounts.client_with_contact()
    await accounts.client_account(client)
    contact = client["contacts"][0]
    await site.log_in(admin["email"])
    page = await site.get(f"/clients/{client['id']}")
    assert '<span class="badge badge-active">Active</span>' in page.text
    assert "/invite" not in page.text

    refused = await site.follow(
        await site.post(f"/clients/{client['id']}/contacts/{contact['id']}/invite")
    )
    assert toast(refused).startswith("error: Camille Durand cannot be invited")
    assert len(portico.events.of_type(ClientInvited.event_type, subject=client["id"])) == 1


async def test_staff_end_a_joined_contacts_access_from_the_client_page(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    admin = await accounts.staff("admin")
    client = await accounts.client_with_contact()
    email = await accounts.client_account(client)
    contact = client["contacts"][0]
    base = f"/clients/{client['id']}/contacts/{contact['id']}"
    await site.log_in(admin["email"])
    page = await site.get(f"/clients/{client['id']}")
    assert f'action="{base}/revoke"' in page.text
    assert "End the portal access of Camille Durand at this client?" in html.unescape(page.text)

    ended = await site.follow(await site.post(f"{base}/revoke"))
    assert toast(ended) == "success: Camille Durand can no longer open the portal at this client."
    assert '<span class="badge badge-none">Not invited</span>' in ended.text
    login = await portico.http.post(
        "/api/portal/v1/auth/login", json={"email": email, "password": PASSWORD}
    )
    assert login.status_code == 401


async def test_add_a_contact_and_invite_them(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    admin = await accounts.staff("admin")
    client = await accounts.client_with_contact()
    path = f"/clients/{client['id']}"
    await site.log_in(admin["email"])

    refused = await site.post(
        f"{path}/contacts",
        {"first_name": "Jules", "last_name": "Bernard", "email": "jules@", "invite": "1"},
    )
    assert refused.status_code == 422
    assert '<details class="client-disclosure" open>' in refused.text
    assert '<p class="field-error" id="error-email">This value is not valid.</p>' in refused.text
    assert 'value="Jules"' in refused.text

    added = await site.post(
        f"{path}/contacts",
        {
            "first_name": "Jules",
            "last_name": "Bernard",
            "email": "jules@atelier.example",
            "role": "Accountant",
            "locale": "en",
            "invite": "1",
        },
    )
    page = await site.follow(added)
    assert toast(page) == (
        "success: Jules Bernard is added. The invitation is on its way to jules@atelier.example."
    )
    row = page.text.split('<td class="client-contact-name">Jules Bernard</td>', 1)[1]
    row = row.split("</tr>", 1)[0]
    assert '<td data-label="Role">Accountant</td>' in row
    assert '<span class="badge badge-invited">Invited</span>' in row
    [invited] = await portico.events.wait_for(ClientInvited.event_type, subject=client["id"])
    assert invited.data["contact"]["email"] == "jules@atelier.example"
    assert "Contact added" in page.text and "<ins>Jules Bernard</ins>" in page.text


async def test_edit_the_details_with_a_custom_attribute_and_see_the_history(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    admin = await accounts.staff("admin")
    for definition in (
        {"key": "employees", "label": "Employees", "type": "number"},
        {"key": "sector", "label": "Sector", "type": "choice", "choices": ["Retail", "Tech"]},
    ):
        await api(portico, "POST", "/attributes", definition, 201)
    client = await accounts.client_with_contact()
    path = f"/clients/{client['id']}"
    await site.log_in(admin["email"])

    form = await site.get(f"{path}/edit")
    assert form.status_code == 200
    assert '<label for="field-attr_employees">Employees' in form.text
    assert '<option value="Tech">Tech</option>' in form.text
    assert 'value="Atelier Lumière"' in form.text

    details = {
        "kind": "company",
        "name": "Atelier Lumière Paris",
        "legal_id": "",
        "tags": "design",
        "assignee": admin["id"],
        "phone": "+33 1 23 45 67 89",
        "website": "https://lumiere.example",
        # As a browser posts a textarea: CRLF line breaks.
        "notes": "Prefers email.\r\nCall after 10.",
        "address_line1": "12 rue des Arts",
        "address_line2": "",
        "address_postal_code": "75003",
        "address_city": "Paris",
        "address_region": "",
        "address_country": "fr",
        "attr_employees": "14",
        "attr_sector": "Tech",
    }
    saved = await site.post(f"{path}/edit", details)
    assert saved.headers["location"] == path
    page = await site.follow(saved)
    assert toast(page) == "success: The client's details are saved."
    assert "<h1>Atelier Lumière Paris</h1>" in page.text
    assert "12 rue des Arts<br>75003 Paris<br>FR" in page.text
    assert '<a href="https://lumiere.example"' in page.text
    assert "<dt>Employees</dt>\n      <dd>14</dd>" in page.text
    assert "<dt>Sector</dt>\n      <dd>Tech</dd>" in page.text
    assert '<dd class="client-notes">Prefers email.\nCall after 10.</dd>' in page.text
    history = page.text.split('id="history-title"', 1)[1]
    assert "Details changed" in history and "Léa Martin" in history
    assert (
        '<span class="client-change-field">Name</span>\n'
        '<del>Atelier Lumière</del> <span aria-hidden="true">→</span> '
        "<ins>Atelier Lumière Paris</ins>"
    ) in history
    assert '<span class="client-change-field">Employees</span>' in history
    assert "<ins>14</ins>" in history and "<ins>Tech</ins>" in history
    assert '<span class="client-change-field">Assignee</span>' in history
    assert "<ins>Léa Martin</ins>" in history
    assert "Client created" in history

    # Saving again without a change writes no history.
    changes = len(await api(portico, "GET", f"/clients/{client['id']}/history"))
    assert (await site.post(f"{path}/edit", details)).status_code == 303
    assert len(await api(portico, "GET", f"/clients/{client['id']}/history")) == changes

    bad_country = await site.post(f"{path}/edit", details | {"address_country": "France"})
    assert bad_country.status_code == 422
    assert 'aria-describedby="error-address_country"' in bad_country.text
    bad_number = await site.post(f"{path}/edit", details | {"attr_employees": "many"})
    assert bad_number.status_code == 422
    assert '<p class="field-error" id="error-attr_employees">Enter a number.</p>' in bad_number.text
    assert 'value="many"' in bad_number.text
    stored = await api(portico, "GET", f"/clients/{client['id']}")
    assert stored["attributes"] == {"employees": 14, "sector": "Tech"}
    assert stored["address"]["country"] == "FR"

    # Emptying an attribute removes it.
    assert (await site.post(f"{path}/edit", details | {"attr_sector": ""})).status_code == 303
    stored = await api(portico, "GET", f"/clients/{client['id']}")
    assert stored["attributes"] == {"employees": 14}


async def test_the_history_shows_what_a_signed_document_wrote_and_refused(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    admin = await accounts.staff("admin")
    await api(
        portico,
        "POST",
        "/attributes",
        {"key": "employees", "label": "Employees", "type": "number"},
        201,
    )
    client = await accounts.client_with_contact()
    contact = client["contacts"][0]
    submission_id = uuid.uuid4()
    event = DocumentCompleted(
        submission_id=submission_id,
        template_id=uuid.uuid4(),
        document_name="Mandat",
        client_id=uuid.UUID(client["id"]),
        completed_at=datetime.now(UTC),
        submitters=[
            SignedCopy(
                id=contact["id"],
                name="Camille Durand",
                email=contact["email"],
                copy_url=f"http://portico.test/sign/{submission_id}/copy",
            )
        ],
        completed_pdf_key=f"submissions/{submission_id}/completed.pdf",
        completed_pdf_sha256="9f" * 32,
        certificate_key=f"submissions/{submission_id}/certificate.pdf",
        mapped_fields=[
            MappedField(target="client.phone", value="+33 4 78 00 00 00"),
            MappedField(target="contact.role", contact_id=contact["id"], value="Gérante"),
            MappedField(target="client.attributes.employees", value="a dozen"),
        ],
    )
    await portico.host.bus.publish([Envelope.wrap(event, source="signing")])
    await portico.events.wait_for(ClientUpdated.event_type, subject=client["id"])

    await site.log_in(admin["email"])
    page = await site.get(f"/clients/{client['id']}")
    history = page.text.split('id="history-title"', 1)[1]
    assert "Values written back from a signed document" in history
    assert f"Signed document {str(submission_id)[:8]}" in history
    assert "<ins>+33 4 78 00 00 00</ins>" in history
    assert '<span class="client-change-field">Role of Camille Durand</span>' in history
    assert "1 value could not be written:" in history
    assert '<span class="client-change-field">Employees</span> <q>a dozen</q>' in history
    assert "must be a number" in history
    # The page's contacts and details show what was written.
    assert '<td data-label="Role">Gérante</td>' in page.text
    assert "+33 4 78 00 00 00</a>" in page.text


async def test_create_a_workspace_from_the_client_page(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    admin = await accounts.staff("admin")
    client = await accounts.client_with_contact()
    contact = client["contacts"][0]
    path = f"/clients/{client['id']}"
    await site.log_in(admin["email"])

    # Shared by default only with contacts who can open it: not with one never invited,
    # who is still offered (and finds it once they join)...
    page = await site.get(path)
    assert "No workspace yet" in page.text
    box = re.search(rf'<input id="share-{contact["id"]}"[^>]*>', page.text)
    assert box and "checked" not in box.group(0)
    assert "not in the portal yet: sees it once they join" in page.text
    # ...but with the same contact once they joined.
    await accounts.client_account(client)
    page = await site.get(path)
    assert re.search(rf'name="contact_ids" value="{contact["id"]}" checked', page.text)
    assert "not in the portal yet" not in page.text

    refused = await site.post(f"{path}/workspaces", {"workspace_name": " "})
    assert refused.status_code == 422
    assert '<p class="field-error" id="error-workspace_name">This field is required.</p>' in (
        refused.text
    )

    created = await site.post(
        f"{path}/workspaces",
        {
            "workspace_name": "Rénovation atelier",
            "project_name": "Atelier 2027",
            "clients_can_upload": "1",
            "contact_ids": [contact["id"]],
        },
    )
    assert created.status_code == 303
    found = re.fullmatch(r"/workspaces/([0-9a-f-]{36})", created.headers["location"])
    assert found
    workspace = await api(portico, "GET", f"/workspaces/{found.group(1)}")
    assert workspace["client_id"] == client["id"]
    assert workspace["project_name"] == "Atelier 2027"
    assert workspace["clients_can_upload"] is True
    assert [member["contact_id"] for member in workspace["members"]] == [contact["id"]]

    page = await site.get(path)
    assert f'<a href="/workspaces/{workspace["id"]}">Rénovation atelier</a>' in page.text
    assert "Shared with 1 contact" in page.text


async def test_unknown_clients_are_the_not_found_page(site: Site, accounts: Accounts) -> None:
    admin = await accounts.staff("admin")
    await site.log_in(admin["email"])
    for path in ("/clients/not-an-id", f"/clients/{uuid.uuid4()}", f"/clients/{uuid.uuid4()}/edit"):
        page = await site.get(path)
        assert page.status_code == 404, path
        assert "Page not found" in page.text


async def test_a_client_never_sees_the_staff_clients_pages(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    client = await accounts.client_with_contact("Atelier Secret")
    other = await make_client(
        portico, "Other Client", contact=("Paul", "Roux", "paul@other.example")
    )
    email = await accounts.client_account(client)
    await site.log_in(email)

    for path in (
        "/clients",
        "/clients/new",
        f"/clients/{client['id']}",
        f"/clients/{other['id']}",
        f"/clients/{other['id']}/edit",
        "/clients?q=other",
    ):
        page = await site.get(path)
        assert page.status_code in {303, 404}, path
        if page.status_code == 303:
            assert page.headers["location"].startswith("/login"), path
        assert "Other Client" not in page.text and "paul@other.example" not in page.text

    posted = await site.post("/clients/new", {"name": "Intrusion", "invite": ""})
    assert posted.status_code in {303, 404}
    listed = await api(portico, "GET", "/clients")
    assert "Intrusion" not in {item["name"] for item in listed["items"]}
    revoke = await site.post(f"/clients/{other['id']}/contacts/{other['contacts'][0]['id']}/invite")
    assert revoke.status_code in {303, 404}
    assert portico.events.of_type(ClientInvited.event_type, subject=other["id"]) == []


async def test_the_history_shows_each_step_of_a_contacts_way_into_the_portal(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    client = await accounts.client_with_contact()
    contact = client["contacts"][0]
    invitation = f"/clients/{client['id']}/contacts/{contact['id']}/invitation"
    await accounts.client_account(client)  # invitation sent, then accepted
    await api(portico, "DELETE", invitation, expected=204)  # access revoked
    await api(portico, "POST", invitation, expected=201)  # invitation sent
    await api(portico, "POST", invitation, expected=201)  # invitation sent again
    await api(portico, "DELETE", invitation, expected=204)  # invitation revoked

    for locale in ("en", "fr"):
        _ = Translations.load(str(CATALOGS), [locale]).gettext
        staff = await accounts.staff("staff", locale=locale)
        await site.log_in(staff["email"])
        page = await site.get(f"/clients/{client['id']}")
        history = html.unescape(page.text.split('id="history-title"', 1)[1])
        steps = re.findall(r'<p class="client-history-head">(.*?)</p>', history, re.S)
        whats = [re.search(r"<strong>(.*?)</strong>", step).group(1) for step in steps]  # type: ignore[union-attr]
        # Newest first, in the reader's language.
        assert whats == [
            _("Invitation revoked"),
            _("Invitation sent again"),
            _("Invitation sent"),
            _("Portal access revoked"),
            _("Invitation accepted"),
            _("Invitation sent"),
            _("Client created"),
        ], locale
        accepted = next(s for s in steps if _("Invitation accepted") in s)
        assert "Camille Durand" in accepted  # the contact herself accepted
        field = _("%(field)s of %(contact)s") % {
            "field": _("Portal access"),
            "contact": "Camille Durand",
        }
        assert field in history
        assert f"<ins>{_('Active')}</ins>" in history
        assert f"<del>{_('Invited')}</del>" in history
        await site.post("/logout", {})


async def test_the_documents_column_and_filters_follow_each_clients_documents(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    admin = await accounts.staff("admin")
    await site.log_in(admin["email"])
    documents = "/api/documents/v1"
    staff_headers = portico.headers("admin")
    id_card = await portico.http.post(
        f"{documents}/document-types",
        json={"name_en": "ID card", "name_fr": "Carte d'identité", "upload_mode": "required"},
        headers=staff_headers,
    )
    assert id_card.status_code == 201, id_card.text
    type_id = id_card.json()["id"]
    bakery = await make_client(
        portico, "Boulangerie Martin", contact=("Paul", "Roux", "p@b.example")
    )
    studio = await make_client(portico, "Studio Nord", contact=("Camille", "D", "c@n.example"))
    everyone = {"Boulangerie Martin", "Studio Nord"}

    async def shown(query: str) -> set[str]:
        page = await site.get(f"/clients?{query}")
        assert page.status_code == 200
        return {name for name in everyone if f">{name}</a>" in results(page)}

    async def comes_to(query: str, expected: set[str]) -> None:
        for _ in range(200):
            if await shown(query) == expected:
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"{query}: never {expected}, still {await shown(query)}")

    missing = f"document_type={type_id}&document_state=missing"
    await comes_to(missing, everyone)
    page = await site.get("/clients")
    assert f'<option value="{type_id}">ID card</option>' in page.text
    assert f'<a class="badge badge-incomplete" href="/clients/{bakery["id"]}/documents">' in (
        results(page)
    )

    contact = studio["contacts"][0]["id"]
    given = await portico.http.post(
        f"{documents}/my-documents",
        data={"document_type_id": type_id, "data": "{}"},
        files={"file": ("id.pdf", pdf_with_text("ID"), "application/pdf")},
        headers=portico.headers("client", client_id=studio["id"], contact_id=contact),
    )
    assert given.status_code == 201, given.text
    await comes_to(missing, {"Boulangerie Martin"})
    assert await shown(f"document_type={type_id}&document_state=in_review") == {"Studio Nord"}
    assert await shown("documents=incomplete") == everyone
    accepted = await portico.http.post(
        f"{documents}/clients/{studio['id']}/documents/{given.json()['id']}/review",
        json={"decision": "accepted"},
        headers=staff_headers,
    )
    assert accepted.status_code == 200, accepted.text
    await comes_to("documents=complete", {"Studio Nord"})
    page = await site.get("/clients?documents=complete")
    assert f'<a class="badge badge-complete" href="/clients/{studio["id"]}/documents">' in (
        results(page)
    )
    # A type that is not one of the organisation's is ignored, as other nonsense is.
    assert await shown(f"document_type={uuid.uuid4()}&document_state=missing") == everyone
