"""The organisation's logo on the quotes service's PDFs: made ready to print once (fitted to
the letterhead's box at 300 dpi, its transparency kept), drawn top left of the first page
within 45 x 18 mm and in its proportions; copied from the portal's blob store when the
portal announces it (on S3 in the distributed run) and printed on the quote's PDF, the sent
one, the signed one and the invoice's; a logo changed under the same key prints anew; a
logo missing from the store or not an image, or none at all, prints the page as without a
logo and fails neither a send nor an acceptance."""

from __future__ import annotations

import asyncio
import io
import time
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageChops
from pypdf import PdfReader

from portico.contracts import Envelope
from portico.contracts.events.portal import OrganisationUpdated
from portico.contracts.events.quotes import QuoteSent
from portico.kit.db import utcnow
from portico.kit.testing.services import RunningPortico
from portico.quotes.models import OrganisationReplica
from portico.quotes.rendering import PrintableQuote, Recipient, Sender, render_quote_pdf
from portico.quotes.rendering.logo import LOGO_HEIGHT, LOGO_WIDTH, UnreadableLogo, print_ready
from portico.quotes.rendering.style import MARGIN, TOP
from portico.quotes.replicas import ORGANISATION_ROW
from portico.quotes.testing import (
    ONLINE,
    QUOTES,
    make_client,
    make_quote,
    sent_link,
    simple_quote,
)
from portico.quotes.totals import Line, compute_totals

ORGANISATION = "/api/portal/v1/organisation"
INVOICES = "/api/quotes/v1/invoices"
RED = (220, 20, 20)
GREEN = (20, 160, 60)
ACCEPT = {"name": "Inès Roy", "accept_terms": True, "time_zone": "Europe/Paris"}


@pytest.fixture
def portico_uses_s3() -> bool:
    # The logo is read from the portal's part of the bucket, as deployed.
    return True


def image_file(
    size: tuple[int, int], colour: tuple[int, ...], mode: str = "RGB", **save: Any
) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, colour).save(buffer, format=save.pop("format", "PNG"), **save)
    return buffer.getvalue()


def first_page_images(pdf: bytes) -> list[Image.Image]:
    """The images drawn on the first page (its image XObjects, as pypdf finds them)."""
    return [found.image for found in PdfReader(io.BytesIO(pdf)).pages[0].images]


