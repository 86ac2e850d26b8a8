"""Each service's API docs page is Portico's own: nothing loads from another origin, and
Swagger UI runs under the page's strict Content-Security-Policy (no inline script)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urljoin

import httpx
import pytest
from playwright.sync_api import Page, expect

from portico.kit.testing.live import LivePortico

REFERENCE = re.compile(r'\b(?:src|href)="([^"]+)"')


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LivePortico]:
    running = LivePortico(tmp_path_factory.mktemp("docs") / "data")
    running.start()
    try:
        yield running
    finally:
        running.kill()


def assert_served_from_here(base: str, docs_path: str) -> list[str]:
    """The docs page at ``docs_path`` references only this origin, and all of it answers."""
    page = httpx.get(base + docs_path)
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    references = REFERENCE.findall(page.text)
    assert len(references) >= 4  # style sheet, icon, Swagger UI, its start-up script
    for reference in references:
        assert not re.match(r"^(?:[a-z]+:)?//", reference), reference
        asset = httpx.get(urljoin(base + docs_path, reference))
        assert asset.status_code == 200, reference
        assert asset.content, reference
    # The inline script FastAPI writes would be refused by that policy.
    assert re.search(r"<script>", page.text) is None
    return references


def test_every_services_docs_page_loads_only_portico_files(embedded: LivePortico) -> None:
    services = httpx.get(f"{embedded.url}/api").json()["services"]
    assert {"portal", "notifier"} <= set(services)
    for listing in services.values():
        assert_served_from_here(embedded.url, listing["docs"])


def test_swagger_ui_runs_under_the_pages_policy(embedded: LivePortico, page: Page) -> None:
    refused: list[str] = []
    page.on(
        "console", lambda message: refused.append(message.text) if message.type == "error" else None
    )
    outside: list[str] = []
    page.on(
        "request",
        lambda request: (
            None if request.url.startswith(embedded.url) else outside.append(request.url)
        ),
    )
    page.goto(f"{embedded.url}/api/portal/docs")
    # The operations are listed: the bundle ran, and its start-up script fetched the document.
    expect(page.locator(".opblock-summary-path", has_text="/v1/auth/login").first).to_be_visible()
    expect(page.locator(".title", has_text="Portico")).to_be_visible()
    assert refused == []
    assert outside == []
