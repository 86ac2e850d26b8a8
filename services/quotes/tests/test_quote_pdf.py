"""A quote's PDF: what it prints (its number, the client, the lines by section, the totals
and the VAT by rate, in the quote's language with its amounts and dates as that language
writes them), text in any script with its fonts embedded, long quotes over numbered pages
with the table's header repeated; and the staff endpoint that serves it."""

from __future__ import annotations

import io
import uuid
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from portico.contracts.events.quotes import QuoteSent
from portico.kit.testing.services import RunningPortico
from portico.quotes.rendering import PrintableQuote, Recipient, Sender, render_quote_pdf
from portico.quotes.rendering.formats import Formats
from portico.quotes.rendering.lines_table import groups
from portico.quotes.rendering.style import ACCENT, brand
from portico.quotes.testing import (
    QUOTES,
    contact,
    make_client,
    make_quote,
    send,
    simple_quote,
)
from portico.quotes.totals import Discount, Line, Section, compute_totals

DESIGN = Section("design", "Design")
BUILD = Section("build", "Build")
ARABIC = "تصميم الموقع الإلكتروني وتطويره"
CHINESE = "网站设计与开发服务"
HEBREW = "שלום עולם"


def printable(
    lines: list[Line],
    *,
    sections: tuple[Section, ...] = (),
    discount: Discount | None = None,
    **fields: Any,
) -> PrintableQuote:
    """A quote as the renderer takes it, totalled by ``totals.compute_totals``."""
    quote = PrintableQuote(
        number="DEV-2026-0042",
        title="Website redesign",
        issue_date=date(2026, 12, 7),
        valid_until=date(2027, 1, 6),
        sender=Sender(
            "Studio Nord",
            "12 rue des Lilas, 75011 Paris\nSIRET 123 456 789 00012",
            "#2f5bea",
        ),
        recipient=Recipient("Atelier Lumière", "Inès Roy", "ines@lumiere.example"),
        currency="EUR",
        decimals=2,
        locale="en",
        lines=tuple(lines),
        totals=compute_totals(lines, sections=sections, discount=discount),
        sections=sections,
        introduction="Following our meeting, here is our proposal.",
        notes="Thank you for your trust.",
        terms="30% deposit on signature.",
    )
    return replace(quote, **fields)


def workshop(description: str = "Design workshop", **fields: Any) -> Line:
    values: dict[str, Any] = {
        "quantity": Decimal(2),
        "unit_price": Decimal("480.00"),
        "vat_rate": Decimal(20),
        "unit": "day",
        **fields,
    }
    return Line(description, **values)


def pages_text(pdf: bytes) -> list[str]:
    """Each page's text as pypdf extracts it, no-break spaces as spaces (pypdf reads the
    no-break space as the space glyph it shares in the font)."""
    return [
        (page.extract_text() or "").replace("\u00a0", " ")
        for page in PdfReader(io.BytesIO(pdf)).pages
    ]


def embedded_fonts(pdf: bytes) -> set[str]:
    """The base names of the fonts the pages use whose file is in the PDF."""
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts = page["/Resources"].get_object().get("/Font", DictionaryObject())
        for reference in fonts.get_object().values():
            font = reference.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is not None and "/FontFile2" in descriptor.get_object():
                names.add(str(font["/BaseFont"]).split("+", 1)[-1])
    return names


# --- The renderer ----------------------------------------------------------------------


def test_a_quote_prints_its_sender_number_dates_client_lines_and_totals() -> None:
    pdf = render_quote_pdf(printable([workshop(), workshop("Printed brochure", vat_rate=10)]))
    assert pdf.startswith(b"%PDF-")
    [text] = pages_text(pdf)
    for expected in (
        "Studio Nord",
        "SIRET 123 456 789 00012",
        "Quote",
        "DEV-2026-0042",
        "Issued on",
        "December 7, 2026",
        "Valid until",
        "January 6, 2027",
        "Atelier Lumière",
        "Inès Roy",
        "ines@lumiere.example",
        "Website redesign",
        "Following our meeting",
        "Design workshop",
        "2 day",
        "€480.00",
        "€960.00",
        "Total excl. tax",
        "€1,920.00",
        "VAT 20% on €960.00",
        "€192.00",
        "VAT 10% on €960.00",
        "€96.00",
        "Total VAT",
        "€288.00",
        "Total incl. tax",
        "€2,208.00",
        "Notes",
        "Thank you for your trust.",
        "Terms",
        "Page 1 of 1",
    ):
        assert expected in text, expected


