"""Custom client attributes: their definitions, and the check of a value against one."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from portico.kit.problems import NotFound, ValidationProblem
from portico.portal.attributes.schemas import AttributeDefinitionIn, AttributeDefinitionPatch
from portico.portal.models import AttributeDefinition

AttributeValue = str | int | float | bool | None

_TRUE = {"true", "yes", "oui", "1", "on"}
_FALSE = {"false", "no", "non", "0", "off"}
MAX_TEXT = 500


async def create_definition(
    session: AsyncSession, data: AttributeDefinitionIn
) -> AttributeDefinition:
    if await session.scalar(
        select(AttributeDefinition.id).where(AttributeDefinition.key == data.key)
    ):
        raise ValidationProblem.for_field("key", "is already the key of another attribute")
    definition = AttributeDefinition(**data.model_dump())
    session.add(definition)
    await session.flush()
    return definition


async def list_definitions(session: AsyncSession) -> list[AttributeDefinition]:
    return list(
        await session.scalars(select(AttributeDefinition).order_by(AttributeDefinition.label))
    )


async def definitions_by_key(session: AsyncSession) -> dict[str, AttributeDefinition]:
    return {definition.key: definition for definition in await list_definitions(session)}


async def get_definition(session: AsyncSession, definition_id: uuid.UUID) -> AttributeDefinition:
    definition = await session.get(AttributeDefinition, definition_id)
    if definition is None:
        raise NotFound(f"No attribute with id {definition_id}.")
    return definition


async def update_definition(
    session: AsyncSession, definition: AttributeDefinition, data: AttributeDefinitionPatch
) -> AttributeDefinition:
    definition.label = data.label
    if data.choices is not None:
        if definition.type != "choice":
            raise ValidationProblem.for_field("choices", "only a choice attribute has choices")
        if not data.choices:
            raise ValidationProblem.for_field("choices", "a choice attribute needs its choices")
        definition.choices = list(data.choices)
    return definition


async def delete_definition(session: AsyncSession, definition: AttributeDefinition) -> None:
    """Clients keep the values they had; they are no longer shown or validated."""
    await session.delete(definition)


def checked_value(definition: AttributeDefinition, value: AttributeValue) -> AttributeValue:
    """The value in the attribute's type (text from a document is converted), or ValueError."""
    if value is None:
        return None
    if definition.type == "text":
        text = str(value).strip()
        if len(text) > MAX_TEXT:
            raise ValueError(f"must be at most {MAX_TEXT} characters")
        return text
    if definition.type == "number":
        return _number(value)
    if definition.type == "boolean":
        return _boolean(value)
    if definition.type == "date":
        try:
            return date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            raise ValueError("must be a date written YYYY-MM-DD") from None
    if str(value) not in definition.choices:
        raise ValueError("must be one of " + ", ".join(definition.choices))
    return str(value)


def _number(value: AttributeValue) -> int | float:
    if isinstance(value, bool):
        raise ValueError("must be a number")
    if isinstance(value, int | float):
        return value
    text = str(value).strip().replace(" ", "").replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        raise ValueError("must be a number") from None
    return int(number) if number.is_integer() and "." not in text else number


def _boolean(value: AttributeValue) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError("must be yes or no")
