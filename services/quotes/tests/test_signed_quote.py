"""The signed quote: made and sealed when the client accepts, named by QuoteSigned, and the
proof staff and the signer download; each download by the signer recorded, the first
announced."""

from __future__ import annotations

import hashlib
import io
import re

from pypdf import PdfReader
from sqlalchemy import select

from portico.contracts.events.quotes import QuoteDownloaded, QuoteSigned
from portico.kit.testing.services import RunningPortico
from portico.pdf import chain
from portico.pdf.testing import pdfsig, pdftotext
from portico.quotes.models import QuoteEvent
from portico.quotes.online.certificate import trail_of
from portico.quotes.testing import ONLINE, QUOTES

from .test_online_quotes import ACCEPT, BROWSER, esignature, history, kept, offered, png


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


async def test_the_signed_quote_is_sealed_and_downloaded_by_staff_and_the_signer(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    await esignature(portico, admin, on=True)
    _client, quote, token = await offered(portico, admin)
    # Before the answer, the signer's copy is the quote as it stands, unsealed.
    before = await portico.http.get(f"{ONLINE}/{token}/pdf", headers=BROWSER)
    assert before.status_code == 200, before.text
    assert before.headers["content-type"] == "application/pdf"
    assert "Signature is Valid." not in pdfsig(before.content)

    drawn = {"kind": "drawn", "image_png_base64": png()}
    accepted = await portico.http.post(
        f"{ONLINE}/{token}/accept", json={**ACCEPT, "signature": drawn}, headers=BROWSER
    )
    assert accepted.status_code == 200, accepted.text
    held = await kept(portico, quote["id"])
    assert held.proof_key is not None and held.proof_key.startswith(f"quotes/{quote['id']}/signed-")
    [envelope] = await portico.events.wait_for(QuoteSigned.event_type, subject=quote["id"])
    signed_event = envelope.event()
    assert isinstance(signed_event, QuoteSigned)
    assert signed_event.signed_pdf_key == held.proof_key

    # Staff download the proof: sealed, valid in pdfsig, saying who accepted it and when,
    # in the quote's language (French here), in the signer's time zone.
    staff = await portico.http.get(f"{QUOTES}/{quote['id']}/pdf", headers=portico.headers("staff"))
    assert staff.status_code == 200, staff.text
    assert f"{held.number}-signed.pdf" in staff.headers["content-disposition"]
    report = pdfsig(staff.content)
    assert "Signature is Valid." in report, report
    words = text_of(staff.content)
    assert "Bon pour accord" in words and "Accepté par Inès Roy" in words
    assert "Europe/Paris" in words and "127.0.0.1" in words
    assert staff.content == await portico.runtime("quotes").store.read(held.proof_key)

    # The certificate of completion follows the quote, in French: the signer, where from,
    # the total accepted, and the history up to the acceptance as its audit trail, the
    # chain's head being that of the history kept in the database.
    certificate = pdftotext(staff.content)
    assert "Certificat d’achèvement" in certificate
    assert "Inès Roy" in certificate and "Total TTC" in certificate
    for step in ("Envoyé", "Téléchargé", "Signé"):
        assert step in certificate, step
    async with portico.runtime("quotes").database.sessions() as session:
        steps = list(
            (
                await session.execute(
                    select(QuoteEvent)
                    .where(QuoteEvent.quote_id == held.id)
                    .order_by(QuoteEvent.at, QuoteEvent.id)
                )
            ).scalars()
        )
    assert steps[-1].kind == "accepted"
    names = {step.contact_id: "Inès Roy" for step in steps if step.contact_id is not None}
    head = chain(trail_of(steps, names))[-1]
    assert head in certificate.replace("\n", "").replace(" ", "")
    # The SHA-256 the certificate prints for the signed pages is that of the file's first
    # bytes, up to the end of the quote's own pages.
    prefix = re.search(rb"%%EOF\r?\n?", staff.content)
    assert prefix is not None
    assert hashlib.sha256(staff.content[: prefix.end()]).hexdigest() in certificate.replace(
        "\n", ""
    ).replace(" ", "")

    # The signer downloads the same proof, twice: both recorded, the first announced.
    for _ in range(2):
        mine = await portico.http.get(f"{ONLINE}/{token}/pdf", headers=BROWSER)
        assert mine.status_code == 200 and mine.content == staff.content
        assert mine.headers["cache-control"] == "no-store"
    downloads = [
        step for step in await history(portico, quote["id"]) if step["kind"] == "downloaded"
    ]
    assert len(downloads) == 3
    assert downloads[0]["user_agent"] == BROWSER["User-Agent"]
    announced = await portico.events.wait_for(QuoteDownloaded.event_type, subject=quote["id"])
    assert len(announced) == 1


async def test_a_quote_accepted_without_a_signature_is_sealed_too(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    await esignature(portico, admin, on=False)
    _client, _quote, token = await offered(portico, admin)
    accepted = await portico.http.post(f"{ONLINE}/{token}/accept", json=ACCEPT, headers=BROWSER)
    assert accepted.status_code == 200, accepted.text
    proof = await portico.http.get(f"{ONLINE}/{token}/pdf")
    assert "Signature is Valid." in pdfsig(proof.content)
    assert "Accepté par Inès Roy" in text_of(proof.content)
