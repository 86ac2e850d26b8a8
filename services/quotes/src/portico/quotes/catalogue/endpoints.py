"""``/v1/products``: the catalogue quote lines are picked from. Staff read and change it;
internal systems with an API key need ``quotes:read`` or ``quotes:write``."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, status
from sqlalchemy import func, select

from portico.kit.auth import Principal
from portico.kit.auth.principals import require_scope
from portico.kit.deps import Tx
from portico.kit.problems import NotFound, ValidationProblem, problem_responses
from portico.quotes.catalogue.schemas import ProductIn, ProductOut, ProductPatch
from portico.quotes.models import Product

router = APIRouter(prefix="/v1/products", tags=["products"])

Reader = Annotated[Principal, Depends(require_scope("quotes:read"))]
Writer = Annotated[Principal, Depends(require_scope("quotes:write"))]


async def _product(tx: Tx, product_id: uuid.UUID) -> Product:
    found = await tx.get(Product, product_id)
    if found is None:
        raise NotFound("No such product.")
    return found


@router.get("", responses=problem_responses(401, 403, 422), summary="The catalogue, by name")
async def list_products(
    tx: Tx,
    _: Reader,
    q: Annotated[str | None, Query(max_length=200, description="In the name")] = None,
    archived: Annotated[bool, Query(description="Include archived products")] = False,
) -> list[ProductOut]:
    query = select(Product).order_by(func.lower(Product.name), Product.id)
    if q:
        pattern = f"%{q.strip().lower()}%"
        query = query.where(func.lower(Product.name).like(pattern))
    if not archived:
        query = query.where(Product.archived.is_(False))
    return [ProductOut.model_validate(row) for row in await tx.scalars(query)]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 422),
    summary="Add a product to the catalogue",
)
async def create_product(body: ProductIn, tx: Tx, _: Writer) -> ProductOut:
    row = Product(**body.model_dump())
    tx.add(row)
    await tx.flush()
    await tx.refresh(row)
    return ProductOut.model_validate(row)


@router.get("/{product_id}", responses=problem_responses(401, 403, 404), summary="One product")
async def get_product(product_id: uuid.UUID, tx: Tx, _: Reader) -> ProductOut:
    return ProductOut.model_validate(await _product(tx, product_id))


@router.patch(
    "/{product_id}",
    responses=problem_responses(401, 403, 404, 422),
    summary="Change a product (quotes already made keep their lines)",
)
async def update_product(
    product_id: uuid.UUID, body: ProductPatch, tx: Tx, _: Writer
) -> ProductOut:
    row = await _product(tx, product_id)
    changes: dict[str, Any] = body.model_dump(exclude_unset=True)
    for name, value in changes.items():
        if value is None:
            raise ValidationProblem.for_field(name, "cannot be empty")
        setattr(row, name, value)
    await tx.flush()
    await tx.refresh(row)
    return ProductOut.model_validate(row)


@router.delete(
    "/{product_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404),
    summary="Remove a product from the catalogue",
)
async def delete_product(product_id: uuid.UUID, tx: Tx, _: Writer) -> None:
    await tx.delete(await _product(tx, product_id))
