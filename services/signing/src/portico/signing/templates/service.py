"""Templates: find, list, change, duplicate, archive and delete them, and save their fields."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import func, or_, select

from portico.kit.pagination import PageParams, fetch_page
from portico.kit.problems import NotFound, ValidationProblem
from portico.kit.transaction import Transaction
from portico.signing.fields.checks import check_fields
from portico.signing.fields.spec import FieldSpec
from portico.signing.models import Template, TemplateField
from portico.signing.templates.documents import enqueue_deletion
from portico.signing.templates.schemas import TemplatePatch


async def create_template(
    tx: Transaction,
    *,
    name: str,
    source_kind: str,
    document_key: str,
    original_name: str | None,
    page_sizes: list[list[float]],
    previews_ready: int,
    imported: list[FieldSpec],
    roles: list[str],
    created_by: uuid.UUID | None,
) -> Template:
    """A new template with the fields its document brought; one that fails the checks
    (a tag on a page that is not there) is left out rather than the upload refused."""
    at_fault = {
        int(str(error.field).split(".")[1])
        for error in check_fields(imported, page_count=len(page_sizes), roles=roles)
    }
    template = Template(
        name=name,
        source_kind=source_kind,
        document_key=document_key,
        original_name=original_name,
        page_sizes=page_sizes,
        previews_ready=previews_ready,
        roles=[{"name": role} for role in roles],
        created_by=created_by,
        fields=[],
    )
    kept = [spec for index, spec in enumerate(imported) if index not in at_fault]
    for position, spec in enumerate(kept):
        spec_id = spec.id or uuid.uuid4()
        template.fields.append(
            TemplateField(
                id=spec_id,
                position=position,
                spec=spec.model_dump(mode="json") | {"id": str(spec_id)},
            )
        )
    tx.add(template)
    await tx.flush()
    return template


async def get_template(tx: Transaction, template_id: uuid.UUID) -> Template:
    template = await tx.get(Template, template_id)
    if template is None:
        raise NotFound("No such template.")
    return template


async def list_templates(
    tx: Transaction, page: PageParams, *, q: str | None, archived: bool
) -> tuple[list[Template], int]:
    query = select(Template)
    query = query.where(
        Template.archived_at.is_not(None) if archived else Template.archived_at.is_(None)
    )
    if q:
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(
                func.lower(Template.name).like(pattern.lower(), escape="\\"),
                func.lower(Template.original_name).like(pattern.lower(), escape="\\"),
            )
        )
    return await fetch_page(tx, query, page, Template.updated_at.desc(), Template.id)


def specs_of(template: Template) -> list[FieldSpec]:
    return [FieldSpec.model_validate(field.spec) for field in template.fields]


def role_names(template: Template) -> list[str]:
    return [role["name"] for role in template.roles]


async def update_template(tx: Transaction, template: Template, patch: TemplatePatch) -> None:
    changes = patch.model_dump(exclude_unset=True)
    if "roles" in changes:
        kept = {role["name"] for role in changes["roles"]}
        used = sorted({spec.role for spec in specs_of(template)} - kept)
        if used:
            raise ValidationProblem.for_field(
                "roles", "Fields are still given to " + ", ".join(used) + ": move them first."
            )
    for name, value in changes.items():
        setattr(template, name, value)
    template.updated_at = datetime.now(UTC)


async def save_fields(tx: Transaction, template: Template, specs: list[FieldSpec]) -> None:
    """Replace the template's fields with ``specs`` (the editor saves the whole set)."""
    errors = check_fields(specs, page_count=template.page_count, roles=role_names(template))
    if errors:
        raise ValidationProblem(
            f"{errors[0].field}: {errors[0].message}",
            errors=errors,
        )
    template.fields.clear()
    await tx.flush()
    for position, spec in enumerate(specs):
        kept = spec if spec.id is not None else spec.model_copy(update={"id": uuid.uuid4()})
        template.fields.append(
            TemplateField(id=kept.id, position=position, spec=kept.model_dump(mode="json"))
        )
    template.updated_at = datetime.now(UTC)


async def duplicate_template(
    tx: Transaction, template: Template, created_by: uuid.UUID | None, name: str
) -> Template:
    copy = Template(
        name=name,
        source_kind=template.source_kind,
        document_key=template.document_key,
        original_name=template.original_name,
        page_sizes=template.page_sizes,
        previews_ready=template.previews_ready,
        roles=template.roles,
        ordered=template.ordered,
        auto_assign=False,
        created_by=created_by,
        # Given even when empty: a collection never set would be loaded lazily, outside
        # the session's async context, when the answer counts the fields.
        fields=[
            TemplateField(
                position=position,
                spec=spec.model_dump(mode="json") | {"id": str(uuid.uuid4())},
            )
            for position, spec in enumerate(specs_of(template))
        ],
    )
    tx.add(copy)
    await tx.flush()
    return copy


def archive(template: Template, archived: bool) -> None:
    if archived and template.archived_at is None:
        template.archived_at = datetime.now(UTC)
        template.auto_assign = False
    elif not archived:
        template.archived_at = None


async def delete_template(tx: Transaction, template: Template) -> None:
    """Delete it; its files go when no other template uses them (after the commit)."""
    await tx.delete(template)
    await tx.flush()
    others = await tx.scalar(
        select(func.count()).where(Template.document_key == template.document_key)
    )
    if not others:
        await enqueue_deletion(tx, template.document_key)
