"""`make run`'s process: every service under /api/<service>/, clean stop, data kept."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from portico.kit.host import discover_services
from portico.kit.testing.live import LivePortico

# The services whose readiness says whether their job runner is up.
WITH_JOBS = {service.name for service in discover_services() if service.jobs}


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[LivePortico]:
    running = LivePortico(tmp_path / "data")
    try:
        yield running
    finally:
        running.kill()


def test_every_service_serves_health_readiness_and_openapi(embedded: LivePortico) -> None:
    embedded.start()
    index = httpx.get(f"{embedded.url}/api").json()
    assert "portal" in index["services"]
    for service in index["services"]:
        base = f"{embedded.url}/api/{service}"
        assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}
        ready = httpx.get(f"{base}/readyz")
        assert ready.status_code == 200, ready.text
        # The embedded process runs every role: jobs too, where the service has some.
        jobs = {"jobs"} if service in WITH_JOBS else set()
        assert set(ready.json()["checks"]) == {"database", "bus", "store", *jobs}
        openapi = httpx.get(f"{base}/openapi.json").json()
        assert openapi["openapi"].startswith("3.")
        assert "portico_http_requests_total" in httpx.get(f"{base}/metrics").text
    assert (embedded.data_dir / "portal.db").exists()
    assert embedded.stop() == 0


def test_it_restarts_with_its_data_intact(embedded: LivePortico) -> None:
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


def _started_line(text: str) -> str:
    """The "portico started" log line, without its time and port."""
    line = next(line for line in text.splitlines() if "portico started" in line)
    return re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", line.split(" ", 1)[1])


def test_the_readme_shows_the_line_it_logs_when_started(embedded: LivePortico) -> None:
    embedded.start()
    assert embedded.stop() == 0
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    assert _started_line(embedded.output) == _started_line(readme)


def test_the_first_start_prints_the_first_admin_password_once(embedded: LivePortico) -> None:
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
