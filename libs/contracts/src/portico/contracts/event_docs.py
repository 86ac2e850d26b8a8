"""docs/events.md: every Portico event, written for the systems that integrate with them.

How to receive events (RabbitMQ, webhooks), the envelope, the rules a consumer relies on,
a consumer and a webhook receiver to copy, then each event: when it is emitted, its
subject, its data, an example. Built from the contracts, as docs/asyncapi.yaml is, so it
cannot drift from them.

Usage: ``python -m portico.contracts.event_docs [--output docs/events.md] [--check]``
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson

from portico.contracts import generated
from portico.contracts.asyncapi import EXCHANGE, SERVICES, example_message, service_of
from portico.contracts.envelope import MASK, Envelope, Event
from portico.contracts.events.common import AMOUNT_PATTERN
from portico.contracts.registry import all_events

SHARED_TYPES = "Shared types"
RECEIVER_HEADING = "A webhook receiver in Python"
# What each envelope attribute means to a consumer. Every attribute of ``Envelope`` must
# be here: a new one fails the build rather than go undocumented.
_ATTRIBUTES = {
    "specversion": "The CloudEvents version.",
    "id": "The event's id, unique within its `source`. With `source`, what to deduplicate on.",
    "type": "The event type, `portico.<service>.<event>.v<version>`: the routing key too.",
    "source": "The service that emitted it: " + ", ".join(f"`{s}`" for s in SERVICES) + ".",
    "time": "When it was emitted (RFC 3339, UTC).",
    "subject": (
        "The id of what the event is about (each event below names the field): absent "
        "when it names none."
    ),
    "correlationid": (
        "Shared by every event of one business flow: the request's correlation id, or the "
        "first event's id."
    ),
    "causationid": (
        "The `id` of the event whose handling emitted this one; absent when a request or a "
        "scheduled job did."
    ),
    "traceparent": (
        "The W3C trace context of the publisher, to join its trace; absent when it was not tracing."
    ),
    "datacontenttype": "The media type of `data`.",
    "data": "The event's payload, whose fields each event below lists.",
}
_FORMATS = {"uuid": "uuid", "date-time": "date-time", "date": "date", "email": "email"}

_INTRO = """\
Everything that happens in Portico is an event: a client invited, a document signed, a
quote accepted, an invoice issued. This page is for the systems that take them in (an
ERP, a CRM, a data warehouse, an automation): how to receive them, what each carries and
when it is emitted. The same contracts, machine-readable: [asyncapi.yaml](asyncapi.yaml)
(AsyncAPI 3). How an event travels inside Portico (outbox, relay, inbox):
[messaging.md](messaging.md).

## Receiving events

- **From RabbitMQ**, for a system on Portico's network. Every event is published on the
  durable topic exchange `{exchange}`, with its type as the routing key (e.g.
  `portico.quotes.quote_sent.v1`). Declare a durable queue of your own and bind it to the
  exchange with the patterns you want: `portico.quotes.#` (every event of the quotes
  service), `portico.*.client_created.v1`, `#` (all of them). Look the exchange up (a
  passive declaration) rather than declare it: Portico declares it with an alternate
  exchange, and a declaration with other arguments is refused. Never consume from
  Portico's own queues (their names start with `portico.`). The message body is the
  envelope below (`content_type` `application/json`, persistent); its AMQP properties
  mirror it for the broker's tools: `message_id` is its `id`, `type` its `type`, `app_id`
  its `source`, `correlation_id` its `correlationid`, `timestamp` its `time`, and the
  header `traceparent` its `traceparent`.
