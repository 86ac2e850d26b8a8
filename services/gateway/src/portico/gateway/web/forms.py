"""Forms: what was typed, and each field's error in the user's language.

Services answer invalid input with problem+json naming each field (``contacts.0.email``);
a page maps those names onto its inputs and shows the message beside the input at fault.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from portico.gateway.apis.base import ApiProblem
from portico.gateway.web.i18n import _

# Validation codes with a message of ours; others show the service's (English) message.


def _messages() -> dict[str, str]:
    return {
        "missing": _("This field is required."),
        "string_too_short": _("This field is required."),
        "string_too_long": _("This is too long."),
        "value_error": _("This value is not valid."),
        "string_pattern_mismatch": _("This value is not valid."),
        "literal_error": _("Choose one of the options."),
        "enum": _("Choose one of the options."),
        "weak_password": _(
            "This password is too weak: use at least 10 varied characters, not a common word."
        ),
        "phone": _("Enter a phone number with its country code, e.g. +33 6 12 34 56 78."),
    }


@dataclass
class Form:
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


def form_from_problem(
    problem: ApiProblem, values: Mapping[str, Any], aliases: Mapping[str, str] | None = None
) -> Form:
    """The form again with the service's field errors on the inputs named in ``aliases``.

    ``aliases`` maps a service field (``contacts.0.email``) to the input's name when they
    differ; an error on a field the form does not show becomes the form's message.
    """
    aliases = aliases or {}
    messages = _messages()
    form = Form(values=dict(values))
    unplaced: list[str] = []
    for error in problem.errors:
        service_field = str(error.get("field") or "")
        name = aliases.get(service_field, service_field)
        message = messages.get(str(error.get("code")), str(error.get("message") or ""))
        if name in values:
            form.errors.setdefault(name, message)
        else:
            unplaced.append(message)
    if unplaced or not form.errors:
        form.message = " ".join(unplaced) or problem.detail or problem.title
    return form
