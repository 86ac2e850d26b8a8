"""Smart-document templates: the list, a new one from a file or blank pages, settings."""

from __future__ import annotations

from portico.gateway.web.routing import page_router

router = page_router()
