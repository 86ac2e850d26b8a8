"""Where integration backends come from: the environment, else testcontainers, else a skip.

``PORTICO_REQUIRE_INTEGRATION=1`` (set by CI) turns every such skip into a failure, so an
integration test can never pass by not running.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import NoReturn

import pytest


def integration_required() -> bool:
    return os.environ.get("PORTICO_REQUIRE_INTEGRATION") == "1"


def unavailable(reason: str) -> NoReturn:
    """Skip the test, or fail it when integration backends are required."""
    if integration_required():
        pytest.fail(f"integration backend required but unavailable: {reason}")
    pytest.skip(reason)


def docker_available() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        subprocess.run(["docker", "info"], check=True, capture_output=True, timeout=10)
    except (subprocess.SubprocessError, OSError):
        return False
    return True
