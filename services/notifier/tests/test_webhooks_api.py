"""The webhooks API: admins register, change, rotate, pause and delete endpoints; input
that names an unknown event type or an address a webhook must not reach is refused
naming the field; nobody but an admin gets in."""

from __future__ import annotations

import uuid

import pytest

from portico.contracts.events.portal import ClientDeleted
from portico.contracts.events.signing import DocumentCompleted
from portico.kit.testing.services import RunningPortico

WEBHOOKS = "/api/notifier/v1/webhooks"
BODY = {
    "url": "https://erp.example.com/portico/webhooks",
    "description": "ERP",
    "event_types": [DocumentCompleted.event_type],
}
PROBLEM = "application/problem+json"


async def test_an_admin_registers_a_webhook_and_reads_its_secret_only_once(
    portico: RunningPortico,
) -> None:
    admin = portico.headers("admin")
    created = await portico.http.post(WEBHOOKS, json=BODY, headers=admin)
    assert created.status_code == 201, created.text
    webhook = created.json()
    assert webhook["secret"].startswith("whsec_")
    assert (webhook["url"], webhook["status"], webhook["event_types"]) == (
        BODY["url"],
        "active",
        BODY["event_types"],
    )
    path = f"{WEBHOOKS}/{webhook['id']}"
    read = (await portico.http.get(path, headers=admin)).json()
    assert "secret" not in read and read["id"] == webhook["id"]
    listed = (await portico.http.get(WEBHOOKS, headers=admin)).json()
    assert (listed["total"], [w["id"] for w in listed["items"]]) == (1, [webhook["id"]])
    assert "secret" not in listed["items"][0]

    changed = await portico.http.patch(
        path,
        json={"event_types": [ClientDeleted.event_type, ClientDeleted.event_type]},
        headers=admin,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["event_types"] == [ClientDeleted.event_type]
    assert changed.json()["url"] == BODY["url"]  # left out: left as it was

    rotated = await portico.http.post(f"{path}/rotate-secret", headers=admin)
    assert rotated.status_code == 200
    assert rotated.json()["secret"].startswith("whsec_")
    assert rotated.json()["secret"] != webhook["secret"]

    paused = await portico.http.post(f"{path}/pause", headers=admin)
    assert (paused.json()["status"], paused.json()["pause_reason"]) == ("paused", None)
    resumed = await portico.http.post(f"{path}/resume", headers=admin)
    assert (resumed.json()["status"], resumed.json()["paused_at"]) == ("active", None)

    assert (await portico.http.get(f"{path}/deliveries", headers=admin)).json() == {
        "items": [],
        "total": 0,
        "limit": 50,
        "offset": 0,
    }
    deleted = await portico.http.delete(path, headers=admin)
    assert deleted.status_code == 204
    gone = await portico.http.get(path, headers=admin)
    assert gone.status_code == 404 and gone.headers["content-type"].startswith(PROBLEM)


@pytest.mark.backends("embedded")
async def test_an_unknown_event_type_is_refused_naming_it(portico: RunningPortico) -> None:
    body = {**BODY, "event_types": [DocumentCompleted.event_type, "portico.portal.nothing.v1"]}
    refused = await portico.http.post(WEBHOOKS, json=body, headers=portico.headers("admin"))
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith(PROBLEM)
    [error] = refused.json()["errors"]
    assert error["field"] == "event_types.1"
    assert "portico.portal.nothing.v1" in error["message"]
    none = await portico.http.post(
        WEBHOOKS, json={**BODY, "event_types": []}, headers=portico.headers("admin")
    )
    assert none.status_code == 422
    assert [e["field"] for e in none.json()["errors"]] == ["event_types"]


@pytest.mark.backends("embedded")
@pytest.mark.parametrize(
    ("url", "code", "why"),
    [
        ("http://erp.example.com/hooks", "url_scheme", "https://"),
        ("http://127.0.0.1:9000/hooks", "url_scheme", "https://"),
        ("ftp://erp.example.com/hooks", "url_scheme", "https://"),
        ("https://user:password@erp.example.com/hooks", "url_credentials", "user name"),
        ("https://169.254.169.254/latest/meta-data", "url_address", "link-local"),
        ("https://10.1.2.3/hooks", "url_address", "private network"),
        ("https://erp.example.com:99999/hooks", "url_malformed", "not a URL"),
    ],
)
async def test_a_url_a_webhook_must_not_reach_is_refused_naming_the_url(
    portico: RunningPortico, monkeypatch: pytest.MonkeyPatch, url: str, code: str, why: str
) -> None:
    # As in production: no local addresses (the embedded mode allows them by default).
    monkeypatch.setenv("PORTICO_NOTIFIER_WEBHOOKS_ALLOW_LOCAL", "false")
    admin = portico.headers("admin")
    refused = await portico.http.post(WEBHOOKS, json={**BODY, "url": url}, headers=admin)
    assert refused.status_code == 422, refused.text
    [error] = refused.json()["errors"]
    assert (error["field"], error["code"]) == ("url", code) and why in error["message"]

    webhook = (await portico.http.post(WEBHOOKS, json=BODY, headers=admin)).json()
    changed = await portico.http.patch(
        f"{WEBHOOKS}/{webhook['id']}", json={"url": url}, headers=admin
    )
    assert changed.status_code == 422
    assert [e["field"] for e in changed.json()["errors"]] == ["url"]
    kept = (await portico.http.get(f"{WEBHOOKS}/{webhook['id']}", headers=admin)).json()
    assert kept["url"] == BODY["url"]


@pytest.mark.backends("embedded")
async def test_http_to_localhost_is_accepted_in_development(portico: RunningPortico) -> None:
    body = {**BODY, "url": "http://127.0.0.1:9000/hooks"}
    created = await portico.http.post(WEBHOOKS, json=body, headers=portico.headers("admin"))
    assert created.status_code == 201, created.text


@pytest.mark.backends("embedded")
async def test_only_admins_manage_webhooks(portico: RunningPortico) -> None:
    webhook = (
        await portico.http.post(WEBHOOKS, json=BODY, headers=portico.headers("admin"))
    ).json()
    path = f"{WEBHOOKS}/{webhook['id']}"
    refused = {
        "staff": portico.headers("staff"),
        "client": portico.headers("client", client_id=uuid.uuid4()),
    }
    for role, headers in refused.items():
        for method, url in [
            ("GET", WEBHOOKS),
            ("POST", WEBHOOKS),
            ("GET", path),
            ("PATCH", path),
            ("DELETE", path),
            ("POST", f"{path}/rotate-secret"),
            ("POST", f"{path}/resume"),
            ("GET", f"{path}/deliveries"),
            ("GET", "/api/notifier/v1/webhook-event-types"),
        ]:
            answer = await portico.http.request(
                method, url, json=BODY if method in ("POST", "PATCH") else None, headers=headers
            )
            assert answer.status_code == 403, (role, method, url, answer.status_code)
            assert "whsec_" not in answer.text
    anonymous = await portico.http.get(WEBHOOKS)
    assert anonymous.status_code == 401
    still = await portico.http.get(path, headers=portico.headers("admin"))
    assert still.status_code == 200 and still.json()["event_types"] == BODY["event_types"]


@pytest.mark.backends("embedded")
async def test_the_event_types_offered_are_the_catalogues_but_the_notifiers_own(
    portico: RunningPortico,
) -> None:
    listed = await portico.http.get(
        "/api/notifier/v1/webhook-event-types", headers=portico.headers("admin")
    )
    assert listed.status_code == 200
    types = {item["type"]: item for item in listed.json()}
    assert types[DocumentCompleted.event_type]["source"] == "signing"
    assert types[DocumentCompleted.event_type]["description"].startswith("Emitted when")
    assert ClientDeleted.event_type in types
    assert not [name for name in types if name.startswith("portico.notifier.")]


@pytest.mark.backends("embedded")
async def test_a_missing_webhook_or_delivery_is_not_found(portico: RunningPortico) -> None:
    admin = portico.headers("admin")
    missing = f"{WEBHOOKS}/{uuid.uuid4()}"
    for method, url in [
        ("GET", missing),
        ("PATCH", missing),
        ("DELETE", missing),
        ("POST", f"{missing}/resume"),
        ("GET", f"{missing}/deliveries"),
    ]:
        answer = await portico.http.request(method, url, json={}, headers=admin)
        assert answer.status_code == 404, (method, url)
    webhook = (await portico.http.post(WEBHOOKS, json=BODY, headers=admin)).json()
    delivery = f"{WEBHOOKS}/{webhook['id']}/deliveries/{uuid.uuid4()}"
    assert (await portico.http.get(delivery, headers=admin)).status_code == 404
    assert (await portico.http.post(f"{delivery}/replay", headers=admin)).status_code == 404
