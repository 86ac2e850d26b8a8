"""A quote's form, without I/O: what it posts, the draft that describes, the commands that
rearrange it without JavaScript, the body the service takes, and the service's refusals
placed beside the inputs they name.

The form posts the quote's own inputs and one row of inputs per section and per line,
``sections-<n>-<input>`` and ``lines-<n>-<input>``. Rows are read in the order the form
sends them, so the script may move them without renumbering; the page numbers them again
(``<n>`` is then a line's place in the body, so ``lines.2.discount`` is ``lines-2-discount``).
Lines go out of sections first, then section by section: the order the quote prints.

Without JavaScript, the buttons that add, move and remove rows post the whole form with a
``command``; the page applies it and shows the form again, nothing saved yet.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from portico.gateway.apis.base import ApiProblem
from portico.gateway.areas.quotes.api import Quote
from portico.gateway.areas.quotes.decimal_inputs import as_request, for_input, is_number
from portico.gateway.areas.quotes.presenting import quote_field_message
from portico.gateway.web.forms import FormState, form_from_problem
from portico.gateway.web.i18n import _

QUOTE_INPUTS = (
    "client_id",
    "contact_id",
    "assignee_id",
    "title",
    "currency",
    "locale",
    "issue_date",
    "valid_until",
    "introduction",
    "notes",
    "terms",
    "discount",
    "discount_kind",
)
LINE_TEXTS = (
    "section",
    "product_id",
    "description",
    "quantity",
    "unit",
    "unit_price",
    "vat_rate",
    "discount",
    "discount_kind",
)
LINE_NUMBERS = ("quantity", "unit_price", "vat_rate", "discount")
ROW_INPUT = re.compile(r"^(lines|sections)-(\d{1,4})-(\w+)$")
SECTION_KEY = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
CURRENCY = re.compile(r"^[A-Za-z]{3}$")
CHECKED = frozenset({"true", "on", "1"})
DISCOUNT_KINDS = ("percent", "amount")
# What a new line starts with: one of something.
NEW_LINE = {"quantity": "1", "discount_kind": "percent"}


@dataclass
class SectionRow:
    key: str
    title: str


@dataclass
class LineRow:
    # Its text inputs as typed (LINE_TEXTS); ``section`` is its section's key, or "".
    texts: dict[str, str]
    optional: bool = False
    # An optional line the client took: kept as it is through an edit.
    chosen: bool = False

    def text(self, name: str) -> str:
        return self.texts.get(name, "")

    @property
    def blank(self) -> bool:
        """Nothing that makes a line: a row offered and left empty is not sent."""
        return not any(self.text(name) for name in ("description", "unit_price", "product_id"))


@dataclass
class QuoteDraft:
    """The form's content: the quote's inputs, its sections, and its lines in print order."""

    quote: dict[str, str]
    sections: list[SectionRow] = field(default_factory=list)
    lines: list[LineRow] = field(default_factory=list)

    def ordered(self) -> QuoteDraft:
        """Lines out of sections first, then each section's, keeping their order; a line
        naming no section the form has goes out of sections."""
        keys = [section.key for section in self.sections]
        for line in self.lines:
            if line.text("section") not in keys:
                line.texts["section"] = ""
        rank = {key: place for place, key in enumerate(["", *keys])}
        lines = sorted(self.lines, key=lambda line: rank[line.text("section")])
        return replace(self, lines=lines)

    def without_blank_lines(self) -> QuoteDraft:
        return replace(self, lines=[line for line in self.lines if not line.blank])


@dataclass(frozen=True)
class LineGroup:
    """Lines under one heading of the form: out of sections (``section`` None), or a
    section's, by their places in the draft."""

    section: int | None
    key: str
    lines: list[int]


def groups(draft: QuoteDraft) -> list[LineGroup]:
    def lines_of(key: str) -> list[int]:
        return [index for index, line in enumerate(draft.lines) if line.text("section") == key]

    return [
        LineGroup(None, "", lines_of("")),
        *(
            LineGroup(index, section.key, lines_of(section.key))
            for index, section in enumerate(draft.sections)
        ),
    ]


# --- From the service's quote, and from a posted form ---------------------------------------


def new_draft(quote: Mapping[str, str]) -> QuoteDraft:
    """A new quote's form: ``quote``'s inputs, one empty line to fill."""
    return QuoteDraft(
        quote={name: quote.get(name, "") for name in QUOTE_INPUTS},
        lines=[LineRow(texts=dict(NEW_LINE))],
    )


