"""A page module per area; each owns its routes and its templates folder."""

from fastapi import APIRouter

from portico.gateway.pages import auth, home, notifications

ROUTERS: list[APIRouter] = [auth.router, home.router, notifications.router]
