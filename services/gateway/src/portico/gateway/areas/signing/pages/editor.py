"""The field editor: a template's pages with its fields, saved as the staff member works."""

from __future__ import annotations

from portico.gateway.web.routing import page_router

router = page_router()
