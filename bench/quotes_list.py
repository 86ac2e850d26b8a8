"""The `quotes_list` benchmark: the staff's quotes list at 10,000 quotes, on the embedded
backends (SQLite), as deployed.

Figures, each beside a baseline measured in the same run:
- p99 of the list API (`GET /api/quotes/v1/quotes?limit=25`, the last changed first) with
  10,000 quotes of 1,000 clients, beside the same call when the service held 100;
- p99 of a search by client name (`q=`), beside the plain list of the same size;
- p99 of the staff's list page (`/quotes`), beside the API call the page makes.
"""

from __future__ import annotations

import tempfile
import uuid
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert

from bench.figures import Figure
from bench.ui import _admin_token, _staff, log_in, timings
from portico.kit.db import utcnow
from portico.kit.host import EMBEDDED, Host, discover_services, discover_web
from portico.kit.settings import PorticoSettings
from portico.quotes.models import ClientReplica, Quote

QUOTES = 10_000
FEW = 100
CLIENTS = 1_000
LIST = "/api/quotes/v1/quotes?limit=25"
TARGET_P99_MS = 100.0


def _quotes(clients: list[dict[str, Any]], count: int, start: int) -> list[dict[str, Any]]:
    now = utcnow()
    statuses = ("draft", "sent", "viewed", "accepted", "declined")
    return [
        {
            "id": uuid.uuid4(),
            "number": None if number % 5 == 0 else f"DEV-2026-{number:05d}",
            "status": statuses[number % 5],
            "client_id": clients[number % len(clients)]["client_id"],
            "title": f"Rénovation, lot {number}",
            "currency": "EUR",
            "locale": "fr",
            "issue_date": date(2026, 1, 1) + timedelta(days=number % 300),
            "valid_until": date(2026, 2, 1) + timedelta(days=number % 300),
            "total_without_tax": Decimal("1000.00") + number,
            "total_with_tax": Decimal("1200.00") + number,
            "view_count": number % 7,
            "created_at": now - timedelta(minutes=number),
            "updated_at": now - timedelta(minutes=number),
        }
        for number in range(start, start + count)
    ]


async def _seed(host: Host, clients: list[dict[str, Any]], count: int, start: int) -> None:
    quotes = next(runtime for runtime in host.runtimes if runtime.service.name == "quotes")
    async with quotes.database.transaction() as tx:
        if start == 0:
            await tx.execute(insert(ClientReplica), clients)
        await tx.execute(insert(Quote), _quotes(clients, count, start))


async def run() -> list[Figure]:
    now = utcnow()
    clients = [
        {
            "client_id": uuid.uuid4(),
            "name": f"Atelier {number:04d}",
            "assigned_staff_id": None,
            "contacts": [],
            "changed_at": now,
            "deleted": False,
        }
        for number in range(CLIENTS)
    ]
    with tempfile.TemporaryDirectory() as folder:
        settings = PorticoSettings(data_dir=Path(folder), keys_dir=Path(folder) / "keys")
        host = Host(discover_services(), settings, EMBEDDED, web=discover_web())
        app = host.app()
        await host.start()
        try:
            transport = httpx.ASGITransport(app=app)
            base = "http://127.0.0.1:8000"
            async with (
                httpx.AsyncClient(transport=transport, base_url=base) as api,
                httpx.AsyncClient(transport=transport, base_url=base) as staff,
            ):
                headers = {"Authorization": f"Bearer {_admin_token(host)}"}
                await log_in(staff, await _staff(api, headers))

                async def listed() -> httpx.Response:
                    return await api.get(LIST, headers=headers)

                await _seed(host, clients, FEW, 0)
                _, few_p99 = await timings(listed)
                await _seed(host, clients, QUOTES - FEW, FEW)
                _, list_p99 = await timings(listed)
                _, search_p99 = await timings(
                    lambda: api.get(f"{LIST}&q=Atelier%200042", headers=headers)
                )
                _, page_p99 = await timings(lambda: staff.get("/quotes"))
        finally:
            await host.stop()
    return [
        Figure(
            "quotes.list_api_p99",
            list_p99,
            "ms",
            f"the same call with {FEW} quotes",
            few_p99,
            maximum=TARGET_P99_MS,
        ),
        Figure(
            "quotes.search_by_client_p99",
            search_p99,
            "ms",
            "the plain list of the same size",
            list_p99,
            maximum=TARGET_P99_MS,
        ),
        Figure(
            "quotes.list_page_p99",
            page_p99,
            "ms",
            "the API call the page makes",
            list_p99,
            maximum=TARGET_P99_MS,
        ),
    ]
