"""Smart-document templates: the list, a new one from a file or blank pages, settings.

Everything goes through the signing service's API as the staff member; whatever it refuses
comes back beside the inputs at fault, in the user's language, and whatever it does not
find is the 404 page. The field editor (``/smart-documents/{id}/edit``) is ``editor.py``'s.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from fastapi import File, Form, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from portico.gateway.apis.base import ApiProblem
from portico.gateway.areas.signing.api import Signing, Template
from portico.gateway.web.context import PageNotFound, Staff, gateway_of
from portico.gateway.web.forms import FormState, Text, form_from_problem, megabytes
from portico.gateway.web.i18n import _, format_number, ngettext
from portico.gateway.web.routing import page_router, see_other
from portico.gateway.web.templating import render

router = page_router()

PAGE_SIZE = 25
# A template's document never changes: its previews may be kept as long as wanted.
IMMUTABLE = "private, max-age=31536000, immutable"
MOST_PAGES = 50
MOST_ROLES = 10
SIZES = ("A4", "Letter")
SECTION = "smart-documents"

ROLE_ALIASES = {
    "roles": "roles",
    **{f"roles.{index}": "roles" for index in range(MOST_ROLES + 1)},
    **{f"roles.{index}.name": "roles" for index in range(MOST_ROLES + 1)},
}
BLANK_ALIASES = {
    "name": "blank_name",
    "titles": "titles",
    **{f"titles.{index}": "titles" for index in range(MOST_PAGES + 1)},
}


def edit_url(template_id: uuid.UUID | str) -> str:
    return f"/smart-documents/{template_id}/edit"


def preview_url(template_id: uuid.UUID | str, index: int = 0, width: int = 300) -> str:
    return f"/smart-documents/{template_id}/pages/{index}/preview?width={width}"


# --- Previews -------------------------------------------------------------------------------


@router.get("/smart-documents/{template_id}/pages/{index}/preview")
async def page_preview(
    _staff: Staff, signing: Signing, template_id: str, index: str, width: str = "300"
) -> Response:
    """A page's WebP preview; 404 with Retry-After while the service is still rendering it."""
    page, pixels = _number(index), _number(width)
    if page is None or pixels is None:
        raise PageNotFound
    try:
        preview = await signing.preview(parse_id(template_id), page, pixels)
    except ApiProblem as problem:
        # A width the service does not render, an index past its limits: no such image.
        if problem.status == 422:
            raise PageNotFound from None
        raise
    if not preview.ready:
        return Response(status_code=404, headers={"Retry-After": "2", "Cache-Control": "no-store"})
    return Response(preview.content, media_type="image/webp", headers={"Cache-Control": IMMUTABLE})


# --- The list -------------------------------------------------------------------------------


@router.get("/smart-documents")
async def templates_page(
    request: Request,
    _staff: Staff,
    signing: Signing,
    q: str = "",
    archived: str = "",
    offset: str = "0",
) -> Response:
    filters = {"q": q.strip()[:200], "archived": "1" if archived in {"1", "true", "on"} else ""}
    page = await signing.templates(
        q=filters["q"] or None,
        archived=bool(filters["archived"]),
        limit=PAGE_SIZE,
        offset=min(_number(offset) or 0, 1_000_000),
    )
    query = {key: value for key, value in filters.items() if value}
    rows = [
        {
            "template": template,
            "kind": kind_label(template.source_kind),
            "reason": reason_text(template.not_sendable_reason),
        }
        for template in page.items
    ]
    return await render(
        request,
        "signing/list.html",
        section=SECTION,
        page=page,
        rows=rows,
        filters=filters,
        query=query,
        archived=bool(filters["archived"]),
    )


# --- New: a document, or blank pages ----------------------------------------------------------


@router.get("/smart-documents/new")
async def new_template_page(request: Request, _staff: Staff) -> Response:
    return await _new_page(request)


class BlankForm(BaseModel):
    # Not "name": the upload form beside it has one (each input's id is field-<name>).
    blank_name: Text = ""
    pages: Text = ""
    size: Text = ""
    # As typed: an empty line is a page without a title.
    titles: str = ""


