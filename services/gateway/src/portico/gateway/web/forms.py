"""Forms: what was typed, and each field's error in the user's language.

Services answer invalid input with problem+json naming each field (``contacts.0.email``);
a page maps those names onto its inputs and shows the message beside the input at fault.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import StringConstraints

from portico.gateway.apis.base import ApiProblem
from portico.gateway.web.i18n import _, format_number, ngettext

# A text input of a posted form (a pydantic model read with FastAPI's Form()), trimmed:
# checkboxes are bools (absent when unticked), repeated inputs lists.
Text = Annotated[str, StringConstraints(strip_whitespace=True)]

# The limit in the services' message ("String should have at most 200 characters"): their
# field errors carry a code and an English message, not the limit on its own.
LIMIT = re.compile(r"\bat most (\d+)")


def too_long(limit: int | None) -> str:
    """Too long, with the limit when it is known: a person should not have to guess it."""
    if limit is None:
        return _("This is too long.")
    return ngettext(
        "This is too long: at most %(num)s character.",
        "This is too long: at most %(num)s characters.",
        limit,
    ) % {"num": format_number(limit)}


def megabytes(size: int) -> str:
    return _("%(size)s MB") % {"size": format_number(round(size / 1_048_576, 1))}


def too_large(limit_bytes: int | None) -> str:
    if limit_bytes is None:
        return _("This file is too large.")
    return _("This file is too large: at most %(size)s.") % {"size": megabytes(limit_bytes)}


def limit_of(error: Mapping[str, Any]) -> int | None:
    found = LIMIT.search(str(error.get("message") or ""))
    return int(found.group(1)) if found else None


def field_message(error: Mapping[str, Any]) -> str:
    """One service field error in the user's language: ours for the codes we know."""
    code = str(error.get("code"))
    if code == "string_too_long":
        return too_long(limit_of(error))
    return _messages().get(code, str(error.get("message") or ""))


# Validation codes with a message of ours; others show the service's (English) message.
def _messages() -> dict[str, str]:
    return {
        "missing": _("This field is required."),
        "string_too_short": _("This field is required."),
        "value_error": _("This value is not valid."),
        "string_pattern_mismatch": _("This value is not valid."),
        "literal_error": _("Choose one of the options."),
        "enum": _("Choose one of the options."),
        "weak_password": _(
            "This password is too weak: use at least 10 varied characters, not a common word."
        ),
        "guessable_password": _(
            "This password is too easy to guess: it is a common or leaked password, or close to "
            "a word, a name, a date or a keyboard pattern. A few unrelated words make a strong one."
        ),
        "phone": _("Enter a phone number with its country code, e.g. +33 6 12 34 56 78."),
        "identity_needs_email": _("A check by email needs this person's email address."),
        "identity_needs_phone": _("A check by SMS needs this person's mobile phone number."),
    }


@dataclass
class FormState:
    """A form as a page shows it again: what was typed, and each field's error."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    # An error about the whole form (wrong password, expired link...).
    message: str | None = None

    def value(self, name: str, default: Any = "") -> Any:
        return self.values.get(name, default)

    def error(self, name: str) -> str | None:
        return self.errors.get(name)

    @property
    def invalid(self) -> bool:
        return bool(self.errors or self.message)


def raise_unless_invalid_input(problem: ApiProblem) -> None:
    """Only invalid input is shown beside the form; anything else is the error page's."""
    if problem.status not in {409, 413, 415, 422}:
        raise problem


def form_from_problem(
    problem: ApiProblem, values: Mapping[str, Any], aliases: Mapping[str, str] | None = None
) -> FormState:
    """The form again with the service's field errors on the inputs named in ``aliases``.

    ``aliases`` maps a service field (``contacts.0.email``) to the input's name when they
    differ; an error on a field the form does not show becomes the form's message.
    """
    aliases = aliases or {}
    form = FormState(values=dict(values))
    unplaced: list[str] = []
    for error in problem.errors:
        service_field = str(error.get("field") or "")
        name = aliases.get(service_field, service_field)
        message = field_message(error)
        if name in values:
            form.errors.setdefault(name, message)
        else:
            unplaced.append(message)
    if unplaced or not form.errors:
        form.message = " ".join(unplaced) or problem.detail or problem.title
    return form
