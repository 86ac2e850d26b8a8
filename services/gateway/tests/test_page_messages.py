"""What the pages tell people: errors that say the limit, required inputs marked, links in
messages, overdue and unassigned tasks that explain themselves."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest

from portico.gateway.testing import Accounts, Site
from portico.kit.testing.services import RunningPortico

# What a page shows is the same on both backends (the services' tests prove each one).
pytestmark = pytest.mark.backends("embedded")

API = "/api/portal/v1"


async def api(portico: RunningPortico, method: str, path: str, **kwargs: Any) -> Any:
    response = await portico.http.request(
        method, f"{API}{path}", headers=portico.headers("admin"), **kwargs
    )
    assert response.status_code < 300, response.text
    return response.json() if response.content else None


async def workspace_of(portico: RunningPortico, client: dict[str, Any]) -> str:
    contact_ids = [contact["id"] for contact in client["contacts"]]
    body = {"name": "Rénovation", "contact_ids": contact_ids}
    workspace = await api(portico, "POST", f"/clients/{client['id']}/workspaces", json=body)
    return str(workspace["id"])


def error_of(html: str, name: str) -> str:
    found = re.search(rf'<p class="field-error" id="error-{name}">([^<]*)</p>', html)
    assert found, html[:3000]
    return found.group(1)


async def test_a_length_error_says_the_limit_in_english_and_french(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    client = await accounts.client_with_contact()
    ws = await workspace_of(portico, client)
    for locale, expected in (
        ("en", "This is too long: at most 300 characters."),
        ("fr", "C’est trop long : 300 caractères au plus."),
    ):
        staff = await accounts.staff("admin", locale=locale)
        await site.log_in(staff["email"])
        refused = await site.post(f"/workspaces/{ws}/tasks", {"task_title": "x" * 301})
        assert refused.status_code == 422
        assert error_of(refused.text, "task_title") == expected
        await site.post("/logout")


async def test_a_long_https_address_is_refused_for_its_length_not_its_scheme(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    admin = await accounts.staff("admin")
    client = await accounts.client_with_contact()
    ws = await workspace_of(portico, client)
    await site.log_in(admin["email"])

    url = "https://example.com/" + "a" * 1990
    refused = await site.post(f"/workspaces/{ws}/links", {"link_title": "Plans", "url": url})
    assert refused.status_code == 422
    assert error_of(refused.text, "url") == "This is too long: at most 2,000 characters."
    # Up to the limit it is taken.
    taken = await site.post(f"/workspaces/{ws}/links", {"link_title": "Plans", "url": url[:2000]})
    assert taken.status_code == 303
    # A missing scheme is still said as such.
    bare = await site.post(f"/workspaces/{ws}/links", {"link_title": "Plans", "url": "plans"})
    assert error_of(bare.text, "url") == "Enter an address starting with http:// or https://."


async def test_the_upload_input_states_its_limit_and_carries_it_for_the_browser(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    admin = await accounts.staff("admin")
    client = await accounts.client_with_contact()
    ws = await workspace_of(portico, client)
    await site.log_in(admin["email"])
    page = await site.get(f"/workspaces/{ws}")
    upload = re.search(r'<input id="field-file"[^>]*>', page.text)
    assert upload, page.text
    assert f'data-max-bytes="{25 * 1024 * 1024}"' in upload.group(0)
    assert 'data-too-large="This file is too large: at most 25 MB."' in upload.group(0)
    assert "PDF, images, office documents, text, CSV or ZIP; at most 25 MB." in page.text
    assert "js/file-limit.js" in page.text


async def test_the_new_client_form_marks_the_contact_inputs_it_needs(
    site: Site, accounts: Accounts
) -> None:
    admin = await accounts.staff("admin")
    await site.log_in(admin["email"])
    page = await site.get("/clients/new")
    for name in ("name", "first_name", "last_name", "email"):
        found = re.search(rf'<input id="field-{name}"[^>]*>', page.text)
        assert found and " required" in found.group(0), name
        label = re.search(rf'<label for="field-{name}">[^<]*<span class="required"', page.text)
        assert label, name
    for name in ("phone", "tags"):
        found = re.search(rf'<input id="field-{name}"[^>]*>', page.text)
        assert found and " required" not in found.group(0), name
    assert "Required fields are marked with an asterisk." in page.text


async def test_a_failed_form_names_the_page_it_belongs_to(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    admin = await accounts.staff("admin")
    client = await accounts.client_with_contact()
    ws = await workspace_of(portico, client)
    await site.log_in(admin["email"])
    refused = await site.post(f"/workspaces/{ws}/links", {"link_title": "", "url": ""})
    assert refused.status_code == 422
    assert f'<link rel="canonical" href="/workspaces/{ws}">' in refused.text
    contact = await site.post(f"/clients/{client['id']}/contacts", {"first_name": ""})
    assert contact.status_code == 422
    assert f'<link rel="canonical" href="/clients/{client["id"]}">' in contact.text


async def test_addresses_in_messages_are_links_and_nothing_else_is(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    admin = await accounts.staff("admin")
    client = await accounts.client_with_contact()
    ws = await workspace_of(portico, client)
    body = (
        "Les plans : https://example.com/plans?a=1&b=2. "
        'Pas ceci : javascript:alert(1) <b>gras</b> https://x.example/"onclick=y'
    )
    await api(portico, "POST", f"/workspaces/{ws}/messages", json={"body": body})
    await site.log_in(admin["email"])
    page = await site.get(f"/workspaces/{ws}")
    message = page.text.split('<p class="ws-message-body">', 1)[1].split("</p>", 1)[0]
    assert re.findall(r"<a [^>]*>", message) == [
        '<a href="https://example.com/plans?a=1&amp;b=2" rel="noopener noreferrer nofollow" '
        'target="_blank">',
        '<a href="https://x.example/" rel="noopener noreferrer nofollow" target="_blank">',
    ]
    assert "javascript:alert(1) &lt;b&gt;gras&lt;/b&gt;" in message
    assert "&#34;onclick=y" in message


async def test_overdue_and_unassigned_tasks_say_so(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    admin = await accounts.staff("admin")
    client = await accounts.client_with_contact()
    email = await accounts.client_account(client)
    ws = await workspace_of(portico, client)
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    tasks = f"/workspaces/{ws}/tasks"
    late = await api(portico, "POST", tasks, json={"title": "Late", "due_on": yesterday})
    await api(portico, "POST", tasks, json={"title": "Soon", "due_on": tomorrow})
    done = await api(portico, "POST", tasks, json={"title": "Closed", "due_on": yesterday})
    await api(portico, "PATCH", f"{tasks}/{done['id']}", json={"done": True})

    def row(html: str, title: str) -> str:
        rows = re.findall(r'<li class="ws-task[^"]*" id="task-.*?</li>', html, re.S)
        [found] = [found for found in rows if f'<span class="ws-task-title">{title}' in found]
        return str(found)

    await site.log_in(admin["email"])
    page = await site.get(f"/workspaces/{ws}")
    assert 'badge-overdue">Overdue</span>' in row(page.text, "Late")
    assert "Overdue" not in row(page.text, "Soon") and "Overdue" not in row(page.text, "Closed")
    await site.post("/logout")

    await site.log_in(email)
    page = await site.get(f"/portal/workspaces/{ws}")
    late_row = row(page.text, "Late")
    assert late["assignee_kind"] is None
    label = "To do, assigned to nobody yet: the team ticks it"
    assert f'role="img" aria-label="{label}" title="{label}"' in late_row
    assert "Unassigned: the team ticks it when it is done" in late_row
