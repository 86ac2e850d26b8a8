"""The `ui` benchmark: the gateway's pages on the embedded backends (SQLite), as deployed.

Figures, with 10,000 clients and a workspace of 1,000 messages in the database:
- p50 and p99 server time of the staff's client list page and of the client's workspace
  page, each beside the same figure for the service API calls the page is made of (the
  page's own cost is the difference);
- p99 of the client list once documents are asked of every client (the "documents" column,
  and filtered by a type's state: "who has not given their ID card"), each beside the
  same list without documents, measured in the same run;
- the bytes a client's first visit to the workspace page transfers (the page and every
  asset it loads, compressed as served), beside the same resources uncompressed.
"""

from __future__ import annotations

import asyncio
import re
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import case, delete, insert, select, update

from bench.figures import Figure
from portico.contracts import Envelope
from portico.contracts.events.portal import ClientInvited
from portico.kit.auth.principals import Principal
from portico.kit.auth.tokens import TokenIssuer
from portico.kit.db import utcnow
from portico.kit.host import EMBEDDED, Host, discover_services, discover_web
from portico.kit.settings import PorticoSettings
from portico.portal.models import (
    Client,
    ClientDocumentState,
    Contact,
    Message,
    Workspace,
    WorkspaceMember,
)

CLIENTS = 10_000
MESSAGES = 1_000
ROUNDS = 200
WARM_UP = 20
PASSWORD = "a-long-bench-passphrase"
ASSET = re.compile(r'(?:href|src)="(/(?:static|brand)[^"]+)"')


async def seed(host: Host) -> tuple[uuid.UUID, uuid.UUID]:
    """10,000 clients with a contact each; the first has a workspace of 1,000 messages."""
    portal = next(runtime for runtime in host.runtimes if runtime.service.name == "portal")
    now = utcnow()
    clients = [
        {
            "id": uuid.uuid4(),
            "kind": "company",
            "name": f"Client {number:05d}",
            "tags": ["bench"] if number % 2 else [],
            "attributes": {},
            "created_at": now - timedelta(minutes=number),
            "updated_at": now - timedelta(minutes=number),
        }
        for number in range(CLIENTS)
    ]
    contacts = [
        {
            "id": uuid.uuid4(),
            "client_id": client["id"],
            "first_name": "Camille",
            "last_name": f"Durand {number}",
            "email": f"camille{number}@bench.example",
            "locale": "fr",
            "created_at": now,
        }
        for number, client in enumerate(clients)
    ]
    workspace_id = uuid.uuid4()
    first = clients[0]["id"]
    async with portal.database.transaction() as tx:
        await tx.execute(insert(Client), clients)
        await tx.execute(insert(Contact), contacts)
        await tx.execute(
            insert(Workspace),
            [{"id": workspace_id, "client_id": first, "name": "Rénovation", "created_at": now}],
        )
        await tx.execute(
            insert(WorkspaceMember),
            [{"workspace_id": workspace_id, "contact_id": contacts[0]["id"], "shared_at": now}],
        )
        await tx.execute(
            insert(Message),
            [
                {
                    "id": uuid.uuid4(),
                    "workspace_id": workspace_id,
                    "author_kind": "staff",
                    "author_id": None,
                    "author_name": "Léa Martin",
                    "body": f"Message {number} : les plans sont prêts, qu’en pensez-vous ?",
                    "created_at": now - timedelta(minutes=MESSAGES - number),
                }
                for number in range(MESSAGES)
            ],
        )
    return first, workspace_id


