"""The aio-pika consumer that docs/events.md gives integrators, run against a real RabbitMQ
on which Portico's bus publishes: it takes the events its pattern names and no others,
each once however often it is delivered, and sets aside the one its handler keeps
failing on, in its queue of failed events, without stopping."""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aio_pika
import orjson
import pytest

from portico.contracts import Envelope, Event
from portico.contracts.events.portal import ClientDeleted
from portico.contracts.events.quotes import QuoteDeclined, QuoteSigned, QuoteViewed
from portico.kit.bus.rabbitmq import RabbitMqBus

PAGE = (Path(__file__).resolve().parents[1] / "docs" / "events.md").read_text(encoding="utf-8")


def consumer_code() -> dict[str, Any]:
    """The page's consumer, run as a module (its ``main`` not started)."""
    blocks = re.findall(r"^```python\n(.*?)^```$", PAGE, flags=re.MULTILINE | re.DOTALL)
    (code,) = [block for block in blocks if "import aio_pika" in block]
    namespace: dict[str, Any] = {"__name__": "portico_consumer"}
    exec(compile(code, "docs/events.md", "exec"), namespace)
    return namespace


def example(model: type[Event], source: str) -> Envelope:
    return Envelope.wrap(
        model.model_validate(model.model_json_schema()["examples"][0]), source=source
    )


async def until(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


@pytest.fixture
async def bus(amqp_vhost_url: str) -> AsyncIterator[RabbitMqBus]:
    """Portico's bus on the test's vhost: it declares the exchange, as Portico does."""
    subject = RabbitMqBus(amqp_vhost_url)
    await subject.connect()
    try:
        yield subject
    finally:
        await subject.close()


async def test_the_page_s_consumer_takes_its_events_once_and_sets_aside_a_failing_one(
    amqp_vhost_url: str, bus: RabbitMqBus, monkeypatch: pytest.MonkeyPatch
) -> None:
    consumer = consumer_code()
    signed = example(QuoteSigned, "quotes")
    declined = example(QuoteDeclined, "quotes")
    viewed = example(QuoteViewed, "quotes")
    unbound = example(ClientDeleted, "portal")
    handled: list[dict[str, Any]] = []
    tries: list[str] = []

    def handle_event(envelope: dict[str, Any]) -> None:
        tries.append(envelope["id"])
        if envelope["id"] == str(declined.id):
            raise RuntimeError("the ERP is down")
        handled.append(envelope)

    consumer["handle_event"] = handle_event
    monkeypatch.setenv("PORTICO_AMQP_URL", amqp_vhost_url)
    running = asyncio.create_task(consumer["main"]())
    try:
        # Its queue is bound once main() has declared it: until then what is published is
        # lost, so the same event goes again until it arrives. Every copy is the same event,
        # which it handles once.
        while not handled:
            assert not running.done(), running
            await bus.publish([unbound, signed])
            await asyncio.sleep(0.1)
        await bus.publish([signed, declined, viewed])
        await until(lambda: len(handled) >= 2 and tries.count(str(declined.id)) == 2)
        assert handled == [orjson.loads(signed.to_json()), orjson.loads(viewed.to_json())]

        connection = await aio_pika.connect(amqp_vhost_url)
        async with connection:
            channel = await connection.channel()
            failed = await channel.declare_queue(f"{consumer['QUEUE']}.failed", passive=True)
            message = await failed.get(timeout=5)
            assert message is not None
            assert orjson.loads(message.body)["id"] == str(declined.id)
            await message.ack()
        assert not running.done()
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
