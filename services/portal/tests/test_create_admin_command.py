"""`python -m portico.portal create-admin`: an administrator for the distributed mode."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from portico.kit.db import Database
from portico.portal.identity.passwords import verify_password
from portico.portal.models import StaffUser


def create_admin(data_dir: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PORTICO_DATA_DIR": str(data_dir)}
    env.pop("PORTICO_BUS_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "portico.portal", "create-admin", *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def stored_admin(data_dir: Path, email: str) -> StaffUser | None:
    database = Database(f"sqlite+aiosqlite:///{data_dir / 'portal.db'}", service="portal")
    try:
        async with database.sessions() as session:
            return await session.scalar(select(StaffUser).where(StaffUser.email == email))
    finally:
        await database.dispose()


def test_it_creates_an_admin_with_a_printed_password_and_refuses_a_duplicate(
    tmp_path: Path,
) -> None:
    done = create_admin(tmp_path, "--email", "Boss@Studio.example", "--first-name", "Nora")
    assert done.returncode == 0, done.stderr
    assert "admin boss@studio.example created" in done.stdout
    password = done.stdout.split("password: ")[1].split()[0]

    admin = asyncio.run(stored_admin(tmp_path, "boss@studio.example"))
    assert admin is not None
    assert (admin.role, admin.first_name, admin.active) == ("admin", "Nora", True)
    assert asyncio.run(verify_password(admin.password_hash, password))

    again = create_admin(tmp_path, "--email", "boss@studio.example")
    assert again.returncode != 0
    assert "already the email of a staff user" in again.stderr


def test_a_weak_password_is_refused(tmp_path: Path) -> None:
    refused = create_admin(tmp_path, "--email", "boss@studio.example", "--password", "boss")
    assert refused.returncode != 0
    assert "at least 10 characters" in refused.stderr
