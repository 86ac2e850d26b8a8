"""How the quotes pages name things, in the page's language: statuses and their badges,
and the service's refusals. The service explains a refusal in English (a field error's
message, a 409's detail); the rules it states are known here, and said in our words,
with the service's own message for anything new."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from babel.numbers import format_currency, format_decimal, format_percent

from portico.gateway.apis.base import ApiProblem
from portico.gateway.areas.quotes.api import STATUSES, QuoteLine, QuoteSection
from portico.gateway.web.forms import field_message
from portico.gateway.web.i18n import _, current_locale, format_number, pgettext

# The VAT rates offered as you type (France's); any other from 0 to 100 is taken.
VAT_PRESETS = (Decimal("20"), Decimal("10"), Decimal("5.5"), Decimal("2.1"))
CURRENCY_PRESETS = ("EUR", "USD", "GBP", "CHF", "CAD", "JPY", "TND")
# The service's limits, said in the refusals that name no number.
MAX_LINES = 500
MAX_SECTIONS = 50
MAX_AMOUNT = 10**12
BADGES = {
    "draft": "badge",
    "sent": "badge badge-pending",
    "viewed": "badge badge-open",
    "accepted": "badge badge-accepted",
    "declined": "badge badge-expired",
    "expired": "badge badge-expired",
    "invoiced": "badge badge-complete",
    "ordered": "badge badge-complete",
    "void": "badge badge-archived",
}


def status_name(status: str) -> str:
    """A quote's status in words (in French, "un devis" is masculine)."""
    names = {
        "draft": pgettext("quote status", "Draft"),
        "sent": pgettext("quote status", "Sent"),
        "viewed": pgettext("quote status", "Viewed"),
        "accepted": pgettext("quote status", "Accepted"),
        "declined": pgettext("quote status", "Declined"),
        "expired": pgettext("quote status", "Expired"),
        "invoiced": pgettext("quote status", "Invoiced"),
        "ordered": pgettext("quote status", "Ordered"),
        "void": pgettext("quote status", "Void"),
    }
    return names.get(status, status)


INVOICE_BADGES = {
    "issued": "badge badge-pending",
    "paid": "badge badge-complete",
    "void": "badge badge-archived",
}


def invoice_status_name(status: str) -> str:
    """An invoice's status in words (in French, "une facture" is feminine)."""
    names = {
        "issued": pgettext("invoice status", "Awaiting payment"),
        "paid": pgettext("invoice status", "Paid"),
        "void": pgettext("invoice status", "Void"),
    }
    return names.get(status, status)


def optional_label(chosen: bool) -> str:
    """An optional line's mark: offered, or taken by the client ("en option" in French,
    not the documents' "facultatif")."""
    return _("Optional, chosen") if chosen else pgettext("quote line", "Optional")


@dataclass(frozen=True)
class LineBlock:
    """Lines printed together: those out of sections (no title), or a section's with its
    subtotal."""

    title: str | None
    lines: Sequence[QuoteLine]
    subtotal: Decimal | None = None


class WithLines(Protocol):
    """A quote as staff or its client read it: both have sections and lines."""

    @property
    def sections(self) -> Sequence[QuoteSection]: ...

    @property
    def lines(self) -> Sequence[QuoteLine]: ...


def line_blocks(quote: WithLines) -> list[LineBlock]:
    """The quote's lines as it prints them: out of sections first, then each section."""
    blocks = [LineBlock(None, [line for line in quote.lines if line.section is None])]
    for section in quote.sections:
        lines = [line for line in quote.lines if line.section == section.key]
        blocks.append(LineBlock(section.title, lines, section.subtotal))
    return [block for block in blocks if block.lines or block.title is not None]


def status_options() -> list[tuple[str, str]]:
    return [(status, status_name(status)) for status in STATUSES]


def discount_kinds(currency: str) -> list[tuple[str, str]]:
    return [("percent", "%"), ("amount", currency or _("Amount"))]


# --- Field errors ------------------------------------------------------------------------------

# The totals' rules (``totals.py``): the start of the service's message → ours.
QUOTE_RULES: tuple[tuple[str, str], ...] = (
    ("a VAT rate cannot be negative", "negative_rate"),
    ("a credit line has a negative quantity", "credit_both"),
    ("no section has the key", "unknown_section"),
    ("a credit line takes no discount", "credit_discount"),
    ("a discount cannot be negative", "negative_discount"),
    ("a percent discount cannot exceed 100", "percent_over"),
    ("the discount exceeds the line's amount", "over_line"),
    ("the discount exceeds the quote's total", "over_quote"),
    ("an amount has at most", "amount_places"),
    ("the quote's total cannot be negative", "negative_total"),
    ("two sections have the same key", "same_key"),
)
PLACES = re.compile(r"(\d+) decimal")
IN_BRACKETS = re.compile(r"\(([-\d.]+)\)")


def _rule_message(rule: str, message: str) -> str:
    amount = IN_BRACKETS.search(message)
    shown = format_number(amount.group(1)) if amount else ""
    places = PLACES.search(message)
    messages = {
        "negative_rate": _("A VAT rate cannot be negative."),
        "credit_both": _(
            "A credit line has a negative quantity or a negative unit price, not both."
        ),
        "unknown_section": _("Choose one of the quote's sections."),
        "credit_discount": _("A credit line takes no discount: lower the credit instead."),
        "negative_discount": _("A discount cannot be negative."),
        "percent_over": _("A percentage discount cannot exceed 100."),
        "over_line": _("The discount exceeds the line's amount (%(amount)s).") % {"amount": shown},
        "over_quote": _("The discount exceeds the total of the lines (%(amount)s).")
        % {"amount": shown},
        "amount_places": _("An amount has at most %(num)s decimals.")
        % {"num": places.group(1) if places else "2"},
        "negative_total": _(
            "The quote's total cannot be negative: money owed back is a credit note."
        ),
        "same_key": _("Two sections have the same key."),
    }
    return messages[rule]


