"""The HTTP SMS sender against a real local server speaking the provider's (Twilio's) API:
what it sends, and how each answer becomes a result, a retry or a refusal."""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import AsyncIterator

import pytest

from portico.kit.testing.smtp import free_port
from portico.notifier.channels.base import (
    PermanentFailure,
    SendResult,
    SmsContent,
    TransientFailure,
)
from portico.notifier.channels.sms_http import HttpSmsSender
from portico.notifier.testing import FakeProvider

SECRET_LINK = "https://portal.example.com/s/Zk3q9XwV2bLmN8rT5yHc"
MESSAGE = SmsContent(
    to="+33612345678",
    body=f"Camille, please sign the agreement: {SECRET_LINK}",
    idempotency_key="delivery-7f3a-sms",
)
INVALID_NUMBER = {
    "code": 21211,
    "message": "The 'To' number +1555 is not a valid phone number.",
    "more_info": "https://www.twilio.com/docs/errors/21211",
    "status": 400,
}


@pytest.fixture
async def sender(provider: FakeProvider) -> AsyncIterator[HttpSmsSender]:
    sms = HttpSmsSender(
        provider.url, provider.account, provider.token, from_number=provider.from_number
    )
    yield sms
    await sms.close()


async def test_a_message_is_sent_with_its_fields_credentials_and_idempotency_key(
    provider: FakeProvider, sender: HttpSmsSender
) -> None:
    result = await sender.send_sms(MESSAGE)

    assert result == SendResult(provider_id=f"SM{1:032x}")
    [request] = provider.received
    assert request.path == f"/2010-04-01/Accounts/{provider.account}/Messages.json"
    assert request.content_type == "application/x-www-form-urlencoded"
    assert request.form == {
        "To": "+33612345678",
        "From": provider.from_number,
        "Body": MESSAGE.body,
    }
    assert request.headers["i-twilio-idempotency-token"] == "delivery-7f3a-sms"


async def test_one_client_serves_many_messages(
    provider: FakeProvider, sender: HttpSmsSender
) -> None:
    results = [await sender.send_sms(MESSAGE) for _ in range(3)]

    assert [r.provider_id for r in results] == [f"SM{n:032x}" for n in (1, 2, 3)]
    assert len(provider.received) == 3


async def test_a_messaging_service_replaces_the_from_number(provider: FakeProvider) -> None:
    sms = HttpSmsSender(
        provider.url + "/",
        provider.account,
        provider.token,
        messaging_service_sid="MG0123456789abcdef",
    )
    try:
        await sms.send_sms(MESSAGE)
    finally:
        await sms.close()

    [request] = provider.received
    assert request.form["MessagingServiceSid"] == "MG0123456789abcdef"
    assert "From" not in request.form


async def test_a_message_without_idempotency_key_sends_no_empty_header(
    provider: FakeProvider, sender: HttpSmsSender
) -> None:
    await sender.send_sms(SmsContent(to="+33612345678", body="Hello"))

    assert "i-twilio-idempotency-token" not in provider.received[0].headers


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_a_provider_error_is_transient(
    provider: FakeProvider, sender: HttpSmsSender, status: int
) -> None:
    provider.answer(status, {"code": 20500, "message": "Internal Server Error"})

    with pytest.raises(TransientFailure, match=str(status)):
        await sender.send_sms(MESSAGE)


async def test_too_many_requests_is_transient(
    provider: FakeProvider, sender: HttpSmsSender
) -> None:
    provider.answer(429, {"code": 20429, "message": "Too Many Requests", "status": 429})

    with pytest.raises(TransientFailure, match="429"):
        await sender.send_sms(MESSAGE)


async def test_an_invalid_number_is_a_permanent_failure_with_the_providers_words(
    provider: FakeProvider, sender: HttpSmsSender
) -> None:
    provider.answer(400, INVALID_NUMBER)

    with pytest.raises(PermanentFailure) as failure:
        await sender.send_sms(MESSAGE)

    assert "21211" in failure.value.reason
    assert "The 'To' number +1555 is not a valid phone number." in failure.value.reason


async def test_a_refusal_without_a_json_body_names_the_status(
    provider: FakeProvider, sender: HttpSmsSender
) -> None:
    provider.answer(404, "no such account")

    with pytest.raises(PermanentFailure, match="404"):
        await sender.send_sms(MESSAGE)


async def test_wrong_credentials_are_a_permanent_failure(provider: FakeProvider) -> None:
    sms = HttpSmsSender(
        provider.url, provider.account, "not-the-token", from_number=provider.from_number
    )
    try:
        with pytest.raises(PermanentFailure, match="401, code 20003"):
            await sms.send_sms(MESSAGE)
    finally:
        await sms.close()


async def test_a_provider_that_is_down_is_transient(provider: FakeProvider) -> None:
    sms = HttpSmsSender(
        f"http://127.0.0.1:{free_port()}",
        provider.account,
        provider.token,
        from_number=provider.from_number,
    )
    try:
        with pytest.raises(TransientFailure, match="unreachable"):
            await sms.send_sms(MESSAGE)
    finally:
        await sms.close()


async def test_a_provider_slower_than_the_timeout_is_transient(provider: FakeProvider) -> None:
    provider.answer(201, delay=2.0)
    sms = HttpSmsSender(
        provider.url,
        provider.account,
        provider.token,
        from_number=provider.from_number,
        timeout=0.3,
    )
    started = time.monotonic()
    try:
        with pytest.raises(TransientFailure, match="in time"):
            await sms.send_sms(MESSAGE)
    finally:
        await sms.close()

    assert time.monotonic() - started < 1.5


async def test_neither_the_token_nor_the_body_reaches_logs_or_reasons(
    provider: FakeProvider, sender: HttpSmsSender, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    reasons: list[str] = []
    await sender.send_sms(MESSAGE)
    for status, body in [(400, INVALID_NUMBER), (503, None), (429, None)]:
        provider.answer(status, body)
        with pytest.raises((TransientFailure, PermanentFailure)) as failure:
            await sender.send_sms(MESSAGE)
        reasons.append(failure.value.reason)

    written = caplog.text + "\n".join(reasons) + repr(sender)
    basic = base64.b64encode(f"{provider.account}:{provider.token}".encode()).decode()
    for secret in (provider.token, basic, SECRET_LINK, "Zk3q9XwV2bLmN8rT5yHc"):
        assert secret not in written


@pytest.mark.parametrize(
    ("from_number", "service"),
    [(None, None), ("", ""), ("+33700000001", "MG0123456789abcdef")],
)
def test_exactly_one_sender_identity_is_required(
    from_number: str | None, service: str | None
) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        HttpSmsSender(
            "https://api.twilio.com",
            "AC0123456789abcdef0123456789abcdef",
            "token",
            from_number=from_number,
            messaging_service_sid=service,
        )
