"""The services the documents service's tests run."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from portico.kit.host import discover_services
from portico.kit.service import Service


@pytest.fixture
def portico_services() -> Sequence[Service]:
    # The portal tells the documents service of its clients and staff; no notifier here.
    return [s for s in discover_services() if s.name in {"portal", "documents"}]


@pytest.fixture
def portico_uses_s3() -> bool:
    # The documents' files go to S3 in the distributed runs, as in production.
    return True
