"""The pure rules of submissions: whose turn it is, what a status is, which values pass,
when a reminder is due, and what the completed document prints where."""

from __future__ import annotations

import base64
import io
import os
from datetime import UTC, datetime, timedelta
from typing import Any

from PIL import Image

from portico.pdf.stamping import CheckMark, TextMark
from portico.signing.fields.spec import FieldSpec
from portico.signing.submissions.printing import StoredImage, format_number, placements
from portico.signing.submissions.reminders import last_call_due, reminder_due
from portico.signing.submissions.states import (
    Kind,
    Status,
    Step,
    SubmitterStatus,
    derive,
    due_now,
    may_act,
)
from portico.signing.submissions.values import check_values

W, S, OP, C, D = (
    SubmitterStatus.WAITING,
    SubmitterStatus.SENT,
    SubmitterStatus.OPENED,
    SubmitterStatus.COMPLETED,
    SubmitterStatus.DECLINED,
)


def steps(*statuses: SubmitterStatus, kinds: tuple[Kind, ...] = ()) -> list[Step]:
    return [
        Step(position=index, kind=kinds[index] if index < len(kinds) else Kind.SIGNER, status=s)
        for index, s in enumerate(statuses)
    ]


def test_in_order_the_next_signer_gets_their_link_once_the_one_before_has_signed() -> None:
    assert due_now(steps(W, W), ordered=True) == [0]
    assert due_now(steps(S, W), ordered=True) == []
    assert due_now(steps(OP, W), ordered=True) == []
    assert due_now(steps(C, W), ordered=True) == [1]
    assert due_now(steps(W, W), ordered=False) == [0, 1]


def test_viewers_get_their_link_at_once_and_copies_wait_for_the_end() -> None:
    kinds = (Kind.SIGNER, Kind.VIEWER, Kind.CC)
    assert due_now(steps(W, W, W, kinds=kinds), ordered=True) == [0, 1]


def test_only_the_one_whose_turn_it_is_may_act() -> None:
    assert may_act(steps(S, S), 0, ordered=True)
    assert not may_act(steps(S, S), 1, ordered=True)
    assert may_act(steps(S, S), 1, ordered=False)
    assert may_act(steps(C, OP), 1, ordered=True)
    assert not may_act(steps(C, OP), 0, ordered=True)
    viewer = steps(S, S, kinds=(Kind.SIGNER, Kind.VIEWER))
    assert not may_act(viewer, 1, ordered=False)


def test_the_status_follows_the_submitters_and_a_closed_one_stays() -> None:
    assert derive(Status.SENT, steps(S, W)) == Status.SENT
    assert derive(Status.SENT, steps(OP, W)) == Status.OPENED
    assert derive(Status.OPENED, steps(C, S)) == Status.PARTIALLY_SIGNED
    assert derive(Status.OPENED, steps(C, C)) == Status.COMPLETED
    assert derive(Status.OPENED, steps(C, D)) == Status.DECLINED
    assert derive(Status.CANCELLED, steps(C, C)) == Status.CANCELLED
    approver = steps(C, C, W, kinds=(Kind.SIGNER, Kind.APPROVER, Kind.CC))
    assert derive(Status.OPENED, approver) == Status.COMPLETED


def spec(name: str, type_: str = "text", role: str = "Client", **extra: Any) -> FieldSpec:
    return FieldSpec.model_validate(
        {"name": name, "type": type_, "role": role, "page": 0, "x": 0, "y": 0, "w": 0.2, "h": 0.05}
        | extra
    )


SPECS = [
    spec("Quantity", "number", validation={"min": 1, "max": 10}),
    spec("Price", "number", role="Company"),
    spec("Total", "number", formula="{Quantity} * {Price}"),
    spec("Plan", "select", options=["Basic", "Pro"]),
    spec(
        "Reason",
        condition={"conditions": [{"field": "Plan", "operator": "equals", "value": "Pro"}]},
        required=True,
    ),
    spec("Signature", "signature"),
    spec("Email", "email"),
    spec("Start", "date"),
    spec("IBAN", "cells", cells=4),
]


def check(
    posted: dict[str, Any], *, final: bool = False, held: dict[str, Any] | None = None
) -> Any:
    return check_values(
        SPECS,
        "Client",
        posted,
        others={"Price": 2.5},
        held=held or {},
        final=final,
        max_image_bytes=10_000,
    )


