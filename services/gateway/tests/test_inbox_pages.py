"""The development inbox: in the embedded run, the emails the notifier wrote instead of
sending them, with their links clickable; in the distributed run, no such page."""

from __future__ import annotations

import asyncio
import re
import time

import httpx
import pytest

from portico.contracts.events.portal import ClientInvited
from portico.gateway.areas.notifier.pages.inbox import linkify, links_in
from portico.gateway.testing import Accounts, Site
from portico.kit.testing.services import RunningPortico
from portico.notifier.channels.base import SmsContent
from portico.notifier.channels.mailbox import LocalMailbox
from portico.notifier.channels.senders import mailbox_folder

# What a page shows is the same on both backends (the services' tests prove each one).
pytestmark = pytest.mark.backends("embedded")

ENTRY = re.compile(r'href="/dev/inbox/([0-9A-Za-z-]+)"')


async def _listed(site: Site, needle: str, timeout: float = 10.0) -> httpx.Response:
    """The inbox page once it lists ``needle``: the notifier writes emails as it gets events."""
    deadline = time.monotonic() + timeout
    while True:
        page = await site.get("/dev/inbox")
        assert page.status_code == 200
        if needle in page.text:
            return page
        assert time.monotonic() < deadline, f"{needle} never reached the inbox"
        await asyncio.sleep(0.05)


async def test_the_invitation_email_is_read_and_its_link_clicked_in_the_inbox(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    admin = await accounts.staff("admin")
    await site.log_in(admin["email"])
    empty = await site.get("/dev/inbox")
    assert "No message yet" in empty.text
    assert '<a href="/dev/inbox" aria-current="page">Development inbox</a>' in empty.text

    client = await accounts.client_with_contact()
    contact = client["contacts"][0]
    path = f"/api/portal/v1/clients/{client['id']}/contacts/{contact['id']}/invitation"
    invited = await portico.http.post(path, headers=portico.headers("admin"))
    assert invited.status_code == 201, invited.text
    [event] = await portico.events.wait_for(ClientInvited.event_type, subject=str(client["id"]))
    link = str(event.data["accept_url"])

    listed = await _listed(site, contact["email"])
    assert "Portico invites you to your client portal" in listed.text
    [row] = [row for row in listed.text.split("<tr>") if contact["email"] in row]
    entry = ENTRY.findall(row)[0]
    page = await site.get(f"/dev/inbox/{entry}")
    assert page.status_code == 200
    shown = link.replace("&", "&amp;")
    # The link, prominent, and in the text part: each a real link.
    assert f'<a class="inbox-link" href="{shown}" target="_blank"' in page.text
    assert f'<a href="{shown}" target="_blank" rel="noopener noreferrer">{shown}</a>' in page.text
    assert f"Camille Durand &lt;{contact['email']}&gt;" in page.text
    assert "Portico" in page.text.split("<dt>From</dt>", 1)[1].split("</dd>", 1)[0]
    frame = f'<iframe class="email-frame" src="/dev/inbox/{entry}/html" sandbox="'
    assert frame in page.text

    email = await site.get(f"/dev/inbox/{entry}/html")
    assert email.status_code == 200
    policy = email.headers["content-security-policy"]
    assert policy.startswith("default-src 'none'; style-src 'unsafe-inline'; img-src * data:")
    assert "script-src" not in policy
    assert email.headers["x-frame-options"] == "SAMEORIGIN"
    assert f'href="{shown}"' in email.text
    assert '<base target="_blank">' in email.text

    # The link works: it is the invitation's page.
    accept = await site.get(link.split("127.0.0.1:8000", 1)[1])
    assert accept.status_code in {200, 303}

    assert (await site.get("/dev/inbox/nothing-here")).status_code == 404
    assert (await site.get("/dev/inbox/not.an.id")).status_code == 404


async def test_a_text_message_is_listed_by_its_text_with_its_link_clickable(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    admin = await accounts.staff("admin")
    await site.log_in(admin["email"])
    # What the notifier writes when it would text someone (its local SMS provider).
    mailbox = LocalMailbox(mailbox_folder(portico.runtime("notifier").settings))
    body = "Atelier Lumière signed the quote <Q-12>: https://127.0.0.1:8000/quotes/12?tab=signed"
    await mailbox.send_sms(SmsContent(to="+33612345678", body=body))

    listed = await _listed(site, "+33612345678")
    assert "Atelier Lumière signed the quote &lt;Q-12&gt;" in listed.text
    [entry] = ENTRY.findall(listed.text)
    page = await site.get(f"/dev/inbox/{entry}")
    assert "SMS to +33612345678" in page.text
    url = "https://127.0.0.1:8000/quotes/12?tab=signed"
    assert f'the quote &lt;Q-12&gt;: <a href="{url}" target="_blank"' in page.text
    assert "<iframe" not in page.text
    assert (await site.get(f"/dev/inbox/{entry}/html")).status_code == 404


async def test_the_inbox_is_for_admins_only(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    anonymous = await site.get("/dev/inbox")
    assert anonymous.headers["location"] == "/login?next=%2Fdev%2Finbox"
    # Other people's reset links are in it: a staff member neither sees nor opens it.
    staff = await accounts.staff("staff")
    await site.log_in(staff["email"])
    home = await site.get("/")
    assert home.status_code == 200
    assert 'href="/notifications"' in home.text
    assert 'href="/dev/inbox"' not in home.text
    for path in ("/dev/inbox", "/dev/inbox/20260101T000000000000-abcdef12"):
        refused = await site.get(path)
        assert refused.status_code == 403, path
        assert "Only administrators can read the development inbox." in refused.text
    polled = await site.get("/dev/inbox", headers={"HX-Request": "true"})
    assert polled.status_code == 403

    admin = await accounts.staff("admin")
    await site.log_in(admin["email"])
    assert 'href="/dev/inbox"' in (await site.get("/")).text
    # The list refreshes itself: a poll answers the list alone.
    polled = await site.get("/dev/inbox", headers={"HX-Request": "true"})
    assert polled.status_code == 200
    assert polled.text.lstrip().startswith('<div id="inbox-list"')


@pytest.mark.backends("distributed")
async def test_there_is_no_inbox_when_emails_really_leave(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    admin = await accounts.staff("admin")
    await site.log_in(admin["email"])
    home = await site.get("/")
    assert 'href="/dev/inbox"' not in home.text
    for path in ("/dev/inbox", "/dev/inbox/20260101T000000000000-abcdef12"):
        page = await site.get(path)
        assert page.status_code == 404
        assert "Page not found" in page.text


def test_text_links_are_clickable_and_the_rest_escaped() -> None:
    text = "Hi <b>you</b>, sign: https://x.example/sign?a=1&b=2. Or (https://x.example/help)"
    html = str(linkify(text))
    assert "&lt;b&gt;you&lt;/b&gt;" in html
    assert (
        '<a href="https://x.example/sign?a=1&amp;b=2" target="_blank" '
        'rel="noopener noreferrer">https://x.example/sign?a=1&amp;b=2</a>. Or ('
    ) in html
    assert '">https://x.example/help</a>)' in html
    assert links_in(text + " https://x.example/help") == [
        "https://x.example/sign?a=1&b=2",
        "https://x.example/help",
    ]
    assert "<script>" not in str(linkify('https://x.example/"><script>'))