def colour_of(picture: Image.Image) -> tuple[int, ...]:
    """The colour at the centre of ``picture``."""
    rgb = picture.convert("RGB")
    return tuple(rgb.getpixel((rgb.width // 2, rgb.height // 2)))


def near(found: tuple[int, ...], expected: tuple[int, ...]) -> bool:
    return all(abs(a - b) < 16 for a, b in zip(found, expected, strict=True))


def colour_bounds(pdf: bytes, colour: tuple[int, int, int]) -> tuple[int, int, int, int] | None:
    """Where ``colour`` shows on the first page as PDFium draws it at 72 dpi: (left, top,
    right, bottom) in points from the page's top left."""
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[0].render(scale=1).to_pil().convert("RGB")
    finally:
        document.close()
    red, green, blue = (
        band.point(lambda value, want=want: 255 if abs(value - want) < 16 else 0)
        for band, want in zip(page.split(), colour, strict=True)
    )
    return ImageChops.multiply(ImageChops.multiply(red, green), blue).getbbox()


def a_quote_pdf(logo: bytes | None) -> bytes:
    lines = [Line("Design workshop", Decimal(2), Decimal("480"), Decimal(20), unit="day")]
    return render_quote_pdf(
        PrintableQuote(
            number="DEV-2026-0042",
            title="Website redesign",
            issue_date=date(2026, 12, 7),
            valid_until=date(2027, 1, 6),
            sender=Sender("Studio Nord", "12 rue des Lilas, 75011 Paris", "#2f5bea", logo=logo),
            recipient=Recipient("Atelier Lumière", "Inès Roy", "ines@lumiere.example"),
            currency="EUR",
            decimals=2,
            locale="en",
            lines=tuple(lines),
            totals=compute_totals(lines),
        )
    )


# --- Ready to print, and where it prints ------------------------------------------------


def test_a_logo_is_fitted_to_its_box_at_300_dpi_never_enlarged_its_transparency_kept() -> None:
    wide = print_ready(image_file((2400, 800), (*RED, 255), "RGBA"))
    with Image.open(io.BytesIO(wide)) as printed:
        # 45 mm at 300 dpi is 531 pixels; 3:1 makes it 177 high, under 18 mm's 213.
        assert (printed.format, printed.size, printed.mode) == ("PNG", (531, 177), "RGBA")
    tall = print_ready(image_file((600, 1200), GREEN, format="JPEG"))
    with Image.open(io.BytesIO(tall)) as printed:
        assert (printed.size, printed.mode) == ((106, 213), "RGB")
    small = print_ready(image_file((40, 20), GREEN, format="WEBP"))
    with Image.open(io.BytesIO(small)) as printed:
        assert printed.size == (40, 20)


@pytest.mark.parametrize(
    "content",
    [
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        image_file((10, 10), RED, format="GIF"),
        image_file((200, 100), RED)[:60],
        image_file((9000, 2), RED),
    ],
    ids=["svg", "gif", "truncated", "too-large"],
)
def test_what_is_not_a_printable_image_is_refused(content: bytes) -> None:
    with pytest.raises(UnreadableLogo):
        print_ready(content)


def test_the_logo_prints_top_left_within_45_by_18_mm_in_its_proportions() -> None:
    wide = a_quote_pdf(print_ready(image_file((2400, 800), RED)))
    bounds = colour_bounds(wide, RED)
    assert bounds is not None
    left, top, right, bottom = bounds
    assert abs(left - MARGIN) <= 2 and abs(top - TOP) <= 2
    assert abs((right - left) - LOGO_WIDTH) <= 2
    assert abs((bottom - top) - LOGO_WIDTH / 3) <= 2
    [drawn] = first_page_images(wide)
    assert near(colour_of(drawn), RED)

    tall = a_quote_pdf(print_ready(image_file((600, 1200), GREEN)))
    bounds = colour_bounds(tall, GREEN)
    assert bounds is not None
    left, top, right, bottom = bounds
    assert abs((bottom - top) - LOGO_HEIGHT) <= 2
    assert abs((right - left) - LOGO_HEIGHT / 2) <= 2


def test_no_logo_or_bytes_that_are_no_image_print_the_page_without_one() -> None:
    for logo in (None, b"not an image"):
        pdf = a_quote_pdf(logo)
        assert first_page_images(pdf) == []
        assert "Studio Nord" in (PdfReader(io.BytesIO(pdf)).pages[0].extract_text() or "")


# --- From the portal's store to the PDFs ------------------------------------------------


async def replica(portico: RunningPortico) -> OrganisationReplica | None:
    async with portico.runtime("quotes").database.sessions() as session:
        return await session.get(OrganisationReplica, ORGANISATION_ROW)


async def logo_copied(portico: RunningPortico, key: str | None, after: datetime) -> None:
    """Waits until the quotes service has handled the logo ``key`` announced after
    ``after``: copied (or found missing or unreadable), or forgotten for None."""
    deadline = time.monotonic() + 30
    while True:
        held = await replica(portico)
        if held is not None and held.logo_key == key and held.changed_at >= after:
            copied_at = held.logo_copied_at
            if key is None or (copied_at is not None and copied_at >= after):
                return
        assert time.monotonic() < deadline, f"the quotes service never copied the logo {key}"
        await asyncio.sleep(0.05)


async def upload_logo(portico: RunningPortico, admin: dict[str, str], content: bytes) -> None:
    before = utcnow()
    uploaded = await portico.http.put(
        f"{ORGANISATION}/logo", files={"file": ("logo.png", content, "image/png")}, headers=admin
    )
    assert uploaded.status_code == 200, uploaded.text
    await logo_copied(portico, "organisation/logo.png", before)


async def announce(portico: RunningPortico, logo_key: str | None) -> None:
    """OrganisationUpdated naming ``logo_key``, as the portal would emit it now; returns
    once the quotes service has handled it."""
    event = OrganisationUpdated(name="Studio Nord", logo_key=logo_key)
    at = utcnow()
    await portico.host.bus.publish(
        [
            Envelope(
                type=event.event_type,
                source="portal",
                time=at,
                subject=event.subject(),
                correlation_id=str(uuid.uuid4()),
                data=event.model_dump(mode="json"),
            )
        ]
    )
    await logo_copied(portico, logo_key, at)


async def staff_pdf(portico: RunningPortico, quote: dict[str, Any]) -> bytes:
    answer = await portico.http.get(f"{QUOTES}/{quote['id']}/pdf", headers=portico.headers())
    assert answer.status_code == 200, answer.text
    return answer.content


async def test_the_portals_logo_prints_on_the_quote_sent_signed_and_invoiced(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    await upload_logo(portico, admin, image_file((1200, 400), RED))
    client = await make_client(portico, admin)
    staff = portico.headers("staff")
    quote = await make_quote(portico, staff, simple_quote(client))

    [drawn] = first_page_images(await staff_pdf(portico, quote))
    assert near(colour_of(drawn), RED)

    token = await sent_link(portico, staff, quote, {"attach_pdf": True})
    [envelope] = await portico.events.wait_for(QuoteSent.event_type, subject=quote["id"])
    event = envelope.event()
    assert isinstance(event, QuoteSent) and event.pdf_key is not None
    [drawn] = first_page_images(await portico.runtime("quotes").store.read(event.pdf_key))
    assert near(colour_of(drawn), RED)

    accepted = await portico.http.post(f"{ONLINE}/{token}/accept", json=ACCEPT)
    assert accepted.status_code == 200, accepted.text
    [drawn] = first_page_images(await staff_pdf(portico, quote))
    assert near(colour_of(drawn), RED)

    issued = await portico.http.post(f"{QUOTES}/{quote['id']}/invoice", json={}, headers=staff)
    assert issued.status_code == 201, issued.text
    invoice = await portico.http.get(f"{INVOICES}/{issued.json()['id']}/pdf", headers=staff)
    assert invoice.status_code == 200, invoice.text
    [drawn] = first_page_images(invoice.content)
    assert near(colour_of(drawn), RED)


async def test_a_logo_changed_under_the_same_key_prints_anew_and_none_prints_none(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin)
    quote = await make_quote(portico, portico.headers("staff"), simple_quote(client))
    await upload_logo(portico, admin, image_file((300, 100), RED))
    [drawn] = first_page_images(await staff_pdf(portico, quote))
    assert near(colour_of(drawn), RED)

    # The portal keeps a PNG logo at organisation/logo.png whatever it is.
    await upload_logo(portico, admin, image_file((300, 100), GREEN))
    [drawn] = first_page_images(await staff_pdf(portico, quote))
    assert near(colour_of(drawn), GREEN)

    await announce(portico, None)
    held = await replica(portico)
    assert held is not None and held.logo_copied_at is None
    assert first_page_images(await staff_pdf(portico, quote)) == []


async def test_a_logo_missing_or_unreadable_prints_without_and_fails_no_send_or_acceptance(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin)
    staff = portico.headers("staff")
    await announce(portico, "organisation/gone.png")
    quote = await make_quote(portico, staff, simple_quote(client))
    assert first_page_images(await staff_pdf(portico, quote)) == []
    token = await sent_link(portico, staff, quote, {"attach_pdf": True})

    await portico.runtime("portal").store.put(
        "organisation/logo.png", b"<html>not a logo</html>", content_type="image/png"
    )
    await announce(portico, "organisation/logo.png")
    accepted = await portico.http.post(f"{ONLINE}/{token}/accept", json=ACCEPT)
    assert accepted.status_code == 200, accepted.text
    assert first_page_images(await staff_pdf(portico, quote)) == []
    held = await replica(portico)
    assert held is not None and held.logo_copied_at is not None
