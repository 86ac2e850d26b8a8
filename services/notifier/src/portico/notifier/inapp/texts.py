"""What the bell shows of a notification: a short title and a one-line excerpt, rendered in
the reader's language when the notification is read.

They are rendered from the kind and the parameters stored with the notification, not stored
rendered: a staff member who switches to French reads French, even what arrived while they
read English, and a wording fixed later reaches the notifications already there. The title
is the kind's email subject (short already: the default one, as admins edit their emails'
wording, not the app's); the excerpt is the kind's ``in_app.txt`` (the message's own words
for a message, the gist of the event otherwise), as one line of plain text: quoted lines
dropped, whitespace folded, cut on a word with an ellipsis. No I/O here but reading the
packaged templates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

from portico.notifier.messages.rendering import default_templates, render_plain

TITLE_LENGTH = 120
EXCERPT_LENGTH = 140
ELLIPSIS = "…"
# Punctuation left dangling where a cut falls after it ("the plans,…").
DANGLING = " ,;:-–—"
# Breaking whitespace only: the no-break spaces of "12 500,00 €" and "Devis : " stay.
BREAKING_SPACE = re.compile(r"[ \t\n\r\f\v]+")


@dataclass(frozen=True)
class InAppText:
    title: str
    excerpt: str


@cache
def in_app_template(kind: str, locale: str) -> str:
    """The kind's excerpt template in ``locale`` ('' for a kind staff never get in the app)."""
    resource = files("portico.notifier.messages").joinpath("templates", kind, locale, "in_app.txt")
    return resource.read_text(encoding="utf-8").strip() if resource.is_file() else ""


def in_app_text(
    kind: str, params: dict[str, Any], *, locale: str, organisation: dict[str, Any]
) -> InAppText:
    values = {**params, "organisation": organisation, "locale": locale}
    title = render_plain(default_templates(kind, locale).subject, values, locale=locale)
    excerpt = render_plain(in_app_template(kind, locale), values, locale=locale)
    return InAppText(title=one_line(title, TITLE_LENGTH), excerpt=excerpt_of(excerpt))


def excerpt_of(text: str, width: int = EXCERPT_LENGTH) -> str:
    """One line of ``text`` without the lines it quotes (a reply's "> ..." history)."""
    lines = text.splitlines()
    own = [line for line in lines if not line.lstrip().startswith(">")]
    if not own:  # nothing but a quote: better the quote than nothing
        own = [line.lstrip().lstrip(">") for line in lines]
    return one_line("\n".join(own), width)


def one_line(text: str, width: int) -> str:
    """``text`` on one line of at most ``width`` characters, cut after a whole word."""
    flat = BREAKING_SPACE.sub(" ", text).strip()
    if len(flat) <= width:
        return flat
    cut = flat[: width - len(ELLIPSIS)]
    if flat[len(cut)] != " " and " " in cut:
        cut = cut.rsplit(" ", 1)[0]  # the last word did not fit whole
    return cut.rstrip(DANGLING) + ELLIPSIS
