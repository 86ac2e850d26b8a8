"""The quotes service's event handlers: the replica of the portal's clients (and what a
deleted client's quotes become), of its staff members and of the organisation's branding."""

from portico.contracts.events.exports import ClientExportRequested
from portico.contracts.events.portal import (
    ClientCreated,
    ClientDeleted,
    ClientUpdated,
    OrganisationUpdated,
    StaffUserChanged,
)
from portico.kit.inbox import HandlerTable
from portico.quotes.client_export import CLIENT_EXPORT
from portico.quotes.replicas import forget_client, keep_client, keep_organisation, keep_staff

HANDLERS: HandlerTable = {
    ClientCreated: [keep_client],
    ClientUpdated: [keep_client],
    ClientDeleted: [forget_client],
    StaffUserChanged: [keep_staff],
    OrganisationUpdated: [keep_organisation],
    ClientExportRequested: [CLIENT_EXPORT.handler],
}
