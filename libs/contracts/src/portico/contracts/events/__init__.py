"""Every v1 event of Portico, one module per emitting service."""

from portico.contracts.events import documents, notifier, portal, quotes, signing

__all__ = ["documents", "notifier", "portal", "quotes", "signing"]