@router.post("/smart-documents/new")
async def upload_template(
    request: Request,
    session: Staff,
    signing: Signing,
    file: Annotated[UploadFile | None, File()] = None,
    name: Annotated[str, Form()] = "",
) -> Response:
    """The upload form, posted by the browser or sent by ``upload.js`` (which asks for JSON
    and shows the upload's progress): the new template's editor, or the refusal."""
    values = {"file": "", "name": name.strip()}
    wants_json = "application/json" in request.headers.get("accept", "")
    if file is None or not file.filename:
        form = FormState(values=values, errors={"file": _("Choose a document to upload.")})
        return await _upload_refused(request, form, 422, wants_json)
    try:
        content = await file.read()
        template = await signing.upload(
            file.filename,
            content,
            file.content_type or "application/octet-stream",
            name=values["name"][:1000] or None,
        )
    except ApiProblem as problem:
        if problem.status not in {413, 415, 422}:
            raise
        form = _upload_form(problem, values)
        return await _upload_refused(request, form, problem.status, wants_json)
    finally:
        await file.close()
    session.notify(
        _("%(name)s is ready: place the fields signers fill in.") % {"name": template.name}
    )
    url = edit_url(template.id)
    if wants_json:
        return JSONResponse({"redirect": url})
    return see_other(url)


@router.post("/smart-documents/new/blank")
async def blank_template(
    request: Request, session: Staff, signing: Signing, posted: Annotated[BlankForm, Form()]
) -> Response:
    values: dict[str, Any] = posted.model_dump()
    form = FormState(values=values)
    pages = _number(values["pages"])
    if pages is None or not 1 <= pages <= MOST_PAGES:
        form.errors["pages"] = _("Enter a number of pages from 1 to %(most)s.") % {
            "most": format_number(MOST_PAGES)
        }
    if values["size"] not in SIZES:
        form.errors["size"] = _("Choose one of the options.")
    titles = [line.strip() for line in values["titles"].splitlines()]
    while titles and not titles[-1]:
        titles.pop()
    if pages is not None and len(titles) > pages and "pages" not in form.errors:
        form.errors["titles"] = ngettext(
            "There are more titles than pages: at most %(num)s line.",
            "There are more titles than pages: at most %(num)s lines.",
            pages,
        ) % {"num": format_number(pages)}
    if not values["blank_name"]:
        form.errors["blank_name"] = _("This field is required.")
    if form.errors or pages is None:
        return await _new_page(request, blank=form, status_code=422)
    try:
        template = await signing.blank(
            values["blank_name"], pages=pages, size=values["size"], titles=titles
        )
    except ApiProblem as problem:
        if problem.status != 422:
            raise
        form = form_from_problem(problem, values, BLANK_ALIASES)
        return await _new_page(request, blank=form, status_code=422)
    session.notify(
        _("%(name)s is ready: place the fields signers fill in.") % {"name": template.name}
    )
    return see_other(edit_url(template.id))


async def _new_page(
    request: Request,
    *,
    upload: FormState | None = None,
    blank: FormState | None = None,
    status_code: int = 200,
) -> Response:
    limit = upload_limit(request)
    return await render(
        request,
        "signing/new.html",
        status_code,
        section=SECTION,
        page_url="/smart-documents/new",
        upload=upload or FormState(),
        blank=blank or FormState(values={"pages": "1", "size": "A4"}),
        upload_limit=limit,
        limit_text=megabytes(limit),
        most_pages=MOST_PAGES,
        sizes=[("A4", _("A4 (210 × 297 mm)")), ("Letter", _("Letter (8.5 × 11 in)"))],
    )


async def _upload_refused(
    request: Request, form: FormState, status_code: int, wants_json: bool
) -> Response:
    if wants_json:
        return JSONResponse({"errors": form.errors, "message": form.message}, status_code)
    return await _new_page(request, upload=form, status_code=status_code)


def upload_limit(request: Request) -> int:
    return gateway_of(request).settings.max_upload_mib * 1_048_576


def _upload_form(problem: ApiProblem, values: Mapping[str, Any]) -> FormState:
    """The service's refusal beside the file input, in the user's words, with its limit."""
    form = form_from_problem(problem, values)
    for error in problem.errors:
        if error.get("field") == "file":
            form.errors["file"] = refusal_text(error, problem.members)
            form.message = None
    return form


