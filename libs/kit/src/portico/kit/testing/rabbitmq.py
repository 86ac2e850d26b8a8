"""RabbitMQ for tests: a fresh vhost per test, so a test may cut every connection of its own.

The server comes from ``PORTICO_TEST_AMQP_URL`` (a shared one, administered with the local
``rabbitmqctl``); else, when RabbitMQ is installed, from a node of the test process's own
(``LocalRabbitMq``); else from a container when Docker answers (administered inside it);
else the tests that need it are unavailable.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import secrets
import shutil
import signal
import string
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest

from portico.kit.testing.backends import docker_available, unavailable
from portico.kit.testing.live import free_port

# The version Debian ships, which CI runs: quorum queues there have no default delivery
# limit and no delayed retry, so the bus sets both itself.
RABBITMQ_IMAGE = "rabbitmq:3.10-alpine"


@dataclass(frozen=True)
class AmqpServer:
    url: str
    # Runs ``rabbitmqctl`` with the given arguments against this server; returns its output.
    control: Callable[..., str]


def _local_rabbitmqctl(*arguments: str, environment: Mapping[str, str]) -> str:
    done = subprocess.run(
        ["rabbitmqctl", "-q", *arguments],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
        env=environment,
    )
    return done.stdout


def rabbitmq_scripts() -> Path | None:
    """The folder holding RabbitMQ's own ``rabbitmq-server`` and ``rabbitmqctl``, if installed.

    Debian's ``/usr/sbin`` ones are wrappers that switch to the rabbitmq user, who could
    neither read a node folder of ours nor share our Erlang cookie: its own scripts come
    first."""
    candidates = [Path("/usr/lib/rabbitmq/bin")]
    if found := shutil.which("rabbitmq-server"):
        candidates.append(Path(found).resolve().parent)
    for folder in candidates:
        if (folder / "rabbitmq-server").is_file() and (folder / "rabbitmqctl").is_file():
            return folder
    return None


class LocalRabbitMq:
    """A RabbitMQ node of this test process's own, started from the machine's installation.

    Each pytest-xdist worker starts one, so the workers never share a broker: a shared one
    serves every worker's vhosts and quorum queues at once, and on a busy two-core machine
    it has stopped answering within its clients' timeouts. Its data lives in memory
    (``/dev/shm``) where there is some: the quorum queues' write-ahead log syncs at every
    write, which on a disk costs more than the tests themselves. It is stopped and its
    folder removed at the end of the session.
    """

    START_SECONDS = 90

    def __init__(self, scripts: Path) -> None:
        self.scripts = scripts
        memory = Path("/dev/shm")  # noqa: S108 - mkdtemp makes a private folder in it
        self.folder = Path(
            tempfile.mkdtemp(prefix="portico-rabbitmq-", dir=memory if memory.is_dir() else None)
        )
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        self.node = f"portico-{worker}-{os.getpid()}@localhost"
        self.port = free_port()
        self.url = f"amqp://guest:guest@127.0.0.1:{self.port}/"
        # The cookie is written before either the node or a rabbitmqctl could make one.
        cookie = self.folder / ".erlang.cookie"
        cookie.write_text("".join(secrets.choice(string.ascii_uppercase) for _ in range(20)))
        cookie.chmod(0o400)
        (self.folder / "enabled_plugins").write_text("[].\n")
        (self.folder / "rabbitmq.conf").write_text(
            f"listeners.tcp.1 = 127.0.0.1:{self.port}\ndisk_free_limit.absolute = 50MB\n"
        )
        self.environment = {
            **os.environ,
            "HOME": str(self.folder),
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_DIST_PORT": str(free_port()),
            "RABBITMQ_CONFIG_FILE": str(self.folder / "rabbitmq.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.folder / "enabled_plugins"),
            "RABBITMQ_MNESIA_BASE": str(self.folder / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.folder / "log"),
            "RABBITMQ_PID_FILE": str(self.folder / "rabbitmq.pid"),
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with (self.folder / "server.out").open("wb") as output:
            self.process = subprocess.Popen(
                [str(self.scripts / "rabbitmq-server")],
                env=self.environment,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its Erlang children stop with it, see stop()
            )
        deadline = time.monotonic() + self.START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                self.control("await_startup", "--timeout", "30")
                return
            except subprocess.CalledProcessError:
                time.sleep(1)  # not yet known to epmd
        printed = (self.folder / "server.out").read_text(errors="replace")
        self.stop()
        raise RuntimeError(f"RabbitMQ node {self.node} did not start:\n{printed[-4000:]}")

    def control(self, *arguments: str) -> str:
        done = subprocess.run(
            [str(self.scripts / "rabbitmqctl"), "-q", "-n", self.node, *arguments],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
            env=self.environment,
        )
        return done.stdout

    def stop(self) -> None:
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
            self.process = None
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def amqp_server() -> Iterator[AmqpServer]:
    url = os.environ.get("PORTICO_TEST_AMQP_URL")
    if url:
        if shutil.which("rabbitmqctl") is None:
            unavailable("rabbitmqctl is needed to give each test a vhost of its own")
        # Each rabbitmqctl gets the environment as it is now: the vhost pool runs it from a
        # worker thread, and a child that inherits os.environ while the main thread changes
        # it (a test's monkeypatch undone) can fail to start ("Bad address").
        yield AmqpServer(url, functools.partial(_local_rabbitmqctl, environment=dict(os.environ)))
        return
    scripts = rabbitmq_scripts()
    if scripts is not None:
        node = LocalRabbitMq(scripts)
        try:
            node.start()
            yield AmqpServer(node.url, node.control)
        finally:
            node.stop()
        return
    if not docker_available():
        unavailable(
            "RabbitMQ: PORTICO_TEST_AMQP_URL is unset, RabbitMQ is not installed "
            "and Docker is not available"
        )
    from testcontainers.core.container import DockerContainer
    from testcontainers.core.waiting_utils import wait_for_logs

    # A plain container rather than testcontainers' RabbitMqContainer, whose readiness
    # probe needs another AMQP client library (pika) that Portico does not use.
    with DockerContainer(RABBITMQ_IMAGE).with_exposed_ports(5672) as container:
        wait_for_logs(container, "Server startup complete", timeout=120)

        def control(*arguments: str) -> str:
            exit_code, output = container.exec(["rabbitmqctl", "-q", *arguments])
            text = output.decode("utf-8", "replace")
            if exit_code != 0:
                raise RuntimeError(f"rabbitmqctl {' '.join(arguments)} failed: {text}")
            return text

        host, port = container.get_container_host_ip(), container.get_exposed_port(5672)
        yield AmqpServer(f"amqp://guest:guest@{host}:{port}/", control)


@pytest.fixture(scope="session")
def amqp_server_url(amqp_server: AmqpServer) -> str:
    return amqp_server.url


class VhostPool:
    """Fresh vhosts, made a few at a time ahead of the tests that take them.

    Each rabbitmqctl run starts an Erlang VM (a second or two), which per test would
    dominate the suite: vhosts are made and deleted in batches, on a background thread,
    with one ``rabbitmqctl eval`` per batch (falling back to ``add_vhost`` +
    ``set_permissions`` / ``delete_vhost`` one by one when eval is refused). A vhost is
    never handed out twice.
    """

    BATCH = 8
    # Start the next batch while this many are left, so a test rarely waits for one.
    LOW = 3

    def __init__(self, server: AmqpServer) -> None:
        self.server = server
        self.user = urlsplit(server.url).username or "guest"
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="portico-vhosts")
        self._ready: list[str] = []
        self._making: Future[list[str]] | None = None
        self._used: list[str] = []
        self._deleting: list[Future[None]] = []

    def take(self) -> str:
        if self._making is not None and (not self._ready or self._making.done()):
            self._ready.extend(self._making.result())
            self._making = None
        if not self._ready:
            self._ready.extend(self._next_batch().result())
            self._making = None
        vhost = self._ready.pop()
        if len(self._ready) < self.LOW:
            self._next_batch()  # made while the tests run
        return vhost

    def give_back(self, vhost: str) -> None:
        self._used.append(vhost)
        if len(self._used) >= self.BATCH:
            self._deleting.append(self._worker.submit(self._delete, self._used))
            self._used = []

    def close(self) -> None:
        if self._making is not None:
            self._ready.extend(self._making.result())
        leftovers, self._ready, self._used = [*self._ready, *self._used], [], []
        self._deleting.append(self._worker.submit(self._delete, leftovers))
        for deletion in self._deleting:
            deletion.result()
        self._worker.shutdown()

    def _next_batch(self) -> Future[list[str]]:
        if self._making is None:
            self._making = self._worker.submit(self._make, self.BATCH)
        return self._making

    def _make(self, count: int) -> list[str]:
        names = [f"portico-test-{uuid.uuid4().hex[:12]}" for _ in range(count)]
        permissions = ", ".join(f'<<"{p}">>' for p in (".*", ".*", ".*"))
        try:
            self.server.control(
                "eval",
                f"[begin ok = rabbit_vhost:add(V, {ACTING_USER}), "
                f"ok = rabbit_auth_backend_internal:set_permissions("
                f"{_binary(self.user)}, V, {permissions}, {ACTING_USER}) end "
                f"|| V <- [{', '.join(map(_binary, names))}]], ok.",
            )
        except (subprocess.CalledProcessError, RuntimeError):
            self._deleting.append(self._worker.submit(self._delete, names))  # half made
            names = [f"portico-test-{uuid.uuid4().hex[:12]}" for _ in range(count)]
            for name in names:
                self.server.control("add_vhost", name)
                self.server.control("set_permissions", "-p", name, self.user, ".*", ".*", ".*")
        return names

    def _delete(self, names: list[str]) -> None:
        if not names:
            return
        script = (
            f"[rabbit_vhost:delete(V, {ACTING_USER}) "
            f"|| V <- [{', '.join(map(_binary, names))}]], ok."
        )
        try:
            self.server.control("eval", script)
        except (subprocess.CalledProcessError, RuntimeError):
            for name in names:
                with contextlib.suppress(subprocess.CalledProcessError, RuntimeError):
                    self.server.control("delete_vhost", name)


ACTING_USER = '<<"portico-tests">>'


def _binary(text: str) -> str:
    """An Erlang binary literal of a name we made or a user name from the URL."""
    if not re.fullmatch(r"[A-Za-z0-9_.@-]+", text):
        raise RuntimeError(f"unexpected characters in {text!r}")
    return f'<<"{text}">>'


@pytest.fixture(scope="session")
def amqp_vhost_pool(amqp_server: AmqpServer) -> Iterator[VhostPool]:
    pool = VhostPool(amqp_server)
    try:
        yield pool
    finally:
        pool.close()


@pytest.fixture
def amqp_vhost(amqp_vhost_pool: VhostPool) -> Iterator[str]:
    """A vhost of its own for one test, deleted afterwards."""
    vhost = amqp_vhost_pool.take()
    try:
        yield vhost
    finally:
        amqp_vhost_pool.give_back(vhost)


@pytest.fixture
def amqp_vhost_url(amqp_server: AmqpServer, amqp_vhost: str) -> str:
    parts = urlsplit(amqp_server.url)
    return urlunsplit(parts._replace(path="/" + quote(amqp_vhost, safe="")))


@pytest.fixture
def cut_amqp_connections(amqp_server: AmqpServer, amqp_vhost: str) -> Callable[[], None]:
    """Makes the broker close every client connection of the test's vhost."""

    def cut() -> None:
        amqp_server.control("close_all_connections", "-p", amqp_vhost, "portico test: cut")

    return cut
