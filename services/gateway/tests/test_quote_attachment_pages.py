"""A quote's attachments through the gateway: staff attach a file on the quote's page, see
it listed, download it and delete it; a type the service does not take, or a quote settled,
is refused with a message on the page. The online quote lists the files under "Documents"
and its link downloads them; another quote's link downloads none of them."""

from __future__ import annotations

import html
import re
import uuid
from typing import Any

import httpx
import pytest

from portico.gateway.testing import Accounts, Site, field_error, text_of, toast
from portico.kit.testing.services import RunningPortico
from portico.quotes.testing import QUOTES, contact, make_client, make_quote, sent_link

# What a page shows is the same on both backends (the services' tests prove each one).
pytestmark = pytest.mark.backends("embedded")

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
OFFER: dict[str, Any] = {
    "title": "Rénovation de l'atelier",
    "lines": [{"description": "Design workshop", "quantity": "2", "unit_price": "480"}],
}


def attachment_links(page: httpx.Response, base: str) -> dict[str, str]:
    """The page's download links of attachments: file name → attachment id."""
    found = re.findall(
        rf'href="{re.escape(base)}/attachments/([0-9a-f-]{{36}})" download="([^"]*)"', page.text
    )
    return {html.unescape(name): attachment_id for attachment_id, name in found}


async def a_quote(portico: RunningPortico, name: str = "Atelier Lumière") -> dict[str, Any]:
    """A draft for a client whose contact has an email address, so that it can be sent."""
    person = contact(email=f"ines.{uuid.uuid4().hex[:8]}@lumiere.example")
    client = await make_client(portico, portico.headers("admin"), name=name, contacts=[person])
    return await make_quote(portico, portico.headers("staff"), {"client_id": client["id"], **OFFER})


async def attach(site: Site, url: str, name: str, content: bytes, kind: str) -> httpx.Response:
    return await site.post(f"{url}/attachments", files={"file": (name, content, kind)})


async def test_staff_attach_a_pdf_see_it_download_it_and_delete_it(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    staff = await accounts.staff("staff")
    await site.log_in(staff["email"])
    quote = await a_quote(portico)
    url = f"/quotes/{quote['id']}"

    page = await site.get(url)
    assert ">Attachments</h2>" in page.text and "No attachments yet." in text_of(page)
    assert 'enctype="multipart/form-data"' in page.text and 'name="csrf_token"' in page.text

    attached = await attach(site, url, "plan de l'atelier.pdf", PDF, "application/pdf")
    assert attached.status_code == 303, attached.text[:2000]
    assert attached.headers["location"] == f"{url}#attachments"
    page = await site.follow(attached)
    assert toast(page) == "success: The file “plan de l'atelier.pdf” is attached."
    links = attachment_links(page, url)
    assert list(links) == ["plan de l'atelier.pdf"]
    [attachment_id] = links.values()
    attachment = f"{url}/attachments/{attachment_id}"
    assert "plan de l'atelier.pdf 10 KB" in text_of(page)

    download = await site.get(attachment)
    assert download.status_code == 200
    assert download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert "attachment" in download.headers["content-disposition"]
    assert "atelier.pdf" in download.headers["content-disposition"]
    assert download.headers["x-content-type-options"] == "nosniff"
    missing = await site.get(f"{url}/attachments/{uuid.uuid4()}")
    assert missing.status_code == 404

    deleted = await site.post(f"{attachment}/delete")
    assert deleted.status_code == 303, deleted.text[:2000]
    page = await site.follow(deleted)
    assert toast(page) == "success: The attachment is deleted."
    assert attachment_links(page, url) == {}
    listed = await portico.http.get(
        f"{QUOTES}/{quote['id']}/attachments", headers=portico.headers("admin")
    )
    assert listed.json() == []


async def test_a_type_not_taken_and_a_settled_quote_are_refused_on_the_page(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    staff = await accounts.staff("staff")
    await site.log_in(staff["email"])
    quote = await a_quote(portico)
    url = f"/quotes/{quote['id']}"

    refused = await attach(site, url, "page.html", b"<html><body>Hi</body></html>", "text/html")
    assert refused.status_code == 415
    assert field_error(refused, "file").startswith("This type of file is not accepted:")
    assert attachment_links(refused, url) == {}

    await sent_link(portico, portico.headers("staff"), quote)
    voided = await portico.http.post(
        f"{QUOTES}/{quote['id']}/void", headers=portico.headers("admin")
    )
    assert voided.status_code == 200, voided.text
    page = await site.get(url)
    assert f'action="{url}/attachments"' not in page.text and "No attachments." in text_of(page)
    settled = await attach(site, url, "plan.pdf", PDF, "application/pdf")
    assert settled.status_code == 409
    assert "This quote is “Void”: its attachments stay as they were." in text_of(settled)


async def test_the_online_quote_lists_its_documents_and_only_its_link_downloads_them(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    staff = await accounts.staff("staff")
    await site.log_in(staff["email"])
    quote = await a_quote(portico)
    attached = await attach(site, f"/quotes/{quote['id']}", "brochure.pdf", PDF, "application/pdf")
    assert attached.status_code == 303, attached.text[:2000]
    token = await sent_link(portico, portico.headers("staff"), quote)
    other = await a_quote(portico, "Studio Nord")
    their_token = await sent_link(portico, portico.headers("staff"), other)

    visitor = Site(portico)
    try:
        page = await visitor.get(f"/q/{token}")
        assert page.status_code == 200
        assert ">Documents</h2>" in page.text
        links = attachment_links(page, f"/q/{token}")
        assert list(links) == ["brochure.pdf"]

        download = await visitor.get(f"/q/{token}/attachments/{links['brochure.pdf']}")
        assert download.status_code == 200
        assert download.content == PDF
        assert "brochure.pdf" in download.headers["content-disposition"]

        theirs = await visitor.get(f"/q/{their_token}")
        assert ">Documents</h2>" not in theirs.text
        stolen = await visitor.get(f"/q/{their_token}/attachments/{links['brochure.pdf']}")
        assert stolen.status_code == 404
        assert stolen.content != PDF
        assert (await visitor.get(f"/q/{token}/attachments/not-an-id")).status_code == 404
    finally:
        await visitor.close()
