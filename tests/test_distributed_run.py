"""One role per process, as deployed: migrate, api, relay and worker on PostgreSQL + RabbitMQ."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import aio_pika
import httpx
import pytest

README = Path(__file__).parents[1] / "README.md"
ADMIN_EMAIL, ADMIN_PASSWORD = "ops@distribuee.example", "Distributed-Admin-2026!"


def readme_ports() -> dict[str, int]:
    """The port the README's distributed section gives each role of the portal."""
    found = re.findall(r"PORTICO_PORT=(\d+) python -m portico\.portal (\w+)", README.read_text())
    return {role: int(port) for port, role in found}


class Processes:
    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.running: list[subprocess.Popen[str]] = []

    def run(self, *command: str, **env: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", *command],
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def start(self, role: str, port: int) -> str:
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
    for name in ("PORTICO_ADMIN_EMAIL", "PORTICO_ADMIN_PASSWORD", "PORTICO_PORT"):
        processes.env.pop(name, None)
    processes.run("portico.kit.auth.keys", str(tmp_path / "keys"))
    # Without PORTICO_ADMIN_* no admin is invented (its password would go to the logs).
    unnamed = processes.run("portico.portal", "migrate")
    assert "database at head" in unnamed
    assert "no staff user yet" in unnamed
    # Given them, migrate makes that admin: the first way in of a new deployment.
    named = processes.run(
        "portico.portal",
        "migrate",
        PORTICO_ADMIN_EMAIL=ADMIN_EMAIL,
        PORTICO_ADMIN_PASSWORD=ADMIN_PASSWORD,
    )
    assert ADMIN_PASSWORD not in named

    # Every role serves health and metrics: each on its port from the README, all at once.
    ports = readme_ports()
    assert set(ports) == {"api", "worker", "relay"} and len(set(ports.values())) == 3
    api = processes.start("api", ports["api"])
    processes.start("relay", ports["relay"])
    worker = processes.start("worker", ports["worker"])
    # A worker serves health and metrics, not the API.
    assert httpx.get(f"{worker}/api/portal/v1/clients").status_code == 404
    assert "portico_" in httpx.get(f"{worker}/api/portal/metrics").text

    login = httpx.post(
        f"{api}/api/portal/v1/auth/login",
        json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD},
    )
    assert login.status_code == 200, login.text
    token = login.json()["access_token"]
    created = httpx.post(
        f"{api}/api/portal/v1/clients",
        json={"name": "Distribuée SAS"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert created.status_code == 201, created.text

    # No service consumes ClientCreated yet: the relay's publish goes to portico.unrouted.recent,
    # after StaffUserChanged of the admin that migrate made (its outbox waited for the relay).
    connection = await aio_pika.connect(amqp_vhost_url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.get_queue("portico.unrouted.recent", ensure=False)
        published: list[str | None] = []
        deadline = time.monotonic() + 15
        while "portico.portal.client_created.v1" not in published:
            assert time.monotonic() < deadline, f"the relay did not publish it: {published}"
            message = await queue.get(fail=False)
            if message is None:
                time.sleep(0.1)
                continue
            assert message.app_id == "portal"
            published.append(message.type)
        assert published == [
            "portico.portal.staff_user_changed.v1",
            "portico.portal.client_created.v1",
        ]

    assert "no parked events" in processes.run("portico.portal", "parked")
    assert processes.stop_all() == [0, 0, 0]
