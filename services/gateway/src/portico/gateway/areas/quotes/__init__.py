"""The quotes service's pages: the staff's quotes (the list, a draft's form with its
sections and lines, a quote as its client reads it with the actions its status allows),
a card on each client's page, the quotes' settings with the product catalogue, and the
online quote a client opens from the email's link (``/q/<token>``, no account), and the
client portal's "Billing" (the quotes sent to the client and its invoices)."""

from pathlib import Path

from portico.gateway.areas.quotes.api import QuotesApi
from portico.gateway.areas.quotes.pages import (
    attachments,
    billing,
    editing,
    listing,
    online,
    products,
    quote,
    settings,
)
from portico.gateway.web.areas import Area, ClientPanel, MenuEntry, SettingsTab
from portico.gateway.web.i18n import N_

HERE = Path(__file__).parent

AREA = Area(
    service="quotes",
    client=QuotesApi,
    # Editing first: /quotes/new is not a quote's id.
    routers=[
        listing.router,
        editing.router,
        quote.router,
        attachments.router,
        settings.router,
        products.router,
        online.router,
        billing.router,
    ],
    templates=HERE / "templates",
    static=HERE / "static",
    staff_menu=[MenuEntry(N_("Quotes"), listing.URL, section=listing.SECTION, order=27)],
    settings_tabs=[
        SettingsTab(
            N_("Quotes"),
            N_("How quotes are numbered, how long they are valid, their texts, and the catalogue."),
            settings.URL,
            tab=settings.TAB,
            order=52,
            admins_only=True,
        ),
    ],
    client_panels=[
        ClientPanel(
            N_("Quotes"),
            "/quotes/clients/{client_id}/panel",
            link="/quotes?client_id={client_id}",
            order=30,
        ),
    ],
    client_menu=[
        MenuEntry(
            N_("Billing"),
            billing.URL,
            section=billing.SECTION,
            order=30,
            shown_if=billing.shown,
        ),
    ],
)
