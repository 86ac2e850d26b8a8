"""Addresses in a person's text (a message) as links, the rest of the text escaped.

Only http and https addresses become links (never ``javascript:`` or ``data:``); they open
apart from the page and pass no referrer, and ``nofollow`` tells search engines that the
site does not vouch for them.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

ADDRESS = re.compile(r"\bhttps?://[^\s<>\"']+", re.IGNORECASE)
# Punctuation that ends a sentence rather than the address ("see https://x.example.").
SENTENCE_END = ".,;:!?'\""
PAIRS = {")": "(", "]": "[", "}": "{"}
LINK = Markup('<a href="{0}" rel="noopener noreferrer nofollow" target="_blank">{0}</a>')


def linkify(text: str) -> Markup:
    html = Markup()
    last = 0
    for found in ADDRESS.finditer(text):
        address = _trimmed(found.group(0))
        if not address.partition("://")[2]:
            continue  # the scheme alone, before a full stop
        start, end = found.start(), found.start() + len(address)
        html += escape(text[last:start]) + LINK.format(address)
        last = end
    return html + escape(text[last:])


def _trimmed(address: str) -> str:
    """Without the punctuation that follows it, or a bracket it did not open."""
    while address:
        tail = address[-1]
        unopened = tail in PAIRS and address.count(PAIRS[tail]) < address.count(tail)
        if tail not in SENTENCE_END and not unopened:
            break
        address = address[:-1]
    return address
