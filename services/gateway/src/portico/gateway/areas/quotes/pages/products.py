"""``/settings/quotes/products`` (administrators): the catalogue quote lines are picked
from, by name; a product's form; archiving one takes it out of the quotes' choices (the
lines made from it keep their copy), restoring brings it back."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from portico.gateway.apis.base import ApiProblem
from portico.gateway.areas.quotes.api import Product, Quotes
from portico.gateway.areas.quotes.decimal_inputs import as_request, for_input, is_number
from portico.gateway.areas.quotes.pages.settings import TAB
from portico.gateway.areas.quotes.presenting import VAT_PRESETS, template_helpers
from portico.gateway.areas.quotes.quote_form import form_from_refusal
from portico.gateway.pages.settings import settings_page
from portico.gateway.web.context import Admin, PageNotFound
from portico.gateway.web.forms import FormState
from portico.gateway.web.i18n import _
from portico.gateway.web.routing import page_router, see_other

router = page_router()

URL = "/settings/quotes/products"
NEW_URL = "/settings/quotes/products/new"
INPUTS = ("name", "description", "unit", "unit_price", "vat_rate")


def product_url(product_id: uuid.UUID | str) -> str:
    return f"{URL}/{product_id}"


def _product_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise PageNotFound from None


@router.get(URL)
async def products_page(
    request: Request, _admin: Admin, quotes: Quotes, archived: str = ""
) -> Response:
    with_archived = archived == "1"
    return await settings_page(
        request,
        "quotes/settings/products.html",
        TAB,
        products=await quotes.products(archived=with_archived),
        with_archived=with_archived,
        **template_helpers(),
    )


def values_of(product: Product | None) -> dict[str, Any]:
    if product is None:
        return dict.fromkeys(INPUTS, "") | {"vat_rate": for_input(VAT_PRESETS[0])}
    return {
        "name": product.name,
        "description": product.description,
        "unit": product.unit,
        "unit_price": for_input(product.unit_price),
        "vat_rate": for_input(product.vat_rate, trim=True),
    }


def own_errors(values: dict[str, Any]) -> dict[str, str]:
    errors = {
        name: _("Enter a number.")
        for name in ("unit_price", "vat_rate")
        if not is_number(values[name])
    }
    for name in ("unit_price", "vat_rate"):
        if name not in errors and not values[name]:
            errors[name] = _("This field is required.")
    return errors


def request_body(values: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": values["name"],
        "description": values["description"],
        "unit": values["unit"],
        "unit_price": as_request(values["unit_price"]),
        "vat_rate": as_request(values["vat_rate"]),
    }


async def _form_page(
    request: Request, form: FormState, product: Product | None = None, status_code: int = 200
) -> Response:
    return await settings_page(
        request,
        "quotes/settings/product_form.html",
        TAB,
        status_code,
        form=form,
        product=product,
        action=product_url(product.id) if product else NEW_URL,
        vat_presets=[for_input(rate) for rate in VAT_PRESETS],
    )


async def _posted(request: Request) -> dict[str, Any]:
    posted = await request.form()
    return {name: str(posted.get(name) or "").strip() for name in INPUTS}


@router.get(NEW_URL)
async def new_product_page(request: Request, _admin: Admin) -> Response:
    return await _form_page(request, FormState(values=values_of(None)))


@router.post(NEW_URL)
async def create_product(request: Request, session: Admin, quotes: Quotes) -> Response:
    values = await _posted(request)
    if errors := own_errors(values):
        return await _form_page(request, FormState(values=values, errors=errors), None, 422)
    try:
        made = await quotes.create_product(request_body(values))
    except ApiProblem as problem:
        if problem.status != 422:
            raise
        return await _form_page(request, form_from_refusal(problem, values), None, 422)
    session.notify(_("“%(name)s” is in the catalogue.") % {"name": made.name})
    return see_other(URL)


@router.get("/settings/quotes/products/{product_id}")
async def edit_product_page(
    request: Request, _admin: Admin, quotes: Quotes, product_id: str
) -> Response:
    product = await quotes.product(_product_id(product_id))
    return await _form_page(request, FormState(values=values_of(product)), product)


@router.post("/settings/quotes/products/{product_id}")
async def save_product(
    request: Request, session: Admin, quotes: Quotes, product_id: str
) -> Response:
    product = await quotes.product(_product_id(product_id))
    values = await _posted(request)
    if errors := own_errors(values):
        return await _form_page(request, FormState(values=values, errors=errors), product, 422)
    try:
        saved = await quotes.update_product(product.id, request_body(values))
    except ApiProblem as problem:
        if problem.status != 422:
            raise
        return await _form_page(request, form_from_refusal(problem, values), product, 422)
    session.notify(
        _("“%(name)s” is saved: quotes made from it keep their lines.") % {"name": saved.name}
    )
    return see_other(URL)


@router.post("/settings/quotes/products/{product_id}/archive")
async def archive_product(
    request: Request, session: Admin, quotes: Quotes, product_id: str
) -> Response:
    archived = (await request.form()).get("archived") == "true"
    product = await quotes.update_product(_product_id(product_id), {"archived": archived})
    if archived:
        session.notify(
            _("“%(name)s” is archived: quotes no longer offer it.") % {"name": product.name}
        )
        return see_other(URL)
    session.notify(_("“%(name)s” is back in the catalogue.") % {"name": product.name})
    return see_other(f"{URL}?archived=1")
