"""What a client Portico has no reason to believe cannot do to a real server (uvicorn on a
socket, as `make run` serves it): name its own address."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from portico.kit.testing.live import LivePortico
from portico.portal.identity.throttle import ADDRESS_RULE


@pytest.fixture(scope="module")
def portico(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LivePortico]:
    running = LivePortico(tmp_path_factory.mktemp("untrusted") / "data")
    running.start()
    try:
        yield running
    finally:
        running.kill()


def test_a_local_client_cannot_escape_the_login_throttle_by_naming_other_addresses(
    portico: LivePortico,
) -> None:
    # From 127.0.0.1, which uvicorn believed by default, and which is no trusted proxy here.
    with httpx.Client(base_url=portico.url) as http:
        answers = [
            http.post(
                "/api/portal/v1/auth/login",
                json={"email": f"guess{n}@studio.example", "password": "not-the-password"},
                headers={"X-Forwarded-For": f"198.51.100.{n}"},
            ).status_code
            for n in range(ADDRESS_RULE.limit + 1)
        ]
    assert answers == [401] * ADDRESS_RULE.limit + [429]
