"""docs/events.md: current, complete (every event, every field), and its Python examples
work: the webhook receiver accepts a request signed as Standard Webhooks says (the
specification's own example among them) and refuses one that is not, over real HTTP."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import orjson
import pytest

from portico.contracts import Envelope, all_events
from portico.contracts.envelope import Event
from portico.contracts.event_docs import _anchor, main, render

COMMITTED = Path(__file__).resolve().parents[3] / "docs" / "events.md"
# The example of the Standard Webhooks specification's reference libraries.
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TIMESTAMP = 1614265330
SPEC_BODY = b'{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
SECRET = "whsec_" + base64.b64encode(b"a receiver's 32-byte secret key!").decode()


@pytest.fixture(scope="module")
def page() -> str:
    return render()


def sections(page: str, level: str) -> dict[str, str]:
    """Each heading of that level (``###``), with the text up to the next heading of it."""
    found: dict[str, str] = {}
    for part in re.split(rf"^{level} ", page, flags=re.MULTILINE)[1:]:
        heading, _, body = part.partition("\n")
        found[heading] = re.split(r"^#{1,3} ", body, flags=re.MULTILINE)[0]
    return found


def event_section(page: str, event_type: str, model: type[Event]) -> str:
    return sections(page, "###")[f"{model.__name__} (`{event_type}`)"]


def table_rows(section: str) -> dict[str, list[str]]:
    """The rows of a section's table, by their first cell (the field's name)."""
    rows: dict[str, list[str]] = {}
    for line in section.splitlines():
        match = re.match(r"^\| `([^`]+)` \|(.*)\|$", line)
        if match:
            rows[match[1]] = [cell.strip() for cell in re.split(r"(?<!\\)\|", match[2])]
    return rows


def python_blocks(page: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```$", page, flags=re.MULTILINE | re.DOTALL)


def receiver_code(page: str) -> dict[str, Any]:
    """The webhook receiver of the page, run as a module (not as a script: no server)."""
    (code,) = [block for block in python_blocks(page) if "def verify(" in block]
    namespace: dict[str, Any] = {"__name__": "webhook_receiver"}
    exec(compile(code, "docs/events.md", "exec"), namespace)
    return namespace


def signed(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """A signature made as the Standard Webhooks specification says."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256)
    return "v1," + base64.b64encode(digest.digest()).decode()


def test_the_committed_page_is_up_to_date(page: str) -> None:
    assert COMMITTED.read_text(encoding="utf-8") == page, (
        "docs/events.md is out of date with the event schemas: run `make events-doc`"
    )


def test_the_command_writes_the_page_and_checks_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], page: str
) -> None:
    target = tmp_path / "docs" / "events.md"
    assert main(["--output", str(target), "--check"]) == 1
    assert "make events-doc" in capsys.readouterr().err
    assert main(["--output", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == page
    assert main(["--output", str(target), "--check"]) == 0


def test_the_envelope_table_lists_every_attribute_of_the_envelope(page: str) -> None:
    rows = table_rows(sections(page, "##")["The envelope"])
    wire_names = [field.alias or name for name, field in Envelope.model_fields.items()]
    assert list(rows) == wire_names
    assert rows["subject"][1] == "when it has a value"
    assert rows["id"][:2] == ["string (uuid)", "always"]


@pytest.mark.parametrize(("event_type", "model"), list(all_events().items()))
def test_every_event_has_its_section_saying_when_and_what(
    page: str, event_type: str, model: type[Event]
) -> None:
    section = event_section(page, event_type, model)
    assert section.strip().startswith("Emitted"), f"{model.__name__}: say when it is emitted"
    subject = model.subject_field or "none"
    assert f"**Subject:** `{subject}`" in section or f"**Subject:** {subject}" in section
    (example,) = re.findall(r"^```json\n(.*?)^```$", section, flags=re.MULTILINE | re.DOTALL)
    envelope = Envelope.from_json(example)  # a whole, valid event
    assert envelope.type == event_type
    assert envelope.subject == envelope.event().subject()


@pytest.mark.parametrize(("event_type", "model"), list(all_events().items()))
def test_every_field_of_every_event_is_in_its_table(
    page: str, event_type: str, model: type[Event]
) -> None:
    schema = model.model_json_schema()
    rows = table_rows(event_section(page, event_type, model))
    assert list(rows) == list(schema["properties"])
    for name, field in schema["properties"].items():
        required = name in schema.get("required", [])
        assert rows[name][1].startswith("required" if required else "optional"), name
        assert ("**secret**" in rows[name][2]) == bool(field.get("x-secret")), name


def test_the_nested_types_are_described_once_with_all_their_fields(page: str) -> None:
    shared = sections(page.partition("\n## Shared types\n")[2], "###")
    definitions: dict[str, Any] = {}
    for model in all_events().values():
        definitions.update(model.model_json_schema().get("$defs", {}))
    assert sorted(shared) == sorted(definitions)
    for name, definition in definitions.items():
        rows = table_rows(shared[name])
        assert list(rows) == list(definition["properties"]), name
    assert "**secret**" in table_rows(shared["SignedCopy"])["copy_url"][2]


def test_types_read_as_a_consumer_stores_them(page: str) -> None:
    events = all_events()
    sent = table_rows(
        event_section(page, "portico.quotes.quote_sent.v1", events["portico.quotes.quote_sent.v1"])
    )
    assert sent["total_including_tax"][0] == "decimal string"
    assert sent["client_id"][0] == "string (uuid)"
    assert sent["contact"][0] == "[Person](#person)"
    assert sent["valid_until"][0] == "string (date)"
    assert sent["quote_url"][:2] == ["string (URL)", "required"]
    assert sent["message"][2].endswith("At most 5000 characters.")
    shared = events["portico.portal.workspace_shared.v1"]
    assert table_rows(event_section(page, shared.event_type, shared))["contacts"][0] == (
        "array of [Person](#person)"
    )
    reviewed = events["portico.documents.client_document_reviewed.v1"]
    rows = table_rows(event_section(page, reviewed.event_type, reviewed))
    assert rows["decision"][0] == "enum: `accepted`, `rejected`"
    assert rows["reviewed_at"][0] == "string (date-time)"
    assert rows["reason"][1] == "optional"
    staff = events["portico.portal.staff_user_changed.v1"]
    assert table_rows(event_section(page, staff.event_type, staff))["locale"][1] == (
        'optional, default `"en"`'
    )


def test_every_link_within_the_page_leads_to_a_heading(page: str) -> None:
    prose = re.sub(r"^```.*?^```$", "", page, flags=re.MULTILINE | re.DOTALL)
    headings = {_anchor(h) for h in re.findall(r"^#+ (.*)$", prose, flags=re.MULTILINE)}
    links = re.findall(r"\]\(#([^)]+)\)", page)
    assert len(links) > len(all_events())
    assert set(links) <= headings


def test_the_python_examples_compile(page: str) -> None:
    blocks = python_blocks(page)
    assert len(blocks) == 2
    for block in blocks:
        compile(block, "docs/events.md", "exec")
    consumer, receiver = blocks
    assert "aio_pika" in consumer and "ThreadingHTTPServer" in receiver


def test_the_receiver_checks_the_specification_s_own_example(page: str) -> None:
    receiver = receiver_code(page)
    headers = {
        "webhook-id": SPEC_ID,
        "webhook-timestamp": str(SPEC_TIMESTAMP),
        "webhook-signature": SPEC_SIGNATURE,
    }
    receiver["verify"](SPEC_SECRET, headers, SPEC_BODY, now=SPEC_TIMESTAMP + 60)
    with pytest.raises(receiver["InvalidSignature"], match="no signature matches"):
        receiver["verify"](SPEC_SECRET, headers, SPEC_BODY + b" ", now=SPEC_TIMESTAMP)


Tamper = Callable[[dict[str, str], bytes], tuple[dict[str, str], bytes]]


@pytest.mark.parametrize(
    ("tamper", "why"),
    [
        (lambda h, b: (h, b.replace(b"12500.00", b"1.00")), "no signature matches"),
        (lambda h, b: ({**h, "webhook-id": "msg_other"}, b), "no signature matches"),
        (
            lambda h, b: ({**h, "webhook-signature": signed(SPEC_SECRET, "evt", 1, b)}, b),
            "no signature matches",
        ),
        (lambda h, b: ({**h, "webhook-timestamp": str(int(time.time()) - 301)}, b), "5 minutes"),
        (lambda h, b: ({**h, "webhook-timestamp": str(int(time.time()) + 301)}, b), "5 minutes"),
        (lambda h, b: ({k: v for k, v in h.items() if k != "webhook-signature"}, b), "missing"),
        (lambda h, b: ({**h, "webhook-timestamp": "yesterday"}, b), "not a Unix time"),
    ],
)
def test_the_receiver_refuses_what_is_not_signed_by_the_secret_now(
    page: str, tamper: Tamper, why: str
) -> None:
    receiver = receiver_code(page)
    body = b'{"type": "portico.quotes.quote_signed.v1", "total": "12500.00"}'
    now = int(time.time())
    headers = {
        "webhook-id": "evt-1",
        "webhook-timestamp": str(now),
        "webhook-signature": signed(SECRET, "evt-1", now, body),
    }
    receiver["verify"](SECRET, headers, body)
    changed_headers, changed_body = tamper(headers, body)
    with pytest.raises(receiver["InvalidSignature"], match=why):
        receiver["verify"](SECRET, changed_headers, changed_body)


def test_the_receiver_accepts_any_of_several_signatures_in_any_case(page: str) -> None:
    receiver = receiver_code(page)
    body, now = b"{}", int(time.time())
    other = "whsec_" + base64.b64encode(b"the previous secret, rotated....").decode()
    headers = {
        "Webhook-Id": "evt-2",
        "Webhook-Timestamp": str(now),
        "Webhook-Signature": " ".join(signed(key, "evt-2", now, body) for key in (other, SECRET)),
    }
    receiver["verify"](SECRET, headers, body)
    receiver["verify"](other, headers, body)


@pytest.fixture
def serving(page: str) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """The page's receiver on a real HTTP server; answers its URL and what it handled."""
    receiver = receiver_code(page)
    handled: list[dict[str, Any]] = []
    receiver["handle_event"] = handled.append
    receiver["Receiver"].secret = SECRET
    receiver["Receiver"].log_message = lambda *args: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), receiver["Receiver"])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/portico", handled
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as refused:
        return refused.code


def test_the_receiver_takes_a_signed_event_once_and_refuses_a_forged_one(
    page: str, serving: tuple[str, list[dict[str, Any]]]
) -> None:
    url, handled = serving
    example = orjson.loads(re.findall(r"^```json\n(.*?)^```$", page, re.MULTILINE | re.DOTALL)[0])
    body = orjson.dumps(example)
    now = int(time.time())
    headers = {
        "content-type": "application/cloudevents+json; charset=utf-8",
        "webhook-id": example["id"],
        "webhook-timestamp": str(now),
        "webhook-signature": signed(SECRET, example["id"], now, body),
    }
    assert post(url, body, headers) == 204
    assert post(url, body, headers) == 204  # the same event again: answered, not handled
    assert handled == [example]
    forged = {**headers, "webhook-signature": signed(SPEC_SECRET, example["id"], now, body)}
    assert post(url, body, forged) == 401
    assert handled == [example]
