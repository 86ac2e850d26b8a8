"""No Docker engine runs on our machines, so the compose file is checked here instead."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
# The services with a database and events; the gateway (the web UI) has neither.
SERVICES = sorted(
    path.name for path in (ROOT / "services").iterdir() if path.is_dir() and path.name != "gateway"
)
ROLES = ("api", "worker", "relay")


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_backing_services_have_healthchecks() -> None:
    services = compose()["services"]
    for name in ("postgres", "rabbitmq", "minio", "mailpit"):
        assert "healthcheck" in services[name], name
    assert "management" in services["rabbitmq"]["image"]


def test_every_service_runs_migrate_then_api_worker_and_relay() -> None:
    services = compose()["services"]
    for service in SERVICES:
        migrate = services[f"{service}-migrate"]
        assert migrate["command"] == ["python", "-m", f"portico.{service}", "migrate"]
        assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert migrate["depends_on"]["rabbitmq"]["condition"] == "service_healthy"
        for role in ROLES:
            container = services[f"{service}-{role}"]
            assert container["command"] == ["python", "-m", f"portico.{service}", role]
            assert container["build"]["dockerfile"] == "deploy/Dockerfile"
            assert container["image"] == "portico:latest"
            readiness = " ".join(container["healthcheck"]["test"])
            assert f"/api/{service}/readyz" in readiness
            condition = container["depends_on"][f"{service}-migrate"]["condition"]
            assert condition == "service_completed_successfully"


def test_every_service_gets_its_database_the_bus_the_store_and_keys() -> None:
    services = compose()["services"]
    for service in SERVICES:
        for role in (*ROLES, "migrate"):
            env = services[f"{service}-{role}"]["environment"]
            database_url = env[f"PORTICO_{service.upper()}_DATABASE_URL"]
            assert database_url.startswith("postgresql+asyncpg://")
            assert database_url.endswith(f"/{service}")
            assert env["PORTICO_BUS_URL"].startswith("amqp://")
            assert env["PORTICO_S3_BUCKET"]
            assert env["PORTICO_KEYS_DIR"] == "/keys"


def test_dockerfile_is_multi_stage_and_runs_as_a_non_root_user() -> None:
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text().splitlines()
    stages = [line for line in dockerfile if line.startswith("FROM ")]
    assert len(stages) >= 2
    users = [line.split()[1] for line in dockerfile if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    assert any("--locked" in line for line in dockerfile)


def test_the_gateway_serves_the_ui_over_each_service_api() -> None:
    services = compose()["services"]
    gateway = services["gateway"]
    assert gateway["command"] == ["python", "-m", "portico.gateway"]
    assert gateway["ports"] == ["8000:8000"]
    env = gateway["environment"]
    assert len(env["PORTICO_GATEWAY_SECRET_KEY"]) >= 32
    for service in SERVICES:
        assert (
            env[f"PORTICO_GATEWAY_{service.upper()}_URL"]
            == f"http://{service}-api:8000/api/{service}"
        )
        assert gateway["depends_on"][f"{service}-api"]["condition"] == "service_healthy"
    # The gateway's proxy headers are trusted by the services, and only from inside.
    for service in SERVICES:
        assert services[f"{service}-api"]["environment"]["PORTICO_TRUSTED_PROXIES"]
