"""Quotes through the API: staff make a draft for a client, with sections, an optional line,
three VAT rates and a discount, and read it totalled to the cent; lines copy the catalogue;
every refusal names its field and keeps nothing; only a draft changes or is deleted; a
quote is duplicated, voided and reopened; API keys need their scope, clients get nowhere.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from portico.kit.testing.services import RunningPortico
from portico.quotes.testing import (
    CLIENTS,
    QUOTES,
    SETTINGS,
    contact,
    field_of,
    known_to_quotes,
    make_client,
    make_product,
    make_quote,
    send,
    simple_quote,
)

WORKSHOP_DAYS = {
    "section": "design",
    "description": "Design workshop",
    "quantity": "2",
    "unit": "day",
    "unit_price": "480.00",
    "vat_rate": "20",
}
ATELIER = {
    "title": "Rénovation de l'atelier",
    "sections": [{"key": "design", "title": "Design"}, {"key": "print", "title": "Print"}],
    "lines": [
        WORKSHOP_DAYS,
        {
            "section": "design",
            "description": "Brand guide",
            "unit_price": "1250",
            "vat_rate": 20,
            "discount": {"kind": "percent", "value": "10"},
        },
        # 333 x 0.0125 = 4.1625: the line rounds to the cent, half up.
        {
            "section": "print",
            "description": "Labels",
            "quantity": 333,
            "unit_price": "0.0125",
            "vat_rate": "5.5",
        },
        {
            "section": "print",
            "description": "Books",
            "quantity": "3",
            "unit_price": "24.90",
            "vat_rate": "5.5",
        },
        {"description": "Catering", "quantity": "12", "unit_price": "18.35", "vat_rate": "10"},
        {
            "section": "design",
            "description": "An extra day",
            "unit_price": "480",
            "vat_rate": "20",
            "optional": True,
        },
    ],
    "discount": {"kind": "percent", "value": "5"},
}


async def test_a_draft_with_sections_an_optional_line_and_three_rates_is_totalled_to_the_cent(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin)
    staff = portico.headers("staff")
    made = await make_quote(portico, staff, {"client_id": client["id"], **ATELIER})

    assert made["status"] == "draft" and made["number"] is None
    assert made["contact_id"] == client["contacts"][0]["id"]
    assert made["locale"] == "fr"  # the contact's
    assert (made["currency"], made["decimals"]) == ("EUR", 2)
    assert made["client_name"] == "Atelier Lumière"
    issue = date.fromisoformat(made["issue_date"])
    assert date.fromisoformat(made["valid_until"]) == issue + timedelta(days=30)
    assert [(line["net"], line["counted"]) for line in made["lines"]] == [
        ("960.00", True),
        ("1125.00", True),
        ("4.16", True),
        ("74.70", True),
        ("220.20", True),
        ("480.00", False),
    ]
    assert [(s["key"], s["subtotal"]) for s in made["sections"]] == [
        ("design", "2085.00"),
        ("print", "78.86"),
    ]
    labels = made["lines"][2]
    assert (labels["quantity"], labels["unit_price"], labels["vat_rate"]) == (
        "333",
        "0.0125",
        "5.5",
    )
    assert made["lines"][1]["discount"] == {"kind": "percent", "value": "10"}
    assert made["totals"] == {
        "lines_total": "2384.06",
        "discount": "119.20",
        "total_without_tax": "2264.86",
        "taxes": [
            {"rate": "20", "base": "1980.75", "tax": "396.15"},
            {"rate": "10", "base": "209.19", "tax": "20.92"},
            {"rate": "5.5", "base": "74.92", "tax": "4.12"},
        ],
        "total_tax": "421.19",
        "total_with_tax": "2686.05",
    }
    # Read back as made; the list shows its total with tax.
    read = await portico.http.get(f"{QUOTES}/{made['id']}", headers=staff)
    assert read.status_code == 200 and read.json() == made
    listed = (await portico.http.get(QUOTES, headers=staff)).json()
    assert listed["total"] == 1
    [row] = listed["items"]
    assert (row["total_with_tax"], row["client_name"], row["number"]) == (
        "2686.05",
        "Atelier Lumière",
        None,
    )

    # The optional line taken: it counts, and the totals move with it.
    chosen = {**ATELIER, "lines": [*ATELIER["lines"][:5], {**ATELIER["lines"][5], "chosen": True}]}
    changed = await portico.http.put(
        f"{QUOTES}/{made['id']}", json={"client_id": client["id"], **chosen}, headers=staff
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["totals"]["lines_total"] == "2864.06"
    assert changed.json()["sections"][0]["subtotal"] == "2565.00"


async def test_a_yen_quote_has_no_decimals(portico: RunningPortico, admin: dict[str, str]) -> None:
    client = await make_client(portico, admin)
    made = await make_quote(
        portico,
        portico.headers("staff"),
        simple_quote(
            client,
            currency="JPY",
            lines=[{"description": "Consulting", "quantity": "3", "unit_price": "3333.5"}],
        ),
    )
    assert made["decimals"] == 0
    assert made["totals"]["total_without_tax"] == "10001"  # 10000.5, half up
    assert made["totals"]["total_with_tax"] == "12001"


async def test_a_line_from_the_catalogue_copies_the_product_unless_given(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin)
    staff = portico.headers("staff")
    workshop = await make_product(
        portico,
        staff,
        {
            "name": "Design workshop",
            "description": "A half-day with your team.",
            "unit": "day",
            "unit_price": "480.00",
            "vat_rate": "10",
        },
    )
    books = await make_product(
        portico, staff, {"name": "Books", "unit_price": "24.90", "vat_rate": "0"}
    )
    made = await make_quote(
        portico,
        staff,
        simple_quote(
            client,
            lines=[
                {"product_id": workshop["id"], "quantity": "2"},
                {"product_id": workshop["id"], "unit_price": "400", "description": "Discounted"},
                {"product_id": books["id"]},
            ],
        ),
    )
    first, second, third = made["lines"]
    assert first["product_id"] == workshop["id"]
    assert (first["description"], first["unit"], first["unit_price"], first["vat_rate"]) == (
        "Design workshop\nA half-day with your team.",
        "day",
        "480.00",
        "10",
    )
    assert (second["description"], second["unit_price"], second["vat_rate"]) == (
        "Discounted",
        "400.00",
        "10",
    )
    # A rate of 0 is a rate given, not left out.
    assert (third["description"], third["vat_rate"], third["net"]) == ("Books", "0", "24.90")
    # Changing the product later changes no quote made from it.
    await portico.http.patch(
        f"/api/quotes/v1/products/{workshop['id']}", json={"unit_price": "999"}, headers=staff
    )
    again = (await portico.http.get(f"{QUOTES}/{made['id']}", headers=staff)).json()
    assert again["lines"][0]["unit_price"] == "480.00"


async def test_every_refusal_names_its_field_and_keeps_nothing(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin)
    other = await make_client(portico, admin, name="Boulangerie Dupont")
    staff = portico.headers("staff")
    base = simple_quote(client)
    line = base["lines"][0]
    refusals: list[tuple[dict[str, Any], str, str | None]] = [
        # Refused by the totals, named as the body names it.
        (
            {
                **base,
                "lines": [line, line, {**line, "discount": {"kind": "percent", "value": 120}}],
            },
            "lines.2.discount",
            "100",
        ),
        ({**base, "lines": [{**line, "section": "nowhere"}]}, "lines.0.section", "nowhere"),
        (
            {**base, "sections": [{"key": "a", "title": "A"}, {"key": "a", "title": "B"}]},
            "sections",
            None,
        ),
        (
            {**base, "lines": [{**line, "quantity": "-1", "unit_price": "-5"}]},
            "lines.0.unit_price",
            None,
        ),
        ({**base, "discount": {"kind": "amount", "value": "5000"}}, "discount", None),
        ({**base, "discount": {"kind": "amount", "value": "0.001"}}, "discount", None),
        # Checked against what the service knows.
        ({**base, "client_id": str(uuid.uuid4())}, "client_id", None),
        ({**base, "contact_id": other["contacts"][0]["id"]}, "contact_id", None),
        ({**base, "assignee_id": client["id"]}, "assignee_id", None),
        (
            {**base, "lines": [{"product_id": client["id"]}]},
            "lines.0.product_id",
            None,
        ),
        ({**base, "lines": [{"description": "No price"}]}, "lines.0.unit_price", None),
        ({**base, "lines": [{"unit_price": "5"}]}, "lines.0.description", None),
        ({**base, "valid_until": "2020-01-01", "issue_date": "2020-02-01"}, "valid_until", None),
        # Refused by the schema, with its limit.
        ({**base, "lines": [line] * 501}, "lines", "500"),
        ({**base, "title": "x" * 201}, "title", "200"),
        ({**base, "notes": "x" * 20_001}, "notes", "20000"),
        ({**base, "lines": [{**line, "quantity": "1.2345"}]}, "lines.0.quantity", "3"),
        ({**base, "lines": [{**line, "unit_price": "NaN"}]}, "lines.0.unit_price", None),
        ({**base, "lines": [{**line, "vat_rate": "101"}]}, "lines.0.vat_rate", "100"),
        (
            {**base, "lines": [{**line, "quantity": "999999999", "unit_price": "99999999999"}]},
            "lines.0",
            "1,000,000,000,000",
        ),
        ({**base, "currency": "euro"}, "currency", None),
        ({**base, "title": "A\x00B"}, "title", "NUL"),
        ({**base, "issue_date": "9999-12-31"}, "issue_date", None),
        ({**base, "colour": "red"}, "colour", None),
        ({"title": "No client"}, "client_id", None),
    ]
    for body, field, said in refusals:
        refused = await portico.http.post(QUOTES, json=body, headers=staff)
        assert refused.status_code == 422, (field, refused.text)
        assert field_of(refused) == field, refused.text
        if said is not None:
            assert said in refused.json()["errors"][0]["message"], refused.text
    # Not JSON at all: a 400 problem, not a 500.
    garbled = await portico.http.post(
        QUOTES, content=b"{not json", headers={**staff, "content-type": "application/json"}
    )
    assert garbled.status_code == 400
    assert garbled.headers["content-type"] == "application/problem+json"
    for params, field in [({"status": "lost"}, "status"), ({"q": "a\x00b"}, "q")]:
        bad_filter = await portico.http.get(QUOTES, params=params, headers=staff)
        assert bad_filter.status_code == 422 and field_of(bad_filter) == field
    unknown = await portico.http.get(f"{QUOTES}/{client['id']}", headers=staff)
    assert unknown.status_code == 404
    assert (await portico.http.get(QUOTES, headers=staff)).json()["total"] == 0


async def test_a_deleted_client_takes_no_new_quote(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin)
    deleted = await portico.http.delete(f"{CLIENTS}/{client['id']}", headers=admin)
    assert deleted.status_code == 204
    await known_to_quotes(portico, client["id"], deleted=True)
    refused = await portico.http.post(
        QUOTES, json=simple_quote(client), headers=portico.headers("staff")
    )
    assert refused.status_code == 422 and field_of(refused) == "client_id"


async def test_only_a_draft_is_changed_or_deleted_and_a_sent_one_is_voided_or_reopened(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin, contacts=[contact(), contact("Paul", "Martin")])
    staff = portico.headers("staff")
    draft = await make_quote(portico, staff, simple_quote(client))
    sent = await make_quote(portico, staff, simple_quote(client, title="Envoyé"))
    first_send = await send(portico, staff, sent)
    assert first_send.status_code == 200, first_send.text
    number = first_send.json()["number"]

    # A draft's content is replaced wholesale, and its contact may be another of the client's.
    paul = client["contacts"][1]["id"]
    replaced = await portico.http.put(
        f"{QUOTES}/{draft['id']}",
        json=simple_quote(
            client,
            title="Refait",
            contact_id=paul,
            lines=[{"description": "One", "unit_price": "10"}],
        ),
        headers=staff,
    )
    assert replaced.status_code == 200, replaced.text
    assert (replaced.json()["title"], replaced.json()["contact_id"]) == ("Refait", paul)
    assert [line["description"] for line in replaced.json()["lines"]] == ["One"]

    # A sent quote is neither changed nor deleted: the problem says why and what to do.
    refused = await portico.http.put(
        f"{QUOTES}/{sent['id']}", json=simple_quote(client), headers=staff
    )
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    assert "Only a draft" in refused.json()["detail"] and "Reopen" in refused.json()["detail"]
    kept = await portico.http.delete(f"{QUOTES}/{sent['id']}", headers=staff)
    assert kept.status_code == 409 and "void it instead" in kept.json()["detail"]

    # Duplicated: a new draft, issued today, without a number.
    copy = await portico.http.post(f"{QUOTES}/{sent['id']}/duplicate", headers=staff)
    assert copy.status_code == 201, copy.text
    assert (copy.json()["status"], copy.json()["number"], copy.json()["title"]) == (
        "draft",
        None,
        "Envoyé",
    )
    assert (
        copy.json()["totals"]
        == (await portico.http.get(f"{QUOTES}/{sent['id']}", headers=staff)).json()["totals"]
    )

    # Reopened: a draft again, its number kept; changed, it still cannot change client.
    reopened = await portico.http.post(f"{QUOTES}/{sent['id']}/reopen", headers=staff)
    assert reopened.status_code == 200, reopened.text
    assert (reopened.json()["status"], reopened.json()["number"]) == ("draft", number)
    other = await make_client(portico, admin, name="Boulangerie Dupont")
    moved = await portico.http.put(
        f"{QUOTES}/{sent['id']}", json=simple_quote(other), headers=staff
    )
    assert moved.status_code == 422 and field_of(moved) == "client_id"
    numbered_draft = await portico.http.delete(f"{QUOTES}/{sent['id']}", headers=staff)
    assert numbered_draft.status_code == 409
    # Voided, then refused a second time with the reason statuses.py gives.
    voided = await portico.http.post(f"{QUOTES}/{sent['id']}/void", headers=staff)
    assert voided.status_code == 200 and voided.json()["status"] == "void"
    again = await portico.http.post(f"{QUOTES}/{sent['id']}/void", headers=staff)
    assert again.status_code == 409
    assert again.json()["detail"] == "This quote cannot be voided: it is void."
    not_sent = await portico.http.post(f"{QUOTES}/{draft['id']}/reopen", headers=staff)
    assert not_sent.status_code == 409 and "already a draft" in not_sent.json()["detail"]

    # The draft never sent is deleted.
    gone = await portico.http.delete(f"{QUOTES}/{draft['id']}", headers=staff)
    assert gone.status_code == 204
    assert (await portico.http.get(f"{QUOTES}/{draft['id']}", headers=staff)).status_code == 404


async def test_the_list_filters_by_status_client_assignee_and_text(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    me = (await portico.http.get("/api/portal/v1/me", headers=admin)).json()
    atelier = await make_client(portico, admin, assigned_staff_id=me["id"])
    bakery = await make_client(portico, admin, name="Boulangerie Dupont")
    staff = portico.headers("staff")
    site = await make_quote(portico, staff, simple_quote(atelier, title="Site web"))
    assert site["assignee_id"] == me["id"]  # the client's staff in charge
    await make_quote(portico, staff, simple_quote(atelier, title="Brochure"))
    bread = await make_quote(portico, staff, simple_quote(bakery, title="Vitrine"))
    assert (await send(portico, staff, bread)).status_code == 200

    async def titles(**params: Any) -> list[str]:
        answer = await portico.http.get(QUOTES, params=params, headers=staff)
        assert answer.status_code == 200, answer.text
        return sorted(item["title"] for item in answer.json()["items"])

    assert await titles() == ["Brochure", "Site web", "Vitrine"]
    assert await titles(status="sent") == ["Vitrine"]
    assert await titles(client_id=atelier["id"]) == ["Brochure", "Site web"]
    assert await titles(assignee_id=me["id"]) == ["Brochure", "Site web"]
    assert await titles(q="boulangerie") == ["Vitrine"]  # the client's name
    assert await titles(q="SITE") == ["Site web"]
    assert await titles(q=f"DEV-{date.today().year}") == ["Vitrine"]
    assert await titles(q="100%") == []
    page = (await portico.http.get(QUOTES, params={"limit": 2, "offset": 2}, headers=staff)).json()
    assert (page["total"], len(page["items"]), page["limit"], page["offset"]) == (3, 1, 2, 2)


async def test_settings_are_read_by_staff_changed_by_admins_and_patterns_checked(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    staff = portico.headers("staff")
    read = await portico.http.get(SETTINGS, headers=staff)
    assert read.status_code == 200
    assert (read.json()["number_pattern"], read.json()["validity_days"]) == (
        "DEV-{YYYY}-{seq:4}",
        30,
    )
    assert read.json()["invoice_number_pattern"] == "FAC-{YYYY}-{seq:5}"
    body = {**read.json(), "validity_days": 15, "default_terms": "Net 30."}
    body.pop("updated_at")
    assert (await portico.http.put(SETTINGS, json=body, headers=staff)).status_code == 403
    for field, pattern, said in [
        ("number_pattern", "DEV-{YYYY}", "{seq:N}"),
        ("invoice_number_pattern", "FAC-{MM}-{seq}", "{YYYY}"),
        ("number_pattern", "DEV {seq}", "' '"),
    ]:
        refused = await portico.http.put(SETTINGS, json={**body, field: pattern}, headers=admin)
        assert refused.status_code == 422, refused.text
        assert field_of(refused) == field
        assert said in refused.json()["errors"][0]["message"]
    saved = await portico.http.put(SETTINGS, json=body, headers=admin)
    assert saved.status_code == 200, saved.text
    # A new quote takes the settings' validity and terms.
    client = await make_client(portico, admin)
    made = await make_quote(portico, staff, simple_quote(client, issue_date="2030-01-10"))
    assert (made["valid_until"], made["terms"]) == ("2030-01-25", "Net 30.")


async def test_api_keys_need_their_scope_and_clients_never_reach_quotes(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin)
    writer = portico.headers("api_key", scopes=["quotes:write", "quotes:read"])
    made = await make_quote(portico, writer, simple_quote(client))
    assert made["created_by"] is None  # an API key is no staff member
    for scopes in (["quotes:read"], []):
        key = portico.headers("api_key", scopes=scopes)
        listed = await portico.http.get(QUOTES, headers=key)
        assert listed.status_code == (200 if scopes else 403)
        for method, path, body in [
            ("POST", QUOTES, simple_quote(client)),
            ("PUT", f"{QUOTES}/{made['id']}", simple_quote(client)),
            ("POST", f"{QUOTES}/{made['id']}/send", {}),
            ("POST", f"{QUOTES}/{made['id']}/void", None),
            ("DELETE", f"{QUOTES}/{made['id']}", None),
        ]:
            refused = await portico.http.request(method, path, json=body, headers=key)
            assert refused.status_code == 403, (method, path)
            assert "quotes:write" in refused.json()["detail"]
    theirs = portico.headers(
        "client", client_id=client["id"], contact_id=client["contacts"][0]["id"]
    )
    assert (await portico.http.get(QUOTES, headers=theirs)).status_code == 403
    assert (await portico.http.get(f"{QUOTES}/{made['id']}", headers=theirs)).status_code == 403
    assert (await portico.http.get(SETTINGS, headers=theirs)).status_code == 403
    still = await portico.http.get(f"{QUOTES}/{made['id']}", headers=writer)
    assert still.json()["status"] == "draft"
