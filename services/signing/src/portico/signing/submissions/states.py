"""Where a submission stands and whose turn it is. Pure rules, no I/O.

Signers and approvers act (approvers approve without signing); viewers only read, and
copies (cc) receive the completed document. In an ordered submission each acting submitter
gets their link once every one before them has acted; otherwise all get it at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    SENT = "sent"
    OPENED = "opened"
    PARTIALLY_SIGNED = "partially_signed"
    COMPLETED = "completed"
    DECLINED = "declined"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


CLOSED = frozenset({Status.COMPLETED, Status.DECLINED, Status.EXPIRED, Status.CANCELLED})


class Kind(StrEnum):
    SIGNER = "signer"
    APPROVER = "approver"
    VIEWER = "viewer"
    CC = "cc"


ACTING = frozenset({Kind.SIGNER, Kind.APPROVER})


class SubmitterStatus(StrEnum):
    # Not their turn yet (ordered), or a copy waiting for the completed document.
    WAITING = "waiting"
    SENT = "sent"
    OPENED = "opened"
    COMPLETED = "completed"
    DECLINED = "declined"


DONE = frozenset({SubmitterStatus.COMPLETED, SubmitterStatus.DECLINED})


@dataclass(frozen=True)
class Step:
    """A submitter as these rules see them."""

    position: int
    kind: Kind
    status: SubmitterStatus

    @property
    def acts(self) -> bool:
        return self.kind in ACTING


def due_now(steps: Sequence[Step], *, ordered: bool) -> list[int]:
    """The indexes of the submitters whose link goes out now: those still waiting whose
    turn it is (every acting one at once, or the next in order) and the viewers. Copies
    wait for the completed document."""
    due = [
        index
        for index, step in enumerate(steps)
        if step.kind == Kind.VIEWER and step.status == SubmitterStatus.WAITING
    ]
    waiting = [
        index
        for index, step in enumerate(steps)
        if step.acts and step.status == SubmitterStatus.WAITING
    ]
    if not ordered:
        return sorted(due + waiting)
    if any(
        step.acts and step.status not in DONE and step.status != SubmitterStatus.WAITING
        for step in steps
    ):
        # Someone's turn is under way: the next waits for them.
        return sorted(due)
    if waiting:
        first = min(waiting, key=lambda index: steps[index].position)
        due.append(first)
    return sorted(due)


def may_act(steps: Sequence[Step], index: int, *, ordered: bool) -> bool:
    """Whether this submitter may fill and submit now."""
    step = steps[index]
    if not step.acts or step.status not in (SubmitterStatus.SENT, SubmitterStatus.OPENED):
        return False
    if not ordered:
        return True
    return all(
        other.status == SubmitterStatus.COMPLETED
        for other in steps
        if other.acts and other.position < step.position
    )


def everyone_acted(steps: Sequence[Step]) -> bool:
    acting = [step for step in steps if step.acts]
    return bool(acting) and all(step.status == SubmitterStatus.COMPLETED for step in acting)


def derive(current: Status, steps: Sequence[Step]) -> Status:
    """The submission's status from its submitters'; a closed one stays as it is."""
    if current in CLOSED:
        return current
    if any(step.status == SubmitterStatus.DECLINED for step in steps):
        return Status.DECLINED
    if everyone_acted(steps):
        return Status.COMPLETED
    if any(step.acts and step.status == SubmitterStatus.COMPLETED for step in steps):
        return Status.PARTIALLY_SIGNED
    if any(step.status in (SubmitterStatus.OPENED, SubmitterStatus.COMPLETED) for step in steps):
        return Status.OPENED
    return Status.SENT
