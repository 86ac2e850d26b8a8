"""The first administrator: made at the first start of the embedded run, by ``migrate``
(from ``PORTICO_ADMIN_*``), or by a command."""

from __future__ import annotations

import argparse
import secrets
import sys
from datetime import timedelta

import structlog
from pydantic import ValidationError
from sqlalchemy import select

from portico.kit.problems import Problem
from portico.kit.service import Command, Runtime
from portico.portal.models import StaffUser
from portico.portal.settings import PortalSettings
from portico.portal.staff.schemas import StaffUserIn
from portico.portal.staff.service import create_staff_user

log = structlog.get_logger(__name__)

DEFAULT_ADMIN_EMAIL = "admin@portico.example"


def generated_password() -> str:
    return secrets.token_urlsafe(15)


async def create_admin(
    runtime: Runtime, email: str, password: str, first_name: str, last_name: str
) -> StaffUser:
    data = StaffUserIn(
        email=email, first_name=first_name, last_name=last_name, role="admin", password=password
    )
    async with runtime.database.transaction() as tx:
        return await create_staff_user(
            tx, runtime.settings, data, welcome_link_lifetime=timedelta(days=1)
        )


async def ensure_first_admin(runtime: Runtime) -> None:
    """A start-up task: when there is no staff user at all, make the first admin."""
    async with runtime.database.sessions() as session:
        if await session.scalar(select(StaffUser.id).limit(1)) is not None:
            return
    settings = PortalSettings()
    if settings.admin_password is None and not runtime.settings.embedded:
        # A generated password would be printed into a deployment's logs (``migrate`` runs
        # this task there): the operator chooses the credentials or runs create-admin.
        log.warning(
            "no staff user yet: set PORTICO_ADMIN_EMAIL and PORTICO_ADMIN_PASSWORD for "
            "`migrate`, or run `python -m portico.portal create-admin --email ...`"
        )
        return
    email = settings.admin_email or DEFAULT_ADMIN_EMAIL
    password = settings.admin_password or generated_password()
    try:
        await create_admin(runtime, email, password, "Admin", "Portico")
    except (ValidationError, Problem) as error:
        raise SystemExit(f"cannot create the first admin from PORTICO_ADMIN_*: {error}") from None
    log.info("first admin created", email=email)
    if settings.admin_password is None:
        _print_credentials(email, password)


def _print_credentials(email: str, password: str) -> None:
    # Printed, not logged: shown once to the person at the terminal, kept out of log files.
    lines = [
        "Portico created the first administrator. Log in with:",
        f"    email:    {email}",
        f"    password: {password}",
        "This password is shown only once; change it in your settings.",
    ]
    width = max(len(line) for line in lines) + 4
    print("\n" + "=" * width, *(f"  {line}" for line in lines), "=" * width + "\n", sep="\n")
    sys.stdout.flush()


async def _create_admin_command(runtime: Runtime, arguments: argparse.Namespace) -> None:
    password = arguments.password or generated_password()
    try:
        user = await create_admin(
            runtime, arguments.email, password, arguments.first_name, arguments.last_name
        )
    except (ValidationError, Problem) as error:
        raise SystemExit(f"cannot create the admin: {error}") from None
    print(f"admin {user.email} created")
    if arguments.password is None:
        print(f"password: {password}  (shown once)")


def _create_admin_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--email", required=True)
    parser.add_argument("--first-name", default="Admin")
    parser.add_argument("--last-name", default="Portico")
    parser.add_argument("--password", help="generated and printed when not given")


CREATE_ADMIN = Command(
    name="create-admin",
    help="create an administrator account",
    run=_create_admin_command,
    arguments=_create_admin_arguments,
)
