"""`make run`'s process: every service under /api/<service>/, clean stop, data kept."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from portico.kit.auth.principals import Principal
from portico.kit.auth.tokens import TokenIssuer


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class EmbeddedPortico:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[str] | None = None
        self.output = ""

    def start(self) -> None:
        env = {
            **os.environ,
            "PORTICO_PORT": str(self.port),
            "PORTICO_DATA_DIR": str(self.data_dir),
            "PORTICO_LOG_FORMAT": "console",
        }
        for name in ("PORTICO_BUS_URL", "PORTICO_ADMIN_EMAIL", "PORTICO_ADMIN_PASSWORD"):
            env.pop(name, None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "portico.kit.embedded"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"portico exited early:\n{self.process.stdout.read()}")  # type: ignore[union-attr]
            try:
                if httpx.get(f"{self.url}/api/portal/readyz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise AssertionError("portico did not become ready within 30 s")

    def stop(self) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGINT)
        code = self.process.wait(timeout=20)
        self.output = self.process.stdout.read()  # type: ignore[union-attr]
        self.process = None
        return code

    def admin_headers(self) -> dict[str, str]:
        private = (self.data_dir / "keys" / "jwt-private.pem").read_text()
        token, _ = TokenIssuer(private, "portico").issue(Principal(subject="admin", role="admin"))
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[EmbeddedPortico]:
    running = EmbeddedPortico(tmp_path / "data")
    try:
        yield running
    finally:
        if running.process is not None:
            running.process.kill()
            running.process.wait()


def test_every_service_serves_health_readiness_and_openapi(embedded: EmbeddedPortico) -> None:
    embedded.start()
    index = httpx.get(f"{embedded.url}/api").json()
    assert "portal" in index["services"]
    for service in index["services"]:
        base = f"{embedded.url}/api/{service}"
        assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}
        ready = httpx.get(f"{base}/readyz")
        assert ready.status_code == 200, ready.text
        assert set(ready.json()["checks"]) == {"database", "bus", "store"}
        openapi = httpx.get(f"{base}/openapi.json").json()
        assert openapi["openapi"].startswith("3.")
        assert "portico_http_requests_total" in httpx.get(f"{base}/metrics").text
    assert (embedded.data_dir / "portal.db").exists()
    assert embedded.stop() == 0


def test_it_restarts_with_its_data_intact(embedded: EmbeddedPortico) -> None:
    embedded.start()
    created = httpx.post(
        f"{embedded.url}/api/portal/v1/clients",
        json={"name": "Durable SARL"},
        headers=embedded.admin_headers(),
    )
    assert created.status_code == 201, created.text
    assert embedded.stop() == 0
    assert "portico started" in embedded.output

    embedded.start()
    listed = httpx.get(f"{embedded.url}/api/portal/v1/clients", headers=embedded.admin_headers())
    assert [client["name"] for client in listed.json()["items"]] == ["Durable SARL"]
    assert embedded.stop() == 0


def test_the_first_start_prints_the_first_admin_password_once(embedded: EmbeddedPortico) -> None:
    embedded.start()
    assert embedded.stop() == 0
    printed = re.search(r"email:\s+(\S+)\s+password:\s+(\S+)", embedded.output)
    assert printed is not None, embedded.output
    email, password = printed.groups()

    embedded.start()
    login = httpx.post(
        f"{embedded.url}/api/portal/v1/auth/login", json={"email": email, "password": password}
    )
    assert login.status_code == 200, login.text
    assert embedded.stop() == 0
    assert "password:" not in embedded.output
