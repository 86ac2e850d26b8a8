"""The quotes service: the product catalogue, and (next) quotes, their online page,
signature and invoices."""

from pathlib import Path

from portico.kit.service import Service
from portico.quotes.catalogue.endpoints import router as catalogue_router
from portico.quotes.models import Base

service = Service(
    name="quotes",
    title="Quotes",
    description=(
        "Online quotes: the product catalogue their lines are picked from; quotes, their "
        "signature and invoices come next."
    ),
    metadata=Base.metadata,
    migrations=Path(__file__).parent / "migrations",
    routers=[catalogue_router],
)
