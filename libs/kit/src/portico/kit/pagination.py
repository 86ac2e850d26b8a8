"""The one way every list endpoint pages: ``limit`` / ``offset`` in, ``Page`` out."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, Field


class PageParams(BaseModel):
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0)


def page_params(
    limit: Annotated[int, Query(ge=1, le=200, description="How many items at most")] = 50,
    offset: Annotated[int, Query(ge=0, description="How many items to skip")] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


Paging = Annotated[PageParams, Depends(page_params)]


ItemT = TypeVar("ItemT")


class Page(BaseModel, Generic[ItemT]):
    items: list[ItemT]
    total: int = Field(description="How many items match, across all pages")
    limit: int
    offset: int
