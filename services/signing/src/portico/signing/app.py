"""The signing service: smart documents that clients fill and sign online."""

from pathlib import Path

from portico.kit.service import Service
from portico.kit.store.removal import JOBS as REMOVAL_JOBS
from portico.signing.client_export import JOBS as EXPORT_JOBS
from portico.signing.handlers import HANDLERS
from portico.signing.models import Base
from portico.signing.settings import signing_settings
from portico.signing.submissions.completion import JOBS as COMPLETION_JOBS
from portico.signing.submissions.completion import SCHEDULES as COMPLETION_SCHEDULES
from portico.signing.submissions.endpoints import router as submissions_router
from portico.signing.submissions.endpoints import signing_router, verify_router
from portico.signing.submissions.mine import router as my_documents_router
from portico.signing.submissions.reminder_settings import router as reminder_settings_router
from portico.signing.submissions.reminders import JOBS as FOLLOW_UP_JOBS
from portico.signing.submissions.reminders import SCHEDULES as FOLLOW_UP_SCHEDULES
from portico.signing.submissions.seal_endpoints import router as seal_key_router
from portico.signing.submissions.seal_keys import ensure_seal
from portico.signing.templates.documents import JOBS as DOCUMENT_JOBS
from portico.signing.templates.endpoints import blank_router
from portico.signing.templates.endpoints import router as templates_router

service = Service(
    name="signing",
    title="Signing",
    description=(
        "Smart documents: templates from PDF, images, Word or blank pages, and fields; sent "
        "to be filled and signed, completed into a sealed PDF with its certificate."
    ),
    metadata=Base.metadata,
    migrations=Path(__file__).parent / "migrations",
    routers=[
        templates_router,
        blank_router,
        submissions_router,
        signing_router,
        verify_router,
        my_documents_router,
        seal_key_router,
        reminder_settings_router,
    ],
    handlers=HANDLERS,
    startup=[ensure_seal],
    # REMOVAL_JOBS: a deleted client's submissions' files (``erasure``).
    jobs={**DOCUMENT_JOBS, **COMPLETION_JOBS, **FOLLOW_UP_JOBS, **REMOVAL_JOBS, **EXPORT_JOBS},
    schedules=[*COMPLETION_SCHEDULES, *FOLLOW_UP_SCHEDULES],
    max_upload_bytes=lambda: signing_settings().max_upload_mib * 1024 * 1024,
    # Anyone may check a document Portico completed.
    public_uploads=frozenset({"/v1/verify"}),
)
