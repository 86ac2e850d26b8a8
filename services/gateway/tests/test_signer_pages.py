"""The signer's page, as a browser asks for it (no browser here): a link from an email opens
the document in the submitter's language with their fields, a draft is kept and found
again, the server's refusals come back as problem+json naming each field, a submission
ends in its done state and the completed PDF, a decline in its own; where the template
allows it, the signer passes the request on and the new person's link opens it; an expired
link says so, an unknown one is the 404 page, and a link opens its own submission only."""

from __future__ import annotations

import html
import json
import re
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from portico.contracts.events.signing import DocumentCompleted, SigningCodeSent
from portico.gateway.testing import Site
from portico.kit.auth.capabilities import hash_capability
from portico.kit.db import utcnow
from portico.kit.testing.services import RunningPortico
from portico.signing.models import SigningLink
from portico.signing.testing import (
    CLIENT_VALUES,
    FIELDS,
    SUBMISSIONS,
    TEMPLATES,
    drawn_signature,
    link_of,
    make_client,
    make_template,
    replica_ready,
    send_to,
    sent_and_ready,
)

EMBEDDED = pytest.mark.backends("embedded")
DATA = re.compile(r'<script type="application/json" id="signer-data">(.*?)</script>', re.S)
# The client's fields only: their submission completes the document.
CLIENT_FIELDS = [field for field in FIELDS if field["role"] == "Client"]


def signer_data(page: Any) -> dict[str, Any]:
    found = DATA.search(page.text)
    assert found, page.text[:2000]
    data: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return data


def panel_shown(page: Any, name: str) -> bool:
    found = re.search(rf'<section class="[^"]*" data-panel="{name}"[^>]*>', page.text)
    assert found, name
    return " hidden" not in found.group(0)


async def open_page(site: Site, token: str, time_zone: str = "Europe/Paris") -> Any:
    page = await site.get(f"/sign/{token}", params={"time_zone": time_zone})
    assert page.status_code == 200, page.text[:2000]
    return page


async def send_json(
    site: Site, method: str, path: str, body: dict[str, Any], language: str = "en"
) -> Any:
    return await site.http.request(
        method,
        path,
        json=body,
        headers={"X-CSRF-Token": site.csrf, "Accept-Language": language},
    )


@EMBEDDED
async def test_the_link_opens_the_document_with_the_signers_fields_in_their_language(
    site: Site, portico: RunningPortico
) -> None:
    _, submission, token = await sent_and_ready(portico, portico.headers("admin"))

    # The first opening in a browser: a small page notes the time zone and asks again.
    first = await site.get(f"/sign/{token}")
    assert first.status_code == 200
    assert "signer/opening.js" in first.text and "signer-data" not in first.text

    page = await open_page(site, token)
    # Inès's language is French, as the sender recorded it.
    assert '<html lang="fr">' in page.text
    assert "Order form" in page.text
    data = signer_data(page)
    assert data["state"] == "sign" and data["submissionId"] == submission["id"]
    mine = {field["name"] for field in data["fields"] if field["mine"]}
    assert {"City", "Signature", "Agree", "Total"} <= mine
    assert "Countersignature" not in mine
    company = next(field for field in data["fields"] if field["name"] == "Company")
    assert company["value"] == "Atelier Lumière"
    total = next(field for field in data["fields"] if field["name"] == "Total")
    assert total["formula"] == "{Quantity} * {Price}"
    assert len(data["pages"]) == 2
    assert "signer/signer.js" in page.text

    image = await site.get(f"/sign/{token}/pages/0", params={"width": 1200})
    assert image.status_code == 200 and image.headers["content-type"] == "image/webp"
    assert (await site.get(f"/sign/{token}/pages/7")).status_code == 404

    # The opening is in the trail with the browser's time zone.
    detail = (
        await portico.http.get(
            f"{SUBMISSIONS}/{submission['id']}", headers=portico.headers("staff")
        )
    ).json()
    viewed = [event for event in detail["trail"] if event["action"] == "viewed"]
    assert len(viewed) == 1 and viewed[0]["time_zone"] == "Europe/Paris"

    # The visitor's own choice of language wins.
    await site.post("/language", {"locale": "en", "next": f"/sign/{token}"})
    assert '<html lang="en">' in (await open_page(site, token)).text