def refusal_text(error: Mapping[str, Any], members: Mapping[str, Any]) -> str:
    """Why a document is refused (the service's ``code``), with the limit it broke."""
    code = str(error.get("code") or members.get("reason") or "")
    limit, count = _limit(members.get("limit")), _limit(members.get("count"))
    if code == "too_large":
        if limit is None:
            return _("The file is too large.")
        return _("The file is larger than %(size)s.") % {"size": megabytes(int(limit))}
    if code == "too_many_pages":
        if limit is None:
            return _("The document has too many pages.")
        if count is None:
            return ngettext(
                "The document has too many pages: at most %(num)s is accepted.",
                "The document has too many pages: at most %(num)s are accepted.",
                int(limit),
            ) % {"num": format_number(limit)}
        return ngettext(
            "The document has %(count)s pages; at most %(num)s is accepted.",
            "The document has %(count)s pages; at most %(num)s are accepted.",
            int(limit),
        ) % {"count": format_number(count), "num": format_number(limit)}
    if code == "too_many_pixels" and limit is not None:
        return _("An image is larger than %(megapixels)s megapixels: make it smaller.") % {
            "megapixels": format_number(round(limit / 1_000_000, 1))
        }
    if code == "conversion_timeout" and limit is not None:
        return _(
            "Converting the document took longer than %(seconds)s seconds: "
            "save it as a PDF and upload that."
        ) % {"seconds": format_number(limit)}
    messages = {
        "encrypted": _(
            "The file is protected by a password: remove the password and upload it again."
        ),
        "damaged": _("The file is damaged or not what its type says, and cannot be read."),
        "too_many_pixels": _("An image is too large: make it smaller."),
        "unsupported_type": _(
            "This kind of file is not accepted: upload a PDF, an image (JPEG, PNG, TIFF, WebP, "
            "HEIC), a Word or OpenDocument text, an RTF or a CSV file."
        ),
        "conversion_failed": _(
            "The document could not be converted to PDF: save it as a PDF and upload that."
        ),
        "conversion_timeout": _(
            "Converting the document took too long: save it as a PDF and upload that."
        ),
        "converter_missing": _(
            "Word and OpenDocument files cannot be converted on this server (LibreOffice is not "
            "installed): upload a PDF instead."
        ),
        "empty": _("The document has no pages."),
        "file_too_large": _("The file is too large."),
    }
    return messages.get(code, str(error.get("message") or _("This file cannot be used.")))


def _limit(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value) if float(value).is_integer() else float(value)


# --- A template's page ----------------------------------------------------------------------


class SettingsForm(BaseModel):
    name: Text = ""
    # One role a line.
    roles: str = ""
    ordered: bool = False
    auto_assign: bool = False
    allow_forwarding: bool = False
    identity_check: Literal["none", "email_code", "sms_code"] = "none"


@router.get("/smart-documents/{template_id}")
async def template_page(
    request: Request, _staff: Staff, signing: Signing, template_id: str
) -> Response:
    template = await signing.template(parse_id(template_id))
    return await _template_page(request, template, settings_form(template))


@router.post("/smart-documents/{template_id}")
async def save_settings(
    request: Request,
    session: Staff,
    signing: Signing,
    template_id: str,
    posted: Annotated[SettingsForm, Form()],
) -> Response:
    template_uuid = parse_id(template_id)
    values: dict[str, Any] = posted.model_dump()
    roles = role_names(values["roles"])
    if not roles:
        template = await signing.template(template_uuid)
        form = FormState(values=values, errors={"roles": _("Name at least one role.")})
        return await _template_page(request, template, form, 422)
    if len(roles) > MOST_ROLES:
        template = await signing.template(template_uuid)
        message = _("At most %(num)s roles.") % {"num": format_number(MOST_ROLES)}
        form = FormState(values=values, errors={"roles": message})
        return await _template_page(request, template, form, 422)
    try:
        await signing.update(
            template_uuid,
            name=values["name"],
            roles=[{"name": role} for role in roles],
            ordered=values["ordered"],
            auto_assign=values["auto_assign"],
            allow_forwarding=values["allow_forwarding"],
            identity_check=values["identity_check"],
        )
    except ApiProblem as problem:
        if problem.status != 422:
            raise
        template = await signing.template(template_uuid)
        form = _settings_problem(problem, values)
        return await _template_page(request, template, form, 422)
    session.notify(_("The settings are saved."))
    return see_other(f"/smart-documents/{template_uuid}")


def _settings_problem(problem: ApiProblem, values: Mapping[str, Any]) -> FormState:
    form = form_from_problem(problem, values, ROLE_ALIASES)
    codes = {
        ROLE_ALIASES.get(str(error.get("field")), str(error.get("field"))): str(error.get("code"))
        for error in problem.errors
    }
    if "name" in form.errors and not values.get("name"):
        form.errors["name"] = _("This field is required.")
    if "roles" in form.errors:
        if codes.get("roles") == "string_too_long":
            form.errors["roles"] = _("A role's name is too long: at most %(num)s characters.") % {
                "num": format_number(100)
            }
        elif codes.get("roles") == "value_error":
            form.errors["roles"] = _("Two roles have the same name.")
    return form


