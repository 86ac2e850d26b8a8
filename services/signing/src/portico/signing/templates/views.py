"""Templates as the API shows them."""

from __future__ import annotations

from typing import cast

from portico.signing.fields.checks import sendable_problem
from portico.signing.models import Template
from portico.signing.settings import signing_settings
from portico.signing.templates.schemas import (
    IdentityCheck,
    PageOut,
    Role,
    TemplateOut,
    TemplateSummary,
)
from portico.signing.templates.service import specs_of


def template_summary(template: Template) -> TemplateSummary:
    reason = sendable_problem(specs_of(template))
    return TemplateSummary(
        id=template.id,
        name=template.name,
        source_kind=template.source_kind,
        page_count=template.page_count,
        field_count=len(template.fields),
        sendable=reason is None,
        not_sendable_reason=reason,
        auto_assign=template.auto_assign,
        archived=template.archived_at is not None,
        created_at=template.created_at,
        updated_at=template.updated_at,
    )


def preview_path(template: Template, index: int, width: int) -> str:
    return f"/api/signing/v1/templates/{template.id}/pages/{index}/preview?width={width}"


def template_out(template: Template) -> TemplateOut:
    widths = signing_settings().preview_widths
    pages = [
        PageOut(
            index=index,
            width=width,
            height=height,
            previews=(
                {str(w): preview_path(template, index, w) for w in widths}
                if index < template.previews_ready
                else {}
            ),
        )
        for index, (width, height) in enumerate(template.page_sizes)
    ]
    return TemplateOut(
        **template_summary(template).model_dump(),
        original_name=template.original_name,
        roles=[Role.model_validate(role) for role in template.roles],
        ordered=template.ordered,
        allow_forwarding=template.allow_forwarding,
        identity_check=cast(IdentityCheck, template.identity_check),
        previews_ready=template.previews_ready,
        pages=pages,
        fields=specs_of(template),
    )
