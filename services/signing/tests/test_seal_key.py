"""The organisation's seal: administrators see which key seals completed documents and
upload their own PKCS#12; a file that cannot seal is refused beside the input at fault,
and documents completed afterwards carry the uploaded seal."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from portico.kit.testing.polling import wait_until
from portico.kit.testing.services import RunningPortico
from portico.pdf import create_seal_key, verify_pdf
from portico.signing.testing import (
    CLIENT_VALUES,
    FIELDS,
    SIGNING,
    SUBMISSIONS,
    link_of,
    make_client,
    make_template,
    replica_ready,
    send_to,
)

EMBEDDED = pytest.mark.backends("embedded")
SEAL = "/api/signing/v1/seal-key"
ONE_SIGNER = [f for f in FIELDS if f["role"] == "Client"]


async def upload(portico: RunningPortico, data: bytes, password: str = "") -> Any:
    return await portico.http.post(
        SEAL,
        files={"file": ("seal.p12", data, "application/x-pkcs12")},
        data={"password": password},
        headers=portico.headers("admin"),
    )


@EMBEDDED
async def test_an_admin_uploads_the_organisations_seal_and_documents_carry_it(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    assert (await portico.http.get(SEAL, headers=portico.headers("staff"))).status_code == 403
    first = (await portico.http.get(SEAL, headers=portico.headers("admin"))).json()
    assert first["source"] == "database" and "Portico" in first["subject"]

    not_a_key = await upload(portico, b"%PDF-1.7 not a key")
    assert not_a_key.status_code == 422
    assert not_a_key.json()["errors"][0]["field"] == "file"
    ours = await asyncio.to_thread(create_seal_key, "Atelier Lumière", password=b"s3cret pass")
    wrong = await upload(portico, ours, "guess")
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "password"
    assert wrong.json()["errors"][0]["code"] == "wrong_password"
    staff = await portico.http.post(
        SEAL, files={"file": ("seal.p12", ours)}, headers=portico.headers("staff")
    )
    assert staff.status_code == 403

    uploaded = await upload(portico, ours, "s3cret pass")
    assert uploaded.status_code == 201, uploaded.text
    seal = uploaded.json()
    assert seal["subject"].startswith("Atelier Lumière")
    assert seal["fingerprint"] != first["fingerprint"]
    shown = (await portico.http.get(SEAL, headers=portico.headers("admin"))).json()
    assert shown["fingerprint"] == seal["fingerprint"]

    client = await make_client(portico, admin)
    template = await make_template(portico, ONE_SIGNER)
    await replica_ready(portico, template, client)
    submission = (await send_to(portico, template, client)).json()
    token = await link_of(portico, submission["id"], "ines@lumiere.example")
    values = CLIENT_VALUES | {"Signature": {"typed": "Inès Roy"}}
    assert (
        await portico.http.post(f"{SIGNING}/{token}/submit", json={"values": values})
    ).status_code == 200

    async def completed() -> bool:
        found = await portico.http.get(
            f"{SUBMISSIONS}/{submission['id']}", headers=portico.headers("staff")
        )
        return bool(found.json()["completion"] == "done")

    await wait_until(completed, 60)
    pdf = await portico.http.get(
        f"{SUBMISSIONS}/{submission['id']}/completed.pdf", headers=portico.headers("staff")
    )
    report = await asyncio.to_thread(verify_pdf, pdf.content)
    assert report.intact and report.signer_fingerprint == seal["fingerprint"]
