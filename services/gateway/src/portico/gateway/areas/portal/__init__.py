"""The portal's pages: the staff dashboard, clients, workspaces, the client portal, and the
settings the portal holds (profile, organisation, staff users, API keys)."""

from pathlib import Path

from portico.gateway.areas.portal.api import PortalApi
from portico.gateway.areas.portal.pages import (
    client_portal,
    client_privacy,
    clients,
    home,
    settings,
    workspace_settings,
    workspaces,
)
from portico.gateway.web.areas import Area, MenuEntry, SettingsTab
from portico.gateway.web.i18n import N_

HERE = Path(__file__).parent

AREA = Area(
    service="portal",
    client=PortalApi,
    routers=[
        home.router,
        clients.router,
        client_privacy.router,
        settings.router,
        workspaces.router,
        workspace_settings.router,
        client_portal.router,
    ],
    templates=HERE / "templates",
    static=HERE / "static",
    staff_menu=[
        MenuEntry(N_("Dashboard"), "/", section="dashboard", order=10),
        MenuEntry(N_("Clients"), "/clients", section="clients", order=20),
    ],
    settings_tabs=[
        SettingsTab(
            N_("My profile"),
            N_("Your name, phone number and language, and your password."),
            "/settings/profile",
            tab="profile",
            order=10,
        ),
        SettingsTab(
            N_("Organisation"),
            N_("Name, logo and colour your clients see, and the address emails are sent from."),
            "/settings/organisation",
            tab="organisation",
            order=30,
            admins_only=True,
        ),
        SettingsTab(
            N_("Staff users"),
            N_("Your team: who can log in, and who administers Portico."),
            "/settings/staff",
            tab="staff",
            order=40,
            admins_only=True,
        ),
        SettingsTab(
            N_("API keys"),
            N_("Keys that let your other software use Portico's API."),
            "/settings/api-keys",
            tab="api-keys",
            order=50,
            admins_only=True,
        ),
    ],
)
