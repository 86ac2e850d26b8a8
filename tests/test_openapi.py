"""Every service's OpenAPI document is complete: each JSON request body shows an example."""

from __future__ import annotations

from pathlib import Path

import pytest

from portico.kit.bus.memory import InMemoryBus
from portico.kit.host import discover_services
from portico.kit.service import Runtime, Service, create_app
from portico.kit.settings import PorticoSettings

SERVICES = discover_services()


@pytest.mark.parametrize("service", SERVICES, ids=[s.name for s in SERVICES])
def test_every_json_request_body_has_an_example(service: Service, tmp_path: Path) -> None:
    settings = PorticoSettings(data_dir=tmp_path, keys_dir=tmp_path / "keys")
    spec = create_app(Runtime(service, settings, InMemoryBus())).openapi()
    schemas = spec["components"]["schemas"]
    missing = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            media = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if media is None:
                continue
            schema = media["schema"]
            refs = [schema.get("$ref")] + [part.get("$ref") for part in schema.get("anyOf", [])]
            names = [ref.rsplit("/", 1)[-1] for ref in refs if ref]
            if not any("examples" in schemas[name] for name in names):
                missing.append(f"{method.upper()} {path}")
    assert missing == []