@EMBEDDED
async def test_a_draft_is_kept_and_found_again_and_refusals_name_each_field(
    site: Site, portico: RunningPortico
) -> None:
    _, _submission, token = await sent_and_ready(portico, portico.headers("admin"))
    await open_page(site, token)

    saved = await send_json(
        site,
        "PUT",
        f"/sign/{token}/draft",
        {"values": {"City": "Lyon", "Quantity": "4"}, "time_zone": "Europe/Paris"},
    )
    assert saved.status_code == 200, saved.text
    assert saved.json() == {"saved": True}
    again = signer_data(await open_page(site, token))
    values = {field["name"]: field["value"] for field in again["fields"]}
    assert values["City"] == "Lyon" and values["Quantity"] == 4

    # A draft is checked for kinds: a number that is not one is named.
    refused = await send_json(
        site, "PUT", f"/sign/{token}/draft", {"values": {"Quantity": "many"}}, language="en"
    )
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["errors"] == [
        {"field": "Quantity", "code": "number_type", "message": "Enter a number."}
    ]

    # The final submission needs every required field that is shown, and a signature.
    missing = await send_json(
        site, "POST", f"/sign/{token}/submit", {"values": {"Quantity": 200}}, language="en"
    )
    assert missing.status_code == 422
    assert missing.headers["content-type"].startswith("application/problem+json")
    problem = missing.json()
    by_field = {error["field"]: error["message"] for error in problem["errors"]}
    assert by_field["City"] == "This field is required."
    assert by_field["Signature"] == "This field is required."
    assert by_field["Quantity"] == "The largest allowed is 100."
    assert problem["title"].startswith("Some fields need attention")
    # In the page's language when it is French.
    french = await send_json(site, "POST", f"/sign/{token}/submit", {"values": {}}, language="fr")
    assert french.status_code == 422
    assert "This field is required." not in french.text

    # Nothing was submitted: the page still asks for the signature.
    assert signer_data(await open_page(site, token))["state"] == "sign"


