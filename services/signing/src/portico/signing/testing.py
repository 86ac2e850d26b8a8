"""Test helpers of the signing service: documents made in the test, uploads, previews; a
client, a two-role template, a submission sent to them and its links."""

from __future__ import annotations

import asyncio
import base64
import io
import time
import uuid
from collections.abc import Sequence
from typing import Any

import httpx
from PIL import Image, ImageDraw
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from portico.contracts.events.portal import ClientCreated
from portico.contracts.events.signing import SubmissionSent
from portico.kit.testing.polling import wait_until
from portico.kit.testing.services import RunningPortico

TEMPLATES = "/api/signing/v1/templates"
SUBMISSIONS = "/api/signing/v1/submissions"
SIGNING = "/api/signing/v1/signing"
# The staff member who sends and countersigns in the tests.
STAFF_ID = str(uuid.uuid4())


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


def field(name: str, type_: str = "text", role: str = "Client", **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "type": type_,
        "role": role,
        "page": 0,
        "x": 0.1,
        "y": 0.1,
        "w": 0.4,
        "h": 0.04,
    } | extra


FIELDS = [
    field("Company", prefill="{{client.name}}", y=0.10),
    field("City", y=0.16, required=True, mapping="client.address.city"),
    field("Quantity", "number", y=0.22, validation={"min": 1, "max": 100}),
    field("Price", "number", y=0.28),
    field("Total", "number", y=0.34, formula="{Quantity} * {Price}"),
    field("Agree", "checkbox", y=0.40, w=0.04, required=True),
    field("Plan", "radio", y=0.46, options=["Basic", "Pro"]),
    field(
        "PO number",
        y=0.52,
        condition={"conditions": [{"field": "Plan", "operator": "equals", "value": "Pro"}]},
    ),
    field("Signature", "signature", y=0.60, h=0.08),
    field("Countersignature", "signature", role="Company", y=0.75, h=0.08),
]


def drawn_signature() -> str:
    image = Image.new("RGBA", (400, 120), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(10, 100), (120, 20), (220, 90), (390, 15)], fill="black", width=6)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


async def make_client(portico: RunningPortico, admin: dict[str, str]) -> dict[str, Any]:
    made = await portico.http.post(
        "/api/portal/v1/clients",
        json={
            "name": "Atelier Lumière",
            "address": {"city": "Paris", "country": "FR"},
            "contacts": [
                {
                    "first_name": "Inès",
                    "last_name": "Roy",
                    "email": "ines@lumiere.example",
                    "locale": "fr",
                }
            ],
        },
        headers=admin,
    )
    assert made.status_code == 201, made.text
    client: dict[str, Any] = made.json()
    await portico.events.wait_for(ClientCreated.event_type, subject=client["id"])
    return client


async def make_template(
    portico: RunningPortico, fields: list[dict[str, Any]] = FIELDS, *, ordered: bool = True
) -> dict[str, Any]:
    staff = portico.headers("staff")
    template = (await upload(portico, pdf_document(2), "order.pdf", name="Order form")).json()
    roles = sorted({f["role"] for f in fields}, key=lambda role: role != "Client")
    patched = await portico.http.patch(
        f"{TEMPLATES}/{template['id']}",
        json={"roles": [{"name": role} for role in roles], "ordered": ordered},
        headers=staff,
    )
    assert patched.status_code == 200, patched.text
    saved = await portico.http.put(
        f"{TEMPLATES}/{template['id']}/fields", json={"fields": fields}, headers=staff
    )
    assert saved.status_code == 200, saved.text
    return saved.json()


async def send_to(
    portico: RunningPortico, template: dict[str, Any], client: dict[str, Any], **extra: Any
) -> Any:
    recipients = [{"role": "Client", "contact_id": client["contacts"][0]["id"]}]
    if any(f["role"] == "Company" for f in template["fields"]):
        recipients.append(
            {
                "role": "Company",
                "staff_user_id": STAFF_ID,
                "name": "Léa Bernard",
                "email": "lea@studio.example",
            }
        )
    body = {"template_id": template["id"], "client_id": client["id"], "recipients": recipients}
    return await portico.http.post(
        SUBMISSIONS, json=body | extra, headers=portico.headers("staff", subject=STAFF_ID)
    )


async def replica_ready(
    portico: RunningPortico, template: dict[str, Any], client: dict[str, Any]
) -> None:
    """The signing service has handled ClientCreated (the spy may see it first)."""

    async def prefilled() -> bool:
        values = (
            await portico.http.get(
                f"{TEMPLATES}/{template['id']}/prefills",
                params={"client_id": client["id"]},
                headers=portico.headers("staff"),
            )
        ).json()
        return bool(values.get("Company"))

    await wait_until(prefilled)


async def link_of(portico: RunningPortico, submission_id: str, email: str) -> str:
    async def sent() -> str | None:
        for envelope in portico.events.of_type(SubmissionSent.event_type, subject=submission_id):
            if envelope.data["submitter"]["email"] == email:
                return str(envelope.data["signing_url"]).rsplit("/", 1)[1]
        return None

    token: str = await wait_until(sent)
    return token


async def sent_and_ready(
    portico: RunningPortico, admin: dict[str, str], fields: list[dict[str, Any]] = FIELDS
) -> tuple[dict[str, Any], dict[str, Any], str]:
    client = await make_client(portico, admin)
    template = await make_template(portico, fields)
    await replica_ready(portico, template, client)
    sent = await send_to(portico, template, client)
    assert sent.status_code == 201, sent.text
    submission = sent.json()
    token = await link_of(portico, submission["id"], "ines@lumiere.example")
    return client, submission, token


CLIENT_VALUES = {
    "City": "Lyon",
    "Quantity": 3,
    "Price": "12.5",
    "Total": 999,
    "Agree": True,
    "Plan": "Pro",
    "PO number": "PO-4471",
}
