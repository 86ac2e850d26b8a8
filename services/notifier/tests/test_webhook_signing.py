"""Webhook signatures as the Standard Webhooks specification computes them: the
specification's own example, a receiver's check (fresh timestamp, the very body), and the
two signatures sent while a rotated secret is still honoured."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from portico.notifier.webhooks.signing import (
    InvalidSignature,
    new_secret,
    secret_key,
    signature,
    signed_headers,
    verify,
)

# The example of the specification's reference libraries.
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TIMESTAMP = 1614265330
SPEC_BODY = b'{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
NOW = datetime.fromtimestamp(SPEC_TIMESTAMP, UTC)
Change = Callable[[dict[str, str], bytes], tuple[dict[str, str], bytes]]


def test_the_signature_is_the_one_the_specification_gives() -> None:
    assert signature(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY) == SPEC_SIGNATURE
    # The prefix is optional, as the specification's libraries take it.
    assert signature(SPEC_SECRET.removeprefix("whsec_"), SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY) == (
        SPEC_SIGNATURE
    )


def test_a_new_secret_is_32_random_bytes_behind_the_prefix() -> None:
    first, second = new_secret(), new_secret()
    assert first.startswith("whsec_") and first != second
    assert len(secret_key(first)) == 32
    assert base64.b64decode(first.removeprefix("whsec_")) == secret_key(first)


def test_a_receiver_accepts_the_headers_sent() -> None:
    headers = signed_headers([SPEC_SECRET], SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY)
    assert headers == {
        "webhook-id": SPEC_ID,
        "webhook-timestamp": str(SPEC_TIMESTAMP),
        "webhook-signature": SPEC_SIGNATURE,
    }
    verify(SPEC_SECRET, headers, SPEC_BODY, now=NOW + timedelta(minutes=4))
    # Header names are case-insensitive in HTTP.
    verify(SPEC_SECRET, {k.title(): v for k, v in headers.items()}, SPEC_BODY, now=NOW)


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda h, b: (h, b + b" "), "no signature matches"),
        (lambda h, b: ({**h, "webhook-id": "msg_other"}, b), "no signature matches"),
        (lambda h, b: ({**h, "webhook-timestamp": str(SPEC_TIMESTAMP + 1)}, b), "no signature"),
        (lambda h, b: ({k: v for k, v in h.items() if k != "webhook-id"}, b), "missing"),
        (lambda h, b: ({**h, "webhook-timestamp": "yesterday"}, b), "not a Unix time"),
    ],
)
def test_a_receiver_refuses_what_was_changed_on_the_way(change: Change, why: str) -> None:
    headers = signed_headers([SPEC_SECRET], SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY)
    changed_headers, changed_body = change(headers, SPEC_BODY)
    with pytest.raises(InvalidSignature, match=why):
        verify(SPEC_SECRET, changed_headers, changed_body, now=NOW)


def test_a_receiver_refuses_a_timestamp_more_than_five_minutes_away() -> None:
    headers = signed_headers([SPEC_SECRET], SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY)
    for moment in (NOW + timedelta(minutes=5, seconds=1), NOW - timedelta(minutes=5, seconds=1)):
        with pytest.raises(InvalidSignature, match="5 minutes"):
            verify(SPEC_SECRET, headers, SPEC_BODY, now=moment)


def test_after_a_rotation_both_secrets_sign_and_either_is_accepted() -> None:
    new = new_secret()
    headers = signed_headers([new, SPEC_SECRET], SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY)
    assert headers["webhook-signature"].split(" ") == [
        signature(new, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY),
        SPEC_SIGNATURE,
    ]
    verify(new, headers, SPEC_BODY, now=NOW)
    verify(SPEC_SECRET, headers, SPEC_BODY, now=NOW)
    with pytest.raises(InvalidSignature):
        verify(new_secret(), headers, SPEC_BODY, now=NOW)


def test_a_secret_that_is_not_base64_is_refused() -> None:
    with pytest.raises(ValueError, match="base64"):
        secret_key("whsec_not base64!")
    with pytest.raises(ValueError, match="not empty"):
        secret_key("whsec_")