def draft_of(quote: Quote) -> QuoteDraft:
    """A draft's content as its form shows it, numbers written in the page's language."""
    values = {
        "client_id": str(quote.client_id),
        "contact_id": str(quote.contact_id or ""),
        "assignee_id": str(quote.assignee_id or ""),
        "title": quote.title,
        "currency": quote.currency,
        "locale": quote.locale,
        "issue_date": quote.issue_date.isoformat(),
        "valid_until": quote.valid_until.isoformat(),
        "introduction": quote.introduction,
        "notes": quote.notes,
        "terms": quote.terms,
        "discount": for_input(quote.discount.value) if quote.discount else "",
        "discount_kind": quote.discount.kind if quote.discount else "percent",
    }
    lines = [
        LineRow(
            texts={
                "section": line.section or "",
                "product_id": str(line.product_id or ""),
                "description": line.description,
                "quantity": for_input(line.quantity),
                "unit": line.unit,
                "unit_price": for_input(line.unit_price),
                "vat_rate": for_input(line.vat_rate),
                "discount": for_input(line.discount.value) if line.discount else "",
                "discount_kind": line.discount.kind if line.discount else "percent",
            },
            optional=line.optional,
            chosen=line.chosen,
        )
        for line in quote.lines
    ]
    sections = [SectionRow(section.key, section.title) for section in quote.sections]
    return QuoteDraft(values, sections, lines).ordered()


def posted_draft(items: Iterable[tuple[str, Any]]) -> QuoteDraft:
    """The draft a posted form describes (its ``multi_items()``), rows in the order sent.
    Rows ticked for removal (the form without script) are left out; a removed section's
    lines go out of sections rather than disappear."""
    quote: dict[str, str] = dict.fromkeys(QUOTE_INPUTS, "")
    rows: dict[tuple[str, str], dict[str, str]] = {}
    for name, value in items:
        if not isinstance(value, str):
            continue
        if name in quote:
            quote[name] = value.strip()
        elif found := ROW_INPUT.match(name):
            rows.setdefault((found.group(1), found.group(2)), {})[found.group(3)] = value
    sections: list[SectionRow] = []
    kept_keys: set[str] = set()
    for (kind, _index), row in rows.items():
        if kind != "sections" or row.get("remove") in CHECKED:
            continue
        key = row.get("key", "").strip()
        if not SECTION_KEY.match(key) or key in kept_keys:
            key = new_section_key(kept_keys)
        kept_keys.add(key)
        sections.append(SectionRow(key, row.get("title", "").strip()))
    lines = [
        LineRow(
            texts={name: row.get(name, "").strip() for name in LINE_TEXTS},
            optional=row.get("optional") in CHECKED,
            chosen=row.get("chosen") in CHECKED,
        )
        for (kind, _index), row in rows.items()
        if kind == "lines" and row.get("remove") not in CHECKED
    ]
    return QuoteDraft(quote, sections, lines).ordered()


def new_section_key(taken: set[str]) -> str:
    number = len(taken) + 1
    while f"s{number}" in taken:
        number += 1
    return f"s{number}"


# --- Rearranging without JavaScript ------------------------------------------------------------

COMMAND = re.compile(
    r"^(add-line|add-section|move-line|move-section|remove-line|remove-section)"
    r"(?::([\w-]*))?(?::(up|down))?$"
)


def apply_command(draft: QuoteDraft, command: str) -> QuoteDraft:
    """``draft`` with one of the form's buttons applied: ``add-line:<section key>``,
    ``add-section``, ``move-line:<n>:up``, ``move-section:<n>:down``, ``remove-line:<n>``,
    ``remove-section:<n>``. A command that names nothing the draft has changes nothing."""
    found = COMMAND.match(command)
    if found is None:
        return draft
    action, target, direction = found.groups()
    sections, lines = list(draft.sections), list(draft.lines)
    if action == "add-line":
        key = target if target in {section.key for section in sections} else ""
        lines.append(LineRow(texts=dict(NEW_LINE, section=key or "")))
    elif action == "add-section":
        sections.append(SectionRow(new_section_key({section.key for section in sections}), ""))
    elif target is not None and target.isdigit():
        index = int(target)
        if action == "remove-line" and index < len(lines):
            del lines[index]
        elif action == "remove-section" and index < len(sections):
            del sections[index]
        elif action == "move-section" and direction:
            _swap(sections, index, -1 if direction == "up" else 1)
        elif action == "move-line" and direction and index < len(lines):
            _move_line(lines, index, -1 if direction == "up" else 1)
    return QuoteDraft(dict(draft.quote), sections, lines).ordered()


def _swap(rows: list[Any], index: int, step: int) -> None:
    other = index + step
    if 0 <= index < len(rows) and 0 <= other < len(rows):
        rows[index], rows[other] = rows[other], rows[index]


def _move_line(lines: list[LineRow], index: int, step: int) -> None:
    """A line moves past its neighbour in its own section only (the section is a choice of
    its own, in the line's row)."""
    other = index + step
    if 0 <= other < len(lines) and lines[other].text("section") == lines[index].text("section"):
        _swap(lines, index, step)


# --- What the form shows, what it sends ---------------------------------------------------------


