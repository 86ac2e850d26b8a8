"""The portal's event handlers and the table that routes consumed events to them."""

from portico.contracts.events.documents import ClientDocumentStates
from portico.contracts.events.exports import ClientExportPartReady
from portico.contracts.events.quotes import QuoteTaskRequested
from portico.contracts.events.signing import DocumentCompleted
from portico.kit.inbox import HandlerTable
from portico.portal.clients.document_states import keep_document_states
from portico.portal.clients.mapping import write_back_mapped_fields
from portico.portal.exports.parts import record_part_ready
from portico.portal.workspaces.quote_tasks import create_quote_task

HANDLERS: HandlerTable = {
    DocumentCompleted: [write_back_mapped_fields],
    ClientDocumentStates: [keep_document_states],
    QuoteTaskRequested: [create_quote_task],
    ClientExportPartReady: [record_part_ready],
}
