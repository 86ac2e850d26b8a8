"""Webhooks end to end, on both backends: events from the bus reach a real local receiver
(an HTTP server in the test) signed as documented; a receiver that fails twice gets the
third try; one that keeps failing pauses its endpoint and its owner is emailed (aiosmtpd);
a paused endpoint keeps its events and sends them when resumed; a replay sends again; a
redelivered event makes one delivery; secrets never leave in a body."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson
import pytest
from sqlalchemy import select, update

from portico.contracts import MASK, Envelope
from portico.contracts.events.portal import ClientDeleted, PasswordResetRequested
from portico.kit.db import utcnow
from portico.kit.jobs import Job
from portico.kit.testing.services import RunningPortico
from portico.kit.testing.smtp import Mailbox, text_and_html
from portico.notifier.models import WebhookAttempt, WebhookDelivery
from portico.notifier.webhooks.retention import PRUNE_JOB, prune_deliveries
from portico.notifier.webhooks.settings import WebhookSettings

DELETED = ClientDeleted.event_type
WEBHOOKS = "/api/notifier/v1/webhooks"

# --- The receiver -------------------------------------------------------------------------
# A real HTTP server on 127.0.0.1, in a thread, answering as told. It checks signatures as
# the documentation tells integrators to (written here from the documented algorithm, not
# with the notifier's code).


@dataclass
class Received:
    at: float
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str = ""
    secret: str = ""
    received: list[Received] = field(default_factory=list)
    # The statuses of the next answers, in order; then ``usual``.
    upcoming: list[int] = field(default_factory=list)
    usual: int = 200
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, *statuses: int, then: int = 200) -> None:
        with self.lock:
            self.upcoming, self.usual = list(statuses), then

    def next_status(self) -> int:
        with self.lock:
            return self.upcoming.pop(0) if self.upcoming else self.usual

    def signature_is_valid(self, request: Received) -> bool:
        """The documented check: HMAC-SHA256 under the secret's base64-decoded bytes, over
        ``{webhook-id}.{webhook-timestamp}.{body}``, base64, after ``v1,``; a timestamp
        within five minutes."""
        key = base64.b64decode(self.secret.removeprefix("whsec_"))
        message_id = request.headers["webhook-id"]
        timestamp = request.headers["webhook-timestamp"]
        signed = f"{message_id}.{timestamp}.".encode() + request.body
        expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        fresh = abs(time.time() - int(timestamp)) <= 300
        offered = request.headers["webhook-signature"].split(" ")
        return fresh and any(hmac.compare_digest(expected, sig) for sig in offered)

    def wait_for(self, count: int, timeout: float = 15.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            assert time.monotonic() < deadline, f"{len(self.received)} of {count} requests"
            time.sleep(0.02)
        return list(self.received)


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            headers = {name.lower(): value for name, value in self.headers.items()}
            receiver.received.append(Received(time.monotonic(), headers, body))
            status = receiver.next_status()
            answer = b'{"received": true}' if status < 300 else b"receiver down: " + b"x" * 4000
            self.send_response(status)
            self.send_header("content-type", "text/plain")
            self.send_header("content-length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    host, port = server.server_address[:2]
    receiver.url = f"http://{host}:{port}/portico/webhooks"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


# --- Helpers ------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tries 0.2 s and 0.4 s after a failure, then the delivery fails; the receiver's
    http://127.0.0.1 is allowed on both backends."""
    monkeypatch.setenv("PORTICO_NOTIFIER_WEBHOOKS_RETRY_DELAYS", "[0.2, 0.4]")
    monkeypatch.setenv("PORTICO_NOTIFIER_WEBHOOKS_ALLOW_LOCAL", "true")


