"""The documents service's pages: the document types administrators ask clients for and
the client portal's section (settings), each client's documents for staff (with their
review), and the client portal's "My documents"."""

from pathlib import Path

from portico.gateway.areas.documents.api import DocumentsApi
from portico.gateway.areas.documents.pages import clients, mine, section, types
from portico.gateway.web.areas import Area, ClientPanel, MenuEntry, SettingsTab
from portico.gateway.web.i18n import N_

HERE = Path(__file__).parent

AREA = Area(
    service="documents",
    client=DocumentsApi,
    routers=[types.router, section.router, clients.router, mine.router],
    templates=HERE / "templates",
    static=HERE / "static",
    settings_tabs=[
        SettingsTab(
            N_("Client documents"),
            N_("The documents clients are asked for, and their section of the client portal."),
            "/settings/documents",
            tab="documents",
            order=50,
            admins_only=True,
        ),
    ],
    client_panels=[
        ClientPanel(
            N_("Documents"),
            "/clients/{client_id}/documents/panel",
            link="/clients/{client_id}/documents",
            order=20,
        ),
    ],
    client_menu=[
        MenuEntry(
            N_("My documents"),
            "/portal/my-documents",
            section="my-documents",
            order=5,
            shown_if=mine.shown,
        ),
    ],
    # While a required document is not accepted, the client portal leads to "My documents".
    client_gate=mine.gate,
)
