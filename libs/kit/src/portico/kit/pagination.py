"""The one way every list endpoint pages: ``limit`` / ``offset`` in, ``Page`` out."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any, Generic, TypeVar, cast

from fastapi import Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

MAX_LIMIT = 200
# Beyond any list Portico keeps, and far inside the 64-bit integers the databases take:
# an unbounded offset reached the database and overflowed there (a 500, not a 422).
MAX_OFFSET = 1_000_000_000


class PageParams(BaseModel):
    limit: int = Field(default=50, ge=1, le=MAX_LIMIT)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)


def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="How many items at most")] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="How many items to skip")] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


Paging = Annotated[PageParams, Depends(page_params)]


ItemT = TypeVar("ItemT")
RowT = TypeVar("RowT")


class Page(BaseModel, Generic[ItemT]):
    items: list[ItemT]
    total: int = Field(description="How many items match, across all pages")
    limit: int
    offset: int

    @classmethod
    def of(cls, items: list[ItemT], total: int, page: PageParams) -> Page[ItemT]:
        return cls(items=items, total=total, limit=page.limit, offset=page.offset)


async def count_matching(session: AsyncSession, query: Select[*tuple[Any, ...]]) -> int:
    """How many rows ``query`` finds, across all pages."""
    return await session.scalar(select(func.count()).select_from(query.subquery())) or 0


async def fetch_page(
    session: AsyncSession,
    query: Select[RowT],
    page: PageParams,
    *order_by: ColumnElement[Any] | InstrumentedAttribute[Any],
) -> tuple[list[RowT], int]:
    """One page of ``query``'s entities in ``order_by`` order, and the total they make."""
    total = await count_matching(session, query)
    rows = await session.scalars(query.order_by(*order_by).limit(page.limit).offset(page.offset))
    # SQLAlchemy types scalars() of a one-entity select as rows of that one-tuple.
    return list(cast("Iterable[RowT]", rows)), total
