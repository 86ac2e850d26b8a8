"""The client portal's menu: each entry with a condition is shown when its service says so,
left out (not an error) when the service fails, and the conditions are asked together
(every client page waits for them)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import httpx
from fastapi import Request

from portico.gateway.apis.base import ApiProblem
from portico.gateway.web.areas import MenuEntry
from portico.gateway.web.templating import client_menu


def request_with(entries: list[MenuEntry]) -> Request:
    gateway = SimpleNamespace(menus=SimpleNamespace(client=entries))
    request: Any = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(gateway=gateway)))
    return request  # type: ignore[no-any-return]


def entry(name: str, order: int, shown_if: Any = None) -> MenuEntry:
    return MenuEntry(name, f"/portal/{name}", name, order, shown_if=shown_if)


async def test_entries_show_as_their_conditions_say_and_a_failing_service_hides_its_own() -> None:
    async def yes(_request: Request) -> bool:
        return True

    async def no(_request: Request) -> bool:
        return False

    async def problem(_request: Request) -> bool:
        raise ApiProblem(status=503, title="Service Unavailable")

    async def unreachable(_request: Request) -> bool:
        raise httpx.ConnectError("refused")

    entries = [
        entry("home", 0),
        entry("quotes", 1, yes),
        entry("documents", 2, no),
        entry("signing", 3, problem),
        entry("files", 4, unreachable),
        entry("messages", 5),
    ]
    shown = await client_menu(request_with(entries))
    assert [item.section for item in shown] == ["home", "quotes", "messages"]


async def test_the_conditions_are_asked_together() -> None:
    # Each condition answers only once the other has been asked: asked one after the
    # other, the first would wait for ever.
    asked = {"quotes": asyncio.Event(), "signing": asyncio.Event()}

    def waits_for(mine: str, other: str) -> Any:
        async def condition(_request: Request) -> bool:
            asked[mine].set()
            await asyncio.wait_for(asked[other].wait(), timeout=5)
            return True

        return condition

    entries = [
        entry("quotes", 1, waits_for("quotes", "signing")),
        entry("signing", 2, waits_for("signing", "quotes")),
    ]
    shown = await client_menu(request_with(entries))
    assert [item.section for item in shown] == ["quotes", "signing"]