async def ask_documents(host: Host, api: httpx.AsyncClient, headers: dict[str, str]) -> str:
    """Two required types (an ID card of everyone, a Kbis of the "bench" tag's half), and
    where each of the 10,000 clients stands as the portal keeps it from the documents
    service's events: a third lack the ID card, a third have it in review, the rest
    accepted. Answers the ID card's id."""
    types = "/api/documents/v1/document-types"
    made = []
    for body in (
        {"name_en": "ID card", "name_fr": "Carte d'identité", "upload_mode": "required"},
        {"name_en": "Kbis", "name_fr": "Kbis", "upload_mode": "required", "client_tag": "bench"},
    ):
        answer = await api.post(types, json=body, headers=headers)
        answer.raise_for_status()
        made.append(uuid.UUID(answer.json()["id"]))
    id_card, kbis = made
    portal = next(runtime for runtime in host.runtimes if runtime.service.name == "portal")
    now = utcnow()
    async with portal.database.transaction() as tx:
        clients = (await tx.execute(select(Client.id, Client.tags))).all()
        states = []
        for number, (client_id, tags) in enumerate(clients):
            state = ("missing", "in_review", "accepted")[number % 3]
            states.append({"client_id": client_id, "document_type_id": id_card, "state": state})
            if "bench" in tags:
                accepted = {"client_id": client_id, "document_type_id": kbis, "state": "accepted"}
                states.append(accepted)
        # The one client the portal has told the documents service of (the invited one) may
        # already have its states from the service's own announcement.
        await tx.execute(delete(ClientDocumentState))
        await tx.execute(insert(ClientDocumentState), states)
        await tx.execute(
            update(Client).values(
                documents_complete=case(
                    (
                        Client.id.in_(
                            select(ClientDocumentState.client_id).where(
                                ClientDocumentState.document_type_id == id_card,
                                ClientDocumentState.state == "accepted",
                            )
                        ),
                        True,
                    ),
                    else_=False,
                ),
                documents_as_of=now,
            )
        )
    return str(id_card)


async def timings(call: Callable[[], Awaitable[httpx.Response]]) -> tuple[float, float]:
    """p50 and p99 in milliseconds of ``ROUNDS`` calls after a warm-up."""
    for _ in range(WARM_UP):
        (await call()).raise_for_status()
    seconds = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        response = await call()
        seconds.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text[:300]
    cuts = statistics.quantiles(seconds, n=100)
    return cuts[49] * 1000, cuts[98] * 1000


async def log_in(http: httpx.AsyncClient, email: str) -> None:
    page = await http.get("/login")
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert csrf is not None
    answer = await http.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf.group(1)}
    )
    assert answer.status_code == 303, answer.text[:500]


async def first_visit_bytes(http: httpx.AsyncClient, path: str) -> tuple[int, int]:
    """(compressed as transferred, uncompressed) bytes of the page and every asset it loads."""
    page = await http.get(path, headers={"accept-encoding": "gzip"})
    assert page.status_code == 200, page.text[:300]
    transferred, plain = page.num_bytes_downloaded, len(page.content)
    for asset in sorted(set(ASSET.findall(page.text))):
        response = await http.get(asset.replace("&amp;", "&"), headers={"accept-encoding": "gzip"})
        assert response.status_code == 200, asset
        transferred += response.num_bytes_downloaded
        plain += len(response.content)
    return transferred, plain


