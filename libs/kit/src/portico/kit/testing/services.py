"""Run services in a test, on the embedded adapters or on PostgreSQL + RabbitMQ.

``portico`` gives a started ``Host`` with an HTTP client on its ASGI app, tokens for any
role, and a spy that records every event on the bus, so a test reads what a notifier
would (the accept link of ClientInvited, ...).
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import make_url

from portico.contracts import Envelope, all_events
from portico.kit.auth.principals import Principal, Role
from portico.kit.auth.tokens import TokenIssuer
from portico.kit.host import EMBEDDED, Host, discover_services, discover_web
from portico.kit.service import Runtime, Service
from portico.kit.settings import PorticoSettings, ServiceSettings
from portico.kit.testing.database import MigratedDatabases, PostgresDatabases

FAST_RETRIES = (0.05, 0.1, 0.2, 0.3)
BACKENDS = ("embedded", "distributed")
# The fixtures that run Portico on each backend: ``portico`` (in-process) and the gateway's
# ``live_site`` (a real process, for the browser tests).
BACKEND_FIXTURES = ("portico", "live_site")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "backends(*names): run the test on these backends only (embedded, distributed)",
    )


# The fixtures through which a test reaches RabbitMQ directly.
BROKER_FIXTURES = frozenset(
    {"amqp_server", "amqp_server_url", "amqp_vhost_pool", "amqp_vhost", "amqp_vhost_url"}
)
# Playwright's: a browser test keeps an event loop in its worker's main thread, so it must
# not be held in a group that runs before the worker's asyncio tests.
PLAYWRIGHT_FIXTURES = frozenset({"page", "context", "new_context", "browser"})


# The parameter values of a fixture that runs on RabbitMQ (``portico``'s "distributed",
# the kit's own bus fixtures' "rabbitmq"): such a fixture asks for its vhost only when it
# runs, which the test's fixture names do not show.
BROKER_PARAMS = frozenset({"distributed", "rabbitmq"})


def uses_broker(item: pytest.Item) -> bool:
    """Whether a test runs against RabbitMQ: with a vhost, or parametrized onto the broker."""
    callspec = getattr(item, "callspec", None)
    params = callspec.params if callspec is not None else {}
    names = set(getattr(item, "fixturenames", ()))
    return bool(names & BROKER_FIXTURES) or any(
        isinstance(value, str) and value in BROKER_PARAMS for value in params.values()
    )


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """With pytest-xdist (``--dist loadgroup``) and one shared broker
    (``PORTICO_TEST_AMQP_URL``), the tests against RabbitMQ run on one worker, one after the
    other: each makes a vhost with some twenty quorum queues and deletes it, and on a
    two-core machine two such tests at once slow the broker past its clients' timeouts.
    The other worker runs the rest meanwhile. Browser tests stay out of the group (see
    ``PLAYWRIGHT_FIXTURES``). Without that variable each worker has a node of its own
    (``portico.kit.testing.rabbitmq.LocalRabbitMq``) and the tests spread freely."""
    if not os.environ.get("PORTICO_TEST_AMQP_URL"):
        return
    for item in items:
        if uses_broker(item) and not set(getattr(item, "fixturenames", ())) & PLAYWRIGHT_FIXTURES:
            item.add_marker(pytest.mark.xdist_group("broker"))


@pytest.hookimpl(tryfirst=True)
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``@pytest.mark.backends("embedded")`` narrows a test to the backends where what it
    checks can differ. A page test checks the HTTP layer and the templates, the same on
    both; the services' own tests are what proves each backend."""
    marker = metafunc.definition.get_closest_marker("backends")
    if marker is None:
        return
    unknown = set(marker.args) - set(BACKENDS)
    if unknown or not marker.args:
        raise pytest.UsageError(f"backends(): choose among {BACKENDS}, not {marker.args}")
    for name in BACKEND_FIXTURES:
        if name in metafunc.fixturenames:
            # As a parametrize mark, which pytest lets take the place of the fixture's params.
            metafunc.definition.add_marker(
                pytest.mark.parametrize(name, marker.args, indirect=True)
            )


