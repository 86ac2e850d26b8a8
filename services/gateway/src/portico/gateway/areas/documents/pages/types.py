"""``/settings/documents`` (administrators): the document types clients are asked for, in
the order clients see them; a type's form with the data fields asked with its file.

The fields editor posts one row per field as ``fields.<n>.<name>`` inputs, the names the
service gives its refusals (``fields.0.options``), so each error lands beside its input.
Rows left blank are ignored: without JavaScript, one blank row is always offered."""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from fastapi import Request
from fastapi.datastructures import FormData
from fastapi.responses import Response

from portico.gateway.apis.base import ApiProblem
from portico.gateway.areas.documents.api import (
    FIELD_KINDS,
    FORMATS,
    UPLOAD_MODES,
    Documents,
    DocumentsApi,
    DocumentType,
)
from portico.gateway.areas.documents.presenting import format_name
from portico.gateway.pages.settings import settings_page
from portico.gateway.web.context import Admin, PageNotFound
from portico.gateway.web.forms import FormState, field_message, form_from_problem, limit_of
from portico.gateway.web.i18n import _, current_locale, format_number
from portico.gateway.web.routing import page_router, see_other
from portico.gateway.web.session import WebSession

router = page_router()

URL = "/settings/documents"
NEW_URL = "/settings/documents/types/new"
TAB = "documents"
DEFAULT_FORMATS = ("pdf", "jpeg", "png")
FIELD_INPUTS = ("key", "label_en", "label_fr", "kind", "options", "required", "is_expiry")
ROW_INPUT = re.compile(r"^fields\.(\d{1,3})\.(\w+)$")
KEY_LENGTH = 40
MAX_FIELDS = 20
CHECKED = {"true", "on", "1"}


def type_url(type_id: uuid.UUID | str) -> str:
    return f"/settings/documents/types/{type_id}"


# --- What the pages call things ----------------------------------------------------------------


def mode_labels() -> dict[str, tuple[str, str]]:
    """Each upload mode: its name and what it means, in one line."""
    return {
        "optional": (_("Optional"), _("Clients may give it; nothing waits for it.")),
        "required": (
            _("Required"),
            _("Clients must give it: a client is complete once every required one is accepted."),
        ),
        "admin_only": (
            _("Staff only"),
            _("Clients see it, but only your team adds or replaces it."),
        ),
    }


def format_labels() -> dict[str, str]:
    return {format_: format_name(format_) for format_ in FORMATS}


def kind_labels() -> dict[str, str]:
    return {
        "text": _("Text"),
        "date": _("Date"),
        "number": _("Number"),
        "select": _("A choice in a list"),
    }


# --- The fields editor's rows ------------------------------------------------------------------


def key_from_label(label: str, taken: set[str]) -> str:
    """A field's key from its label ("Card number" → ``card_number``): lowercase ASCII, digits
    and _, starting with a letter, at most 40 characters, not one of ``taken``."""
    ascii_text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    key = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")
    if key and not key[0].isalpha():
        key = f"field_{key}"
    key = key[:KEY_LENGTH].rstrip("_")
    if not key:
        return ""
    candidate, number = key, 2
    while candidate in taken:
        suffix = f"_{number}"
        candidate = key[: KEY_LENGTH - len(suffix)].rstrip("_") + suffix
        number += 1
    return candidate


def _is_blank(row: Mapping[str, Any]) -> bool:
    return not any(str(row.get(name) or "").strip() for name in ("key", "label_en", "label_fr"))


