"""The services the signing service's tests run."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from portico.kit.host import discover_services
from portico.kit.service import Service


@pytest.fixture
def portico_services() -> Sequence[Service]:
    # The portal tells the signing service of its clients; the notifier is not needed here.
    return [service for service in discover_services() if service.name in {"portal", "signing"}]


@pytest.fixture
def portico_uses_s3() -> bool:
    # Templates' documents and previews go to S3 in the distributed runs, as in production.
    return True
