"""The organisation's settings: one row, created with defaults on first read."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from portico.contracts.events.portal import OrganisationUpdated
from portico.kit.settings import PorticoSettings
from portico.kit.transaction import Transaction
from portico.portal.models import Organisation
from portico.portal.organisation.logo import FORMATS
from portico.portal.organisation.schemas import OrganisationIn, OrganisationOut

DEFAULT_NAME = "Portico"
# The one row's id and its values until an admin first saves the settings.
DEFAULTS: dict[str, str | int] = {
    "id": 1,
    "name": DEFAULT_NAME,
    "default_locale": "en",
    "default_country": "FR",
}
LOGO_PATH = "/api/portal/v1/organisation/logo"
# The declared types an upload may have; its content is checked (``logo.normalised_logo``).
LOGO_TYPES = frozenset(content_type for content_type, _ in FORMATS.values())


async def get_organisation(session: AsyncSession) -> Organisation:
    """The settings; defaults (not yet stored) until an admin first saves them."""
    organisation = await session.get(Organisation, 1)
    if organisation is None:
        return Organisation(**DEFAULTS)
    return organisation


async def organisation_to_change(tx: Transaction) -> Organisation:
    """The stored row, inserted with the defaults first if there is none, and locked until
    the transaction ends (PostgreSQL): two first saves at once (two logos uploaded
    together) insert it once, and the second then changes what the first stored."""
    dialect_insert = postgresql_insert if tx.database.is_postgres else sqlite_insert
    await tx.execute(
        dialect_insert(Organisation)
        .values(**DEFAULTS)
        .on_conflict_do_nothing(index_elements=["id"])
    )
    query = select(Organisation).where(Organisation.id == 1).with_for_update()
    return (await tx.execute(query)).scalar_one()


def organisation_out(organisation: Organisation) -> OrganisationOut:
    return OrganisationOut(
        name=organisation.name,
        brand_colour=organisation.brand_colour,
        sender_email=organisation.sender_email,
        sender_name=organisation.sender_name,
        default_locale=organisation.default_locale,
        default_country=organisation.default_country,
        logo_url=LOGO_PATH if organisation.logo_key else None,
    )


async def update_organisation(
    tx: Transaction, settings: PorticoSettings, data: OrganisationIn
) -> Organisation:
    organisation = await organisation_to_change(tx)
    for name, value in data.model_dump().items():
        setattr(organisation, name, value)
    await organisation_changed(tx, settings, organisation)
    return organisation


async def organisation_changed(
    tx: Transaction, settings: PorticoSettings, organisation: Organisation
) -> None:
    tx.add(organisation)
    await tx.flush()
    tx.emit(
        OrganisationUpdated(
            name=organisation.name,
            logo_key=organisation.logo_key,
            logo_url=settings.link(LOGO_PATH) if organisation.logo_key else None,
            brand_colour=organisation.brand_colour,
            sender_email=organisation.sender_email,
            sender_name=organisation.sender_name,
            default_locale=organisation.default_locale,
            default_country=organisation.default_country,
        ),
    )
