"""SMS through a Twilio-compatible REST API, with httpx (one client, reused).

Neither the auth token nor the message body is ever put in a log line or a failure
reason: the body may carry a signing link, which is as good as a password.
"""

from __future__ import annotations

from typing import Any

import httpx

from portico.notifier.channels.base import (
    PermanentFailure,
    SendResult,
    SmsContent,
    TransientFailure,
)

# Twilio deduplicates on it for a day; a retry after a lost answer sends nothing twice.
IDEMPOTENCY_HEADER = "I-Twilio-Idempotency-Token"


class HttpSmsSender:
    """Sends from ``from_number`` or through a messaging service, never both."""

    def __init__(
        self,
        base_url: str,
        account_sid: str,
        auth_token: str,
        from_number: str | None = None,
        messaging_service_sid: str | None = None,
        *,
        timeout: float = 10.0,
    ) -> None:
        if bool(from_number) == bool(messaging_service_sid):
            raise ValueError("give exactly one of from_number and messaging_service_sid")
        self._sender: dict[str, str] = (
            {"From": from_number}
            if from_number
            else {"MessagingServiceSid": messaging_service_sid or ""}
        )
        self._timeout = timeout
        self._url = f"{base_url.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Messages.json"
        self._client = httpx.AsyncClient(
            auth=httpx.BasicAuth(account_sid, auth_token), timeout=httpx.Timeout(timeout)
        )

    async def send_sms(self, message: SmsContent) -> SendResult:
        headers = {IDEMPOTENCY_HEADER: message.idempotency_key} if message.idempotency_key else {}
        try:
            response = await self._client.post(
                self._url,
                data={"To": message.to, "Body": message.body, **self._sender},
                headers=headers,
            )
        except httpx.TimeoutException:
            # It may have gone out all the same; the retry carries the same idempotency key.
            raise TransientFailure(
                f"SMS provider did not answer in time ({self._timeout:g} s)"
            ) from None
        except httpx.HTTPError as error:
            # Only the error's type: its text may repeat the request.
            raise TransientFailure(f"SMS provider unreachable ({type(error).__name__})") from None
        status = response.status_code
        if response.is_success:
            # Accepted: a missing sid must not turn into a retry that sends the SMS twice.
            sid = _json(response).get("sid")
            return SendResult(provider_id=str(sid) if sid else None)
        if status in (408, 429) or status >= 500:
            wait = response.headers.get("Retry-After")
            later = f", retry after {wait}s" if wait and wait.isdigit() else ""
            raise TransientFailure(f"SMS provider answered {status}{later}")
        raise PermanentFailure(_refusal(status, _json(response)))

    async def close(self) -> None:
        await self._client.aclose()


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        answer = response.json()
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


def _refusal(status: int, answer: dict[str, Any]) -> str:
    """``SMS provider refused (400, code 21211): The 'To' number ... is not valid.``"""
    code = answer.get("code")
    where = f"{status}, code {code}" if code is not None else str(status)
    text = str(answer.get("message") or "").strip()
    return f"SMS provider refused ({where})" + (f": {text[:300]}" if text else "")
