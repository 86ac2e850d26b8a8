"""What a service brings to the gateway: its pages, templates, static files and menu entries.

Each service's pages live in an area (``portico.gateway.areas.<service>``) whose ``AREA``
the gateway reads: it includes the routers, loads the templates, serves the static files at
``/static/<service>/`` and assembles the staff menu and the settings navigation from them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import APIRouter, Request

from portico.gateway.apis.base import ServiceClient
from portico.gateway.web.session import WebSession

# Where a client must go before the rest of the client portal opens (a section to complete
# first, such as the documents asked of them), or None: asked once per client page.
ClientGate = Callable[[Request], Awaitable[str | None]]


@dataclass(frozen=True)
class MenuEntry:
    """A link of a menu. ``label`` is the English text (marked with ``N_``), translated when
    shown; ``section`` is what a page passes to mark it current; lower ``order`` first."""

    label: str
    url: str
    section: str
    order: int
    admins_only: bool = False
    # Only in the embedded run (the development inbox).
    development_only: bool = False
    # A client portal entry shown only when this says so for the person on the page
    # (a section that exists only when something is addressed to them).
    shown_if: Callable[[Request], Awaitable[bool]] | None = field(default=None, compare=False)

    def shown_to(self, session: WebSession, development: bool) -> bool:
        if self.development_only and not development:
            return False
        return session.is_admin or not self.admins_only


@dataclass(frozen=True)
class SettingsTab:
    """A page of ``/settings``: the navigation beside every settings page and the card on
    the settings home. Tabs for everyone are under "You", the admins' under
    "Administration"."""

    label: str
    description: str
    url: str
    tab: str
    order: int
    admins_only: bool = False

    def shown_to(self, session: WebSession) -> bool:
        return session.is_admin or not self.admins_only


@dataclass(frozen=True)
class ClientPanel:
    """A card an area adds to the staff's page of a client (documents sent to sign, files
    asked for, quotes). The page loads ``url`` (``{client_id}`` filled in) into the card;
    without script, the card links to ``link``, the area's own page for that client."""

    title: str
    url: str
    link: str
    order: int

    def url_for(self, client_id: object) -> str:
        return self.url.format(client_id=client_id)

    def link_for(self, client_id: object) -> str:
        return self.link.format(client_id=client_id)


@dataclass(frozen=True)
class Area:
    service: str
    client: type[ServiceClient]
    routers: Sequence[APIRouter]
    templates: Path
    static: Path | None = None
    staff_menu: Sequence[MenuEntry] = field(default_factory=tuple)
    settings_tabs: Sequence[SettingsTab] = field(default_factory=tuple)
    client_menu: Sequence[MenuEntry] = field(default_factory=tuple)
    # Paths where anyone may upload a file without logging in (a page that checks a
    # document, and the API behind it), within the same size limit.
    public_uploads: Sequence[str] = field(default_factory=tuple)
    client_panels: Sequence[ClientPanel] = field(default_factory=tuple)
    # The client portal's pages other than those under the URL it answers (and the pages
    # every person may open: their account, logging out) wait until it answers None.
    client_gate: ClientGate | None = None


@dataclass(frozen=True)
class Menus:
    """The menus of every area, in order, as the layouts show them, and the panels of a
    client's page."""

    staff: Sequence[MenuEntry]
    settings: Sequence[SettingsTab]
    client: Sequence[MenuEntry]
    client_panels: Sequence[ClientPanel] = ()
    client_gates: Sequence[ClientGate] = ()

    @classmethod
    def of(cls, areas: Sequence[Area], core_staff: Sequence[MenuEntry]) -> Menus:
        def by_order(entry: MenuEntry | SettingsTab | ClientPanel) -> int:
            return entry.order

        staff = [*core_staff, *(entry for area in areas for entry in area.staff_menu)]
        return cls(
            staff=sorted(staff, key=by_order),
            settings=sorted((tab for area in areas for tab in area.settings_tabs), key=by_order),
            client=sorted((entry for area in areas for entry in area.client_menu), key=by_order),
            client_panels=sorted(
                (panel for area in areas for panel in area.client_panels), key=by_order
            ),
            client_gates=[area.client_gate for area in areas if area.client_gate is not None],
        )
