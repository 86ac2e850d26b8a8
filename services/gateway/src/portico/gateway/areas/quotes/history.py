"""A quote's history as its page tells it, in the reader's language: each step in a
sentence with its date and time, who took it, what it carried (a message, a reason), and
where a client's step came from; and what the page's banners read from it (who accepted
the quote and when, why it was declined, the invoice it was billed on)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from portico.gateway.areas.quotes.api import QuotesApi, QuoteStep
from portico.gateway.web.i18n import _, ngettext

# The steps the page shows; older ones are left to the service's API.
SHOWN = 50
# How far back a banner's step is looked for (a quote read many times since it was
# accepted): pages of the service's largest size.
PAGE = 200
FARTHEST = 2_000


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    # What happened, in a sentence.
    text: str
    # Who did it and how: "By Camille Martin", "PDF attached".
    notes: tuple[str, ...] = ()
    # What the client wrote (a question, a reason), or the send's message.
    quoted: str | None = None
    # Where a client's step came from: IP address and browser.
    origin: str | None = None


def _text(step: QuoteStep, contact: str) -> str:
    detail = step.detail
    number = str(detail.get("number") or "")
    sentences = {
        "sent": _("Sent to %(contact)s") % {"contact": contact},
        "reminded": _("Reminder %(num)s sent to %(contact)s")
        % {"num": detail.get("reminder") or "", "contact": contact},
        "viewed": _("Viewed by %(contact)s") % {"contact": contact},
        "downloaded": _("PDF downloaded by %(contact)s") % {"contact": contact},
        "feedback": _("Question from %(contact)s") % {"contact": contact},
        "accepted": _("Accepted by %(name)s") % {"name": str(detail.get("name") or "") or contact},
        "declined": _("Declined by %(contact)s") % {"contact": contact},
        "expired": _("Expired: its validity ended"),
        "voided": _("Voided"),
        "reopened": _("Reopened as a draft"),
        "invoiced": _("Invoiced: %(number)s") % {"number": number},
        "ordered": _("Recorded as an order"),
        "task_created": _("Task created in the client's workspace: %(title)s")
        % {"title": str(detail.get("title") or "")},
    }
    return sentences.get(step.kind, step.kind)


def _notes(step: QuoteStep, staff: str | None) -> tuple[str, ...]:
    notes = []
    if staff:
        notes.append(_("By %(name)s") % {"name": staff})
    if step.detail.get("with_pdf"):
        notes.append(_("PDF attached"))
    days = step.detail.get("days_before")
    if isinstance(days, int):
        notes.append(
            ngettext(
                "Scheduled, %(num)d day before the last valid day",
                "Scheduled, %(num)d days before the last valid day",
                days,
            )
            % {"num": days}
        )
    return tuple(notes)


def _quoted(step: QuoteStep) -> str | None:
    said = step.detail.get("reason") if step.kind == "declined" else step.detail.get("message")
    return str(said) if said else None


def history_lines(
    steps: list[QuoteStep],
    contacts: Mapping[str, str],
    staff: Mapping[str, str],
) -> list[HistoryLine]:
    """``steps`` in words; ``contacts`` and ``staff`` name people by their id."""
    lines = []
    for step in steps:
        contact = contacts.get(str(step.contact_id)) or _("the client")
        origin = " · ".join(part for part in (step.ip, step.user_agent) if part)
        lines.append(
            HistoryLine(
                at=step.at,
                text=_text(step, contact),
                notes=_notes(step, staff.get(str(step.staff_id))),
                quoted=_quoted(step),
                origin=origin or None,
            )
        )
    return lines


async def latest_step(
    quotes: QuotesApi, quote_id: uuid.UUID, kind: str, shown: list[QuoteStep], total: int
) -> QuoteStep | None:
    """The newest step of ``kind``: among those shown, else further back."""
    found = next((step for step in shown if step.kind == kind), None)
    offset = len(shown)
    while found is None and offset < min(total, FARTHEST):
        page = await quotes.history(quote_id, limit=PAGE, offset=offset)
        if not page.items:
            break
        found = next((step for step in page.items if step.kind == kind), None)
        offset += len(page.items)
    return found