- **By webhook**, for a system anywhere. An administrator registers an HTTPS URL and the
  event types it wants, in Settings → Webhooks or with the notifier's API
  (`POST /api/notifier/v1/webhooks`; `GET /api/notifier/v1/webhook-event-types` lists the
  types: every one below but the notifier's own). The answer holds the webhook's signing
  secret, `whsec_…`, once. Portico then POSTs each such event to the URL: the body is the
  envelope below (`content-type: application/cloudevents+json; charset=utf-8`), its secret
  fields masked, signed as the [Standard Webhooks](https://www.standardwebhooks.com/)
  specification says (see [the receiver]({receiver})).
  Answer with a 2xx within 10 seconds (the default); anything else is tried again with
  growing delays, and when the last try fails the webhook is paused until an
  administrator resumes it. A receiver with long work to do answers first and does it
  afterwards. After a secret is rotated the previous one keeps signing for 24 hours: the
  request then carries two signatures, and one that checks is enough. The rest (retries,
  pauses, replays, the addresses a webhook may reach): [webhooks.md](webhooks.md).

## The envelope

Every event, on the bus and in a webhook, is a [CloudEvents 1.0](https://cloudevents.io/)
JSON object (structured mode):

{envelope}

## What a consumer relies on

- **At least once.** An event may arrive more than once: a publish whose confirmation was
  lost, a delivery not acknowledged before a disconnection, a webhook tried again or
  replayed. Deduplicate on `source` + `id`: handle each pair once, ideally recording it in
  the same transaction as what the event changes. A webhook's `webhook-id` header is the
  event's `id`, the same on every try.
- **No order.** Events may arrive in another order than they were emitted (after a retry,
  say). Rely on the times they carry (`time`, or a field such as `as_of`), not on arrival.
- **Versions.** A type ends with its version (`.v1`). Within a version a schema only
  grows, by optional fields: ignore the fields you don't know, and never refuse an event
  for having more. Any other change comes as a new type (`.v2`), with its own routing key.
- **Optional fields** are `null` when they have no value, and missing from an event
  emitted before they were added: treat both alike.
- **Secret fields** (marked **secret** below, `x-secret` in the AsyncAPI document) carry a
  capability: a link whose token signs, views or downloads on someone's behalf, or a
  one-time code. Only the notifier acts on them, sending each to the person it is for. On
  the bus they travel as they are, and a consumer there must never log, store or forward
  them; everywhere else (webhooks, Portico's logs, its stored copies of an event once
  published) they read `{mask}`.

## A consumer in Python (aio-pika)

A queue of your own bound to the quotes events, each event handled once and then
acknowledged (`pip install aio-pika`; `PORTICO_AMQP_URL` is the broker's address with
your credentials, e.g. `amqp://erp:…@rabbitmq:5672/`). An event whose handling fails is
tried once more, then set aside in the queue `erp.portico-quotes.failed`, to look at and
move back. In production keep the handled keys in your database rather than in memory.

```python
{consumer}```

## {receiver_heading}

The Python standard library only: `verify` is the whole check (the `standardwebhooks`
package does the same). It reads the three headers, refuses a timestamp more than five
minutes away from the receiver's clock (so that a captured request cannot be replayed
later), computes the HMAC-SHA256 of `{{webhook-id}}.{{webhook-timestamp}}.{{body}}` with the
secret's bytes (the base64 after `whsec_`) and compares it in constant time with each
`v1,<base64>` signature of `webhook-signature`. It must see the body exactly as received:
check before parsing the JSON. Run it with `PORTICO_WEBHOOK_SECRET=whsec_… python
receiver.py`.

```python
{receiver_code}```
"""

_CONSUMER = '''\
"""Takes Portico's quotes events from RabbitMQ and handles each one once."""

from __future__ import annotations

import asyncio
import json
import os
import traceback
from collections import OrderedDict
from typing import Any

import aio_pika

EXCHANGE = "portico.events"
QUEUE = "erp.portico-quotes"  # yours: durable, so events wait while you are down
PATTERNS = ["portico.quotes.#"]  # "#" for every event
# The events already handled, by source/id. In memory here: keep them in your database,
# in the transaction of what each event changes, to survive a restart.
handled: OrderedDict[str, None] = OrderedDict()
HANDLED_MAX = 100_000


def handle_event(envelope: dict[str, Any]) -> None:
    data = envelope["data"]
    if envelope["type"] == "portico.quotes.quote_signed.v1":
        amount = data["total_including_tax"]  # a decimal string: decimal.Decimal(amount)
        print(f"quote {data['number']} signed: {amount} {data['currency']}")
    else:
        print(envelope["type"], envelope.get("subject"))


async def take(message: aio_pika.abc.AbstractIncomingMessage) -> None:
    # Acknowledged when the block ends. When it raises, the event goes back to the queue
    # once, then, failing again, to the queue of failed events.
    async with message.process(requeue=True, reject_on_redelivered=True):
        envelope = json.loads(message.body)
        key = f"{envelope['source']}/{envelope['id']}"
        if key in handled:
            return  # delivered again: at least once
        handle_event(envelope)
        handled[key] = None
        if len(handled) > HANDLED_MAX:
            handled.popitem(last=False)


async def main() -> None:
    connection = await aio_pika.connect_robust(os.environ["PORTICO_AMQP_URL"])
    async with connection:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=20)
        # Portico declares the exchange: look it up (passively), never redeclare it.
        exchange = await channel.get_exchange(EXCHANGE)
        failed = await channel.declare_queue(f"{QUEUE}.failed", durable=True)
        queue = await channel.declare_queue(
            QUEUE,
            durable=True,
            arguments={"x-dead-letter-exchange": "", "x-dead-letter-routing-key": failed.name},
        )
        for pattern in PATTERNS:
            await queue.bind(exchange, routing_key=pattern)
        async with queue.iterator() as messages:
            async for message in messages:
                try:
                    await take(message)
                except Exception:
                    traceback.print_exc()


if __name__ == "__main__":
    asyncio.run(main())
'''

_RECEIVER = '''\
"""Receives Portico's webhooks: checks each signature, then takes the event once."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import time
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOLERANCE_SECONDS = 5 * 60


class InvalidSignature(Exception):
    """Not from Portico, changed on the way, or too old."""


def verify(secret: str, headers: Mapping[str, str], body: bytes, now: float | None = None) -> None:
    """Raises InvalidSignature unless the headers sign this very body with the secret."""
    lowered = {name.lower(): value for name, value in headers.items()}
    message_id = lowered.get("webhook-id")
    timestamp = lowered.get("webhook-timestamp")
    signatures = lowered.get("webhook-signature")
    if not (message_id and timestamp and signatures):
        raise InvalidSignature("missing webhook-id, webhook-timestamp or webhook-signature")
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise InvalidSignature("webhook-timestamp is not a Unix time") from None
    if abs((time.time() if now is None else now) - sent_at) > TOLERANCE_SECONDS:
        raise InvalidSignature("webhook-timestamp is more than 5 minutes away")
    encoded = secret.removeprefix("whsec_")
    key = base64.b64decode(encoded + "=" * (-len(encoded) % 4))
    signed = f"{message_id}.{timestamp}.".encode() + body
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    # Several signatures, space-separated, while a rotated secret still signs.
    for candidate in signatures.split():
        if hmac.compare_digest(candidate.encode(), expected.encode()):
            return
    raise InvalidSignature("no signature matches")


def handle_event(envelope: dict[str, Any]) -> None:
    print(envelope["type"], envelope.get("subject"), envelope["data"])


class Receiver(BaseHTTPRequestHandler):
    secret = os.environ.get("PORTICO_WEBHOOK_SECRET", "")
    # webhook-id is the event's id, the same on every try: keep them in your database.
    handled: set[str] = set()

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        try:
            verify(self.secret, dict(self.headers.items()), body)
        except InvalidSignature as refused:
            self.send_error(401, str(refused))
            return
        message_id = self.headers["webhook-id"]
        if message_id not in self.handled:
            handle_event(json.loads(body))
            self.handled.add(message_id)
        self.send_response(204)
        self.end_headers()


if __name__ == "__main__":
    ThreadingHTTPServer(("", int(os.environ.get("PORT", "8080"))), Receiver).serve_forever()
'''


def render() -> str:
    """The whole page as Markdown."""
    events = all_events()
    shared: dict[str, dict[str, Any]] = {}
    sections: list[str] = []
    index: list[str] = []
    for service, description in SERVICES.items():
        own = {t: m for t, m in events.items() if service_of(t) == service}
        if not own:
            continue
        ordered = sorted(own.items(), key=lambda item: item[1].__name__)
        sections.append(f"## {service}\n\n{description}\n")
        index.append(
            f"- **{service}**: "
            + ", ".join(f"[{m.__name__}](#{_anchor(_heading(t, m))})" for t, m in ordered)
        )
        sections.extend(_event(event_type, model, shared) for event_type, model in ordered)
    intro = _INTRO.format(
        exchange=EXCHANGE,
        mask=MASK,
        envelope=_envelope_table(),
        receiver="#" + _anchor(RECEIVER_HEADING),
        receiver_heading=RECEIVER_HEADING,
        consumer=_CONSUMER,
        receiver_code=_RECEIVER,
    )
    page = "\n".join(
        [
            "# Portico's events, for integrators\n",
            "<!-- Generated from the event contracts (libs/contracts) by `make events-doc`: "
            "edit them, not this file. -->\n",
            intro,
            "## The events\n",
            *index,
            f"\nThe types nested in events (a person, an address…) are described once, under"
            f" [{SHARED_TYPES}](#{_anchor(SHARED_TYPES)}).\n",
            *sections,
            f"## {SHARED_TYPES}\n",
            *(_shared_type(name, shared[name]) for name in sorted(shared)),
        ]
    )
    return page.rstrip("\n") + "\n"


def write(path: Path) -> bool:
    """Write the document to ``path``; False when it already held exactly that."""
    return generated.write(path, render())


def main(argv: Sequence[str] | None = None) -> int:
    return generated.run(
        argv,
        prog="python -m portico.contracts.event_docs",
        description="Write docs/events.md, every Portico event for integrators.",
        render=render,
        make_target="make events-doc",
    )


def _heading(event_type: str, model: type[Event]) -> str:
    return f"{model.__name__} (`{event_type}`)"


def _anchor(heading: str) -> str:
    """The id GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = heading.replace("`", "").lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def _event(event_type: str, model: type[Event], shared: dict[str, dict[str, Any]]) -> str:
    schema = model.model_json_schema()
    for name, definition in schema.get("$defs", {}).items():
        if shared.setdefault(name, definition) != definition:
            raise ValueError(f"two different shared types are named {name!r}")
    subject = (
        f"**Subject:** `{model.subject_field}`"
        if model.subject_field
        else "**Subject:** none (the envelope has no `subject`)"
    )
    parts = [f"### {_heading(event_type, model)}\n", _prose(model.__doc__), subject + "\n"]
    parts.append(_fields(schema) + "\n")
    examples = schema.get("examples", [])
    if examples:
        example = example_message(event_type, model, examples[0], 0)["payload"]
        parts.append("```json\n" + orjson.dumps(example, option=orjson.OPT_INDENT_2).decode())
        parts.append("```\n")
    return "\n".join(parts)


def _shared_type(name: str, schema: dict[str, Any]) -> str:
    parts = [f"### {name}\n"]
    if schema.get("description"):
        parts.append(_prose(schema["description"]))
    parts.append(_fields(schema) + "\n")
    return "\n".join(parts)


def _prose(text: str | None) -> str:
    """A docstring as Markdown paragraphs: lines joined, ``code`` in single backticks."""
    paragraphs = inspect.cleandoc(text or "").split("\n\n")
    return (
        "".join(
            _escaped(" ".join(paragraph.split()).replace("``", "`")) + "\n\n"
            for paragraph in paragraphs
            if paragraph.strip()
        ).rstrip("\n")
        + "\n"
    )


def _fields(schema: dict[str, Any]) -> str:
    required = set(schema.get("required", []))
    rows = ["| Field | Type | Required | Description |", "|---|---|---|---|"]
    for name, field in schema.get("properties", {}).items():
        description = _description(field)
        if _secret(field):
            description = "**secret** " + description
        rows.append(
            f"| `{name}` | {_cell(_type(field))} | {_cell(_requirement(name in required, field))}"
            f" | {_cell(description.strip())} |"
        )
    return "\n".join(rows)


def _envelope_table() -> str:
    schema = Envelope.model_json_schema(by_alias=True)
    rows = ["| Attribute | Type | Present | Meaning |", "|---|---|---|---|"]
    for name, field in schema["properties"].items():
        if name not in _ATTRIBUTES:
            raise ValueError(f"describe the envelope's attribute {name!r} in event_docs")
        present = "when it has a value" if _nullable(field) else "always"
        kind = "object" if name == "data" else _type(field)
        rows.append(f"| `{name}` | {_cell(kind)} | {present} | {_cell(_ATTRIBUTES[name])} |")
    return "\n".join(rows)


def _type(schema: dict[str, Any], *, field: bool = True) -> str:
    """A readable type: ``string (uuid)``, ``decimal string``, ``array of Person``…

    A field's null is said by the Required column; an item's or a value's is said here.
    """
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{_anchor(name)})"
    if "anyOf" in schema:
        branches = [b for b in schema["anyOf"] if not (field and b.get("type") == "null")]
        return " or ".join(_type(branch, field=field) for branch in branches)
    if "const" in schema:
        return f"{schema.get('type', 'constant')} `{schema['const']}`"
    if "enum" in schema:
        return "enum: " + ", ".join(f"`{value}`" for value in schema["enum"])
    kind = schema.get("type")
    if kind == "array":
        return "array of " + _type(schema.get("items", {}), field=False)
    if kind == "object":
        values = schema.get("additionalProperties")
        if isinstance(values, dict):
            keys = _type({"type": "string", **schema.get("propertyNames", {})})
            return f"map from {keys} to {_type(values, field=False)}"
        return "object"
    if kind == "null":
        return "null"
    if kind == "string":
        if schema.get("pattern") == AMOUNT_PATTERN:
            return "decimal string"
        if schema.get("format") in _FORMATS:
            return f"string ({_FORMATS[schema['format']]})"
        if schema.get("format") == "uri":
            return "string (URL)"
        return "string"
    return str(kind) if kind else "any"


