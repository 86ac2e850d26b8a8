"""The documents service: the documents staff ask clients for, their uploads and review."""

from pathlib import Path

from portico.documents.client_documents.endpoints import router as client_documents_router
from portico.documents.client_documents.mine import router as my_documents_router
from portico.documents.client_export import JOBS as EXPORT_JOBS
from portico.documents.document_types.endpoints import router as document_types_router
from portico.documents.expiry import JOBS as EXPIRY_JOBS
from portico.documents.expiry import SCHEDULES as EXPIRY_SCHEDULES
from portico.documents.handlers import HANDLERS
from portico.documents.models import Base
from portico.documents.section import router as section_router
from portico.documents.settings import documents_settings
from portico.kit.service import Service
from portico.kit.store.removal import JOBS as REMOVAL_JOBS

service = Service(
    name="documents",
    title="Documents",
    description=(
        "The documents staff ask clients for: their types, the uploads with their data, "
        "review, expiry reminders, and an API for internal systems."
    ),
    metadata=Base.metadata,
    migrations=Path(__file__).parent / "migrations",
    routers=[document_types_router, section_router, client_documents_router, my_documents_router],
    handlers=HANDLERS,
    jobs={**EXPIRY_JOBS, **REMOVAL_JOBS, **EXPORT_JOBS},
    schedules=EXPIRY_SCHEDULES,
    max_upload_bytes=lambda: documents_settings().max_upload_mib * 1024 * 1024,
)