async def run() -> list[Figure]:
    with tempfile.TemporaryDirectory() as folder:
        settings = PorticoSettings(data_dir=Path(folder), keys_dir=Path(folder) / "keys")
        host = Host(discover_services(), settings, EMBEDDED, web=discover_web())
        app = host.app()
        await host.start()
        try:
            client_id, workspace_id = await seed(host)
            transport = httpx.ASGITransport(app=app)
            base = "http://127.0.0.1:8000"
            async with (
                httpx.AsyncClient(transport=transport, base_url=base) as api,
                httpx.AsyncClient(transport=transport, base_url=base) as staff,
                httpx.AsyncClient(transport=transport, base_url=base) as client,
            ):
                headers = {"Authorization": f"Bearer {_admin_token(host)}"}
                staff_email = await _staff(api, headers)
                contact_email = await _client_account(host, api, headers, client_id)
                await log_in(staff, staff_email)
                await log_in(client, contact_email)
                client_token = (
                    await api.post(
                        "/api/portal/v1/auth/login",
                        json={"email": contact_email, "password": PASSWORD},
                    )
                ).json()["access_token"]
                as_client = {"Authorization": f"Bearer {client_token}"}

                list_p50, list_p99 = await timings(lambda: staff.get("/clients"))
                list_api_p50, list_api_p99 = await timings(
                    lambda: api.get("/api/portal/v1/clients?limit=25", headers=headers)
                )
                id_card = await ask_documents(host, api, headers)
                _, documents_p99 = await timings(lambda: staff.get("/clients"))
                missing = f"/clients?document_type={id_card}&document_state=missing"
                _, filtered_p99 = await timings(lambda: staff.get(missing))
                page = f"/portal/workspaces/{workspace_id}"
                ws_p50, ws_p99 = await timings(lambda: client.get(page))

                async def workspace_api() -> httpx.Response:
                    calls = [
                        f"/api/portal/v1/workspaces/{workspace_id}",
                        "/api/portal/v1/workspaces",
                        f"/api/portal/v1/workspaces/{workspace_id}/contents?messages=51",
                    ]
                    for path in calls:
                        response = await api.get(path, headers=as_client)
                    return response

                ws_api_p50, ws_api_p99 = await timings(workspace_api)
                async with httpx.AsyncClient(transport=transport, base_url=base) as newcomer:
                    await log_in(newcomer, contact_email)
                    transferred, plain = await first_visit_bytes(newcomer, page)
        finally:
            await host.stop()
    api_note = "the service API calls the page makes"
    return [
        Figure("ui.client_list_p50", list_p50, "ms", api_note, list_api_p50),
        Figure("ui.client_list_p99", list_p99, "ms", api_note, list_api_p99, maximum=100),
        Figure(
            "ui.client_list_documents_p99",
            documents_p99,
            "ms",
            "the same list before any document was asked",
            list_p99,
            maximum=100,
        ),
        Figure(
            "ui.client_list_missing_id_card_p99",
            filtered_p99,
            "ms",
            "the same list before any document was asked",
            list_p99,
            maximum=100,
        ),
        Figure("ui.workspace_page_p50", ws_p50, "ms", api_note, ws_api_p50),
        Figure("ui.workspace_page_p99", ws_p99, "ms", api_note, ws_api_p99, maximum=100),
        Figure(
            "ui.first_visit_kb",
            transferred / 1000,
            "KB",
            "the same resources uncompressed",
            plain / 1000,
            maximum=150,
        ),
    ]


def _admin_token(host: Host) -> str:
    runtime = host.runtimes[0]
    assert runtime.private_key is not None
    issuer = TokenIssuer(runtime.private_key, runtime.settings.jwt_issuer)
    return issuer.issue(Principal(subject=str(uuid.uuid4()), role="admin"))[0]


async def _staff(api: httpx.AsyncClient, headers: dict[str, str]) -> str:
    body = {
        "email": "lea@bench.example",
        "first_name": "Léa",
        "last_name": "Martin",
        "role": "admin",
        "password": PASSWORD,
    }
    (await api.post("/api/portal/v1/staff", json=body, headers=headers)).raise_for_status()
    return str(body["email"])


async def _client_account(
    host: Host, api: httpx.AsyncClient, headers: dict[str, str], client_id: uuid.UUID
) -> str:
    """The first client's contact accepts an invitation, as from the emailed link."""
    invited: asyncio.Queue[Envelope] = asyncio.Queue()
    await host.bus.subscribe("bench-ui", [ClientInvited.event_type], invited.put)
    client = (await api.get(f"/api/portal/v1/clients/{client_id}", headers=headers)).json()
    contact = client["contacts"][0]
    path = f"/api/portal/v1/clients/{client_id}/contacts/{contact['id']}/invitation"
    (await api.post(path, headers=headers)).raise_for_status()
    envelope = await asyncio.wait_for(invited.get(), 10)
    token = str(envelope.data["accept_url"]).split("token=")[1]
    accepted = await api.post(
        "/api/portal/v1/invitations/accept", json={"token": token, "password": PASSWORD}
    )
    accepted.raise_for_status()
    return str(contact["email"])
