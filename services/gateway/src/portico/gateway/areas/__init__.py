"""Each service's pages, one area per service (see ``portico.gateway.web.areas``)."""

from portico.gateway.areas import documents, notifier, portal, quotes, signing
from portico.gateway.web.areas import Area

# A new service's pages: its area's folder, and its AREA here.
AREAS: list[Area] = [portal.AREA, notifier.AREA, signing.AREA, documents.AREA, quotes.AREA]