def posted_rows(form: FormData) -> list[dict[str, Any]]:
    """The field rows as typed, in their order, without blank or removed ones."""
    by_index: dict[int, dict[str, Any]] = {}
    for name, value in form.multi_items():
        found = ROW_INPUT.match(name)
        if found is None or not isinstance(value, str):
            continue
        by_index.setdefault(int(found.group(1)), {})[found.group(2)] = value
    rows = []
    for _index, raw in sorted(by_index.items()):
        if raw.get("remove", "") in CHECKED or _is_blank(raw):
            continue
        rows.append(
            {
                "key": raw.get("key", "").strip(),
                "label_en": raw.get("label_en", "").strip(),
                "label_fr": raw.get("label_fr", "").strip(),
                "kind": raw.get("kind", "text"),
                "options": raw.get("options", ""),
                "required": raw.get("required", "") in CHECKED,
                "is_expiry": raw.get("is_expiry", "") in CHECKED,
            }
        )
    # Keys left empty are made from the labels, after the typed ones are known.
    taken = {row["key"] for row in rows if row["key"]}
    for row in rows:
        if not row["key"]:
            row["key"] = key_from_label(row["label_en"] or row["label_fr"], taken)
            taken.add(row["key"])
    return rows


def field_body(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row as the service takes it: options only for a list (hidden for other kinds)."""
    options = [line.strip() for line in str(row["options"]).splitlines() if line.strip()]
    return {
        "key": row["key"],
        "label_en": row["label_en"],
        "label_fr": row["label_fr"],
        "kind": row["kind"],
        "options": options if row["kind"] == "select" else [],
        "required": row["required"],
        "is_expiry": row["is_expiry"],
    }


def _flat_rows(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The rows as the form's values, ``fields.<n>.<input>``, with one blank row after them."""
    values: dict[str, Any] = {}
    for index, row in enumerate([*rows, {"kind": "text"}]):
        for name in FIELD_INPUTS:
            values[f"fields.{index}.{name}"] = row.get(name, "")
    values["row_count"] = len(rows) + 1
    values["fields"] = ""
    return values


# --- The type's form -----------------------------------------------------------------------------


def values_of(document_type: DocumentType | None) -> dict[str, Any]:
    if document_type is None:
        return {
            "name_en": "",
            "name_fr": "",
            "description_en": "",
            "description_fr": "",
            "upload_mode": "optional",
            "formats": list(DEFAULT_FORMATS),
            "max_size_mib": "10",
            "expires": False,
            "client_tag": "",
            **_flat_rows([]),
        }
    rows = [
        field.model_dump() | {"options": "\n".join(field.options)} for field in document_type.fields
    ]
    return {
        "name_en": document_type.name_en,
        "name_fr": document_type.name_fr,
        "description_en": document_type.description_en,
        "description_fr": document_type.description_fr,
        "upload_mode": document_type.upload_mode,
        "formats": list(document_type.formats),
        "max_size_mib": str(document_type.max_size_mib),
        "expires": document_type.expires,
        "client_tag": document_type.client_tag or "",
        **_flat_rows(rows),
    }


def posted_values(form: FormData) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    def text(name: str) -> str:
        value = form.get(name)
        return value.strip() if isinstance(value, str) else ""

    rows = posted_rows(form)
    values = {
        "name_en": text("name_en"),
        "name_fr": text("name_fr"),
        "description_en": text("description_en"),
        "description_fr": text("description_fr"),
        "upload_mode": text("upload_mode"),
        "formats": [value for value in form.getlist("formats") if value in FORMATS],
        "max_size_mib": text("max_size_mib"),
        "expires": text("expires") in CHECKED,
        "client_tag": text("client_tag"),
        **_flat_rows(rows),
    }
    return values, rows


def own_errors(values: Mapping[str, Any]) -> dict[str, str]:
    """What the form can say before asking the service: input it cannot even send."""
    errors: dict[str, str] = {}
    if values["upload_mode"] not in UPLOAD_MODES:
        errors["upload_mode"] = _("Choose one of the options.")
    if not values["formats"]:
        errors["formats"] = _("Choose at least one format.")
    if not values["max_size_mib"].isdigit() or int(values["max_size_mib"]) < 1:
        errors["max_size_mib"] = _("Enter a whole number of MiB, at least 1.")
    return errors


def request_body(values: Mapping[str, Any], rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "name_en": values["name_en"],
        "name_fr": values["name_fr"],
        "description_en": values["description_en"],
        "description_fr": values["description_fr"],
        "upload_mode": values["upload_mode"],
        "formats": values["formats"],
        "max_size_mib": int(values["max_size_mib"]),
        "expires": values["expires"],
        "fields": [field_body(row) for row in rows],
        "client_tag": values["client_tag"] or None,
    }


ROW_ERROR = re.compile(r"^fields\.(\d+)$")
# An option of a list (``fields.0.options.2``), a format (``formats.1``): their input.
PART_ERROR = re.compile(r"^(fields\.\d+\.options|formats)\.\d+$")


def _placed(
    error: Mapping[str, Any], values: Mapping[str, Any], rows: list[dict[str, Any]]
) -> dict[str, Any]:
    """A refusal of the service moved to the input it is about, with our words for the rules
    the service names only as a whole (a row, the list of fields, the expiry)."""
    name = str(error.get("field") or "")
    code = str(error.get("code") or "")

    def at(field: str, message: str) -> dict[str, Any]:
        return {"field": field, "code": "placed", "message": message}

    if part := PART_ERROR.match(name):
        return {**error, "field": part.group(1)}
    row_error = ROW_ERROR.match(name)
    if row_error and int(row_error.group(1)) < len(rows):
        index = int(row_error.group(1))
        row = rows[index]
        if row["kind"] == "select" and not field_body(row)["options"]:
            return at(f"fields.{index}.options", _("Write the choices, one a line."))
        if row["is_expiry"] and row["kind"] != "date":
            return at(f"fields.{index}.is_expiry", _("Only a date field can be the expiry date."))
        return at(f"fields.{index}.key", field_message(error))
    if re.fullmatch(r"fields\.\d+\.key", name) and code == "string_pattern_mismatch":
        return at(name, _("Lowercase letters, digits and _ only, starting with a letter."))
    if name == "fields":
        keys = [row["key"] for row in rows]
        for index, key in enumerate(keys):
            if key in keys[:index]:
                return at(f"fields.{index}.key", _("Another field has this key already."))
        if sum(row["is_expiry"] for row in rows) > 1:
            return at("fields", _("Mark one date field at most as the expiry date."))
        if code == "too_long":
            return at(
                "fields",
                _("There are too many fields: at most %(num)s.")
                % {"num": format_number(MAX_FIELDS)},
            )
    if name == "expires":
        if values["expires"]:
            message = _("A type that expires needs a date field marked as its expiry date.")
        else:
            message = _("A field is marked as the expiry date: tick this box, or unmark the field.")
        return at("expires", message)
    if name == "max_size_mib" and code == "too_large":
        return at(
            "max_size_mib",
            _("Files are at most %(num)s MiB on this server.") % {"num": limit_of(error)},
        )
    return dict(error)


def form_from_refusal(
    problem: ApiProblem, values: Mapping[str, Any], rows: list[dict[str, Any]]
) -> FormState:
    placed = replace(problem, errors=[_placed(error, values, rows) for error in problem.errors])
    return form_from_problem(placed, values)


# --- Pages ---------------------------------------------------------------------------------------


def parse_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise PageNotFound from None


@router.get(URL)
async def document_types_page(request: Request, _admin: Admin, documents: Documents) -> Response:
    locale = current_locale()
    formats = format_labels()
    rows = [
        {
            "type": item,
            "name": item.name(locale),
            "formats": ", ".join(formats.get(name, name) for name in item.formats),
        }
        for item in await documents.document_types()
    ]
    return await settings_page(
        request,
        "documents/settings/types.html",
        TAB,
        rows=rows,
        portal_section=await documents.section(),
        modes=mode_labels(),
    )


async def _form_page(
    request: Request,
    form: FormState,
    document_type: DocumentType | None = None,
    status_code: int = 200,
) -> Response:
    return await settings_page(
        request,
        "documents/settings/type_form.html",
        TAB,
        status_code,
        form=form,
        blank_form=FormState(),
        document_type=document_type,
        heading=(
            _("Edit “%(name)s”") % {"name": document_type.name(current_locale())}
            if document_type
            else _("New document type")
        ),
        action=type_url(document_type.id) if document_type else NEW_URL,
        modes=mode_labels(),
        format_labels=format_labels(),
        kinds=[(kind, kind_labels()[kind]) for kind in FIELD_KINDS],
    )


@router.get(NEW_URL)
async def new_type_page(request: Request, _admin: Admin) -> Response:
    return await _form_page(request, FormState(values=values_of(None)))


@router.post(NEW_URL)
async def create_type(request: Request, session: Admin, documents: Documents) -> Response:
    values, rows = posted_values(await request.form())
    if errors := own_errors(values):
        return await _form_page(request, FormState(values=values, errors=errors), None, 422)
    try:
        created = await documents.create_document_type(request_body(values, rows))
    except ApiProblem as problem:
        if problem.status != 422:
            raise
        return await _form_page(request, form_from_refusal(problem, values, rows), None, 422)
    session.notify(
        _("“%(name)s” is created: clients are asked for it from now on.")
        % {"name": created.name(current_locale())}
    )
    return see_other(URL)


@router.get("/settings/documents/types/{type_id}")
async def edit_type_page(
    request: Request, type_id: str, _admin: Admin, documents: Documents
) -> Response:
    document_type = await documents.document_type(parse_id(type_id))
    return await _form_page(request, FormState(values=values_of(document_type)), document_type)


@router.post("/settings/documents/types/{type_id}")
async def save_type(
    request: Request, type_id: str, session: Admin, documents: Documents
) -> Response:
    document_type = await documents.document_type(parse_id(type_id))
    values, rows = posted_values(await request.form())
    if errors := own_errors(values):
        form = FormState(values=values, errors=errors)
        return await _form_page(request, form, document_type, 422)
    try:
        saved = await documents.update_document_type(document_type.id, request_body(values, rows))
    except ApiProblem as problem:
        if problem.status != 422:
            raise
        form = form_from_refusal(problem, values, rows)
        return await _form_page(request, form, document_type, 422)
    session.notify(_("“%(name)s” is saved.") % {"name": saved.name(current_locale())})
    return see_other(URL)


@router.post("/settings/documents/types/{type_id}/delete")
async def delete_type(type_id: str, session: Admin, documents: Documents) -> Response:
    document_type = await documents.document_type(parse_id(type_id))
    await documents.delete_document_type(document_type.id)
    session.notify(
        _("“%(name)s” is deleted, with the documents clients gave for it.")
        % {"name": document_type.name(current_locale())}
    )
    return see_other(URL)


@router.post("/settings/documents/types/{type_id}/move")
async def move_type(
    request: Request, type_id: str, session: Admin, documents: Documents
) -> Response:
    moved = parse_id(type_id)
    direction = (await request.form()).get("direction")
    types = await documents.document_types()
    index = next((i for i, item in enumerate(types) if item.id == moved), None)
    if index is None:
        raise PageNotFound
    other = index - 1 if direction == "up" else index + 1
    if direction in {"up", "down"} and 0 <= other < len(types):
        types[index], types[other] = types[other], types[index]
        await _renumber(session, documents, types)
    return see_other(f"{URL}#type-{moved}")


async def _renumber(
    session: WebSession, documents: DocumentsApi, types: list[DocumentType]
) -> None:
    """Each type's position its place in ``types``: only those whose place changed are
    changed (positions may repeat or have gaps, as the API lets them)."""
    for position, item in enumerate(types):
        if item.position == position:
            continue
        try:
            await documents.update_document_type(item.id, {"position": position})
        except ApiProblem as problem:
            # A type saved before a rule it breaks now (a lower size limit): it is moved
            # once an administrator saves it again.
            if problem.status != 422:
                raise
            session.notify(
                _("“%(name)s” could not be moved: open it, correct it and save it.")
                % {"name": item.name(current_locale())},
                "error",
            )
            return
