"""Settings → Webhooks: an admin adds a webhook (its secret shown once, input refused
beside its field), follows its deliveries and every try, resumes it once paused, replays
a delivery and deletes it, in English and in French; other staff do not find the pages."""

from __future__ import annotations

import asyncio
import html
import re
import time

import pytest

from portico.contracts import Envelope
from portico.contracts.events.portal import ClientDeleted
from portico.gateway.testing import Accounts, Site, field_error, text_of, toast
from portico.kit.testing.services import RunningPortico

# What a page shows is the same on both backends (the notifier's tests prove each one).
pytestmark = pytest.mark.backends("embedded")

DELETED = ClientDeleted.event_type
SECRET = re.compile(r'id="webhook-secret"[^>]*value="([^"]+)"')
# Nothing listens there: every try fails at once (connection refused).
NOWHERE = "http://127.0.0.1:9/portico/webhooks"


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTICO_NOTIFIER_WEBHOOKS_RETRY_DELAYS", "[0.1, 0.2]")


async def _webhook_paused(portico: RunningPortico, webhook_id: str) -> None:
    deadline = time.monotonic() + 15
    while True:
        answer = await portico.http.get(
            f"/api/notifier/v1/webhooks/{webhook_id}", headers=portico.headers()
        )
        if answer.json()["status"] == "paused":
            return
        assert time.monotonic() < deadline, "the webhook was never paused"
        await asyncio.sleep(0.05)


async def test_an_admin_adds_a_webhook_follows_its_deliveries_and_replays_one(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    admin = await accounts.staff("admin")
    await site.log_in(admin["email"])
    assert 'href="/settings/webhooks"' in (await site.get("/settings")).text
    assert "No webhook yet" in (await site.get("/settings/webhooks")).text
    form = await site.get("/settings/webhooks/new")
    assert f'name="event_types" value="{DELETED}"' in form.text
    assert "portico.notifier." not in form.text

    refused = await site.post(
        "/settings/webhooks",
        {"url": "ftp://erp.example.com/hooks", "description": "ERP", "event_types": [DELETED]},
    )
    assert refused.status_code == 422
    assert field_error(refused, "url") == "Use an address that starts with https://."
    assert 'value="ERP"' in refused.text and f'value="{DELETED}" checked' in refused.text
    no_events = await site.post("/settings/webhooks", {"url": NOWHERE})
    assert no_events.status_code == 422
    assert field_error(no_events, "event_types") == "Choose at least one event."

    created = await site.post(
        "/settings/webhooks", {"url": NOWHERE, "description": "ERP", "event_types": [DELETED]}
    )
    assert created.status_code == 200, created.text[:2000]
    assert "location" not in created.headers
    assert created.headers["cache-control"] == "no-store"
    assert "Copy it now: it won't be shown again." in created.text
    found = SECRET.search(created.text)
    assert found
    secret = html.unescape(found.group(1))
    assert secret.startswith("whsec_")
    [webhook] = (
        await portico.http.get("/api/notifier/v1/webhooks", headers=portico.headers())
    ).json()["items"]
    assert (webhook["url"], webhook["event_types"]) == (NOWHERE, [DELETED])
    page = f"/settings/webhooks/{webhook['id']}"
    listed = await site.get("/settings/webhooks")
    assert NOWHERE in listed.text and f'href="{page}"' in listed.text
    assert secret not in listed.text

    shown = await site.get(page)
    assert "No delivery yet" in shown.text and secret not in shown.text

    # An event it cannot deliver: three tries refused, then the webhook is paused.
    await portico.host.bus.publish(
        [Envelope.wrap(ClientDeleted(client_id=webhook["id"]), source="portal")]
    )
    await _webhook_paused(portico, webhook["id"])
    shown = await site.get(page)
    words = text_of(shown)
    assert "Paused since" in words and "Resume" in words
    assert DELETED in words and "Failed" in words
    assert "Replay" not in words  # not while paused
    [delivery_link] = re.findall(rf'href="({page}/deliveries/[^"]+)"', shown.text)
    delivery = await site.get(delivery_link)
    assert delivery.status_code == 200
    tries = text_of(delivery)
    assert "Try 1" in tries and "Try 3" in tries and "ConnectError" in tries
    assert "Body sent" in tries and webhook["id"] in tries

    resumed = await site.post(f"{page}/resume")
    assert toast(await site.follow(resumed)).startswith("success: The webhook is active again")
    replayed = await site.post(f"{delivery_link}/replay", {"back": "delivery"})
    assert replayed.headers["location"] == delivery_link
    assert toast(await site.follow(replayed)) == "success: The delivery is sent again."

    saved = await site.post(
        page,
        {
            "url": "https://erp.example.com/hooks",
            "description": "ERP",
            "event_types": [DELETED, "portico.portal.client_created.v1"],
        },
    )
    assert toast(await site.follow(saved)) == "success: The webhook is saved."
    now = (
        await portico.http.get(
            f"/api/notifier/v1/webhooks/{webhook['id']}", headers=portico.headers()
        )
    ).json()
    assert now["url"] == "https://erp.example.com/hooks"
    assert now["event_types"] == ["portico.portal.client_created.v1", DELETED]
    bad = await site.post(page, {"url": "https://erp.example.com/hooks", "description": "ERP"})
    assert bad.status_code == 422
    assert field_error(bad, "event_types") == "Choose at least one event."

    rotated = await site.post(f"{page}/rotate-secret")
    assert "New signing secret" in rotated.text and "24 hours" in rotated.text
    again = SECRET.search(rotated.text)
    assert again and html.unescape(again.group(1)) not in (secret, "")

    deleted = await site.post(f"{page}/delete")
    assert deleted.headers["location"] == "/settings/webhooks"
    after = await site.follow(deleted)
    assert toast(after) == "success: The webhook is deleted." and "No webhook yet" in after.text
    assert (await site.get(page)).status_code == 404


async def test_the_webhook_pages_speak_french(site: Site, accounts: Accounts) -> None:
    admin = await accounts.staff("admin", locale="fr")
    await site.log_in(admin["email"])
    listed = text_of(await site.get("/settings/webhooks"))
    assert "Ajouter un webhook" in listed and "Aucun webhook pour l’instant" in listed
    refused = await site.post(
        "/settings/webhooks", {"url": "ftp://erp.example.com/hooks", "event_types": [DELETED]}
    )
    assert field_error(refused, "url") == "Utilisez une adresse qui commence par https://."
    no_events = await site.post("/settings/webhooks", {"url": "https://erp.example.com/hooks"})
    assert field_error(no_events, "event_types") == "Choisissez au moins un événement."


async def test_other_staff_do_not_find_the_webhook_pages(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    created = await portico.http.post(
        "/api/notifier/v1/webhooks",
        json={"url": "https://erp.example.com/hooks", "event_types": [DELETED]},
        headers=portico.headers(),
    )
    page = f"/settings/webhooks/{created.json()['id']}"
    staff = await accounts.staff("staff")
    await site.log_in(staff["email"])
    assert 'href="/settings/webhooks"' not in (await site.get("/settings")).text
    for path in ("/settings/webhooks", "/settings/webhooks/new", page):
        assert (await site.get(path)).status_code == 404, path
    assert (await site.post(f"{page}/delete")).status_code == 404
    kept = await portico.http.get(
        f"/api/notifier/v1/{page.removeprefix('/settings/')}", headers=portico.headers()
    )
    assert kept.status_code == 200
