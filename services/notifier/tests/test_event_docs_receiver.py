"""The webhook receiver that docs/events.md gives integrators takes what the notifier
sends: signed by ``webhooks.signing`` (a rotated secret's two signatures too), posted by
``webhooks.delivery`` to the receiver on a real HTTP server; and the page's figures are
the notifier's."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import AsyncIterator
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import orjson
import pytest

from portico.notifier.webhooks.delivery import CONTENT_TYPE, WebhookSender
from portico.notifier.webhooks.service import ROTATION_OVERLAP
from portico.notifier.webhooks.settings import WebhookSettings
from portico.notifier.webhooks.signing import TOLERANCE, new_secret, signed_headers

PAGE = (Path(__file__).resolve().parents[3] / "docs" / "events.md").read_text(encoding="utf-8")
EXAMPLE: dict[str, Any] = orjson.loads(
    re.findall(r"^```json\n(.*?)^```$", PAGE, flags=re.MULTILINE | re.DOTALL)[0]
)


def receiver_code() -> dict[str, Any]:
    """The page's receiver, run as a module (no server of its own)."""
    blocks = re.findall(r"^```python\n(.*?)^```$", PAGE, flags=re.MULTILINE | re.DOTALL)
    (code,) = [block for block in blocks if "def verify(" in block]
    namespace: dict[str, Any] = {"__name__": "webhook_receiver"}
    exec(compile(code, "docs/events.md", "exec"), namespace)
    return namespace


def test_the_page_s_receiver_checks_the_notifier_s_signatures() -> None:
    receiver = receiver_code()
    current, previous = new_secret(), new_secret()
    body = orjson.dumps(EXAMPLE)
    now = int(time.time())
    headers = signed_headers([current, previous], EXAMPLE["id"], now, body)
    receiver["verify"](current, headers, body)
    receiver["verify"](previous, headers, body)  # during a rotation
    with pytest.raises(receiver["InvalidSignature"]):
        receiver["verify"](new_secret(), headers, body)
    late = now - int(TOLERANCE.total_seconds()) - 1
    stale = signed_headers([current], EXAMPLE["id"], late, body)
    with pytest.raises(receiver["InvalidSignature"], match="5 minutes"):
        receiver["verify"](current, stale, body)


@pytest.fixture
async def receiving() -> AsyncIterator[tuple[str, str, list[dict[str, Any]]]]:
    """The page's receiver on a real HTTP server: its URL, its secret, what it handled."""
    receiver = receiver_code()
    handled: list[dict[str, Any]] = []
    receiver["handle_event"] = handled.append
    secret = new_secret()
    receiver["Receiver"].secret = secret
    receiver["Receiver"].log_message = lambda *args: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), receiver["Receiver"])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hooks/portico", secret, handled
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


async def test_a_webhook_the_notifier_sends_is_taken_by_the_page_s_receiver(
    receiving: tuple[str, str, list[dict[str, Any]]],
) -> None:
    url, secret, handled = receiving
    sender = WebhookSender(WebhookSettings(), allow_local=True)
    body = orjson.dumps(EXAMPLE)
    try:
        headers = signed_headers([secret], EXAMPLE["id"], int(time.time()), body)
        outcome = await sender.post(url, body, headers)
        assert (outcome.succeeded, outcome.status_code) == (True, 204)
        assert handled == [EXAMPLE]

        forged = signed_headers([new_secret()], EXAMPLE["id"], int(time.time()), body)
        refused = await sender.post(url, body, forged)
        assert (refused.succeeded, refused.status_code) == (False, 401)
        assert handled == [EXAMPLE]
    finally:
        await sender.close()


def test_the_page_states_the_notifier_s_figures() -> None:
    text = " ".join(PAGE.split())
    assert f"`content-type: {CONTENT_TYPE}`" in text
    timeout = WebhookSettings.model_fields["timeout"].default
    assert f"Answer with a 2xx within {timeout:g} seconds" in text
    assert f"keeps signing for {ROTATION_OVERLAP.total_seconds() / 3600:g} hours" in text
    assert TOLERANCE.total_seconds() == 5 * 60
    assert "more than five minutes away" in text
