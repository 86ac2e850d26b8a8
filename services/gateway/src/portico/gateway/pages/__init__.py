"""The core's pages: logging in, the organisation's colour, the settings' home; each
service's pages are in its area (``portico.gateway.areas``)."""

from fastapi import APIRouter

from portico.gateway.pages import auth, brand, settings
from portico.gateway.web.areas import MenuEntry

ROUTERS: list[APIRouter] = [auth.router, brand.router, settings.router]
STAFF_MENU: list[MenuEntry] = [settings.MENU_ENTRY]
