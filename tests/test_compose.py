"""No Docker engine runs on our machines, so the compose file is checked here instead."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SERVICES = sorted(path.name for path in (ROOT / "services").iterdir() if path.is_dir())
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
