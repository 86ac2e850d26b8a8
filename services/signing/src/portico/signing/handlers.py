"""The signing service's event handlers: the replica of the portal's clients, and the
templates sent to every contact who joins."""

from portico.contracts.events.exports import ClientExportRequested
from portico.contracts.events.portal import (
    ClientCreated,
    ClientDeleted,
    ClientJoined,
    ClientUpdated,
)
from portico.kit.inbox import HandlerTable
from portico.signing.client_export import CLIENT_EXPORT
from portico.signing.replicas import forget_client, keep_client
from portico.signing.submissions.automatic import send_on_join

HANDLERS: HandlerTable = {
    ClientCreated: [keep_client],
    ClientUpdated: [keep_client],
    ClientDeleted: [forget_client],
    ClientJoined: [send_on_join],
    ClientExportRequested: [CLIENT_EXPORT.handler],
}
