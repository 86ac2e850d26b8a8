"""Test helpers of the signing service: documents made in the test, uploads, previews."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Sequence
from typing import Any

import httpx
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from portico.kit.testing.services import RunningPortico


def pdf_document(pages: int = 1, *, lines: Sequence[str] = (), form: bool = False) -> bytes:
    """A PDF of ``pages`` pages with ``lines`` of text on the first (tags, say), and a text
    field and a checkbox on it when ``form``."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    for number in range(pages):
        canvas.setFont("Helvetica", 12)
        canvas.drawString(72, 800, f"Page {number + 1}")
        if number == 0:
            for index, line in enumerate(lines):
                canvas.drawString(72, 700 - 40 * index, line)
            if form:
                canvas.acroForm.textfield(name="Company", x=72, y=500, width=200, height=20)
                canvas.acroForm.checkbox(name="Agree", x=72, y=450, size=14)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


async def upload(
    portico: RunningPortico,
    content: bytes,
    filename: str,
    *,
    name: str | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    data = {"name": name} if name else None
    return await portico.http.post(
        "/api/signing/v1/templates",
        files={"file": (filename, content, "application/octet-stream")},
        data=data,
        headers=headers or portico.headers("staff"),
    )


async def all_previews_ready(portico: RunningPortico, template_id: str, seconds: float = 30) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        template = (
            await portico.http.get(
                f"/api/signing/v1/templates/{template_id}", headers=portico.headers("staff")
            )
        ).json()
        if template["previews_ready"] == template["page_count"]:
            return template
        assert time.monotonic() < deadline, f"previews: {template['previews_ready']}"
        await asyncio.sleep(0.1)
