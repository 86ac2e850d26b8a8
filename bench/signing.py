"""The `signing` benchmark: a document's way from upload to the editor.

Figures, on the embedded backends (SQLite, the local blob store), through the signing API:
- a 50-page PDF uploaded until its first page's preview is served, the wait before the
  editor shows the document, beside pypdfium2 rendering that first page alone (1200 px,
  WebP) in the same run;
- a Word document (DOCX, three pages of text) converted to PDF by LibreOffice in its
  isolated child, beside pypdfium2 rendering the first page of the converted PDF.
Each is the median of a few rounds, after one warm-up round.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from bench.figures import Figure
from portico.kit.auth.principals import Principal
from portico.kit.auth.tokens import TokenIssuer
from portico.kit.host import EMBEDDED, Host, discover_services
from portico.kit.settings import PorticoSettings
from portico.pdf import Limits, normalise_isolated, render_page
from portico.pdf.testing import docx_with_paragraphs
from portico.signing.testing import pdf_document

ROUNDS = 5
PAGES = 50
PREVIEW_WIDTH = 1200
TEMPLATES = "/api/signing/v1/templates"


def _median_seconds(rounds: int, action: Callable[[], Any]) -> float:
    action()  # warm-up: imports, the first child process, LibreOffice's profile
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def _upload_to_first_preview(api: httpx.AsyncClient, headers: dict[str, str]) -> float:
    # A distinct document each round: the same bytes would share the stored files.
    pdf = pdf_document(PAGES, lines=[f"Round {uuid.uuid4()}"])
    started = time.perf_counter()
    made = await api.post(
        TEMPLATES, files={"file": ("contract.pdf", pdf, "application/pdf")}, headers=headers
    )
    made.raise_for_status()
    preview = await api.get(
        f"{TEMPLATES}/{made.json()['id']}/pages/0/preview",
        params={"width": PREVIEW_WIDTH},
        headers=headers,
    )
    preview.raise_for_status()
    elapsed = time.perf_counter() - started
    # The other 49 pages render in the background: let them finish before the next round.
    while True:
        template = (await api.get(f"{TEMPLATES}/{made.json()['id']}", headers=headers)).json()
        if template["previews_ready"] == template["page_count"]:
            return elapsed
        await asyncio.sleep(0.1)


async def run() -> list[Figure]:
    limits = Limits()
    # Baseline of the upload: the same kind of document's first page, rendered alone.
    sample = pdf_document(PAGES, lines=["Baseline"])
    render_alone = _median_seconds(ROUNDS, lambda: render_page(sample, 0, PREVIEW_WIDTH))

    clause = (
        "The parties agree to the terms below. Each clause applies from the date of "
        "signature until the end of the engagement, unless ended sooner in writing."
    )
    docx = docx_with_paragraphs(*([clause] * 12 for _ in range(3)))
    converted = normalise_isolated(docx, limits)
    conversion = _median_seconds(ROUNDS, lambda: normalise_isolated(docx, limits))
    render_converted = _median_seconds(ROUNDS, lambda: render_page(converted.pdf, 0, PREVIEW_WIDTH))

    with tempfile.TemporaryDirectory() as folder:
        settings = PorticoSettings(data_dir=Path(folder), keys_dir=Path(folder) / "keys")
        services = [service for service in discover_services() if service.name == "signing"]
        host = Host(services, settings, EMBEDDED)
        app = host.app()
        await host.start()
        try:
            runtime = host.runtimes[0]
            assert runtime.private_key is not None
            issuer = TokenIssuer(runtime.private_key, runtime.settings.jwt_issuer)
            token = issuer.issue(Principal(subject=str(uuid.uuid4()), role="staff"))[0]
            headers = {"Authorization": f"Bearer {token}"}
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://127.0.0.1:8000", timeout=120
            ) as api:
                await _upload_to_first_preview(api, headers)
                uploads = [await _upload_to_first_preview(api, headers) for _ in range(ROUNDS)]
        finally:
            await host.stop()
    upload = statistics.median(uploads)
    return [
        Figure(
            "signing.upload_50_pages_first_preview",
            upload * 1000,
            "ms",
            "pypdfium2 rendering the first page alone",
            render_alone * 1000,
            maximum=3000,
        ),
        Figure(
            "signing.docx_conversion",
            conversion * 1000,
            "ms",
            "pypdfium2 rendering the converted first page",
            render_converted * 1000,
            maximum=10_000,
        ),
    ]
