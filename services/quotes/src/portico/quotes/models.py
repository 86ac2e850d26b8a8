"""The quotes service's tables. This first step holds the product catalogue that quote
lines are picked from; quotes, their lines and invoices come next (their totals, numbers
and statuses are already pure modules: ``totals``, ``numbering``, ``statuses``)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, Numeric, String, Text, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from portico.kit.db import UTCDateTime, new_metadata, utcnow


class Base(DeclarativeBase):
    metadata = new_metadata()
    type_annotation_map = {datetime: UTCDateTime, uuid.UUID: Uuid}


class Product(Base):
    """Something the organisation sells: a quote's line copies it, so changing a product
    never changes a quote already made."""

    __tablename__ = "products"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    # What a quantity counts: hour, day, piece, m²...
    unit: Mapped[str] = mapped_column(String(30), default="")
    # Without tax, in the organisation's currency.
    unit_price: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    # A percentage: 20, 10, 5.5, 2.1 or any other.
    vat_rate: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    # Out of the catalogue's choices, kept for the quotes that used it.
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
