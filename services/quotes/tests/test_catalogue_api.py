"""The product catalogue: staff add, find, change, archive and remove products; prices and
rates are decimals kept to the cent and answered as strings; bad input names its field and
changes nothing; an API key needs its scope and a client never reaches it."""

from __future__ import annotations

from typing import Any

from portico.kit.testing.services import RunningPortico

PRODUCTS = "/api/quotes/v1/products"
WORKSHOP = {
    "name": "Design workshop",
    "description": "A half-day workshop with your team.",
    "unit": "day",
    "unit_price": "480.00",
    "vat_rate": "20",
}


async def add(portico: RunningPortico, body: dict[str, Any]) -> dict[str, Any]:
    made = await portico.http.post(PRODUCTS, json=body, headers=portico.headers("staff"))
    assert made.status_code == 201, made.text
    found: dict[str, Any] = made.json()
    return found


async def test_staff_add_find_change_archive_and_remove_products(
    portico: RunningPortico,
) -> None:
    staff = portico.headers("staff")
    workshop = await add(portico, WORKSHOP)
    assert (workshop["unit_price"], workshop["vat_rate"]) == ("480.00", "20.00")
    # A number is taken as well as a string, and kept to the cent exactly (no float).
    books = await add(portico, {"name": "Livres", "unit_price": 0.1, "vat_rate": 5.5})
    assert (books["unit_price"], books["vat_rate"]) == ("0.10", "5.50")

    names = [p["name"] for p in (await portico.http.get(PRODUCTS, headers=staff)).json()]
    assert names == ["Design workshop", "Livres"]
    found = await portico.http.get(PRODUCTS, params={"q": "WORK"}, headers=staff)
    assert [p["id"] for p in found.json()] == [workshop["id"]]

    changed = await portico.http.patch(
        f"{PRODUCTS}/{workshop['id']}",
        json={"unit_price": "520.5", "archived": True},
        headers=staff,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["unit_price"] == "520.50"
    listed = (await portico.http.get(PRODUCTS, headers=staff)).json()
    assert [p["name"] for p in listed] == ["Livres"]
    everything = await portico.http.get(PRODUCTS, params={"archived": "true"}, headers=staff)
    assert [p["name"] for p in everything.json()] == ["Design workshop", "Livres"]

    removed = await portico.http.delete(f"{PRODUCTS}/{books['id']}", headers=staff)
    assert removed.status_code == 204
    gone = await portico.http.get(f"{PRODUCTS}/{books['id']}", headers=staff)
    assert gone.status_code == 404
    assert gone.headers["content-type"] == "application/problem+json"


async def test_bad_input_names_its_field_and_changes_nothing(portico: RunningPortico) -> None:
    staff = portico.headers("staff")
    workshop = await add(portico, WORKSHOP)
    for body, field in [
        ({**WORKSHOP, "unit_price": "12.345"}, "unit_price"),
        ({**WORKSHOP, "unit_price": "-1"}, "unit_price"),
        ({**WORKSHOP, "unit_price": "NaN"}, "unit_price"),
        ({**WORKSHOP, "vat_rate": "120"}, "vat_rate"),
        ({**WORKSHOP, "name": "  "}, "name"),
        ({**WORKSHOP, "colour": "red"}, "colour"),
    ]:
        refused = await portico.http.post(PRODUCTS, json=body, headers=staff)
        assert refused.status_code == 422, (body, refused.text)
        assert refused.json()["errors"][0]["field"] == field, body
    for body, field in [({"name": None}, "name"), ({"vat_rate": -5}, "vat_rate")]:
        refused = await portico.http.patch(f"{PRODUCTS}/{workshop['id']}", json=body, headers=staff)
        assert refused.status_code == 422, (body, refused.text)
        assert refused.json()["errors"][0]["field"] == field, body
    stored = (await portico.http.get(PRODUCTS, headers=staff)).json()
    assert stored == [workshop]


async def test_api_keys_need_their_scope_and_clients_never_reach_the_catalogue(
    portico: RunningPortico,
) -> None:
    reader = portico.headers("api_key", scopes=["quotes:read"])
    writer = portico.headers("api_key", scopes=["quotes:write", "quotes:read"])
    made = await portico.http.post(PRODUCTS, json=WORKSHOP, headers=writer)
    assert made.status_code == 201, made.text
    assert (await portico.http.get(PRODUCTS, headers=reader)).status_code == 200
    refused = await portico.http.post(PRODUCTS, json=WORKSHOP, headers=reader)
    assert refused.status_code == 403
    assert "quotes:write" in refused.json()["detail"]
    client = portico.headers("client", client_id=made.json()["id"], contact_id=made.json()["id"])
    assert (await portico.http.get(PRODUCTS, headers=client)).status_code == 403
    listed = await portico.http.get(PRODUCTS, headers=portico.headers("staff"))
    assert len(listed.json()) == 1