def png(size: int = 10) -> str:
    """A PNG of noise: it does not compress, so its size follows ``size``."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", (size, size), os.urandom(size * size * 3)).save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def test_a_formula_gives_its_value_whatever_was_posted_from_the_other_signers_values() -> None:
    result = check({"Quantity": "4", "Total": 1})
    assert result.errors == [] and result.values == {"Quantity": 4, "Total": 10}


def test_each_kind_of_value_is_checked_naming_the_field() -> None:
    cases = {
        "Quantity": (11, "too_large"),
        "Plan": ("Gold", "not_an_option"),
        "Email": ("not an address", "email_type"),
        "Start": ("31/12/2026", "date_type"),
        "IBAN": ("FR7612", "too_long"),
        "Signature": ("scribble", "image_type"),
    }
    for name, (value, code) in cases.items():
        [error] = check({name: value}).errors
        assert (error.field, error.code) == (f"values.{name}", code)
    [foreign] = check({"Price": 3}).errors
    assert foreign.code == "unknown_field"


def test_a_hidden_field_is_neither_kept_nor_required() -> None:
    basic = check({"Plan": "Basic", "Reason": "x", "Signature": {"typed": "Inès Roy"}}, final=True)
    assert "Reason" not in basic.values
    assert {e.field for e in basic.errors} == set()
    pro = check({"Plan": "Pro", "Signature": {"typed": "Inès Roy"}}, final=True)
    assert [e.field for e in pro.errors] == ["values.Reason"]


def test_a_signature_is_required_when_submitting_and_images_are_read_from_their_bytes() -> None:
    assert [e.field for e in check({}, final=True).errors] == ["values.Signature"]
    drawn = check({"Signature": {"image": png()}})
    assert drawn.errors == [] and drawn.uploads[0].kind == "png"
    too_big = check({"Signature": {"image": png(400)}})
    assert too_big.errors[0].code == "too_large"
    kept = {"file": "submissions/x/values/abc.png", "kind": "png"}
    assert check({"Signature": kept}, held={"Signature": kept}).values["Signature"] == kept


def test_reminders_come_after_each_delay_once_and_the_last_call_before_expiry() -> None:
    sent = datetime(2026, 12, 1, 9, tzinfo=UTC)
    assert not reminder_due(sent, 0, (3, 7), sent + timedelta(days=2))
    assert reminder_due(sent, 0, (3, 7), sent + timedelta(days=3))
    assert not reminder_due(sent, 1, (3, 7), sent + timedelta(days=5))
    assert reminder_due(sent, 1, (3, 7), sent + timedelta(days=7))
    assert not reminder_due(sent, 2, (3, 7), sent + timedelta(days=30))
    expires = sent + timedelta(days=10)
    assert not last_call_due(expires, False, 2, sent + timedelta(days=7))
    assert last_call_due(expires, False, 2, sent + timedelta(days=8, hours=1))
    assert not last_call_due(expires, True, 2, sent + timedelta(days=9))
    assert not last_call_due(None, False, 2, sent)


def test_values_print_in_the_signers_language_at_their_fields_places() -> None:
    specs = [
        spec("Total", "number"),
        spec("Agree", "checkbox"),
        spec("Start", "date", role="Company"),
        spec("Signature", "signature", y=0.5),
        spec("Photo", "image", y=0.7),
        spec("Services", "multiple", options=["Audit", "Payroll"]),
    ]
    printed = placements(
        specs,
        {
            "Total": 1234.5,
            "Agree": True,
            "Start": "2026-12-24",
            "Signature": {"typed": "Inès Roy"},
            "Photo": {"file": "k.png", "kind": "png"},
            "Services": ["Audit", "Payroll"],
        },
        {"Client": "fr", "Company": "en"},
    )
    texts = [p.text for p in printed if isinstance(p, TextMark)]
    assert texts == ["1\u202f234,5", "2026-12-24", "Inès Roy", "Audit, Payroll"]
    assert sum(isinstance(p, CheckMark) for p in printed) == 1
    assert [p.key for p in printed if isinstance(p, StoredImage)] == ["k.png"]
    typed = next(p for p in printed if isinstance(p, TextMark) and p.text == "Inès Roy")
    assert typed.handwriting and typed.box.y == 0.5
    assert format_number(3.0, "en") == "3"
