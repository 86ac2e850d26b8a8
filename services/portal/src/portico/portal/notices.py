"""Development notices: links people would receive by email, logged when nobody sends email.

The portal never sends email itself; the notifier does. Running ``make run`` without the
notifier installed, the person trying Portico still needs the invitation or reset link, so
the embedded mode logs it. Outside the embedded mode nothing is logged: links are secrets.
"""

from __future__ import annotations

from importlib.metadata import entry_points

import structlog

from portico.kit.host import SERVICES_ENTRY_POINT
from portico.kit.settings import PorticoSettings

log = structlog.get_logger(__name__)


def notifier_installed() -> bool:
    return any(entry.name == "notifier" for entry in entry_points(group=SERVICES_ENTRY_POINT))


def development_notice(settings: PorticoSettings, what: str, to: str, link: str) -> None:
    if settings.embedded and not notifier_installed():
        log.warning("development notice: no notifier is running", message=what, to=to, link=link)
