"""Every v1 event of Portico, one module per emitting service."""

from portico.contracts.events import documents, exports, notifier, portal, quotes, signing

__all__ = ["documents", "exports", "notifier", "portal", "quotes", "signing"]