def quote_field_message(error: Mapping[str, Any]) -> str:
    """One of the service's field errors about a quote, a product or the settings, in the
    user's language."""
    code = str(error.get("code") or "")
    field = str(error.get("field") or "")
    message = str(error.get("message") or "")
    if code == "invalid_quote":
        for start, rule in QUOTE_RULES:
            if message.startswith(start):
                return _rule_message(rule, message)
        return message
    if code == "too_large":
        limit = {"amount": format_number(MAX_AMOUNT)}
        if field == "lines":
            return _("A quote's total stays under %(amount)s.") % limit
        return _("A line's amount stays under %(amount)s.") % limit
    if code == "too_long" and field in ("lines", "sections"):
        if field == "lines":
            return _("A quote has at most %(num)s lines.") % {"num": format_number(MAX_LINES)}
        return _("A quote has at most %(num)s sections.") % {"num": format_number(MAX_SECTIONS)}
    if code in ("decimal_parsing", "decimal_type", "finite_number"):
        return _("Enter a number.")
    if code == "decimal_max_places":
        places = re.search(r"(\d+) decimal", message)
        return _("Too many decimals: at most %(num)s.") % {"num": places.group(1) if places else ""}
    if code in ("decimal_max_digits", "decimal_whole_digits"):
        return _("This number is too large.")
    if field.endswith(("date", "valid_until")) and code.startswith(("date", "greater", "less")):
        return _("Enter a date between 2000 and 2999.")
    if field.endswith("vat_rate") and code in ("greater_than_equal", "less_than_equal"):
        return _("Enter a rate from 0 to 100.")
    if code == "greater_than_equal" and field.endswith("unit_price"):
        return _("A catalogue price cannot be negative.")
    if field.endswith("validity_days"):
        return _("Enter a number of days from 1 to 365.")
    if field.startswith("reminder_days_before"):
        return reminder_days_message()
    if field == "currency" and code == "string_pattern_mismatch":
        return _("Enter a currency's three-letter code, e.g. EUR.")
    if code == "invalid_pattern":
        return _(
            "This pattern is not valid: use {YYYY}, {YY} or {MM} and one {seq:N}, "
            "e.g. DEV-{YYYY}-{seq:4}."
        )
    own = {
        "unknown_client": _(
            "The quotes do not know this client yet, or it was deleted: try again in a moment."
        ),
        "unknown_contact": _("Choose one of the client's contacts."),
        "no_email": _("This contact has no email address: add one on the client's page."),
        "unknown_staff": _("This staff member is not known to the quotes yet: try again shortly."),
        "inactive_staff": _("This staff member is deactivated: choose another."),
        "before_issue": _("A quote cannot end before its issue date."),
        "unknown_product": _("This product is no longer in the catalogue."),
        "numbered_quote": _(
            "This quote was sent with its number: duplicate it for another client."
        ),
        "nul_character": _("This text holds a character that cannot be kept: retype it."),
    }
    return own.get(code) or field_message(error)


def reminder_days_message() -> str:
    """The settings' reminder days refused (the service takes at most 5, each 1 to 60)."""
    return _("Enter at most 5 numbers of days from 1 to 60, separated by commas, e.g. 7, 2.")


# --- Refusals of a quote's state (409) ---------------------------------------------------------

CANNOT_BE = re.compile(r"^This quote cannot be (.+?): ")
VALID_UNTIL = re.compile(r"^This quote was valid until ")
SENT_AS = re.compile(r"^This quote was sent as ")
ONLY_A_DRAFT = re.compile(r"^Only a draft can be ")


def refusal_message(problem: ApiProblem, status_now: str) -> str:
    """Why the service refused to change a quote (a 409), in the user's words: the quote
    may have changed since the page was shown (another tab, a colleague)."""
    detail = problem.detail or ""
    status = {"status": status_name(status_now)}
    if CANNOT_BE.match(detail) or ONLY_A_DRAFT.match(detail):
        return _("This cannot be done now: the quote's status is “%(status)s”.") % status
    if detail.startswith("The client of this quote has been deleted"):
        return _("The client of this quote has been deleted: make a new quote for another.")
    if detail.startswith("This quote has no lines"):
        return _("This quote has no lines: add what it offers before sending it.")
    if VALID_UNTIL.match(detail):
        return _(
            "This quote's validity has ended: edit it to give it a new “valid until” date, "
            "then send it."
        )
    if SENT_AS.match(detail):
        return _("This quote was sent with its number: void it instead, so that its number stays.")
    return detail or problem.title


def unit_price(value: Decimal, currency: str) -> str:
    """A unit price in its currency, with the decimals it has beyond the cents (0.0125 a
    label): rounding it to the currency would misstate it."""
    return format_currency(value, currency, locale=current_locale(), decimal_quantization=False)


def catalogue_price(value: Decimal) -> str:
    """A product's price, without a currency (a quote sets it): two decimals."""
    return format_decimal(value, format="#,##0.00##", locale=current_locale())


def percent(rate: Decimal) -> str:
    """A percentage as the page's language writes it: "5.5%", "5,5 %"."""
    return format_percent(rate / 100, locale=current_locale(), decimal_quantization=False)


def template_helpers() -> dict[str, Any]:
    """What the quotes' templates name and format things with."""
    return {
        "status_name": status_name,
        "badges": BADGES,
        "percent": percent,
        "unit_price": unit_price,
        "optional_label": optional_label,
        "price": catalogue_price,
    }