def form_values(draft: QuoteDraft) -> dict[str, Any]:
    """The inputs' values by name, as the form's macros read them."""
    values: dict[str, Any] = dict(draft.quote)
    for index, section in enumerate(draft.sections):
        values[f"sections-{index}-key"] = section.key
        values[f"sections-{index}-title"] = section.title
    for index, line in enumerate(draft.lines):
        for name in LINE_TEXTS:
            values[f"lines-{index}-{name}"] = line.text(name)
        values[f"lines-{index}-optional"] = line.optional
        values[f"lines-{index}-chosen"] = line.chosen
    # Refusals about all the lines or all the sections are shown above them.
    values["lines"] = values["sections"] = ""
    return values


def own_errors(draft: QuoteDraft) -> dict[str, str]:
    """What the page can tell before asking the service: input it cannot even send."""
    errors: dict[str, str] = {}
    quote = draft.quote
    for name in ("issue_date", "valid_until"):
        if quote[name] and not _is_date(quote[name]):
            errors[name] = _("Enter a date.")
    if quote["currency"] and not CURRENCY.match(quote["currency"]):
        errors["currency"] = _("Enter a currency's three-letter code, e.g. EUR.")
    if not is_number(quote["discount"]):
        errors["discount"] = _("Enter a number.")
    for index, line in enumerate(draft.lines):
        for name in LINE_NUMBERS:
            if not is_number(line.text(name)):
                errors[f"lines-{index}-{name}"] = _("Enter a number.")
    return errors


def request_body(draft: QuoteDraft) -> dict[str, Any]:
    """The body of ``POST /v1/quotes`` or ``PUT /v1/quotes/{id}``. Inputs left empty are
    left out, so the service fills them: a line's from its product, the dates and the
    contact from the client and the settings. Numbers are checked by ``own_errors``."""
    quote = draft.quote
    return {
        "client_id": quote["client_id"],
        "contact_id": quote["contact_id"] or None,
        "assignee_id": quote["assignee_id"] or None,
        "title": quote["title"],
        "currency": quote["currency"].upper() or "EUR",
        "locale": quote["locale"] or None,
        "issue_date": quote["issue_date"] or None,
        "valid_until": quote["valid_until"] or None,
        "introduction": quote["introduction"],
        "notes": quote["notes"],
        "terms": quote["terms"],
        "discount": _discount(quote["discount"], quote["discount_kind"]),
        "sections": [{"key": section.key, "title": section.title} for section in draft.sections],
        "lines": [_line_body(line) for line in draft.lines],
    }


def _line_body(line: LineRow) -> dict[str, Any]:
    def given(name: str) -> str | None:
        return line.text(name) or None

    return {
        "product_id": given("product_id"),
        "section": given("section"),
        "description": given("description"),
        "quantity": as_request(line.text("quantity")) or "1",
        "unit": given("unit"),
        "unit_price": as_request(line.text("unit_price")),
        "vat_rate": as_request(line.text("vat_rate")),
        "discount": _discount(line.text("discount"), line.text("discount_kind")),
        "optional": line.optional,
        "chosen": line.optional and line.chosen,
    }


def _discount(value: str, kind: str) -> dict[str, str] | None:
    amount = as_request(value)
    if amount is None:
        return None
    return {"kind": kind if kind in DISCOUNT_KINDS else "percent", "value": amount}


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


# --- The service's refusals, beside their inputs -----------------------------------------------

LINE_FIELD = re.compile(r"^lines\.(\d+)(?:\.(\w+))?(?:\.(\w+))?$")
SECTION_FIELD = re.compile(r"^sections\.(\d+)(?:\.\w+)?$")


def input_of(field_name: str) -> str:
    """The input that shows a refusal of the service's field (``lines.2.discount.value``)."""
    if found := LINE_FIELD.match(field_name):
        index, part, inner = found.groups()
        if part is None:
            # A line's amount as a whole (too large): its price makes it.
            return f"lines-{index}-unit_price"
        if part == "discount":
            return f"lines-{index}-discount_kind" if inner == "kind" else f"lines-{index}-discount"
        return f"lines-{index}-{part}"
    if found := SECTION_FIELD.match(field_name):
        # A section's key is not shown: its title stands for it.
        return f"sections-{found.group(1)}-title"
    if field_name.startswith("discount"):
        return "discount_kind" if field_name == "discount.kind" else "discount"
    if field_name.startswith("reminder_days_before"):
        # The settings' list of days, typed in one input (``reminder_days_before.0``).
        return "reminder_days_before"
    return field_name


def form_from_refusal(problem: ApiProblem, values: Mapping[str, Any]) -> FormState:
    placed: list[Mapping[str, Any]] = [
        {
            "field": input_of(str(error.get("field") or "")),
            "code": "placed",
            "message": quote_field_message(error),
        }
        for error in problem.errors
    ]
    return form_from_problem(replace(problem, errors=placed), values)
