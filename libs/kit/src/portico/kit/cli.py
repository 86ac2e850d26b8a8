"""The command line of every service: ``python -m portico.<service> <command>``."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable, Sequence

from portico.kit.bus import create_bus
from portico.kit.bus.memory import InMemoryBus
from portico.kit.db import Database
from portico.kit.embedded import keep_data_private
from portico.kit.host import Roles, serve
from portico.kit.jobs import parked_jobs, retry_parked
from portico.kit.migrations import upgrade, upgrade_async
from portico.kit.service import Command, Runtime, Service
from portico.kit.settings import PorticoSettings, ServiceSettings

ROLES = {
    "api": Roles(api=True, consume=False, relay=False, migrate=False, jobs=False),
    "worker": Roles(api=False, consume=True, relay=False, migrate=False, jobs=True),
    "relay": Roles(api=False, consume=False, relay=True, migrate=False, jobs=False),
}


def run_cli(service: Service, argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog=f"python -m portico.{service.name}")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("api", help="serve the HTTP API (health and metrics included)")
    commands.add_parser("worker", help="consume events (serves health and metrics)")
    commands.add_parser("relay", help="publish the outbox (serves health and metrics)")
    commands.add_parser("migrate", help="upgrade the database and declare the bus topology")
    commands.add_parser("parked", help="list the events parked after their last retry")
    replay = commands.add_parser("replay", help="send parked events back to the work queue")
    replay.add_argument("ids", nargs="*", help="message ids to replay (all when none given)")
    jobs = commands.add_parser("jobs", help="the service's durable jobs").add_subparsers(
        dest="jobs_command", required=True
    )
    jobs.add_parser("parked", help="list the jobs parked after their last try, with the error")
    retry = jobs.add_parser("retry", help="run parked jobs again with a full set of tries")
    retry.add_argument("ids", nargs="*", help="job ids to retry (all when none given)")
    extra = {command.name: command for command in service.commands}
    for command in service.commands:
        command.arguments(commands.add_parser(command.name, help=command.help))
    arguments = parser.parse_args(argv)
    # A role may keep files under the data folder too (the mailbox, blobs without S3).
    keep_data_private(PorticoSettings().data_dir)

    if arguments.command in ROLES:
        serve([service], ROLES[arguments.command], process_name=service.name)
    elif arguments.command == "migrate":
        migrate(service)
    elif arguments.command == "parked":
        asyncio.run(list_parked(service))
    elif arguments.command == "replay":
        asyncio.run(replay_parked(service, arguments.ids))
    elif arguments.command == "jobs" and arguments.jobs_command == "parked":
        asyncio.run(on_database(service, list_parked_jobs))
    elif arguments.command == "jobs":
        asyncio.run(on_database(service, lambda database: retry_jobs(database, arguments.ids)))
    elif arguments.command in extra:
        asyncio.run(run_command(service, extra[arguments.command], arguments))


async def run_command(service: Service, command: Command, arguments: argparse.Namespace) -> None:
    """A service's own command, on its database (migrated first); no bus is connected."""
    settings = PorticoSettings()
    # Events it emits wait in the outbox for the relay, as with any other write.
    runtime = Runtime(service, settings, InMemoryBus())
    if runtime.database.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    await upgrade_async(runtime.database.url, service.migrations)
    try:
        await command.run(runtime, arguments)
    finally:
        await runtime.database.dispose()


async def on_database(service: Service, work: Callable[[Database], Awaitable[None]]) -> None:
    """``work`` on the service's database, as the roles find it (no migration, no bus)."""
    settings = PorticoSettings()
    url = ServiceSettings.for_service(service.name).resolved_database_url(service.name, settings)
    database = Database(url, service=service.name)
    try:
        await work(database)
    finally:
        await database.dispose()


async def list_parked_jobs(database: Database) -> None:
    parked = await parked_jobs(database)
    if not parked:
        print(f"{database.service}: no parked jobs")
        return
    for job in parked:
        # The error's last line names it; the whole traceback is in the worker's log.
        error = (job.last_error or "").strip().splitlines()[-1:] or ["?"]
        when = f"{job.parked_at:%Y-%m-%d %H:%M:%S}" if job.parked_at else "?"
        print(f"{job.id}  {job.kind}  tries={job.tries}  parked={when}  {error[0]}")


async def retry_jobs(database: Database, ids: Sequence[str]) -> None:
    count = await retry_parked(database, ids or None)
    print(f"{database.service}: {count} job(s) to run again")


def migrate(service: Service) -> None:
    """Upgrade the database, declare the bus topology, then run the service's start-up
    tasks (the portal's first admin from ``PORTICO_ADMIN_*``): in the distributed mode no
    other process runs them, and each is idempotent."""
    settings = PorticoSettings()
    url = ServiceSettings.for_service(service.name).resolved_database_url(service.name, settings)
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(url, service.migrations)
    asyncio.run(_declare_and_start(service, settings))
    print(f"{service.name}: database at head, bus topology declared")


async def _declare_and_start(service: Service, settings: PorticoSettings) -> None:
    bus = create_bus(settings)
    await bus.connect()
    try:
        await bus.declare(service.name, sorted(t.event_type for t in service.event_handlers))
        if service.startup:
            # Events the tasks emit wait in the outbox for the relay.
            runtime = Runtime(service, settings, bus)
            try:
                await runtime.run_startup()
            finally:
                await runtime.database.dispose()
    finally:
        await bus.close()


async def list_parked(service: Service) -> None:
    bus = create_bus(PorticoSettings())
    await bus.connect()
    try:
        parked = await bus.parked(service.name)
    finally:
        await bus.close()
    if not parked:
        print(f"{service.name}: no parked events")
        return
    for message in parked:
        print(
            f"{message.message_id}  {message.event_type or '?'}  tries={message.tries}  "
            f"parked={message.parked_at:%Y-%m-%d %H:%M:%S}  {message.reason}"
        )


async def replay_parked(service: Service, ids: Sequence[str]) -> None:
    bus = create_bus(PorticoSettings())
    await bus.connect()
    try:
        count = await bus.replay(service.name, ids or None)
    finally:
        await bus.close()
    print(f"{service.name}: {count} event(s) sent back to the work queue", file=sys.stdout)
