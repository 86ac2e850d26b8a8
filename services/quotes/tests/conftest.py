"""The services the quotes service's tests run."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from portico.kit.host import discover_services
from portico.kit.service import Service


@pytest.fixture
def portico_services() -> Sequence[Service]:
    # The portal issues the tokens; quotes needs nothing else yet.
    return [s for s in discover_services() if s.name in {"portal", "quotes"}]
