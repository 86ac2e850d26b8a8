"""One role per process, as deployed: migrate, api, relay and worker on PostgreSQL + RabbitMQ."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import aio_pika
import httpx
import pytest

from portico.kit.auth.principals import Principal
from portico.kit.auth.tokens import TokenIssuer
from portico.kit.testing.smtp import free_port


class Processes:
    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.running: list[subprocess.Popen[str]] = []

    def run(self, *command: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", *command],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def start(self, role: str) -> str:
        port = free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "portico.portal", role],
            env={**self.env, "PORTICO_PORT": str(port)},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.running.append(process)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert process.poll() is None, process.stdout.read()  # type: ignore[union-attr]
            try:
                if httpx.get(f"{url}/api/portal/readyz", timeout=2).status_code == 200:
                    return url
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"{role} did not become ready")

    def stop_all(self) -> list[int]:
        for process in self.running:
            process.send_signal(signal.SIGINT)
        return [process.wait(timeout=20) for process in self.running]


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    running = Processes({})
    yield running
    for process in running.running:
        if process.poll() is None:
            process.kill()


async def test_each_role_runs_alone_and_events_flow_from_api_to_the_broker(
    processes: Processes, postgres_database, amqp_vhost_url: str, tmp_path: Path
) -> None:
    database_url = await postgres_database("portal")
    processes.env = {
        **os.environ,
        "PORTICO_BUS_URL": amqp_vhost_url,
        "PORTICO_PORTAL_DATABASE_URL": database_url,
        "PORTICO_KEYS_DIR": str(tmp_path / "keys"),
        "PORTICO_DATA_DIR": str(tmp_path / "var"),
        "PORTICO_LOG_FORMAT": "json",
    }
    processes.run("portico.kit.auth.keys", str(tmp_path / "keys"))
    assert "database at head" in processes.run("portico.portal", "migrate")

    api = processes.start("api")
    processes.start("relay")
    worker = processes.start("worker")
    # A worker serves health and metrics, not the API.
    assert httpx.get(f"{worker}/api/portal/v1/clients").status_code == 404

    private = (tmp_path / "keys" / "jwt-private.pem").read_text()
    token, _ = TokenIssuer(private, "portico").issue(Principal(subject="admin", role="admin"))
    created = httpx.post(
        f"{api}/api/portal/v1/clients",
        json={"name": "Distribuée SAS"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert created.status_code == 201, created.text

    # No service consumes ClientCreated yet: the relay's publish goes to portico.unrouted.recent.
    connection = await aio_pika.connect(amqp_vhost_url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.get_queue("portico.unrouted.recent", ensure=False)
        message = None
        deadline = time.monotonic() + 15
        while message is None and time.monotonic() < deadline:
            message = await queue.get(fail=False)
            if message is None:
                time.sleep(0.1)
        assert message is not None, "the relay did not publish the event"
        assert message.type == "portico.portal.client_created.v1"
        assert message.app_id == "portal"

    assert "no parked events" in processes.run("portico.portal", "parked")
    assert processes.stop_all() == [0, 0, 0]
