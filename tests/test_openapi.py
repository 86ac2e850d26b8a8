"""Every service's OpenAPI document is complete: each JSON request body shows an example."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest

from portico.kit.bus.memory import InMemoryBus
from portico.kit.host import discover_services
from portico.kit.service import Runtime, Service, create_app
from portico.kit.settings import PorticoSettings
from portico.kit.testing.services import RunningPortico

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


HUGE = "1000000000000000000000000000000"


async def test_every_integer_query_parameter_is_bounded(portico: RunningPortico) -> None:
    """A huge ``offset`` used to overflow in the database (a 500); every integer a list
    takes in its query now has a maximum, and a value past it is a 422 naming it."""
    checked = []
    for runtime in portico.host.runtimes:
        spec = create_app(runtime).openapi()
        for path, operations in spec["paths"].items():
            get = operations.get("get")
            if get is None:
                continue
            integers = [
                parameter
                for parameter in get.get("parameters", [])
                if parameter["in"] == "query" and parameter["schema"].get("type") == "integer"
            ]
            # Each path parameter as its type has it (a page's number, an id).
            in_path = {
                parameter["name"]: "0" if parameter["schema"].get("type") == "integer" else None
                for parameter in get.get("parameters", [])
                if parameter["in"] == "path"
            }
            url = runtime.service.mount_path + re.sub(
                r"\{([^}]+)\}",
                lambda found, in_path=in_path: in_path.get(found.group(1)) or str(uuid.uuid4()),
                path,
            )
            for parameter in integers:
                name = parameter["name"]
                answer = await portico.http.get(
                    url, params={name: HUGE}, headers=portico.headers("admin")
                )
                assert answer.status_code == 422, (path, name, answer.text)
                assert answer.headers["content-type"].startswith("application/problem+json")
                assert "maximum" in parameter["schema"], f"GET {path}: {name} has no maximum"
                problem = answer.json()
                assert [error["field"] for error in problem["errors"]] == [name]
                assert str(parameter["schema"]["maximum"]) in problem["detail"]
                checked.append(f"{runtime.service.name} {path} {name}")
    # The lists of every service were found and checked, not none of them.
    assert {entry.split()[0] for entry in checked} == {"portal", "notifier", "signing", "quotes"}
    assert any(entry.endswith(" offset") for entry in checked)
