"""Every kind of message and every event planner, gathered from each source service's module."""

from __future__ import annotations

from portico.contracts import Event
from portico.notifier.messages import documents, portal, quotes, signing, webhooks
from portico.notifier.messages.kinds import MessageKind
from portico.notifier.messages.planning import Planner

_SOURCES = (portal, signing, quotes, documents, webhooks)

KINDS: dict[str, MessageKind] = {kind.key: kind for source in _SOURCES for kind in source.KINDS}
PLANNERS: dict[type[Event], Planner] = {
    event_class: planner for source in _SOURCES for event_class, planner in source.PLANNERS.items()
}
