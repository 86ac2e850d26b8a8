"""The signing service's pages: smart-document templates, their list and the field editor;
sending them and following the submissions; the signer's page; the client portal's
documents to sign; the public check of a signed document; the organisation's seal and
reminder schedule."""

from pathlib import Path

from portico.gateway.areas.signing.api import SigningApi
from portico.gateway.areas.signing.pages import (
    editor,
    mine,
    reminders,
    seal,
    signer,
    submissions,
    templates,
    verify,
)
from portico.gateway.web.areas import Area, ClientPanel, MenuEntry, SettingsTab
from portico.gateway.web.i18n import N_

HERE = Path(__file__).parent

AREA = Area(
    service="signing",
    client=SigningApi,
    # Submissions first: /smart-documents/submissions is not a template's id. The signer's
    # page (/sign/…) needs no login.
    routers=[
        submissions.router,
        signer.router,
        templates.router,
        editor.router,
        mine.router,
        verify.router,
        seal.router,
        reminders.router,
    ],
    templates=HERE / "templates",
    static=HERE / "static",
    staff_menu=[
        MenuEntry(N_("Smart documents"), "/smart-documents", section="smart-documents", order=25),
    ],
    settings_tabs=[
        SettingsTab(
            N_("Reminders to sign"),
            N_("When signers who have not acted are reminded, and the last call before expiry."),
            reminders.URL,
            tab=reminders.TAB,
            order=55,
            admins_only=True,
        ),
        SettingsTab(
            N_("Document seal"),
            N_("The seal completed documents carry, and your organisation's own certificate."),
            seal.URL,
            tab=seal.TAB,
            order=60,
            admins_only=True,
        ),
    ],
    public_uploads=verify.PUBLIC_UPLOADS,
    client_panels=[
        ClientPanel(
            N_("Documents to sign"),
            "/smart-documents/clients/{client_id}/panel",
            link="/smart-documents/submissions?client_id={client_id}",
            order=10,
        ),
    ],
    client_menu=[
        MenuEntry(
            N_("Documents to sign"),
            mine.URL,
            section=mine.SECTION,
            order=10,
            shown_if=mine.has_documents,
        ),
    ],
)
