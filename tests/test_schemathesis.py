"""Every service's OpenAPI document tells the truth: schemathesis generates requests from it
(valid and invalid ones, stateless) and every answer must be one the document describes.

One backend only, the embedded one (SQLite, in-process bus), as `make run` starts it: what is
checked here is the documents and the HTTP layer, which are the same on every backend; the
backends themselves are covered by the services' own tests, which run on both.

Bounded for CI: 5 generated examples per operation and phase (about 70 operations, each also
gets schemathesis' deterministic coverage cases: every status and content type it can reach,
a wrong method, a missing header...), which keeps the file well under 3 minutes on a busy
two-core machine. Derandomized, and without hypothesis' example database: the same requests
every run, so a failure in CI is the failure on a laptop, and a passing run stays passing
until the code or the documents change.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import Case
from schemathesis.config import SchemathesisConfig

from portico.kit.auth.principals import Principal
from portico.kit.auth.tokens import TokenIssuer
from portico.kit.bus.memory import InMemoryBus
from portico.kit.host import discover_services
from portico.kit.service import Runtime, create_app
from portico.kit.settings import PorticoSettings
from portico.kit.testing.live import LivePortico
from portico.portal.testing import ADMIN_EMAIL, ADMIN_PASSWORD

SERVICES = discover_services()

# Answers that depend on more than a request's shape, which no schema can say: each is allowed
# for its operation only, with the reason. Everything else is held to the documents as they are.
ALSO_ACCEPTABLE: dict[str, list[int]] = {
    # A generated token is never a live one: the link has expired or was used.
    "POST /v1/auth/password-reset/confirm": [410],
    "GET /v1/invitations/accept": [410],
    "POST /v1/invitations/accept": [410],
    # The current password must be the account's own.
    "POST /v1/me/password": [422],
    # Choices belong to a choice attribute.
    "POST /v1/attributes": [422],
    # An address is one person's, staff or contact; the staff user in charge must be active.
    "PATCH /v1/me": [422],
    "POST /v1/staff": [422],
    "PATCH /v1/staff/{user_id}": [422],
    "POST /v1/clients": [422],
    "PATCH /v1/clients/{client_id}": [422],
    "POST /v1/clients/{client_id}/contacts": [422],
    "PATCH /v1/clients/{client_id}/contacts/{contact_id}": [422],
    # A document state filters by a document type, which must be named with it.
    "GET /v1/clients": [422],
    # "before" and "after" page in one direction.
    "GET /v1/workspaces/{workspace_id}/messages": [422],
    # The logo must really be an image: its bytes are decoded.
    "PUT /v1/organisation/logo": [415],
    # A template's document is read by its content: a generated file is refused, saying why.
    "POST /v1/templates": [413, 415, 422],
    # Fields are checked together: unique names, the template's roles and pages, formulas
    # and conditions that read fields that exist; a role still given fields stays.
    "PUT /v1/templates/{template_id}/fields": [422],
    "PATCH /v1/templates/{template_id}": [422],
    # Previews exist at the widths the service renders (a setting).
    "GET /v1/templates/{template_id}/pages/{index}/preview": [422],
    # Recipients are checked against the template's roles and the client's contacts.
    "POST /v1/submissions": [422],
    # Only a PDF can be verified, and only a real PKCS#12 seals: their bytes are read.
    "POST /v1/verify": [422],
    "POST /v1/seal-key": [422],
    # A document type's fields are checked together (an expiry date is a date field, a
    # type that expires has one), and its size within the server's limit.
    "POST /v1/document-types": [422],
    "PATCH /v1/document-types/{type_id}": [422],
    # A document is read by its content, against its type's formats, size and fields; the
    # type must be one asked of the client; a rejection needs its reason.
    "POST /v1/clients/{client_id}/documents": [413, 415, 422],
    "PATCH /v1/clients/{client_id}/documents/{document_id}": [422],
    "POST /v1/clients/{client_id}/documents/{document_id}/review": [422],
    "POST /v1/my-documents": [413, 415, 422],
    # An amount is a decimal of at most 2 places, as a number or a string: JSON Schema
    # cannot say either of a number, nor which strings are decimals.
    "POST /v1/products": [422],
    "PATCH /v1/products/{product_id}": [422],
    # A quote's client, contact, staff in charge and products must be ones the service
    # knows; its lines are totalled as a whole (a discount within its line, a section that
    # exists, a total that is not negative); a quote sent keeps its client.
    "POST /v1/quotes": [422],
    "PUT /v1/quotes/{quote_id}": [422],
    # The contact must be one of the client's, with an email address.
    "POST /v1/quotes/{quote_id}/send": [422],
    "POST /v1/quotes/{quote_id}/remind": [422],
    # An invoice's due date cannot come before its issue date, today: a rule of the clock.
    "POST /v1/quotes/{quote_id}/invoice": [422],
    # A task's assignee must be a staff member the service knows, and active.
    "POST /v1/quotes/{quote_id}/tasks": [422],
    # Numbering patterns are read token by token (one {seq}, {MM} beside a year).
    "PUT /v1/quote-settings": [422],
    # An online quote's answers are read after the schema: a text of spaces or with a NUL,
    # a time zone no one knows, a signature the organisation requires, a drawn one whose
    # bytes are not a PNG within the limits, the terms not accepted, lines not the quote's.
    "POST /v1/online/{token}/accept": [422],
    "POST /v1/online/{token}/decline": [422],
    "POST /v1/online/{token}/feedback": [422],
    "PUT /v1/online/{token}/choices": [422],
    # A webhook's URL is held to rules of the deployment: https, no credentials, no address
    # inside the network (http://localhost only in development).
    "POST /v1/webhooks": [422],
    "PATCH /v1/webhooks/{webhook_id}": [422],
}
# Date filters take a number as a Unix time (pydantic's reading of a datetime), which the
# schema's date-time format does not say: not a request to refuse.
LENIENT = ["GET /v1/submissions"]
CONFIG = SchemathesisConfig.from_str(
    "\n".join(
        f"""
