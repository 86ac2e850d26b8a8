"""The portal's event handlers and the table that routes consumed events to them."""

from portico.kit.inbox import HandlerTable

HANDLERS: HandlerTable = {}