def _requirement(required: bool, field: dict[str, Any]) -> str:
    if required:
        return "required, may be null" if _nullable(field) else "required"
    default = field.get("default")
    if default is None or default in ([], {}):
        return "optional"
    return f"optional, default `{orjson.dumps(default).decode()}`"


def _description(field: dict[str, Any]) -> str:
    """The field's own description (else its type's), with the bounds a consumer stores."""
    branches = [b for b in field.get("anyOf", [field]) if b.get("type") != "null"]
    texts = [field.get("description")] + [b.get("description") for b in branches]
    text = next((t for t in texts if t), "")
    if text and not text.endswith((".", ")", "?")):
        text += "."
    bounds = []
    for branch in branches:
        if "minLength" in branch and branch["minLength"] > 0 and "maxLength" in branch:
            bounds.append(f"{branch['minLength']} to {branch['maxLength']} characters")
        elif "maxLength" in branch:
            bounds.append(f"at most {branch['maxLength']} characters")
        if "minimum" in branch and "maximum" in branch:
            bounds.append(f"from {branch['minimum']} to {branch['maximum']}")
        elif "minimum" in branch:
            bounds.append(f"at least {branch['minimum']}")
    return " ".join([text, *(bound[0].upper() + bound[1:] + "." for bound in bounds)]).strip()


def _secret(field: dict[str, Any]) -> bool:
    return any(branch.get("x-secret") for branch in [field, *field.get("anyOf", [])])


def _nullable(field: dict[str, Any]) -> bool:
    return any(branch.get("type") == "null" for branch in field.get("anyOf", []))


def _cell(text: str) -> str:
    """Text that stays in its table cell (GitHub splits cells at every ``|``, even in code)."""
    return _escaped(text).replace("|", "\\|").replace("\n", " ")


def _escaped(text: str) -> str:
    """Markdown whose ``<word>`` outside code is shown, not taken for an HTML tag."""
    parts = re.split(r"(`[^`]*`)", text)
    return "".join(part if part.startswith("`") else part.replace("<", "\\<") for part in parts)


if __name__ == "__main__":
    raise SystemExit(main())
