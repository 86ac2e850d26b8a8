"""The gateway on its own (distributed mode): pages and /api/* over the services' URLs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from portico.kit.testing.live import LivePortico, free_port

ADMIN = {
    "PORTICO_ADMIN_EMAIL": "owner@studio.example",
    "PORTICO_ADMIN_PASSWORD": "a-long-admin-pass",
}


@pytest.fixture
def services(tmp_path: Path) -> Iterator[LivePortico]:
    running = LivePortico(tmp_path / "data", ADMIN)
    running.start()
    try:
        yield running
    finally:
        running.kill()


@pytest.fixture
def gateway(services: LivePortico, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "PORTICO_PORT": str(port),
        "PORTICO_GATEWAY_PORTAL_URL": f"{services.url}/api/portal",
        "PORTICO_GATEWAY_NOTIFIER_URL": f"{services.url}/api/notifier",
        "PORTICO_GATEWAY_SECRET_KEY": "a-secret-shared-by-every-gateway-instance",
        "PORTICO_LOG_FORMAT": "console",
        "PORTICO_DATA_DIR": str(tmp_path / "gateway"),
    }
    log = (tmp_path / "gateway.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "portico.gateway"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise AssertionError((tmp_path / "gateway.log").read_text())
        yield url
    finally:
        process.kill()
        process.wait()
        log.close()


def test_the_gateway_alone_logs_in_over_the_services_urls(gateway: str) -> None:
    with httpx.Client(base_url=gateway) as browser:
        login = browser.get("/login")
        assert login.status_code == 200
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', login.text)
        assert csrf is not None
        answer = browser.post(
            "/login",
            data={
                "email": ADMIN["PORTICO_ADMIN_EMAIL"],
                "password": ADMIN["PORTICO_ADMIN_PASSWORD"],
                "csrf_token": csrf.group(1),
            },
        )
        assert answer.status_code == 303, answer.text[:500]
        dashboard = browser.get("/")
        assert dashboard.status_code == 200
        assert "Welcome to your client portal" in dashboard.text


def test_the_services_apis_pass_through_the_gateway(gateway: str) -> None:
    organisation = httpx.get(f"{gateway}/api/portal/v1/organisation")
    assert organisation.status_code == 200
    assert organisation.json()["name"]
    assert "content-security-policy" not in organisation.headers
    refused = httpx.post(f"{gateway}/api/portal/v1/auth/login", json={"email": "x"})
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert httpx.get(f"{gateway}/api/nowhere/v1/things").status_code == 404
