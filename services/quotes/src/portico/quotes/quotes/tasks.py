"""``POST /v1/quotes/{id}/tasks``: staff ask, from a quote, for a task in the client's
workspace (following the quote up, say).

Workspaces and their tasks are the portal's: this service keeps no task. It chooses the
task's id, records the step in the quote's history and emits QuoteTaskRequested through
its outbox, in one transaction; the portal creates the task when it handles the event.
Hence 202 with the task's id: accepted, there once the portal has taken it.

Any quote may have tasks, a draft or a void one too: a task is work to do with the client
(measurements to take before the draft goes out, a call about a voided offer), not a step
of the offer. Only a client deleted since has no workspace to put one in (409).
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from pydantic import BaseModel, ConfigDict, Field

from portico.contracts.events.quotes import QuoteTaskRequested
from portico.kit.auth import Principal
from portico.kit.auth.principals import require_scope
from portico.kit.deps import Tx, get_runtime
from portico.kit.problems import Conflict, ValidationProblem, problem_responses
from portico.kit.settings import PorticoSettings
from portico.kit.transaction import Transaction
from portico.quotes import history
from portico.quotes.history import HistoryKind
from portico.quotes.models import Quote, StaffReplica
from portico.quotes.quotes import service
from portico.quotes.quotes.schemas import Description, IssueDate, Title
from portico.quotes.quotes.sending import staff_page
from portico.quotes.replicas import live_client

router = APIRouter(prefix="/v1/quotes", tags=["quotes"])

Writer = Annotated[Principal, Depends(require_scope("quotes:write"))]


class QuoteTaskIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "Relancer le devis D-2026-0042",
                    "description": "Appeler Camille avant la fin du mois.",
                    "due_on": "2026-12-05",
                }
            ]
        },
    )

    title: Title
    description: Description | None = Field(
        default=None, description="Details; the portal adds the quote's link after them"
    )
    due_on: IssueDate | None = None
    assignee_id: uuid.UUID | None = Field(
        default=None, description="An active staff member; the quote's by default"
    )


class QuoteTaskOut(BaseModel):
    task_id: uuid.UUID = Field(
        description="The id the task has in the client's workspace, once the portal made it"
    )


async def _assignee(
    tx: Transaction, chosen: uuid.UUID | None, in_charge: uuid.UUID | None
) -> uuid.UUID | None:
    """The staff member the task is for: the one chosen, who must be active, or else the
    quote's, while active (a task for someone who left would wait for no one)."""
    if chosen is None:
        held = await tx.get(StaffReplica, in_charge) if in_charge is not None else None
        return in_charge if held is None or held.active else None
    staff = await tx.get(StaffReplica, chosen)
    if staff is None:
        raise ValidationProblem.for_field(
            "assignee_id", "No such staff member.", code="unknown_staff"
        )
    if not staff.active:
        raise ValidationProblem.for_field(
            "assignee_id", "This staff member is deactivated.", code="inactive_staff"
        )
    return chosen


async def request_task(
    tx: Transaction,
    quote: Quote,
    body: QuoteTaskIn,
    *,
    requested_by: uuid.UUID | None,
    links: PorticoSettings,
) -> uuid.UUID:
    """Asks the portal for a task about ``quote`` in its client's workspace; answers the
    task's id."""
    if await live_client(tx, quote.client_id) is None:
        raise Conflict("The client of this quote has been deleted: it has no workspace left.")
    assignee_id = await _assignee(tx, body.assignee_id, quote.assignee_id)
    task_id = uuid.uuid4()
    description = body.description or None
    history.record(
        tx,
        quote,
        HistoryKind.TASK_CREATED,
        staff_id=requested_by,
        detail={
            "task_id": str(task_id),
            "title": body.title,
            "due_on": body.due_on.isoformat() if body.due_on else None,
            "assignee_id": str(assignee_id) if assignee_id else None,
        },
    )
    tx.emit(
        QuoteTaskRequested(
            task_id=task_id,
            quote_id=quote.id,
            number=quote.number,
            client_id=quote.client_id,
            title=body.title,
            description=description,
            due_on=body.due_on,
            assignee_id=assignee_id,
            requested_by=requested_by,
            quote_admin_url=staff_page(links, quote.id),
        )
    )
    await tx.flush()
    return task_id


@router.post(
    "/{quote_id}/tasks",
    status_code=status.HTTP_202_ACCEPTED,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Ask for a task in the client's workspace about the quote (made by the portal)",
)
async def create_task(
    quote_id: uuid.UUID, body: QuoteTaskIn, request: Request, tx: Tx, principal: Writer
) -> QuoteTaskOut:
    # Locked, as every change of a quote: its history's steps keep their order.
    quote = await service.quote_of(tx, quote_id, lock=True)
    task_id = await request_task(
        tx,
        quote,
        body,
        requested_by=principal.user_id if principal.is_staff else None,
        links=get_runtime(request).settings,
    )
    return QuoteTaskOut(task_id=task_id)
