"""The quotes service: the product catalogue; quotes from draft to sent (numbered at the
first send), reminded, read, answered and signed online, their PDF and the sealed signed
quote; invoices and orders from accepted quotes; their settings; and replicas of the
portal's clients, staff and organisation."""

from pathlib import Path

from portico.kit.service import Service
from portico.kit.store.removal import JOBS as REMOVAL_JOBS
from portico.quotes.attachments.endpoints import router as attachments_router
from portico.quotes.attachments.service import MAX_SIZE_BYTES
from portico.quotes.billing.endpoints import router as billing_router
from portico.quotes.catalogue.endpoints import router as catalogue_router
from portico.quotes.client_export import JOBS as EXPORT_JOBS
from portico.quotes.handlers import HANDLERS
from portico.quotes.invoices.endpoints import router as invoices_router
from portico.quotes.models import Base
from portico.quotes.online.endpoints import router as online_router
from portico.quotes.quote_settings import router as quote_settings_router
from portico.quotes.quotes.endpoints import router as quotes_router
from portico.quotes.quotes.expiry import JOBS as EXPIRY_JOBS
from portico.quotes.quotes.expiry import SCHEDULES as EXPIRY_SCHEDULES
from portico.quotes.quotes.history_endpoints import router as history_router
from portico.quotes.quotes.pdf_endpoints import router as pdf_router
from portico.quotes.quotes.scheduled_reminders import JOBS as REMINDER_JOBS
from portico.quotes.quotes.scheduled_reminders import SCHEDULES as REMINDER_SCHEDULES
from portico.quotes.quotes.tasks import router as tasks_router
from portico.quotes.replicas import JOBS as LOGO_JOBS
from portico.quotes.seal import ROTATE_SEAL

service = Service(
    name="quotes",
    title="Quotes",
    description=(
        "Online quotes: the product catalogue their lines are picked from; quotes with "
        "sections, optional lines, discounts and VAT by rate, numbered without gaps at "
        "their first send and sent to a client's contact as a link, with their PDF; the "
        "online quote its client reads, answers and signs, sealed as proof; invoices and "
        "orders from accepted quotes; their settings."
    ),
    metadata=Base.metadata,
    migrations=Path(__file__).parent / "migrations",
    routers=[
        catalogue_router,
        quotes_router,
        quote_settings_router,
        history_router,
        online_router,
        pdf_router,
        invoices_router,
        billing_router,
        attachments_router,
        tasks_router,
    ],
    handlers=HANDLERS,
    jobs={**EXPIRY_JOBS, **REMINDER_JOBS, **REMOVAL_JOBS, **LOGO_JOBS, **EXPORT_JOBS},
    schedules=[*EXPIRY_SCHEDULES, *REMINDER_SCHEDULES],
    # A quote's attachments, the one upload the service takes.
    max_upload_bytes=lambda: MAX_SIZE_BYTES,
    commands=[ROTATE_SEAL],
)
