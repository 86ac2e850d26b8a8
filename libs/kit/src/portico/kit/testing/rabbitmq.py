"""RabbitMQ for tests: a fresh vhost per test on the server from the environment."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from urllib.parse import quote, urlsplit, urlunsplit

import pytest

from portico.kit.testing.backends import docker_available, unavailable


@pytest.fixture(scope="session")
def amqp_server_url() -> Iterator[str]:
    url = os.environ.get("PORTICO_TEST_AMQP_URL")
    if url:
        yield url
        return
    if docker_available():
        from testcontainers.rabbitmq import RabbitMqContainer

        with RabbitMqContainer("rabbitmq:3.13-alpine") as container:
            host = container.get_container_host_ip()
            port = container.get_exposed_port(container.port)
            yield f"amqp://guest:guest@{host}:{port}/"
        return
    unavailable("RabbitMQ: PORTICO_TEST_AMQP_URL is unset and Docker is not available")


def rabbitmqctl(*arguments: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *arguments], check=True, capture_output=True, timeout=60)


@pytest.fixture
def amqp_vhost(amqp_server_url: str) -> Iterator[str]:
    """A vhost of its own, so that tests may close every connection of it."""
    if shutil.which("rabbitmqctl") is None:
        unavailable("rabbitmqctl is needed to create a vhost per test")
    vhost = f"portico-test-{uuid.uuid4().hex[:10]}"
    user = urlsplit(amqp_server_url).username or "guest"
    rabbitmqctl("add_vhost", vhost)
    rabbitmqctl("set_permissions", "-p", vhost, user, ".*", ".*", ".*")
    try:
        yield vhost
    finally:
        rabbitmqctl("delete_vhost", vhost)


@pytest.fixture
def amqp_vhost_url(amqp_server_url: str, amqp_vhost: str) -> str:
    parts = urlsplit(amqp_server_url)
    return urlunsplit(parts._replace(path="/" + quote(amqp_vhost, safe="")))
