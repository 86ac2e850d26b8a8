"""The notifier's pages: the bell and the notifications, the development inbox, and the
settings the notifier holds (my notifications, email templates, webhooks)."""

from pathlib import Path

from portico.gateway.areas.notifier.api import NotifierApi
from portico.gateway.areas.notifier.pages import inbox, notifications, settings, webhooks
from portico.gateway.web.areas import Area, MenuEntry, SettingsTab
from portico.gateway.web.i18n import N_

HERE = Path(__file__).parent

AREA = Area(
    service="notifier",
    client=NotifierApi,
    routers=[notifications.router, settings.router, webhooks.router, inbox.router],
    templates=HERE / "templates",
    staff_menu=[
        MenuEntry(N_("Notifications"), "/notifications", section="notifications", order=30),
        MenuEntry(
            N_("Development inbox"),
            "/dev/inbox",
            section="inbox",
            order=50,
            admins_only=True,
            development_only=True,
        ),
    ],
    settings_tabs=[
        SettingsTab(
            N_("My notifications"),
            N_("How you hear of what happens: by email, by SMS or in the app."),
            "/settings/notifications",
            tab="notifications",
            order=20,
        ),
        SettingsTab(
            N_("Email templates"),
            N_("The words of every email and SMS Portico sends, in English and in French."),
            "/settings/templates",
            tab="templates",
            order=60,
            admins_only=True,
        ),
        SettingsTab(
            N_("Webhooks"),
            N_("Portico's events posted, signed, to the addresses of your other software."),
            "/settings/webhooks",
            tab="webhooks",
            order=70,
            admins_only=True,
        ),
    ],
)
