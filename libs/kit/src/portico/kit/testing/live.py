"""Portico as `make run` starts it: a real process on a free port, for end-to-end tests.

Its output goes to a file (a pipe nobody reads would fill and stop the process). The
environment chooses the mode: nothing for the embedded one, or PORTICO_BUS_URL and each
service's database URL for the distributed backends in one process.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Mapping
from pathlib import Path

import httpx

from portico.kit.auth.principals import Principal
from portico.kit.auth.tokens import TokenIssuer

START_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LivePortico:
    def __init__(self, data_dir: Path, env: Mapping[str, str] | None = None) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = dict(env or {})
        self.log = data_dir.parent / f"portico-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self._read = 0

    def start(self) -> None:
        env = {
            **os.environ,
            "PORTICO_PORT": str(self.port),
            "PORTICO_DATA_DIR": str(self.data_dir),
            "PORTICO_LOG_FORMAT": "console",
        }
        for name in ("PORTICO_BUS_URL", "PORTICO_ADMIN_EMAIL", "PORTICO_ADMIN_PASSWORD"):
            env.pop(name, None)
        env.update(self.env)
        self._read = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "portico.kit.embedded"],
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"portico exited early:\n{self.output}")
            try:
                if httpx.get(f"{self.url}/api/portal/readyz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"portico was not ready within {START_SECONDS} s:\n{self.output}")

    @property
    def output(self) -> str:
        """What the process printed since its last start."""
        with self.log.open("rb") as log:
            log.seek(self._read)
            return log.read().decode(errors="replace")

    def stop(self) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGINT)
        code = self.process.wait(timeout=20)
        self.process = None
        return code

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def admin_headers(self) -> dict[str, str]:
        keys = Path(self.env.get("PORTICO_KEYS_DIR") or self.data_dir / "keys")
        private = (keys / "jwt-private.pem").read_text()
        token, _ = TokenIssuer(private, "portico").issue(
            Principal(subject=str(uuid.uuid4()), role="admin")
        )
        return {"Authorization": f"Bearer {token}"}
