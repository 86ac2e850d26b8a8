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
from portico.portal.identity.throttle import ADDRESS_RULE

ADMIN = {
    "PORTICO_ADMIN_EMAIL": "owner@studio.example",
    "PORTICO_ADMIN_PASSWORD": "a-long-admin-pass",
}


@pytest.fixture
def services(tmp_path: Path) -> Iterator[LivePortico]:
    # As deployed, the services believe the gateway's X-Forwarded-For (here from 127.0.0.1).
    trusted = {"PORTICO_TRUSTED_PROXIES": '["in-process", "127.0.0.1"]'}
    running = LivePortico(tmp_path / "data", {**ADMIN, **trusted})
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
    refused = httpx.post(f"{gateway}/api/portal/v1/auth/login", json={"email": "x"})
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert httpx.get(f"{gateway}/api/nowhere/v1/things").status_code == 404


def test_the_apis_passed_through_carry_the_pages_security_headers(gateway: str) -> None:
    page = httpx.get(f"{gateway}/login")
    for answer in (
        httpx.get(f"{gateway}/api/portal/v1/organisation"),
        httpx.post(f"{gateway}/api/portal/v1/auth/login", json={"email": "x"}),
        httpx.get(f"{gateway}/api/portal/openapi.json"),
    ):
        assert answer.headers["x-content-type-options"] == "nosniff"
        for name in ("content-security-policy", "referrer-policy", "x-frame-options"):
            assert answer.headers[name] == page.headers[name], name


def test_a_browser_cannot_escape_the_login_throttle_by_naming_addresses_to_the_gateway(
    gateway: str,
) -> None:
    # The gateway must say it saw 127.0.0.1, whatever the client claims to be behind it.
    answers = [
        httpx.post(
            f"{gateway}/api/portal/v1/auth/login",
            json={"email": f"guess{n}@studio.example", "password": "not-the-password"},
            headers={"X-Forwarded-For": f"198.51.100.{n}"},
        ).status_code
        for n in range(ADDRESS_RULE.limit + 1)
    ]
    assert answers == [401] * ADDRESS_RULE.limit + [429]


def test_the_api_docs_load_their_files_from_the_gateway(gateway: str) -> None:
    docs = httpx.get(f"{gateway}/api/portal/docs")
    assert docs.status_code == 200
    # The page's own policy, kept by the passthrough: no inline script, this origin only.
    assert "script-src 'self'" in docs.headers["content-security-policy"]
    references = re.findall(r'\b(?:src|href)="([^"]+)"', docs.text)
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in references
    for reference in references:
        assert reference.startswith("/"), reference
        assert httpx.get(f"{gateway}{reference}").status_code == 200, reference
