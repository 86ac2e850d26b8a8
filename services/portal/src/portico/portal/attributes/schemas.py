"""Request and response bodies of the custom attributes API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

AttributeType = Literal["text", "number", "date", "boolean", "choice"]
Choice = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class AttributeDefinitionIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"key": "employees", "label": "Number of employees", "type": "number"},
                {
                    "key": "sector",
                    "label": "Sector",
                    "type": "choice",
                    "choices": ["Retail", "Tech"],
                },
            ]
        }
    )

    key: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,49}$")] = Field(
        description="How APIs and document fields name it: lower case, digits, underscores"
    )
    label: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    type: AttributeType = "text"
    choices: list[Choice] = Field(default_factory=list, max_length=100)

    @model_validator(mode="after")
    def _choices_go_with_the_choice_type(self) -> Self:
        if self.type == "choice" and not self.choices:
            raise ValueError("a choice attribute needs its choices")
        if self.type != "choice" and self.choices:
            raise ValueError("only a choice attribute has choices")
        return self


class AttributeDefinitionPatch(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"label": "Sector", "choices": ["Retail", "Tech", "Health"]}]
        },
    )

    label: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    choices: list[Choice] | None = Field(default=None, max_length=100)


class AttributeDefinitionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    key: str
    label: str
    type: AttributeType
    choices: list[str]
    created_at: datetime
