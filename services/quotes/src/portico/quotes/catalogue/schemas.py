"""Request and response bodies of the product catalogue. Amounts are decimals (a JSON
number or a string such as "480.00"), answered as strings: money is never a float."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from portico.kit.schema import JsonBool, not_nullable

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]
Unit = Annotated[str, StringConstraints(strip_whitespace=True, max_length=30)]
UnitPrice = Annotated[
    Decimal,
    Field(ge=0, max_digits=14, decimal_places=2, description="Without tax, at most 2 decimals"),
]
VatRate = Annotated[
    Decimal,
    Field(ge=0, le=100, max_digits=5, decimal_places=2, description="A percentage: 20, 5.5..."),
]
EXAMPLE: dict[str, Any] = {
    "name": "Design workshop",
    "description": "A half-day workshop with your team.",
    "unit": "day",
    "unit_price": "480.00",
    "vat_rate": "20",
}


class ProductIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE]})

    name: Name
    description: Description = ""
    unit: Unit = ""
    unit_price: UnitPrice
    vat_rate: VatRate = Decimal("20")
    archived: JsonBool = Field(default=False, description="Out of the catalogue's choices")


class ProductPatch(BaseModel):
    """Any of a product's settings; a quote made from it keeps its own copy."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra=not_nullable(
            "name",
            "description",
            "unit",
            "unit_price",
            "vat_rate",
            "archived",
            examples=[{"unit_price": "520.00", "archived": False}],
        ),
    )

    name: Name | None = None
    description: Description | None = None
    unit: Unit | None = None
    unit_price: UnitPrice | None = None
    vat_rate: VatRate | None = None
    archived: JsonBool | None = None


class ProductOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    description: str
    unit: str
    unit_price: Decimal
    vat_rate: Decimal
    archived: bool
    created_at: datetime
    updated_at: datetime
