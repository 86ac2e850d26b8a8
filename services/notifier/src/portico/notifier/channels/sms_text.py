"""Fitting a message into an SMS that a phone shows as one, with its link whole.

Providers split a long body into segments and bill each; beyond two, phones may show the
parts late, out of order or not at all. So a body longer than two segments is shortened,
never split into several messages: one SMS with the link whole is what a person needs, and
the page behind the link says the rest. The prose gives way (cut between words, marked
with an ellipsis); the link never does.

The encoding decides what "two segments" means. A body written only in the GSM 03.38
alphabet travels in 7-bit characters (153 per segment, the extension characters taking
two); one character outside it (an emoji, "…", most accented capitals) switches the whole
body to UCS-2 (67 UTF-16 units per segment, an emoji taking two).
"""

from __future__ import annotations

import re
from collections.abc import Callable

# GSM 03.38 basic table, in code order (0x1B, the escape to the extension table, left out).
_GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Reached through the escape character, so each counts as two.
_GSM_EXTENSION = frozenset("\f^{}\\[~]|€")

# Per segment of a multi-part message; ``limit`` counts GSM characters and the UCS-2
# budget is the same number of segments (306 -> 134, 153 -> 67, 160 -> 70).
_GSM_PER_SEGMENT = 153
_UCS2_PER_SEGMENT = 67

# "…" is not in the GSM alphabet: adding it to a GSM body would switch the body to UCS-2
# and shrink the budget to less than half, so GSM bodies are cut with three dots.
_GSM_ELLIPSIS = "..."
_UCS2_ELLIPSIS = "…"

# Punctuation that reads badly just before an ellipsis.
_DANGLING = ",;:.-\u2013\u2014(/"  # en and em dashes too
# A cut between words is preferred unless it loses more than this many characters.
_WORD_SLACK = 15
_MIN_LIMIT = 10


def is_gsm7(text: str) -> bool:
    return all(char in _GSM_BASIC or char in _GSM_EXTENSION for char in text)


def _fits(text: str, limit: int) -> bool:
    if is_gsm7(text):
        return sum(2 if char in _GSM_EXTENSION else 1 for char in text) <= limit
    units = sum(2 if ord(char) > 0xFFFF else 1 for char in text)
    return units <= limit * _UCS2_PER_SEGMENT // _GSM_PER_SEGMENT


def _normalise(text: str) -> str:
    # Rendered templates bring indentation and runs of blank lines; line breaks that
    # separate paragraphs are kept, as they help on a small screen.
    lines = (" ".join(line.split()) for line in text.splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def fit_sms(text: str, *, link: str | None, limit: int = 306) -> str:
    """``text`` with its whitespace normalised, shortened to fit ``limit`` if it must.

    ``limit`` counts GSM 7-bit characters (306 is two segments); a body that needs UCS-2
    gets the same number of segments in UCS-2 units. ``link`` stays whole and present
    (added at the end when the text lacks it); when the link alone exceeds the limit, the
    SMS is just the link, the one part that is useless cut.
    """
    if limit < _MIN_LIMIT:
        raise ValueError(f"an SMS limit of {limit} leaves no room for a message")
    body = _normalise(text)
    link = (link or "").strip() or None
    if link is None:
        if _fits(body, limit):
            return body
        return _shorten(body, lambda kept: kept, limit) or ""
    if link not in body:
        body = f"{body} {link}" if body else link
    if _fits(body, limit):
        return body
    if not _fits(link, limit):
        return link
    before, _, after = body.partition(link)
    head = (before + link).strip()
    if _fits(head, limit):
        # What leads to the link says what it is for; the text after it goes first.
        tail = _shorten(after, lambda kept: head + kept, limit, needs_word=True)
        return tail or head
    gap = before[len(before.rstrip()) :] or " "
    shortened = _shorten(before.strip(), lambda kept: kept + gap + link, limit)
    return shortened or link


def _shorten(
    prose: str, build: Callable[[str], str], limit: int, *, needs_word: bool = False
) -> str | None:
    """The longest ``build(prefix of prose + ellipsis)`` that fits, or None.

    ``needs_word`` keeps only prefixes holding a whole word after a space, so that an
    ellipsis never sticks to the link that ``prose`` follows.
    """
    best: tuple[int, str] | None = None
    # Every character costs at least one unit, so a longer prefix cannot fit.
    for end in range(min(len(prose), limit), 0, -1):
        if best is not None and end < best[0] - _WORD_SLACK:
            break
        between_words = end == len(prose) or prose[end].isspace()
        if best is not None and not between_words:
            continue
        kept = prose[:end].rstrip().rstrip(_DANGLING).rstrip()
        if not kept or (needs_word and not any(char.isspace() for char in kept)):
            continue
        candidate = build(kept + _GSM_ELLIPSIS)
        if not is_gsm7(candidate):
            candidate = build(kept + _UCS2_ELLIPSIS)
        if not _fits(candidate, limit):
            continue
        if between_words:
            return candidate
        best = (end, candidate)
    return best[1] if best else None
