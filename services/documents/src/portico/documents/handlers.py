"""The documents service's event handlers: the replica of the portal's clients (and the
purge of a deleted client's documents) and of its staff members' names."""

from portico.contracts.events.exports import ClientExportRequested
from portico.contracts.events.portal import (
    ClientCreated,
    ClientDeleted,
    ClientUpdated,
    StaffUserChanged,
)
from portico.documents.client_export import CLIENT_EXPORT
from portico.documents.replicas import forget_client, keep_client, keep_staff
from portico.kit.inbox import HandlerTable

HANDLERS: HandlerTable = {
    ClientCreated: [keep_client],
    ClientUpdated: [keep_client],
    ClientDeleted: [forget_client],
    StaffUserChanged: [keep_staff],
    ClientExportRequested: [CLIENT_EXPORT.handler],
}