async def _template_page(
    request: Request, template: Template, form: FormState, status_code: int = 200
) -> Response:
    first = template.pages[0] if template.pages else None
    thumbnail = None
    if first is not None and template.previews_ready > 0 and first.width > 0:
        thumbnail = {
            "url": preview_url(template.id, 0, 300),
            "large": preview_url(template.id, 0, 1200),
            "width": 300,
            "height": round(300 * first.height / first.width),
        }
    return await render(
        request,
        "signing/template.html",
        status_code,
        section=SECTION,
        page_url=f"/smart-documents/{template.id}",
        document=template,
        kind=kind_label(template.source_kind),
        reason=reason_text(template.not_sendable_reason),
        thumbnail=thumbnail,
        form=form,
    )


def settings_form(template: Template) -> FormState:
    return FormState(
        values={
            "name": template.name,
            "roles": "\n".join(role.name for role in template.roles),
            "ordered": template.ordered,
            "auto_assign": template.auto_assign,
            "allow_forwarding": template.allow_forwarding,
            "identity_check": template.identity_check,
        }
    )


def role_names(text: str) -> list[str]:
    """One role a line, each once (whatever its case), in the order typed."""
    roles: list[str] = []
    for role in (line.strip() for line in text.splitlines()):
        if role and role.casefold() not in {known.casefold() for known in roles}:
            roles.append(role)
    return roles


# --- Duplicate, archive, restore, delete ----------------------------------------------------


@router.post("/smart-documents/{template_id}/duplicate")
async def duplicate_template(session: Staff, signing: Signing, template_id: str) -> Response:
    copy = await signing.duplicate(parse_id(template_id))
    session.notify(_("%(name)s is created, with all its fields.") % {"name": copy.name})
    return see_other(f"/smart-documents/{copy.id}")


@router.post("/smart-documents/{template_id}/archive")
async def archive_template(session: Staff, signing: Signing, template_id: str) -> Response:
    template = await signing.archive(parse_id(template_id))
    session.notify(
        _("%(name)s is archived: it is no longer sent to new clients.") % {"name": template.name}
    )
    return see_other(f"/smart-documents/{template.id}")


@router.post("/smart-documents/{template_id}/restore")
async def restore_template(session: Staff, signing: Signing, template_id: str) -> Response:
    template = await signing.restore(parse_id(template_id))
    session.notify(_("%(name)s is restored.") % {"name": template.name})
    return see_other(f"/smart-documents/{template.id}")


@router.post("/smart-documents/{template_id}/delete")
async def delete_template(session: Staff, signing: Signing, template_id: str) -> Response:
    template_uuid = parse_id(template_id)
    template = await signing.template(template_uuid)
    try:
        await signing.remove(template_uuid)
    except ApiProblem as problem:
        if problem.status not in {409, 422}:
            raise
        # The service says why (documents sent from it, for instance).
        session.notify(problem.detail or problem.title, "error")
        return see_other(f"/smart-documents/{template_uuid}")
    session.notify(_("%(name)s is deleted.") % {"name": template.name})
    return see_other("/smart-documents")


# --- Helpers --------------------------------------------------------------------------------


def kind_label(kind: str) -> str:
    return {
        "pdf": _("PDF"),
        "jpeg": _("JPEG image"),
        "png": _("PNG image"),
        "tiff": _("TIFF image"),
        "webp": _("WebP image"),
        "heic": _("HEIC image"),
        "docx": _("Word document"),
        "doc": _("Word document"),
        "odt": _("OpenDocument text"),
        "rtf": _("RTF document"),
        "csv": _("CSV table"),
        "text": _("Text file"),
        "blank": _("Blank pages"),
    }.get(kind, kind)


def reason_text(reason: str | None) -> str | None:
    """Why a template cannot be sent, in the user's language (the service says it in English)."""
    if reason is None:
        return None
    return {
        "The template has no field for a signer to fill in or sign.": _(
            "It has no field for a signer to fill in or sign yet."
        ),
    }.get(reason, reason)


def parse_id(value: str) -> uuid.UUID:
    """A path's id, or the 404 page: an id that is not one names nothing."""
    try:
        return uuid.UUID(value)
    except ValueError:
        raise PageNotFound from None


def _number(value: str) -> int | None:
    """A whole number of at most 9 digits (no sign, no spaces around), or None."""
    value = value.strip()
    if not value.isascii() or not value.isdigit() or len(value) > 9:
        return None
    return int(value)
