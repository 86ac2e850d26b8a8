"""The block a signed quote ends with: "Accepted" (« Bon pour accord »), who accepted and
when, in the signer's own time zone, from where, and their signature as drawn or typed."""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from reportlab.lib.colors import Color
from reportlab.lib.units import mm
from reportlab.platypus import Image, KeepTogether, Spacer
from reportlab.platypus.flowables import Flowable

from portico.quotes.rendering.formats import Formats
from portico.quotes.rendering.printable import Acceptance
from portico.quotes.rendering.style import BODY, HEADING, INK, MUTED, SMALL
from portico.quotes.rendering.text import ScriptText
from portico.quotes.rendering.words import Words

# The signature's box: wide and low, as a signature is; a drawing keeps its proportions.
SIGNATURE_WIDTH = 70 * mm
SIGNATURE_HEIGHT = 25 * mm
TYPED_SIZE = 20.0


def acceptance_block(
    acceptance: Acceptance, words: Words, formats: Formats, accent: Color
) -> list[Flowable]:
    zone_name = acceptance.time_zone or "UTC"
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        zone_name, zone = "UTC", ZoneInfo("UTC")
    local = acceptance.signed_at.astimezone(zone)
    said = words.accepted_by.format(
        name=acceptance.name,
        date=formats.date(local.date()),
        time=formats.time(local.time()),
        zone=zone_name,
    )
    parts: list[Flowable] = [
        ScriptText(words.accepted, size=HEADING, colour=accent, bold=True),
        Spacer(1, 4),
        ScriptText(said, size=BODY, colour=INK),
    ]
    if acceptance.ip or acceptance.email:
        where = words.signed_from.format(ip=acceptance.ip or "—", email=acceptance.email or "—")
        parts += [Spacer(1, 2), ScriptText(where, size=SMALL, colour=MUTED)]
    signature = _signature(acceptance)
    if signature is not None:
        parts += [Spacer(1, 6), signature]
    # The block never breaks: a signature apart from the words it accepts would mislead.
    return [Spacer(1, 16), KeepTogether(parts)]


def _signature(acceptance: Acceptance) -> Flowable | None:
    if acceptance.signature_png is not None:
        picture = Image(io.BytesIO(acceptance.signature_png))
        scale = min(SIGNATURE_WIDTH / picture.imageWidth, SIGNATURE_HEIGHT / picture.imageHeight)
        picture.drawWidth = picture.imageWidth * scale
        picture.drawHeight = picture.imageHeight * scale
        picture.hAlign = "LEFT"
        return picture
    if acceptance.signature_text:
        return ScriptText(acceptance.signature_text, size=TYPED_SIZE, colour=INK)
    return None