@dataclass
class EventSpy:
    """Every event seen on the bus, in arrival order."""

    seen: list[Envelope] = field(default_factory=list)

    async def __call__(self, envelope: Envelope) -> None:
        self.seen.append(envelope)

    def of_type(self, event_type: str, *, subject: str | None = None) -> list[Envelope]:
        return [
            envelope
            for envelope in self.seen
            if envelope.type == event_type and (subject is None or envelope.subject == subject)
        ]

    async def wait_for(
        self,
        event_type: str,
        count: int = 1,
        timeout: float = 10.0,
        *,
        subject: str | None = None,
    ) -> list[Envelope]:
        """At least ``count`` events of the type (about ``subject`` when given), in order."""

        async def arrived() -> list[Envelope]:
            while len(self.of_type(event_type, subject=subject)) < count:
                await asyncio.sleep(0.02)
            return self.of_type(event_type, subject=subject)

        try:
            return await asyncio.wait_for(arrived(), timeout)
        except TimeoutError:
            seen = len(self.of_type(event_type, subject=subject))
            raise AssertionError(f"expected {count} {event_type} event(s), saw {seen}") from None


@dataclass
class RunningPortico:
    host: Host
    http: httpx.AsyncClient
    events: EventSpy
    backend: str

    def runtime(self, service: str) -> Runtime:
        return next(runtime for runtime in self.host.runtimes if runtime.service.name == service)

    def token(self, role: Role = "admin", **claims: Any) -> str:
        principal = Principal(subject=str(claims.pop("subject", uuid.uuid4())), role=role, **claims)
        runtime = self.host.runtimes[0]
        assert runtime.private_key is not None
        token, _ = TokenIssuer(runtime.private_key, runtime.settings.jwt_issuer).issue(principal)
        return token

    def headers(self, role: Role = "admin", **claims: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(role, **claims)}"}


@pytest.fixture
def portico_services() -> Sequence[Service]:
    """The services a test runs; a service's own conftest narrows it."""
    return discover_services()


@pytest.fixture
def portico_uses_s3() -> bool:
    """Whether the distributed backend keeps blobs in S3 (moto's server, or
    ``PORTICO_TEST_S3_URL``) rather than a local folder; a service whose files matter
    (signing's documents) turns it on in its conftest."""
    return False


@pytest.fixture(params=BACKENDS)
async def portico(
    request: pytest.FixtureRequest, tmp_path: Path, portico_services: Sequence[Service]
) -> AsyncIterator[RunningPortico]:
    backend = request.param
    overrides: dict[str, ServiceSettings] = {}
    bus_url = None
    databases: PostgresDatabases | None = None
    migrated: MigratedDatabases = request.getfixturevalue("migrated_databases")
    if backend == "distributed":
        # Only synchronous fixtures can be asked for here; databases are made directly.
        server_url = request.getfixturevalue("postgres_server_url")
        databases = PostgresDatabases(server_url)
        bus_url = request.getfixturevalue("amqp_vhost_url")
        for service in portico_services:
            template = await asyncio.to_thread(migrated.postgres_template, server_url, service)
            overrides[service.name] = ServiceSettings(
                database_url=await databases.create(service.name, template=template)
            )
    s3: dict[str, Any] = {}
    if backend == "distributed" and request.getfixturevalue("portico_uses_s3"):
        s3 = {
            "s3_endpoint_url": request.getfixturevalue("s3_endpoint"),
            "s3_bucket": f"portico-test-{uuid.uuid4().hex[:12]}",
            "s3_access_key_id": "portico-test",
            "s3_secret_access_key": "portico-test-secret",
        }
    settings = PorticoSettings(
        data_dir=tmp_path / "var",
        bus_url=bus_url,
        bus_retry_delays=FAST_RETRIES,
        keys_dir=tmp_path / "keys",
        **s3,
    )
    # The web UI too, when installed, at / as in `make run`.
    host = Host(
        portico_services, settings, EMBEDDED, service_settings=overrides, web=discover_web()
    )
    for runtime in host.runtimes:
        if runtime.database.is_sqlite:
            file = Path(str(make_url(runtime.database.url).database))
            await asyncio.to_thread(migrated.copy_sqlite, runtime.service, file)
    spy = EventSpy()
    await host.start()
    await host.bus.subscribe("testspy", sorted(all_events()), spy)
    transport = httpx.ASGITransport(app=host.app())
    async with httpx.AsyncClient(transport=transport, base_url="http://portico.test") as http:
        try:
            yield RunningPortico(host=host, http=http, events=spy, backend=backend)
        finally:
            await host.stop()
            if databases is not None:
                await databases.drop_all()
