"""What a field is: its type, place on its page, role, and the rules of its value.

Places are relative to the page (0..1 from its top-left corner), so a preview of any width
maps exactly, and a field's rectangle stays on its page.
"""

from __future__ import annotations

import re
import uuid
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from portico.signing.fields.conditions import Operator


class FieldType(StrEnum):
    SIGNATURE = "signature"
    INITIALS = "initials"
    NAME = "name"
    TEXT = "text"
    MULTILINE = "multiline"
    # One character per box: IBANs, codes.
    CELLS = "cells"
    # A date the signer chooses; the signing date is filled in when they sign.
    DATE = "date"
    SIGNING_DATE = "signing_date"
    NUMBER = "number"
    EMAIL = "email"
    PHONE = "phone"
    CHECKBOX = "checkbox"
    RADIO = "radio"
    SELECT = "select"
    MULTIPLE = "multiple"
    IMAGE = "image"
    FILE = "file"
    STAMP = "stamp"
    # A heading or a prefilled value the signer reads but does not change.
    READONLY = "readonly"


# Fields a signer fills in: a template needs one of them to be sent.
INTERACTIVE = frozenset(FieldType) - {FieldType.READONLY, FieldType.SIGNING_DATE}
WITH_OPTIONS = frozenset({FieldType.RADIO, FieldType.SELECT, FieldType.MULTIPLE})
# Fields whose value is text typed by the signer, which a pattern and lengths may check.
TYPED = frozenset(
    {
        FieldType.NAME,
        FieldType.TEXT,
        FieldType.MULTILINE,
        FieldType.CELLS,
        FieldType.EMAIL,
        FieldType.PHONE,
    }
)

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Label = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Option = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Fraction = Annotated[float, Field(ge=0, le=1)]


class Validation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pattern: Annotated[str, StringConstraints(max_length=200)] | None = Field(
        default=None, description="A regular expression the whole value must match"
    )
    message: Label | None = Field(default=None, description="Shown when the pattern fails")
    min: float | None = Field(default=None, description="Smallest number (number fields)")
    max: float | None = Field(default=None, description="Largest number (number fields)")
    min_length: int | None = Field(default=None, ge=0, le=10_000)
    max_length: int | None = Field(default=None, ge=1, le=10_000)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.pattern is not None:
            try:
                re.compile(self.pattern)
            except re.error as error:
                raise ValueError(f"pattern is not a valid regular expression: {error}") from None
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min is larger than max")
        if (
            self.min_length is not None
            and self.max_length is not None
            and self.min_length > self.max_length
        ):
            raise ValueError("min_length is larger than max_length")
        return self


class ConditionSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    field: Name = Field(description="The name of the field it reads")
    operator: Operator
    value: Annotated[str, StringConstraints(max_length=200)] = ""


class ConditionsSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    join: Literal["all", "any"] = "all"
    conditions: list[ConditionSpec] = Field(min_length=1, max_length=20)


class FieldSpec(BaseModel):
    """One field of a template, as the editor saves it and the API returns it."""

    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID | None = Field(default=None, description="Kept across saves; given if absent")
    name: Name = Field(description="Unique in the template; formulas and conditions use it")
    type: FieldType
    role: Name = Field(description="The signer who fills it, one of the template's roles")
    page: int = Field(ge=0, description="0 for the first page")
    x: Fraction
    y: Fraction
    w: Annotated[float, Field(gt=0, le=1)]
    h: Annotated[float, Field(gt=0, le=1)]
    label: Label = ""
    required: bool = False
    options: list[Option] = Field(default_factory=list, max_length=100)
    cells: int | None = Field(default=None, ge=1, le=100, description="Boxes of a cells field")
    validation: Validation | None = None
    condition: ConditionsSpec | None = Field(
        default=None, description="Shown (and required) only when this holds"
    )
    formula: Annotated[str, StringConstraints(max_length=500)] | None = Field(
        default=None, description="A number field computed from others: {quantity} * {price}"
    )
    prefill: Annotated[str, StringConstraints(max_length=500)] | None = Field(
        default=None, description="The value it starts with: text with {{client.name}}..."
    )
    mapping: str | None = Field(
        default=None,
        description="Written back to the client on completion: client.<field>, "
        "client.address.<part>, client.attributes.<name> or contact.<field>",
        examples=["client.attributes.vat_number"],
    )
    font_size: int = Field(default=11, ge=6, le=72)
    align: Literal["left", "center", "right"] = "left"

    @model_validator(mode="after")
    def _on_its_page(self) -> Self:
        # A little slack for the rounding of positions computed in a browser.
        if self.x + self.w > 1.0001 or self.y + self.h > 1.0001:
            raise ValueError("the field goes past the edge of its page")
        return self
