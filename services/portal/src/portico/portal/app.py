"""The portal service: staff, clients and contacts, invitations, workspaces, identity."""

from pathlib import Path

from portico.kit.service import Service
from portico.portal.apikeys.endpoints import router as api_keys_router
from portico.portal.attributes.endpoints import router as attributes_router
from portico.portal.clients.endpoints import router as clients_router
from portico.portal.exports.assembly import JOBS as EXPORT_JOBS
from portico.portal.exports.assembly import SCHEDULES as EXPORT_SCHEDULES
from portico.portal.exports.endpoints import router as exports_router
from portico.portal.handlers import HANDLERS
from portico.portal.identity.endpoints import router as identity_router
from portico.portal.identity.sessions import revocation
from portico.portal.invitations.endpoints import router as invitations_router
from portico.portal.models import Base
from portico.portal.organisation.endpoints import router as organisation_router
from portico.portal.settings import max_upload_bytes
from portico.portal.staff.bootstrap import CREATE_ADMIN, ensure_first_admin
from portico.portal.staff.endpoints import router as staff_router
from portico.portal.workspaces.blobs import JOBS
from portico.portal.workspaces.endpoints import router as workspaces_router

service = Service(
    name="portal",
    title="Portal",
    description="Staff, clients and contacts, invitations, workspaces and identity.",
    metadata=Base.metadata,
    migrations=Path(__file__).parent / "migrations",
    routers=[
        identity_router,
        organisation_router,
        staff_router,
        api_keys_router,
        attributes_router,
        clients_router,
        invitations_router,
        workspaces_router,
        exports_router,
    ],
    handlers=HANDLERS,
    jobs={**JOBS, **EXPORT_JOBS},
    schedules=EXPORT_SCHEDULES,
    startup=[ensure_first_admin],
    commands=[CREATE_ADMIN],
    revocation=revocation,
    # It deactivates staff members and ends their sessions itself.
    follows_staff_status=False,
    max_upload_bytes=max_upload_bytes,
)
