"""`python -m portico.portal migrate` creates the first admin that PORTICO_ADMIN_* names:
the distributed mode has no other start-up to do it."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import httpx
from sqlalchemy import func, select

from portico.kit.db import Database
from portico.kit.host import Host, Roles
from portico.kit.settings import PorticoSettings
from portico.portal.app import service
from portico.portal.models import StaffUser

EMAIL, PASSWORD = "ops@studio.example", "Migrate-Then-Log-In-7"


def migrate(data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PORTICO_DATA_DIR": str(data_dir), **env}
    for name in ("PORTICO_BUS_URL", "PORTICO_PORTAL_DATABASE_URL"):
        environment.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "portico.portal", "migrate"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def staff_count(data_dir: Path) -> int:
    database = Database(f"sqlite+aiosqlite:///{data_dir / 'portal.db'}", service="portal")
    try:
        async with database.sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(StaffUser)) or 0)
    finally:
        await database.dispose()


async def log_in(data_dir: Path) -> int:
    """Logs in through the portal's API, served over the migrated database (no migration)."""
    settings = PorticoSettings(data_dir=data_dir)
    host = Host([service], settings, Roles(api=True, consume=False, relay=False, migrate=False))
    await host.start()
    try:
        transport = httpx.ASGITransport(app=host.app())
        async with httpx.AsyncClient(transport=transport, base_url="http://portico.test") as http:
            answer = await http.post(
                "/api/portal/v1/auth/login", json={"email": EMAIL, "password": PASSWORD}
            )
            return answer.status_code
    finally:
        await host.stop()


def test_migrate_creates_the_admin_of_the_environment_once(tmp_path: Path) -> None:
    first = migrate(tmp_path, PORTICO_ADMIN_EMAIL=EMAIL, PORTICO_ADMIN_PASSWORD=PASSWORD)
    assert first.returncode == 0, first.stderr
    assert "portal: database at head" in first.stdout
    # Chosen by the operator: never printed.
    assert PASSWORD not in first.stdout + first.stderr
    assert asyncio.run(log_in(tmp_path)) == 200

    again = migrate(tmp_path, PORTICO_ADMIN_EMAIL=EMAIL, PORTICO_ADMIN_PASSWORD=PASSWORD)
    assert again.returncode == 0, again.stderr
    assert asyncio.run(staff_count(tmp_path)) == 1
    assert asyncio.run(log_in(tmp_path)) == 200