@EMBEDDED
async def test_a_signer_submits_and_the_page_offers_the_completed_document(
    site: Site, portico: RunningPortico
) -> None:
    _, submission, token = await sent_and_ready(
        portico, portico.headers("admin"), fields=CLIENT_FIELDS
    )
    await open_page(site, token)
    submitted = await send_json(
        site,
        "POST",
        f"/sign/{token}/submit",
        {
            "values": CLIENT_VALUES | {"Signature": {"image": drawn_signature()}},
            "time_zone": "Europe/Paris",
        },
    )
    assert submitted.status_code == 200, submitted.text
    outcome = submitted.json()
    assert outcome["state"] == "done" and outcome["status"] == "completed"

    # Submitting again is refused: the page reloads into its done state.
    again = await send_json(site, "POST", f"/sign/{token}/submit", {"values": CLIENT_VALUES})
    assert again.status_code == 409

    [completed] = await portico.events.wait_for(
        DocumentCompleted.event_type, subject=submission["id"], timeout=60
    )
    page = await open_page(site, token)
    assert signer_data(page)["state"] == "done"
    assert panel_shown(page, "done") and not panel_shown(page, "declined")
    assert f'href="/sign/{token}/completed.pdf"' in page.text
    status = await site.get(f"/sign/{token}/status")
    assert status.json()["completed"] is True
    pdf = await site.get(f"/sign/{token}/completed.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert pdf.headers["content-disposition"].startswith("attachment;")
    assert "Order form" in pdf.headers["content-disposition"]

    # The copy link the completion email carries: a page with the download.
    copy_url = completed.data["submitters"][0]["copy_url"]
    copy_token = copy_url.rsplit("/", 1)[1]
    assert copy_url.endswith(f"/sign/copy/{copy_token}")
    copy_page = await site.get(f"/sign/copy/{copy_token}")
    assert copy_page.status_code == 200
    assert f'href="/sign/copy/{copy_token}/completed.pdf"' in copy_page.text
    copy = await site.get(f"/sign/copy/{copy_token}/completed.pdf")
    assert copy.status_code == 200 and copy.content == pdf.content
    # A copy link opens nothing to sign.
    assert (await site.get(f"/sign/{copy_token}", params={"time_zone": "UTC"})).status_code == 404
    missing = await site.get(f"/sign/copy/{'x' * 43}/completed.pdf")
    assert missing.status_code == 404


@EMBEDDED
async def test_a_signer_declines_with_a_reason(site: Site, portico: RunningPortico) -> None:
    _, submission, token = await sent_and_ready(portico, portico.headers("admin"))
    await open_page(site, token)
    without = await send_json(site, "POST", f"/sign/{token}/decline", {"reason": "  "})
    assert without.status_code == 422
    assert without.json()["errors"][0]["field"] == "reason"

    declined = await send_json(
        site,
        "POST",
        f"/sign/{token}/decline",
        {"reason": "The price is wrong.", "time_zone": "UTC"},
    )
    assert declined.status_code == 200, declined.text
    assert declined.json()["state"] == "declined"
    page = await open_page(site, token)
    assert panel_shown(page, "declined") and not panel_shown(page, "done")
    assert "signer/signer.js" not in page.text
    staff = portico.headers("staff")
    detail = (await portico.http.get(f"{SUBMISSIONS}/{submission['id']}", headers=staff)).json()
    assert detail["status"] == "declined"
    assert detail["submitters"][0]["decline_reason"] == "The price is wrong."


PAUL = {"name": "Paul Martin", "email": "paul@lumiere.example", "locale": "en", "channel": "email"}


@EMBEDDED
async def test_passing_the_request_on_is_offered_only_where_the_template_allows_it(
    site: Site, portico: RunningPortico
) -> None:
    _, _submission, token = await sent_and_ready(
        portico, portico.headers("admin"), fields=CLIENT_FIELDS
    )
    page = await open_page(site, token)
    assert "data-forward-open" not in page.text and "data-forward-dialog" not in page.text
    refused = await send_json(site, "POST", f"/sign/{token}/forward", PAUL)
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == "forwarding_not_allowed"
    # Nothing changed: the link still opens the document to sign.
    assert signer_data(await open_page(site, token))["state"] == "sign"


@EMBEDDED
async def test_someone_else_should_sign_and_their_own_link_opens_the_document(
    site: Site, portico: RunningPortico
) -> None:
    admin = portico.headers("admin")
    client = await make_client(portico, admin)
    template = await make_template(portico, CLIENT_FIELDS)
    allowed = await portico.http.patch(
        f"{TEMPLATES}/{template['id']}",
        json={"allow_forwarding": True},
        headers=portico.headers("staff"),
    )
    assert allowed.status_code == 200, allowed.text
    await replica_ready(portico, template, client)
    submission = (await send_to(portico, template, client)).json()
    token = await link_of(portico, submission["id"], "ines@lumiere.example")
    page = await open_page(site, token)
    assert "data-forward-open" in page.text and "data-forward-dialog" in page.text

    # The link goes by email: the address is asked for, by its field, in the page's language.
    without = {"name": "Paul Martin", "locale": "en", "channel": "email"}
    missing = await send_json(site, "POST", f"/sign/{token}/forward", without)
    assert missing.status_code == 422
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert missing.json()["errors"] == [
        {
            "field": "email",
            "code": "missing",
            "message": "Give their email address to send it by email.",
        }
    ]
    to_self = await send_json(
        site,
        "POST",
        f"/sign/{token}/forward",
        PAUL | {"email": "ines@lumiere.example"},
        language="fr",
    )
    assert to_self.status_code == 422
    [error] = to_self.json()["errors"]
    assert error["field"] == "email" and error["code"] == "same_person"
    assert error["message"] == "C’est votre propre adresse\u00a0: indiquez quelqu’un d’autre."

    passed = await send_json(
        site,
        "POST",
        f"/sign/{token}/forward",
        PAUL | {"reason": "Paul signs for the company.", "time_zone": "Europe/Paris"},
    )
    assert passed.status_code == 200, passed.text
    assert passed.json() == {"state": "forwarded", "forwardedTo": "Paul Martin"}
    # Inès's link no longer opens anything.
    gone = await site.get(f"/sign/{token}", params={"time_zone": "UTC"})
    assert gone.status_code == 410
    assert "This link has expired. Ask the sender for a new one." in gone.text

    # Paul's own link, in his language, opens the document for him to sign.
    pauls = await link_of(portico, submission["id"], "paul@lumiere.example")
    opened = await open_page(site, pauls)
    assert '<html lang="en">' in opened.text
    data = signer_data(opened)
    assert data["state"] == "sign" and data["signerName"] == "Paul Martin"
    assert {field["name"] for field in data["fields"] if field["mine"]} >= {"City", "Signature"}


@EMBEDDED
async def test_an_expired_link_says_so_and_an_unknown_one_is_not_found(
    site: Site, portico: RunningPortico
) -> None:
    _, _submission, token = await sent_and_ready(portico, portico.headers("admin"))
    async with portico.runtime("signing").database.transaction() as tx:
        await tx.execute(
            update(SigningLink)
            .where(SigningLink.token_hash == hash_capability(token))
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
    gone = await site.get(f"/sign/{token}", params={"time_zone": "UTC"})
    assert gone.status_code == 410
    assert "This link has expired. Ask the sender for a new one." in gone.text
    saved = await send_json(site, "PUT", f"/sign/{token}/draft", {"values": {"City": "Lyon"}})
    assert saved.status_code == 410
    assert saved.json()["title"] == "This link has expired. Ask the sender for a new one."

    unknown = await site.get(f"/sign/{'A' * 43}", params={"time_zone": "UTC"})
    assert unknown.status_code == 404 and "Page not found" in unknown.text
    assert (await site.get("/sign/short", params={"time_zone": "UTC"})).status_code == 404
    assert (await site.get(f"/sign/{'A' * 43}/pages/0")).status_code == 404


@EMBEDDED
async def test_a_link_opens_its_own_submission_only(site: Site, portico: RunningPortico) -> None:
    admin = portico.headers("admin")
    _, first, first_token = await sent_and_ready(portico, admin)
    _, second, second_token = await sent_and_ready(portico, admin)
    assert signer_data(await open_page(site, first_token))["submissionId"] == first["id"]
    assert signer_data(await open_page(site, second_token))["submissionId"] == second["id"]

    saved = await send_json(
        site, "PUT", f"/sign/{first_token}/draft", {"values": {"City": "Marseille"}}
    )
    assert saved.status_code == 200
    second_values = {
        field["name"]: field["value"]
        for field in signer_data(await open_page(site, second_token))["fields"]
    }
    assert second_values["City"] is None
    assert "Marseille" not in (await open_page(site, second_token)).text


@EMBEDDED
async def test_an_identity_check_opens_the_document_with_the_code_sent(
    site: Site, portico: RunningPortico
) -> None:
    admin = portico.headers("admin")
    client = await make_client(portico, admin)
    template = await make_template(portico, CLIENT_FIELDS)
    await replica_ready(portico, template, client)
    sent = await send_to(portico, template, client, identity_check="email_code")
    assert sent.status_code == 201, sent.text
    submission = sent.json()
    token = await link_of(portico, submission["id"], "ines@lumiere.example")

    page = await open_page(site, token)
    assert "i•••@lumiere.example" in page.text
    assert "signer-data" not in page.text and "Atelier Lumière" not in page.text
    # The document's parts stay closed until then.
    assert (await site.get(f"/sign/{token}/pages/0")).status_code == 404
    refused = await send_json(site, "PUT", f"/sign/{token}/draft", {"values": {"City": "Lyon"}})
    assert refused.status_code == 403

    asked = await site.post(f"/sign/{token}/code")
    assert asked.status_code == 303 and asked.headers["location"] == f"/sign/{token}"
    [event] = await portico.events.wait_for(SigningCodeSent.event_type, subject=submission["id"])
    code = str(event.data["code"])
    form = await open_page(site, token)
    assert 'name="code"' in form.text

    wrong = await site.post(
        f"/sign/{token}/code/check", {"code": "000000" if code != "000000" else "111111"}
    )
    assert wrong.status_code == 422
    assert "more tries before it stops working" not in wrong.text  # French: Inès's language
    assert 'aria-invalid="true"' in wrong.text

    right = await site.post(f"/sign/{token}/code/check", {"code": code})
    assert right.status_code == 303
    opened = await open_page(site, token)
    data = signer_data(opened)
    assert data["state"] == "sign"
    assert {field["name"] for field in data["fields"] if field["mine"]} >= {"City", "Signature"}


FORM_STATE_JS = (
    Path(__file__).parents[1] / "src/portico/gateway/areas/signing/static/js/signer/form-state.js"
)
LOGIC_FIELDS = [
    *FIELDS,
    {"name": "Discount", "type": "number", "formula": "round({Total} * 0.1, 2)"},
    {
        "name": "Big order",
        "type": "text",
        "condition": {
            "join": "any",
            "conditions": [
                {"field": "Discount", "operator": "at_least", "value": "5"},
                {"field": "PO number", "operator": "not_empty"},
            ],
        },
    },
]
LOGIC_CASES: list[dict[str, Any]] = [
    {},
    {"Quantity": 3, "Price": "12,5", "Plan": "Basic"},
    {"Quantity": "40", "Price": "2", "Plan": "Pro", "PO number": ""},
    {"Quantity": "2", "Price": "x", "Plan": "Pro", "PO number": "PO-1"},
]


def test_the_page_shows_and_computes_the_fields_as_the_service_decides() -> None:
    """The signer's page orders conditions and formulas as the service does (with the
    editor's evaluator): the same fields shown, the same values computed."""
    from portico.signing.fields.logic import evaluate
    from portico.signing.fields.spec import FieldSpec
    from portico.signing.submissions.values import logic_of

    script = f"""
      import {{ evaluateForm, prepare }} from {json.dumps(FORM_STATE_JS.as_uri())};
      const fields = {json.dumps(LOGIC_FIELDS)};
      const cases = {json.dumps(LOGIC_CASES)};
      const prepared = prepare(fields);
      console.log(JSON.stringify(cases.map((posted) => {{
        const state = evaluateForm(prepared, posted);
        return {{ visible: [...state.visible].sort(), values: state.values }};
      }})));
    """
    ran = subprocess.run(
        ["node", "--input-type=module", "-e", script],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    browser = json.loads(ran.stdout)
    specs = [
        FieldSpec.model_validate(
            {"role": "Client", "page": 0, "x": 0.1, "y": 0.1, "w": 0.1, "h": 0.1} | field
        )
        for field in LOGIC_FIELDS
    ]
    for posted, seen in zip(LOGIC_CASES, browser, strict=True):
        state = evaluate(logic_of(specs), posted)
        assert seen["visible"] == sorted(state.visible), posted
        assert seen["values"] == pytest.approx(state.values), posted
