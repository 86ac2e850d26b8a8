"""A workspace's settings page: rename, share, uploads, archive and restore, delete."""

from __future__ import annotations

from typing import Any

import pytest

from portico.contracts.events.portal import WorkspaceShared
from portico.gateway.testing import Accounts, Site
from portico.kit.testing.services import RunningPortico

# What a page shows is the same on both backends (the services' tests prove each one).
pytestmark = pytest.mark.backends("embedded")

API = "/api/portal/v1"


async def workspace_of(
    portico: RunningPortico, client: dict[str, Any], contact_ids: list[str]
) -> dict[str, Any]:
    response = await portico.http.post(
        f"{API}/clients/{client['id']}/workspaces",
        json={"name": "Plans", "contact_ids": contact_ids},
        headers=portico.headers("admin"),
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def read(portico: RunningPortico, workspace_id: str) -> dict[str, Any]:
    response = await portico.http.get(
        f"{API}/workspaces/{workspace_id}", headers=portico.headers("admin")
    )
    return dict(response.json())


async def test_staff_rename_share_and_close_uploads(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    admin = await accounts.staff("admin")
    client = await accounts.client_with_contact()
    contact = client["contacts"][0]
    await accounts.client_account(client)  # in the portal: told when it is shared with them
    workspace = await workspace_of(portico, client, [])
    await site.log_in(admin["email"])
    page = await site.get(f"/workspaces/{workspace['id']}/settings")
    assert page.status_code == 200
    assert 'value="Plans"' in page.text and contact["email"] in page.text
    # The contact joined: nothing says they are not in the portal.
    assert "not in the portal yet" not in page.text

    empty = await site.post(
        f"/workspaces/{workspace['id']}/settings", {"workspace_name": "", "project_name": "X"}
    )
    assert empty.status_code == 422
    assert 'aria-describedby="error-workspace_name"' in empty.text
    assert (await read(portico, workspace["id"]))["name"] == "Plans"

    saved = await site.post(
        f"/workspaces/{workspace['id']}/settings",
        {"workspace_name": "Plans 2027", "project_name": "Atelier", "contact_ids": contact["id"]},
    )
    assert saved.headers["location"] == f"/workspaces/{workspace['id']}"
    stored = await read(portico, workspace["id"])
    assert (stored["name"], stored["project_name"], stored["clients_can_upload"]) == (
        "Plans 2027",
        "Atelier",
        False,
    )
    assert [member["contact_id"] for member in stored["members"]] == [contact["id"]]
    await portico.events.wait_for(WorkspaceShared.event_type, subject=workspace["id"])
    assert "The workspace is saved." in (await site.follow(saved)).text


async def test_a_member_not_in_the_portal_is_marked_and_can_still_be_added(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    admin = await accounts.staff("admin")
    client = await accounts.client_with_contact()
    contact = client["contacts"][0]
    workspace = await workspace_of(portico, client, [])
    await site.log_in(admin["email"])
    page = await site.get(f"/workspaces/{workspace['id']}/settings")
    assert "not in the portal yet: sees it once they join" in page.text
    assert "the others find it once they join" in page.text

    saved = await site.post(
        f"/workspaces/{workspace['id']}/settings",
        {"workspace_name": "Plans", "contact_ids": contact["id"]},
    )
    assert saved.status_code == 303
    stored = await read(portico, workspace["id"])
    # A member now, though not told (tested with the portal's API): they find it on joining.
    assert [member["contact_id"] for member in stored["members"]] == [contact["id"]]


async def test_an_archived_workspace_leaves_the_portal_until_restored(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    admin = await accounts.staff("admin")
    client = await accounts.client_with_contact()
    workspace = await workspace_of(portico, client, [client["contacts"][0]["id"]])
    email = await accounts.client_account(client)
    contact_site = Site(portico)
    await contact_site.log_in(email)
    assert (await contact_site.get(f"/portal/workspaces/{workspace['id']}")).status_code == 200

    await site.log_in(admin["email"])
    await site.post(f"/workspaces/{workspace['id']}/archive", {"archived": "true"})
    assert (await read(portico, workspace["id"]))["archived_at"] is not None
    assert (await contact_site.get(f"/portal/workspaces/{workspace['id']}")).status_code == 404
    client_page = await site.get(f"/clients/{client['id']}")
    assert "Plans" in client_page.text and "Archived" in client_page.text

    await site.post(f"/workspaces/{workspace['id']}/archive", {"archived": "false"})
    assert (await read(portico, workspace["id"]))["archived_at"] is None
    assert (await contact_site.get(f"/portal/workspaces/{workspace['id']}")).status_code == 200
    await contact_site.close()


async def test_deleting_a_workspace_returns_to_its_client(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    admin = await accounts.staff("admin")
    client = await accounts.client_with_contact()
    workspace = await workspace_of(portico, client, [])
    await site.log_in(admin["email"])
    deleted = await site.post(f"/workspaces/{workspace['id']}/delete")
    assert deleted.headers["location"] == f"/clients/{client['id']}"
    gone = await portico.http.get(
        f"{API}/workspaces/{workspace['id']}", headers=portico.headers("admin")
    )
    assert gone.status_code == 404
    assert (await site.get(f"/workspaces/{workspace['id']}/settings")).status_code == 404


async def test_clients_cannot_open_a_workspace_s_settings(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    client = await accounts.client_with_contact()
    workspace = await workspace_of(portico, client, [client["contacts"][0]["id"]])
    email = await accounts.client_account(client)
    await site.log_in(email)
    for path in ("settings", "archive", "delete"):
        method = site.get if path == "settings" else site.post
        answer = await method(f"/workspaces/{workspace['id']}/{path}")
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    assert (await read(portico, workspace["id"]))["archived_at"] is None