async def register(
    portico: RunningPortico, headers: dict[str, str], url: str, *types: str
) -> dict[str, Any]:
    created = await portico.http.post(
        WEBHOOKS,
        json={"url": url, "description": "ERP", "event_types": list(types or [DELETED])},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    webhook: dict[str, Any] = created.json()
    return webhook


async def publish(portico: RunningPortico, *envelopes: Envelope) -> None:
    await portico.host.bus.publish(list(envelopes))


def client_deleted() -> Envelope:
    return Envelope.wrap(ClientDeleted(client_id=uuid.uuid4()), source="portal")


async def deliveries(
    portico: RunningPortico, headers: dict[str, str], webhook_id: str
) -> list[dict[str, Any]]:
    page = await portico.http.get(f"{WEBHOOKS}/{webhook_id}/deliveries", headers=headers)
    assert page.status_code == 200, page.text
    items: list[dict[str, Any]] = page.json()["items"]
    return items


async def wait_for_delivery(
    portico: RunningPortico,
    headers: dict[str, str],
    webhook_id: str,
    event_id: uuid.UUID,
    status: str,
    timeout: float = 15.0,
) -> dict[str, Any]:
    """The delivery of the event, with its attempts, once it has the status."""
    deadline = time.monotonic() + timeout
    while True:
        found = [
            d
            for d in await deliveries(portico, headers, webhook_id)
            if d["event_id"] == str(event_id)
        ]
        if found and found[0]["status"] == status:
            detail = await portico.http.get(
                f"{WEBHOOKS}/{webhook_id}/deliveries/{found[0]['id']}", headers=headers
            )
            assert detail.status_code == 200, detail.text
            answer: dict[str, Any] = detail.json()
            return answer
        assert time.monotonic() < deadline, f"delivery never {status}: {found}"
        await asyncio.sleep(0.05)


async def wait_for_status(
    portico: RunningPortico, headers: dict[str, str], webhook_id: str, status: str
) -> dict[str, Any]:
    deadline = time.monotonic() + 15
    while True:
        webhook: dict[str, Any] = (
            await portico.http.get(f"{WEBHOOKS}/{webhook_id}", headers=headers)
        ).json()
        if webhook["status"] == status:
            return webhook
        assert time.monotonic() < deadline, f"the webhook stayed {webhook['status']}"
        await asyncio.sleep(0.05)


# --- Tests --------------------------------------------------------------------------------


async def test_a_receiver_that_fails_twice_gets_the_event_signed_on_the_third_try(
    portico: RunningPortico, receiver: Receiver
) -> None:
    admin = portico.headers("admin")
    webhook = await register(portico, admin, receiver.url)
    receiver.secret = webhook["secret"]
    receiver.answer(500, 500, then=200)
    envelope = client_deleted()
    await publish(portico, envelope)

    delivery = await wait_for_delivery(portico, admin, webhook["id"], envelope.id, "delivered")
    assert delivery["attempts"] == 3
    log = delivery["attempt_log"]
    assert [(a["number"], a["status_code"], a["succeeded"]) for a in log] == [
        (1, 500, False),
        (2, 500, False),
        (3, 200, True),
    ]
    # What the receiver answered, kept to 2 KB.
    assert log[0]["response_body"].startswith("receiver down: xxx")
    assert len(log[0]["response_body"]) == 2048
    assert log[2]["response_body"] == '{"received": true}'
    assert all(a["duration_ms"] >= 0 and a["error"] is None for a in log)

    requests = receiver.wait_for(3)
    assert len(requests) == 3
    assert all(receiver.signature_is_valid(request) for request in requests)
    # The same message each time: id and body; tried again after the growing delays.
    assert {r.headers["webhook-id"] for r in requests} == {str(envelope.id)}
    assert {r.body for r in requests} == {requests[0].body}
    assert requests[1].at - requests[0].at >= 0.2
    assert requests[2].at - requests[1].at >= 0.4
    assert requests[0].headers["content-type"].startswith("application/cloudevents+json")
    sent = orjson.loads(requests[0].body)
    assert sent == orjson.loads(envelope.to_json())
    assert delivery["payload"] == sent


async def test_a_receiver_that_keeps_failing_pauses_its_webhook_and_the_owner_is_emailed(
    portico: RunningPortico,
    admin: dict[str, str],
    receiver: Receiver,
    notifier_smtp: Mailbox,
) -> None:
    webhook = await register(portico, admin, receiver.url)
    receiver.secret = webhook["secret"]
    receiver.answer(then=503)
    first = client_deleted()
    await publish(portico, first)

    failed = await wait_for_delivery(portico, admin, webhook["id"], first.id, "failed")
    assert [a["status_code"] for a in failed["attempt_log"]] == [503, 503, 503]
    paused = await wait_for_status(portico, admin, webhook["id"], "paused")
    assert paused["pause_reason"] == "HTTP 503"

    [email] = await notifier_smtp.wait_for()
    me = (await portico.http.get("/api/portal/v1/me", headers=admin)).json()
    assert me["email"] in email["To"]
    assert email["Subject"] == f"Webhook paused: {receiver.url}"
    text, html = text_and_html(email)
    assert f"/settings/webhooks/{webhook['id']}" in text
    assert "after 3 tries" in text and "HTTP 503" in text
    assert receiver.url in html

    # Paused: an event is kept, not sent; a replay waits for the resume.
    receiver.answer(then=200)
    second = client_deleted()
    await publish(portico, second)
    await wait_for_delivery(portico, admin, webhook["id"], second.id, "held")
    refused = await portico.http.post(
        f"{WEBHOOKS}/{webhook['id']}/deliveries/{failed['id']}/replay", headers=admin
    )
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert len(receiver.received) == 3

    resumed = await portico.http.post(f"{WEBHOOKS}/{webhook['id']}/resume", headers=admin)
    assert resumed.status_code == 200 and resumed.json()["status"] == "active"
    kept = await wait_for_delivery(portico, admin, webhook["id"], second.id, "delivered")
    assert kept["attempts"] == 1
    assert receiver.wait_for(4)[3].headers["webhook-id"] == str(second.id)

    # The failed one is sent again on demand: a new round of tries, logged after the others.
    replayed = await portico.http.post(
        f"{WEBHOOKS}/{webhook['id']}/deliveries/{failed['id']}/replay", headers=admin
    )
    assert replayed.status_code == 202, replayed.text
    again = await wait_for_delivery(portico, admin, webhook["id"], first.id, "delivered")
    assert [a["status_code"] for a in again["attempt_log"]] == [503, 503, 503, 200]
    assert receiver.signature_is_valid(receiver.wait_for(5)[4])
    # One pause, one email.
    await asyncio.sleep(0.3)
    assert len(notifier_smtp.messages) == 1


async def test_an_event_delivered_twice_makes_one_delivery(
    portico: RunningPortico, receiver: Receiver
) -> None:
    admin = portico.headers("admin")
    webhook = await register(portico, admin, receiver.url)
    envelope = client_deleted()
    await publish(portico, envelope)
    await wait_for_delivery(portico, admin, webhook["id"], envelope.id, "delivered")
    await publish(portico, envelope)
    # The notifier reads its queue in order: once the next event is delivered, the
    # duplicate before it was handled.
    later = client_deleted()
    await publish(portico, later)
    await wait_for_delivery(portico, admin, webhook["id"], later.id, "delivered")
    await asyncio.sleep(0.3)
    assert sorted(d["event_id"] for d in await deliveries(portico, admin, webhook["id"])) == sorted(
        [str(envelope.id), str(later.id)]
    )
    assert [r.headers["webhook-id"] for r in receiver.received] == [str(envelope.id), str(later.id)]


@pytest.mark.backends("embedded")
async def test_a_webhook_gets_only_its_event_types_and_never_a_secret_link(
    portico: RunningPortico, receiver: Receiver
) -> None:
    admin = portico.headers("admin")
    reset = PasswordResetRequested.event_type
    webhook = await register(portico, admin, receiver.url, reset)
    token = "s3cr3t-reset-token-for-nobody-else"
    envelope = Envelope.wrap(
        PasswordResetRequested(
            account_kind="staff",
            user_id=uuid.uuid4(),
            email="lea@studio.example",
            name="Léa Bernard",
            reset_url=f"http://127.0.0.1:8000/password/reset?token={token}",
            expires_at="2030-01-01T00:00:00Z",  # type: ignore[arg-type]
        ),
        source="portal",
    )
    await publish(portico, client_deleted(), envelope)
    delivery = await wait_for_delivery(portico, admin, webhook["id"], envelope.id, "delivered")
    [request] = receiver.wait_for(1)
    assert token.encode() not in request.body
    body = orjson.loads(request.body)
    assert body["type"] == reset and body["data"]["reset_url"] == MASK
    assert body["data"]["email"] == "lea@studio.example"
    assert delivery["payload"]["data"]["reset_url"] == MASK
    await asyncio.sleep(0.3)
    assert len(receiver.received) == 1  # not the ClientDeleted it did not ask for


async def test_finished_deliveries_are_pruned_after_the_retention_and_pending_ones_kept(
    portico: RunningPortico, receiver: Receiver
) -> None:
    admin = portico.headers("admin")
    webhook = await register(portico, admin, receiver.url)
    receiver.secret = webhook["secret"]
    old, recent, waiting = client_deleted(), client_deleted(), client_deleted()
    await publish(portico, old, recent)
    done = await wait_for_delivery(portico, admin, webhook["id"], old.id, "delivered")
    await wait_for_delivery(portico, admin, webhook["id"], recent.id, "delivered")
    assert (await portico.http.post(f"{WEBHOOKS}/{webhook['id']}/pause", headers=admin)).is_success
    await publish(portico, waiting)
    held = await wait_for_delivery(portico, admin, webhook["id"], waiting.id, "held")
    runtime = portico.runtime("notifier")
    retention = timedelta(days=WebhookSettings().delivery_retention_days)
    long_ago = utcnow() - retention - timedelta(days=1)
    async with runtime.database.transaction() as tx:
        # The first delivery finished past the retention; the held one is as old, unsent.
        for delivery_id in (done["id"], held["id"]):
            await tx.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.id == uuid.UUID(delivery_id))
                .values(created_at=long_ago)
            )
        await tx.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == uuid.UUID(done["id"]))
            .values(finished_at=long_ago)
        )
    assert runtime.jobs is not None
    prune = Job(id="p", kind=PRUNE_JOB, payload={}, tries=1, is_last_try=False, run_at=utcnow())
    for _ in range(2):  # a repeated run changes nothing more
        await prune_deliveries(runtime.jobs.context, prune)
        kept = {d["event_id"] for d in await deliveries(portico, admin, webhook["id"])}
        assert kept == {str(recent.id), str(waiting.id)}
    gone = await portico.http.get(
        f"{WEBHOOKS}/{webhook['id']}/deliveries/{done['id']}", headers=admin
    )
    assert gone.status_code == 404
    async with runtime.database.sessions() as session:
        attempts = await session.scalars(
            select(WebhookAttempt.delivery_id).where(
                WebhookAttempt.delivery_id == uuid.UUID(done["id"])
            )
        )
        assert list(attempts) == []
