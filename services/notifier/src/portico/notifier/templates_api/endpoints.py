"""The templates API (admins): read, edit, preview and reset each message per language."""

from __future__ import annotations

import uuid
from typing import Annotated, cast

from fastapi import APIRouter, Body, Path, Response, status
from pydantic import BaseModel, ConfigDict, StringConstraints
from sqlalchemy import select

from portico.contracts.events.common import Locale
from portico.kit.auth import CurrentAdmin
from portico.kit.deps import Tx
from portico.kit.problems import FieldError, NotFound, ValidationProblem, problem_responses
from portico.notifier.deliveries.record import organisation_context, templates_for
from portico.notifier.messages.catalogue import KINDS
from portico.notifier.messages.kinds import SAMPLE_RECIPIENT
from portico.notifier.messages.rendering import TemplateSet, check, render
from portico.notifier.models import TemplateOverride

router = APIRouter(prefix="/v1/templates", tags=["templates"])

Kind = Annotated[str, Path(description="The kind of message, e.g. client_invited")]


class TemplateIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "subject": "{{ organisation.name }} invites you",
                    "html": "<p>Hi {{ recipient.name }}: <a href='{{ accept_url }}'>join</a></p>",
                    "text": "Hello {{ recipient.name }}, accept: {{ accept_url }}",
                }
            ]
        }
    )

    subject: Annotated[str, StringConstraints(min_length=1, max_length=300)]
    html: Annotated[str, StringConstraints(min_length=1, max_length=100_000)]
    text: Annotated[str, StringConstraints(min_length=1, max_length=100_000)]
    sms: Annotated[str, StringConstraints(max_length=2_000)] | None = None


class TemplateOut(TemplateIn):
    kind: str
    locale: Locale
    customised: bool
    links: list[str]


class KindOut(BaseModel):
    kind: str
    description: str
    links: list[str]
    customised: list[Locale]


class Preview(BaseModel):
    subject: str
    html: str
    text: str
    sms: str | None


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise NotFound(f"No message kind {kind!r}.")
    return kind


@router.get("", responses=problem_responses(401, 403), summary="Every kind of message")
async def list_kinds(tx: Tx, _: CurrentAdmin) -> list[KindOut]:
    customised: dict[str, list[Locale]] = {}
    for kind_key, locale in await tx.execute(
        select(TemplateOverride.kind, TemplateOverride.locale)
    ):
        customised.setdefault(kind_key, []).append(cast(Locale, locale))
    return [
        KindOut(
            kind=kind.key,
            description=kind.description,
            links=list(kind.links),
            customised=sorted(customised.get(kind.key, [])),
        )
        for kind in KINDS.values()
    ]


@router.get(
    "/{kind}/{locale}",
    responses=problem_responses(401, 403, 404),
    summary="A message's template in one language (the admin's version or the default)",
)
async def read_template(kind: Kind, locale: Locale, tx: Tx, _: CurrentAdmin) -> TemplateOut:
    templates = await templates_for(tx, _kind(kind), locale)
    customised = await tx.get(TemplateOverride, (kind, locale)) is not None
    return TemplateOut(
        kind=kind,
        locale=locale,
        customised=customised,
        links=list(KINDS[kind].links),
        **vars(templates),
    )


@router.put(
    "/{kind}/{locale}",
    responses=problem_responses(401, 403, 404, 422),
    summary="Save an edited template; refused with the line at fault when it does not compile "
    "or drops a link the message must carry",
)
async def save_template(
    kind: Kind, locale: Locale, body: TemplateIn, tx: Tx, admin: CurrentAdmin
) -> TemplateOut:
    templates = TemplateSet(subject=body.subject, html=body.html, text=body.text, sms=body.sms)
    _refuse_errors(_kind(kind), templates, locale)
    await tx.merge(
        TemplateOverride(
            kind=kind,
            locale=locale,
            subject=body.subject,
            html=body.html,
            text=body.text,
            sms=body.sms,
            updated_by=uuid.UUID(admin.subject),
        )
    )
    return TemplateOut(
        kind=kind, locale=locale, customised=True, links=list(KINDS[kind].links), **vars(templates)
    )


@router.delete(
    "/{kind}/{locale}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404),
    summary="Reset a template to the default",
)
async def reset_template(kind: Kind, locale: Locale, tx: Tx, _: CurrentAdmin) -> Response:
    override = await tx.get(TemplateOverride, (_kind(kind), locale))
    if override is not None:
        await tx.delete(override)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{kind}/{locale}/preview",
    responses=problem_responses(401, 403, 404, 422),
    summary="Render a template with sample data: the saved one, or the one in the body",
)
async def preview_template(
    kind: Kind,
    locale: Locale,
    tx: Tx,
    _: CurrentAdmin,
    body: Annotated[TemplateIn | None, Body()] = None,
) -> Preview:
    _kind(kind)
    if body is None:
        templates = await templates_for(tx, kind, locale)
    else:
        templates = TemplateSet(subject=body.subject, html=body.html, text=body.text, sms=body.sms)
        _refuse_errors(kind, templates, locale)
    rendered = render(
        templates,
        {**KINDS[kind].sample, "recipient": SAMPLE_RECIPIENT},
        locale=locale,
        organisation=await organisation_context(tx),
    )
    return Preview(**vars(rendered))


def _refuse_errors(kind: str, templates: TemplateSet, locale: str) -> None:
    errors = check(kind, templates, locale)
    if errors:
        raise ValidationProblem(
            "; ".join(
                f"{error.part}"
                + (f" line {error.line}" if error.line else "")
                + f": {error.message}"
                for error in errors
            ),
            errors=[
                FieldError(
                    field=error.part,
                    location="body",
                    message=(f"line {error.line}: " if error.line else "") + error.message,
                    code="template",
                )
                for error in errors
            ],
        )
