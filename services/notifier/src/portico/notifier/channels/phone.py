"""Phone numbers: validated and written in E.164 (+33612345678) with ``phonenumbers``."""

from __future__ import annotations

import phonenumbers

from portico.notifier.channels.base import PermanentFailure

# A failure's reason is stored and shown to staff; a pasted paragraph should not be.
_SHOWN = 40


def normalise_phone(number: str, default_country: str) -> str:
    """E.164 form of ``number``, read in ``default_country`` when it has no +prefix.

    Anything that is not a valid number (empty, letters, too long, an unknown country)
    raises ``PermanentFailure``: a contact's number cannot become valid by retrying.
    """
    shown = number if len(number) <= _SHOWN else number[:_SHOWN] + "…"
    invalid = PermanentFailure(f"{shown!r} is not a valid phone number")
    try:
        parsed = phonenumbers.parse(number, (default_country or "").strip().upper() or None)
    except phonenumbers.NumberParseException:
        raise invalid from None
    if not phonenumbers.is_valid_number(parsed):
        raise invalid
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def mask_phone(e164: str) -> str:
    """``+33 6••••••78``: enough to tell two recipients apart in a log, not to call them."""
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not parsed.country_code:
        digits = "".join(c for c in e164 if c.isdigit())
        return "•" * max(len(digits) - 2, 0) + digits[-2:]
    national = phonenumbers.national_significant_number(parsed)
    # The first national digit says mobile or landline; on a short number it would
    # leave too few digits hidden, so it is shown only from six digits on.
    head = national[:1] if len(national) >= 6 else ""
    hidden = max(len(national) - len(head) - 2, 0)
    return f"+{parsed.country_code} {head}{'•' * hidden}{national[len(head) + hidden :]}"
