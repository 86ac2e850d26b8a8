"""Every v1 event of Portico, one module per emitting service."""

from portico.contracts.events.portal import *  # noqa: F403