def test_a_french_quote_speaks_french_with_french_amounts_and_dates() -> None:
    lines = [workshop("Atelier de conception", quantity=Decimal(3), unit_price=Decimal("411.52"))]
    pdf = render_quote_pdf(printable(lines, locale="fr", title="Refonte du site"))
    [text] = pages_text(pdf)
    for expected in (
        "Devis",
        "Numéro",
        "Émis le",
        "7 décembre 2026",
        "Valable jusqu’au",
        "6 janvier 2027",
        "Désignation",
        "Qté",
        "Prix unitaire HT",
        "Montant HT",
        "411,52 €",
        "1\u202f234,56 €",
        "Total HT",
        "TVA 20 % sur 1\u202f234,56 €",
        "246,91 €",
        "Total TTC",
        "1\u202f481,47 €",
        "Remarques",
        "Conditions",
        "Page 1 sur 1",
    ):
        assert expected in text, expected
    for english in ("Quote", "Total incl. tax", "Issued on", "Page 1 of"):
        assert english not in text


def test_amounts_and_dates_are_written_as_each_language_writes_them() -> None:
    french, english = Formats("fr", "EUR", 2), Formats("en", "EUR", 2)
    # French: a narrow no-break space between thousands, a no-break space before the sign.
    assert french.money(Decimal("1234.56")) == "1\u202f234,56\u00a0€"
    assert english.money(Decimal("1234.56")) == "€1,234.56"
    assert french.date(date(2026, 12, 7)) == "7 décembre 2026"
    assert english.date(date(2026, 12, 7)) == "December 7, 2026"
    # A unit price keeps the places it was typed with; a quantity only those it needs.
    assert french.unit_price(Decimal("0.0125")) == "0,0125\u00a0€"
    assert french.unit_price(Decimal("480.0000")) == "480,00\u00a0€"
    assert french.quantity(Decimal("2.500")) == "2,5"
    assert (french.percent(Decimal("5.5")), english.percent(Decimal("5.5"))) == (
        "5,5\u00a0%",
        "5.5%",
    )
    assert french.discount(Discount.percent(10)) == "-10\u00a0%"
    assert english.discount(Discount.amount(50)) == "-€50.00"
    # The quote's decimals, not the currency's usual ones: what the totals were rounded to.
    assert Formats("fr", "JPY", 0).money(Decimal(1234)) == "1\u202f234\u00a0JPY"
    assert Formats("en", "TND", 3).money(Decimal("12.5")) == "TND12.500"


def test_sections_group_their_lines_with_subtotals_and_optional_lines_say_so() -> None:
    lines = [
        workshop("Kick-off meeting", quantity=Decimal(1)),
        workshop("Wireframes", section="design"),
        workshop("Development", section="build", discount=Discount.percent(10)),
        workshop("Printed brochure", section="design", optional=True, chosen=True),
        workshop("Photo shoot", section="build", optional=True),
    ]
    quote = printable(lines, sections=(DESIGN, BUILD), discount=Discount.amount(100))
    # The lines without a section first, then each section's, in the editor's order.
    assert [
        (
            group.section.key if group.section else None,
            [line.description for line, _ in group.lines],
        )
        for group in groups(quote)
    ] == [
        (None, ["Kick-off meeting"]),
        ("design", ["Wireframes", "Printed brochure"]),
        ("build", ["Development", "Photo shoot"]),
    ]
    [text] = pages_text(render_quote_pdf(quote))
    assert text.index("Kick-off meeting") < text.index("Design") < text.index("Wireframes")
    assert "Subtotal · Design" in text and "€1,920.00" in text
    assert "Subtotal · Build" in text and "€864.00" in text
    assert "Optional · chosen" in text
    assert "Optional · not included in the total" in text
    assert "Discount" in text and "-10%" in text
    # The quote's discount, between the lines' total and the total without tax.
    assert "Total of the lines excl. tax" in text and "€3,264.00" in text
    assert "-€100.00" in text
    assert "Total excl. tax" in text and "€3,164.00" in text
    assert "Total incl. tax" in text and "€3,796.80" in text


def test_a_draft_prints_as_a_draft() -> None:
    [text] = pages_text(render_quote_pdf(printable([workshop()], number=None)))
    assert "Draft" in text and "DEV-" not in text
    [texte] = pages_text(render_quote_pdf(printable([workshop()], number=None, locale="fr")))
    assert "Brouillon" in texte


def test_a_long_quote_flows_over_numbered_pages_with_its_header_on_each() -> None:
    lines = [
        workshop(f"Line {index:03d}: work described at some length, over two lines or more")
        for index in range(200)
    ]
    pages = pages_text(render_quote_pdf(printable(lines)))
    count = len(pages)
    assert count >= 5
    for number, text in enumerate(pages, 1):
        assert f"Page {number} of {count}" in text
        # The table's header is repeated on every page the lines flow onto.
        if "Line " in text:
            assert "Description" in text and "Amount excl. tax" in text
    printed = [f"Line {index:03d}" for index in range(200)]
    whole = "\n".join(pages)
    assert all(line in whole for line in printed)
    assert "Total incl. tax" in pages[-1] and "€230,400.00" in pages[-1]


def test_a_long_description_wraps_and_flows_over_pages() -> None:
    sentence = "Every room is measured, drawn and priced with the client before work starts. "
    description = sentence * 60  # about 4,700 characters
    quote = printable([workshop(description.strip()), workshop("After the long one")])
    pages = pages_text(render_quote_pdf(quote))
    assert len(pages) >= 2
    whole = " ".join(" ".join(pages).split())
    assert whole.count("priced with the client") == 60
    assert whole.index("priced with the client") < whole.index("After the long one")


