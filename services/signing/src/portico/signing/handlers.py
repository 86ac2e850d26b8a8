"""The signing service's event handlers: the replica of the portal's clients."""

from portico.contracts.events.portal import ClientCreated, ClientDeleted, ClientUpdated
from portico.kit.inbox import HandlerTable
from portico.signing.replicas import forget_client, keep_client

HANDLERS: HandlerTable = {
    ClientCreated: [keep_client],
    ClientUpdated: [keep_client],
    ClientDeleted: [forget_client],
}