[[operations]]
include-name = "{name}"
checks.positive_data_acceptance.expected-statuses = ["2xx", 401, 403, 404, 409, 429, {
            ", ".join(str(status) for status in statuses)
        }]
"""
        for name, statuses in ALSO_ACCEPTABLE.items()
    )
    + "".join(
        f"""
[[operations]]
include-name = "{name}"
checks.negative_data_rejection.enabled = false
"""
        for name in LENIENT
    )
)

# Addresses a real person could have: hypothesis' own go to reserved domains (.test, .local),
# which the services refuse, rightly, since no email can reach them.
schemathesis.openapi.format(
    "email", st.emails(domains=st.sampled_from(["studio.example", "atelier-lumiere.example"]))
)

EXAMPLES = settings(
    max_examples=5,
    derandomize=True,
    database=None,
    deadline=None,
    # A slow first request (the database warming up) is not what these tests are about.
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LivePortico]:
    root = tmp_path_factory.mktemp("schemathesis")
    running = LivePortico(
        root / "data",
        env={"PORTICO_ADMIN_EMAIL": ADMIN_EMAIL, "PORTICO_ADMIN_PASSWORD": ADMIN_PASSWORD},
    )
    running.start()
    try:
        yield running
    finally:
        running.kill()


@pytest.fixture(scope="module")
def admin(live: LivePortico) -> dict[str, str]:
    """Headers of the first admin, so that routes are exercised past their 401.

    The token is the admin's (their id, their role) but belongs to no session: logging out
    with it, which schemathesis does, ends nothing, and every later request still gets in.
    A logged-in session's token would be ended by the first generated logout.
    """
    logged_in = httpx.post(
        f"{live.url}/api/portal/v1/auth/login",
        json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD},
    )
    assert logged_in.status_code == 200, logged_in.text
    session = {"Authorization": f"Bearer {logged_in.json()['access_token']}"}
    me = httpx.get(f"{live.url}/api/portal/v1/me", headers=session).json()
    keys = Path(live.data_dir / "keys")
    token, _ = TokenIssuer((keys / "jwt-private.pem").read_text(), "portico").issue(
        Principal(subject=str(uuid.UUID(me["id"])), role="admin")
    )
    return {"Authorization": f"Bearer {token}"}


def _documents() -> dict[str, schemathesis.BaseSchema]:
    """Each installed service's OpenAPI document, built as the service serves it.

    Built here rather than read from the running process: the test is parametrized when
    pytest collects it, before any process runs (the lazy, fixture-based loading does not
    work with this pytest). ``test_the_served_documents_are_the_ones_checked`` proves both
    are the same.
    """
    with tempfile.TemporaryDirectory() as folder:
        settings_ = PorticoSettings(data_dir=Path(folder), keys_dir=Path(folder) / "keys")
        return {
            service.name: schemathesis.openapi.from_dict(
                create_app(Runtime(service, settings_, InMemoryBus())).openapi(), config=CONFIG
            )
            for service in SERVICES
        }


DOCUMENTS = _documents()
# The test is given a case of one of the documents (a copy): its title says which service.
MOUNTS = {document.raw_schema["info"]["title"]: name for name, document in DOCUMENTS.items()}


@schemathesis.pytest.parametrize(**DOCUMENTS)
@EXAMPLES
def test_every_service_answers_as_its_openapi_says(
    case: Case, live: LivePortico, admin: dict[str, str]
) -> None:
    service = MOUNTS[case.operation.schema.raw_schema["info"]["title"]]
    case.call_and_validate(base_url=f"{live.url}/api/{service}", headers=admin)


def test_the_served_documents_are_the_ones_checked(live: LivePortico) -> None:
    """Every service the running process serves is checked above, with the document it
    serves: a new service's API is not left out."""
    served = httpx.get(f"{live.url}/api").json()["services"]
    assert sorted(served) == sorted(DOCUMENTS)
    for service, document in DOCUMENTS.items():
        spec = httpx.get(f"{live.url}/api/{service}/openapi.json").json()
        assert spec["paths"] == document.raw_schema["paths"]
        assert spec["components"] == document.raw_schema["components"]


def test_every_allowance_names_an_operation() -> None:
    """An allowance left behind by a renamed route would allow nothing, silently."""
    operations = {
        f"{method.upper()} {path}"
        for document in DOCUMENTS.values()
        for path, methods in document.raw_schema["paths"].items()
        for method in methods
    }
    assert set(ALSO_ACCEPTABLE) <= operations, set(ALSO_ACCEPTABLE) - operations
