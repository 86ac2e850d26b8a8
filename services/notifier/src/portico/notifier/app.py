"""The notifier service: email, SMS and in-app notifications for the events people must hear of."""

from pathlib import Path

from portico.kit.service import Service
from portico.notifier.client_export import JOBS as EXPORT_JOBS
from portico.notifier.deliveries.dispatcher import JOBS
from portico.notifier.deliveries.endpoints import router as deliveries_router
from portico.notifier.handlers import HANDLERS
from portico.notifier.inapp.endpoints import router as notifications_router
from portico.notifier.models import Base
from portico.notifier.preferences.endpoints import router as preferences_router
from portico.notifier.templates_api.endpoints import router as templates_router
from portico.notifier.webhooks.endpoints import router as webhooks_router
from portico.notifier.webhooks.jobs import JOBS as WEBHOOK_JOBS
from portico.notifier.webhooks.retention import JOBS as RETENTION_JOBS
from portico.notifier.webhooks.retention import SCHEDULES as RETENTION_SCHEDULES

service = Service(
    name="notifier",
    title="Notifier",
    description=(
        "Email, SMS and in-app notifications: templates, preferences, delivery log; "
        "webhooks to other systems."
    ),
    metadata=Base.metadata,
    migrations=Path(__file__).parent / "migrations",
    routers=[
        notifications_router,
        preferences_router,
        templates_router,
        deliveries_router,
        webhooks_router,
    ],
    handlers=HANDLERS,
    jobs={**JOBS, **WEBHOOK_JOBS, **RETENTION_JOBS, **EXPORT_JOBS},
    schedules=RETENTION_SCHEDULES,
)
