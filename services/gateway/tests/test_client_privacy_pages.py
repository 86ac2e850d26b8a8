"""A client's personal data on its staff page (admins only): exporting it (the list of
exports, the archive downloaded through the gateway) and erasing it after typing its name.
"""

from __future__ import annotations

import asyncio
import html
import io
import re
import time
import zipfile
from typing import Any

import pytest

from portico.gateway.testing import Accounts, Site
from portico.kit.testing.services import RunningPortico

# What a page shows is the same on both backends (the services' tests prove each one).
pytestmark = pytest.mark.backends("embedded")

API = "/api/portal/v1"


def toast(page: Any) -> str:
    found = re.search(r'<div class="toast toast-(\w+)">([^<]*)</div>', page.text)
    assert found, "no toast on the page"
    return f"{found.group(1)}: {html.unescape(found.group(2))}"


async def ready_export(portico: RunningPortico, client_id: str, seconds: float = 60) -> Any:
    """The client's newest export once every service has answered and its zip is built."""
    deadline = time.monotonic() + seconds
    while True:
        listed = await portico.http.get(
            f"{API}/clients/{client_id}/exports", headers=portico.headers("admin")
        )
        assert listed.status_code == 200, listed.text
        newest = listed.json()["items"][0]
        assert newest["status"] != "failed", newest
        if newest["status"] == "ready":
            return newest
        assert time.monotonic() < deadline, f"export still pending: {newest}"
        await asyncio.sleep(0.2)


async def test_only_admins_see_the_personal_data_section(site: Site, accounts: Accounts) -> None:
    client = await accounts.client_with_contact("Atelier Lumière")
    staff = await accounts.staff("staff")
    await site.log_in(staff["email"])
    page = await site.get(f"/clients/{client['id']}")
    assert page.status_code == 200
    assert "Personal data" not in page.text
    assert "/erase" not in page.text
    # Nor can a staff member reach its addresses.
    assert (await site.get(f"/clients/{client['id']}/privacy")).status_code == 404
    refused = await site.post(f"/clients/{client['id']}/erase", {"confirm_name": "Atelier Lumière"})
    assert refused.status_code == 404
    assert (await site.post(f"/clients/{client['id']}/exports")).status_code == 404

    admin = await accounts.staff("admin")
    await site.log_in(admin["email"])
    page = await site.get(f"/clients/{client['id']}")
    assert page.status_code == 200
    assert '<h2 id="privacy-title">Personal data</h2>' in page.text
    assert "Export this client's data" in page.text
    assert f'action="/clients/{client["id"]}/erase"' in page.text
    assert f'hx-get="/clients/{client["id"]}/privacy"' in page.text


async def test_an_export_is_listed_then_downloaded_through_the_gateway(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    client = await accounts.client_with_contact("Atelier Lumière")
    admin = await accounts.staff("admin")
    await site.log_in(admin["email"])
    section = await site.get(f"/clients/{client['id']}/privacy", headers={"hx-request": "true"})
    assert section.status_code == 200
    assert "No export yet." in section.text
    assert "<html" not in section.text  # htmx gets the section alone

    requested = await site.post(f"/clients/{client['id']}/exports")
    assert requested.headers["location"] == f"/clients/{client['id']}#privacy"
    page = await site.follow(requested)
    assert toast(page) == "success: Export requested: it will be ready in a few moments."

    export = await ready_export(portico, client["id"])
    listed = await site.get(f"/clients/{client['id']}/privacy")
    assert listed.status_code == 200
    assert "<html" in listed.text  # without script: a page of its own
    link = f"/clients/{client['id']}/exports/{export['id']}/archive"
    assert f'href="{link}"' in listed.text
    assert ">Ready</span>" in listed.text

    archive = await site.get(link)
    assert archive.status_code == 200
    assert archive.headers["content-type"] == "application/zip"
    disposition = archive.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert "portico-export-atelier-lumi" in disposition
    with zipfile.ZipFile(io.BytesIO(archive.content)) as zipped:
        names = zipped.namelist()
    assert "README.txt" in names
    assert any(name.startswith("portal/") for name in names)

    # An export that is not ready has no archive to download: the 404 page, not a 500.
    again = await site.post(f"/clients/{client['id']}/exports")
    assert again.status_code == 303
    pending = await site.get(f"/clients/{client['id']}/privacy")
    newest = await portico.http.get(
        f"{API}/clients/{client['id']}/exports", headers=portico.headers("admin")
    )
    first = newest.json()["items"][0]
    if first["status"] == "pending":
        assert ">Pending</span>" in pending.text
        assert 'hx-trigger="every 3s"' in pending.text
        gone = await site.get(f"/clients/{client['id']}/exports/{first['id']}/archive")
        assert gone.status_code == 404


async def test_erasing_needs_the_clients_name(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    client = await accounts.client_with_contact("Atelier Lumière")
    admin = await accounts.staff("admin")
    await site.log_in(admin["email"])
    await site.get(f"/clients/{client['id']}")

    refused = await site.post(f"/clients/{client['id']}/erase", {"confirm_name": "Atelier"})
    assert refused.status_code == 422
    assert (
        '<p class="field-error" id="error-confirm_name">Type the client&#39;s name to confirm.</p>'
        in refused.text
    )
    assert 'value="Atelier"' in refused.text
    still = await portico.http.get(
        f"{API}/clients/{client['id']}", headers=portico.headers("admin")
    )
    assert still.status_code == 200

    empty = await site.post(f"/clients/{client['id']}/erase", {})
    assert empty.status_code == 422
    assert "Type the client&#39;s name to confirm." in empty.text

    erased = await site.post(
        f"/clients/{client['id']}/erase", {"confirm_name": "  Atelier   Lumière "}
    )
    assert erased.status_code == 303
    assert erased.headers["location"] == "/clients"
    page = await site.follow(erased)
    assert toast(page) == "success: Client erased."
    gone = await portico.http.get(f"{API}/clients/{client['id']}", headers=portico.headers("admin"))
    assert gone.status_code == 404
    assert (await site.get(f"/clients/{client['id']}")).status_code == 404


async def test_the_section_in_french(site: Site, accounts: Accounts) -> None:
    client = await accounts.client_with_contact("Atelier Lumière")
    admin = await accounts.staff("admin", locale="fr")
    await site.log_in(admin["email"])
    page = await site.get(f"/clients/{client['id']}")
    assert "Données personnelles" in page.text
    assert "Exporter les données du client" in page.text
    assert "Effacer ce client" in page.text
    refused = await site.post(f"/clients/{client['id']}/erase", {"confirm_name": "Autre"})
    assert refused.status_code == 422
    assert "Saisissez le nom du client pour confirmer." in refused.text
