"""The signing service: smart documents that clients fill and sign online."""

from pathlib import Path

from portico.kit.service import Service
from portico.signing.handlers import HANDLERS
from portico.signing.models import Base
from portico.signing.settings import signing_settings
from portico.signing.templates.documents import JOBS as DOCUMENT_JOBS
from portico.signing.templates.endpoints import blank_router
from portico.signing.templates.endpoints import router as templates_router

service = Service(
    name="signing",
    title="Signing",
    description="Smart documents: templates from PDF, images, Word or blank pages, and fields.",
    metadata=Base.metadata,
    migrations=Path(__file__).parent / "migrations",
    routers=[templates_router, blank_router],
    handlers=HANDLERS,
    jobs=DOCUMENT_JOBS,
    max_upload_bytes=lambda: signing_settings().max_upload_mib * 1024 * 1024,
)
