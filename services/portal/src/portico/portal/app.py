"""The portal service: staff, clients and contacts, invitations, workspaces, identity."""

from pathlib import Path

from portico.kit.service import Service
from portico.portal.clients.endpoints import router as clients_router
from portico.portal.handlers import HANDLERS
from portico.portal.identity.endpoints import router as identity_router
from portico.portal.models import Base

service = Service(
    name="portal",
    title="Portal",
    description="Staff, clients and contacts, invitations, workspaces and identity.",
    metadata=Base.metadata,
    migrations=Path(__file__).parent / "migrations",
    routers=[identity_router, clients_router],
    handlers=HANDLERS,
)
