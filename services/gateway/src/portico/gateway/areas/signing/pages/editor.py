"""The field editor: a template's pages with its fields, saved as the staff member works.

The page carries the template as JSON data (``#editor-data``) for the editor's modules
(``static/js/editor/``): its pages, fields, roles, the field types with their names in the
page's language, and the addresses it calls. The editor saves the whole set of fields
(``POST …/edit/fields``) a moment after each change; the service checks them and names the
field at fault, which the editor shows on it. ``…/preview`` shows the document as the client
will get it, with sample values for the prefills.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from portico.gateway.apis.base import ApiProblem
from portico.gateway.areas.signing.api import Signing, Template
from portico.gateway.areas.signing.pages.templates import parse_id
from portico.gateway.web.context import Staff
from portico.gateway.web.forms import field_message
from portico.gateway.web.i18n import N_, _
from portico.gateway.web.routing import page_router
from portico.gateway.web.templating import render

router = page_router()

FIELD_ERROR = re.compile(r"^fields\.(\d+)(?:\.(.+))?$")

# Each type of field as the palette shows it: a short symbol and its name.
FIELD_TYPES: tuple[tuple[str, str, str], ...] = (
    ("signature", "✍", N_("Signature")),
    ("initials", "AB", N_("Initials")),
    ("name", "Aa", N_("Full name")),
    ("text", "T", N_("Text")),
    ("multiline", "¶", N_("Paragraph")),
    ("cells", "▯▯", N_("Boxes")),
    ("date", "31", N_("Date")),
    ("signing_date", "✓31", N_("Signing date")),
    ("number", "#", N_("Number")),
    ("email", "@", N_("Email")),
    ("phone", "☎", N_("Phone")),
    ("checkbox", "☑", N_("Checkbox")),
    ("radio", "◉", N_("Radio buttons")),
    ("select", "▾", N_("Drop-down list")),
    ("multiple", "☰", N_("Multiple choice")),
    ("image", "▣", N_("Image")),
    ("file", "▤", N_("File")),
    ("stamp", "◎", N_("Company stamp")),
    ("readonly", "ℹ", N_("Read-only text")),
)

OPERATORS: tuple[tuple[str, str], ...] = (
    ("empty", N_("is empty")),
    ("not_empty", N_("is not empty")),
    ("equals", N_("equals")),
    ("not_equals", N_("does not equal")),
    ("contains", N_("contains")),
    ("not_contains", N_("does not contain")),
    ("greater_than", N_("is greater than")),
    ("less_than", N_("is less than")),
    ("at_least", N_("is at least")),
    ("at_most", N_("is at most")),
)

PREFILL_TOKENS = (
    "{{client.name}}",
    "{{client.legal_id}}",
    "{{client.address.city}}",
    "{{client.attributes.<name>}}",
    "{{contact.full_name}}",
    "{{contact.email}}",
)
MAPPINGS = (
    "client.name",
    "client.legal_id",
    "client.phone",
    "client.website",
    "client.address.line1",
    "client.address.line2",
    "client.address.postal_code",
    "client.address.city",
    "client.address.region",
    "client.address.country",
    "client.attributes.",
    "contact.first_name",
    "contact.last_name",
    "contact.email",
    "contact.phone",
    "contact.role",
)
ROLE_COLOURS = 6


def _strings() -> dict[str, str]:
    """What the editor's script says, in the page's language."""
    return {
        "saved": _("Saved"),
        "saving": _("Saving…"),
        "notSaved": _("Not saved: %(reason)s"),
        "offline": _("the server could not be reached; your changes are kept on this page."),
        "expired": _("your session has ended: reload the page."),
        "invalid": _("a field needs attention."),
        "field": _("%(type)s field “%(label)s”, %(role)s"),
        "selected": _("%(count)s fields selected"),
        "copied": _("%(count)s field(s) copied"),
        "drawHint": _("Draw the field on a page, or press Escape."),
        "repeated": _("%(count)s copies added on the other pages"),
        "option": _("Option %(number)s"),
    }


def _editor_data(template: Template) -> dict[str, Any]:
    base = f"/smart-documents/{template.id}"
    labels = {value: _(label) for value, _symbol, label in FIELD_TYPES}
    return {
        "id": str(template.id),
        "name": template.name,
        "pages": [
            {"index": page.index, "width": page.width, "height": page.height}
            for page in template.pages
        ],
        "fields": [field.model_dump(mode="json", exclude_none=True) for field in template.fields],
        "roles": [role.name for role in template.roles],
        "types": [
            {"value": value, "symbol": symbol, "label": labels[value]}
            for value, symbol, _label in FIELD_TYPES
        ],
        "saveUrl": f"{base}/edit/fields",
        # The page previews the template's page serves (``templates.page_preview``).
        "imageUrl": f"{base}/pages/{{index}}/preview?width={{width}}",
        "previewUrl": f"{base}/preview",
        "strings": _strings(),
    }


@router.get("/smart-documents/{template_id}/edit")
async def editor_page(
    request: Request, _staff: Staff, signing: Signing, template_id: str
) -> Response:
    template = await signing.template(parse_id(template_id))
    return await render(
        request,
        "signing/editor.html",
        section="smart-documents",
        doc=template,
        data=_editor_data(template),
        field_types=[(value, symbol, _(label)) for value, symbol, label in FIELD_TYPES],
        operators=[(value, _(label)) for value, label in OPERATORS],
        prefill_tokens=PREFILL_TOKENS,
        mappings=MAPPINGS,
        role_colours=ROLE_COLOURS,
    )


class FieldsIn(BaseModel):
    fields: list[dict[str, Any]]


@router.post("/smart-documents/{template_id}/edit/fields")
async def save_fields(
    _staff: Staff, signing: Signing, template_id: str, body: FieldsIn
) -> Response:
    """The whole set of fields, as the editor holds it; 422 names each field at fault."""
    try:
        template = await signing.save_fields(parse_id(template_id), body.fields)
    except ApiProblem as problem:
        if problem.status != 422:
            raise
        return JSONResponse(
            {"message": problem.detail or problem.title, "errors": _field_errors(problem, body)},
            status_code=422,
        )
    fields = [field.model_dump(mode="json", exclude_none=True) for field in template.fields]
    return JSONResponse({"fields": fields})


def _field_errors(problem: ApiProblem, body: FieldsIn) -> list[dict[str, Any]]:
    """Each service error with the index and name of the field it is about (when any)."""
    errors: list[dict[str, Any]] = []
    for error in problem.errors:
        found = FIELD_ERROR.match(str(error.get("field") or "").removeprefix("body."))
        index = int(found.group(1)) if found else None
        name = None
        if index is not None and index < len(body.fields):
            name = body.fields[index].get("name")
        errors.append(
            {
                "index": index,
                "name": name,
                "property": found.group(2) if found else None,
                "message": _field_error_message(error),
            }
        )
    return errors


def _field_error_message(error: Mapping[str, Any]) -> str:
    """The signing service's check of a field, in the page's language (its code and what it
    names); a code not known here keeps the service's words."""
    params = error.get("params") or {}
    messages = {
        "duplicate_name": _("Another field is already named “%(name)s”."),
        "no_such_page": _("The document has %(count)s page(s)."),
        "unknown_role": _("Choose one of the template's roles: %(roles)s."),
        "no_options": _("Give at least one option."),
        "no_cells": _("Say how many boxes it has."),
        "formula_not_number": _("Only a number field has a formula."),
        "unknown_mapping": _(
            "A document writes back client.name, legal_id, phone or website, "
            "client.address.<part>, client.attributes.<name> or contact.<field>."
        ),
        "read_only_mapping": _("A read-only field has no value to write back."),
        "unknown_prefill": _("Unknown value: %(names)s"),
        "range_not_number": _("Only a number field has a min or max."),
        "pattern_not_text": _("Only a typed text field has a pattern."),
        "formula_syntax": _("The formula cannot be read at character %(position)s."),
        "self_reference": _("A field cannot depend on itself."),
        "unknown_field": _("There is no field named “%(name)s”."),
        "cycle": _("These fields depend on each other in a circle: %(names)s"),
    }
    message = messages.get(str(error.get("code")))
    if message is None:
        return field_message(error)
    try:
        return message % params if "%(" in message else message
    except (KeyError, TypeError, ValueError):
        return field_message(error)


@router.get("/smart-documents/{template_id}/preview")
async def client_preview(
    request: Request, _staff: Staff, signing: Signing, template_id: str
) -> Response:
    """The document as the client will get it, with sample values for the prefills."""
    parsed = parse_id(template_id)
    template = await signing.template(parsed)
    samples = await signing.prefills(parsed)
    fields = [field.model_dump(mode="json", exclude_none=True) for field in template.fields]
    return await render(
        request,
        "signing/editor_preview.html",
        section="smart-documents",
        doc=template,
        fields_by_page={
            page.index: [field for field in fields if field["page"] == page.index]
            for page in template.pages
        },
        samples=samples,
        logic={"fields": fields, "samples": samples},
        type_labels={value: _(label) for value, _symbol, label in FIELD_TYPES},
    )