def test_arabic_hebrew_and_chinese_print_in_their_fonts_embedded() -> None:
    lines = [
        workshop(ARABIC),
        workshop(CHINESE),
        workshop(f"{HEBREW} — Tel Aviv office"),
        workshop("Café crème, façade, Œuvre, Ærøskøbing"),
    ]
    quote = printable(
        lines,
        recipient=Recipient(f"شركة {ARABIC}", "李小龙", "li@example.cn"),
        sender=Sender("Studio Nord — 北京"),
    )
    pdf = render_quote_pdf(quote)
    [text] = pages_text(pdf)
    assert CHINESE in text and "李小龙" in text and "北京" in text
    assert "Café crème, façade, Œuvre, Ærøskøbing" in text
    fonts = embedded_fonts(pdf)
    assert {"NotoSansArabic-Regular", "NotoSansHebrew-Regular", "DroidSansFallback"} <= fonts
    assert "NotoSans-Regular" in fonts and "NotoSans-Bold" in fonts


def test_the_brand_colour_prints_unless_too_pale_to_read() -> None:
    assert brand("#2f5bea").hexval() == "0x2f5bea"
    assert brand("#ffef5a") is ACCENT  # yellow on white would not read
    assert brand(None) is ACCENT and brand("blue") is ACCENT


# --- The endpoint ----------------------------------------------------------------------


async def test_staff_download_a_quote_as_a_pdf_named_after_its_number(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin, name="Atelier Lumière")
    staff = portico.headers("staff")
    quote = await make_quote(portico, staff, simple_quote(client, locale="fr"))
    url = f"{QUOTES}/{quote['id']}/pdf"

    draft = await portico.http.get(url, headers=staff)
    assert draft.status_code == 200, draft.text
    assert draft.headers["content-type"] == "application/pdf"
    assert draft.headers["content-disposition"].startswith('attachment; filename="draft.pdf"')
    [text] = pages_text(draft.content)
    assert "Brouillon" in text and "Atelier Lumière" in text and "Inès Roy" in text
    assert "Total TTC" in text and "1\u202f152,00 €" in text

    sent = await send(portico, staff, quote)
    number = sent.json()["number"]
    printed = await portico.http.get(url, headers=staff)
    assert printed.headers["content-disposition"].startswith(f'attachment; filename="{number}.pdf"')
    assert number in pages_text(printed.content)[0]
    reader = portico.headers("api_key", scopes=["quotes:read"])
    assert (await portico.http.get(url, headers=reader)).status_code == 200


async def test_the_pdf_is_refused_to_clients_and_unknown_quotes(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin)
    quote = await make_quote(portico, portico.headers("staff"), simple_quote(client))
    url = f"{QUOTES}/{quote['id']}/pdf"
    as_client = portico.headers(
        "client", client_id=client["id"], contact_id=client["contacts"][0]["id"]
    )
    refused = await portico.http.get(url, headers=as_client)
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    no_scope = portico.headers("api_key", scopes=["clients:read"])
    assert (await portico.http.get(url, headers=no_scope)).status_code == 403
    assert (await portico.http.get(url)).status_code == 401
    unknown = await portico.http.get(f"{QUOTES}/{uuid.uuid4()}/pdf", headers=admin)
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"


async def test_a_quote_sent_with_its_pdf_keeps_the_pdf_its_event_names(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin, contacts=[contact(), contact("Paul", "Martin")])
    staff = portico.headers("staff")
    quote = await make_quote(portico, staff, simple_quote(client))
    paul = client["contacts"][1]["id"]

    sent = await send(portico, staff, quote, {"attach_pdf": True, "contact_id": paul})
    assert sent.status_code == 200, sent.text
    number = sent.json()["number"]
    [envelope] = await portico.events.wait_for(QuoteSent.event_type, subject=quote["id"])
    event = envelope.event()
    assert isinstance(event, QuoteSent)
    assert event.attach_pdf is True and event.pdf_key is not None
    # In the quotes service's own store, numbered and addressed to the contact it went to.
    pdf = await portico.runtime("quotes").store.read(event.pdf_key)
    [text] = pages_text(pdf)
    assert number in text and "Paul Martin" in text and "Inès Roy" not in text

    # Each send keeps the PDF it sent; one without it names none.
    await send(portico, staff, quote, {"attach_pdf": True})
    await send(portico, staff, quote)
    envelopes = await portico.events.wait_for(QuoteSent.event_type, 3, subject=quote["id"])
    again, alone = (envelope.event() for envelope in envelopes[1:])
    assert isinstance(again, QuoteSent) and isinstance(alone, QuoteSent)
    assert again.pdf_key not in (None, event.pdf_key)
    assert (alone.attach_pdf, alone.pdf_key) == (False, None)
