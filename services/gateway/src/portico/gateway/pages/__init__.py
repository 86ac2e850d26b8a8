"""A page module per area; each owns its routes and its templates folder."""

from fastapi import APIRouter

from portico.gateway.pages import (
    auth,
    client_portal,
    clients,
    home,
    inbox,
    notifications,
    settings,
    workspace_settings,
    workspaces,
)

ROUTERS: list[APIRouter] = [
    auth.router,
    home.router,
    notifications.router,
    clients.router,
    settings.router,
    inbox.router,
    workspaces.router,
    workspace_settings.router,
    client_portal.router,
]
