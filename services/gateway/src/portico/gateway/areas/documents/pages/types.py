"""Placeholder: filled in by this area's pages."""

from portico.gateway.web.routing import page_router

router = page_router()
