"""The follow-up job on the organisation's reminder schedule: a signer who has not acted is
reminded after each of the schedule's days, warned once before the expiry, and the
submission expires on its date; each message goes once however often the job runs, and
nothing follows a closed submission. The schedule is an admin's to set, checked field by
field."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update

from portico.contracts.events.signing import (
    SubmissionExpired,
    SubmissionExpiring,
    SubmissionReminded,
)
from portico.kit.db import utcnow
from portico.kit.jobs import Job
from portico.kit.testing.services import RunningPortico
from portico.signing.models import Submission, Submitter
from portico.signing.submissions.reminders import FOLLOW_UP, follow_up_submissions
from portico.signing.testing import (
    FIELDS,
    SIGNING,
    SUBMISSIONS,
    link_of,
    make_client,
    make_template,
    replica_ready,
    send_to,
)

SETTINGS = "/api/signing/v1/reminder-settings"
ONE_SIGNER = [f for f in FIELDS if f["role"] == "Client"]


async def run_follow_up(portico: RunningPortico) -> None:
    """One run of the scheduled job, as the job runner starts it."""
    runtime = portico.runtime("signing")
    assert runtime.jobs is not None
    job = Job(
        id=str(uuid.uuid4()),
        kind=FOLLOW_UP,
        payload={},
        tries=1,
        is_last_try=False,
        run_at=utcnow(),
    )
    await follow_up_submissions(runtime.jobs.context, job)


async def days_ago(portico: RunningPortico, submission_id: str, days: float) -> None:
    """The signer's link was sent ``days`` ago."""
    async with portico.runtime("signing").database.transaction() as tx:
        await tx.execute(
            update(Submitter)
            .where(Submitter.submission_id == uuid.UUID(submission_id))
            .values(sent_at=utcnow() - timedelta(days=days))
        )


async def expires_in(portico: RunningPortico, submission_id: str, delta: timedelta) -> None:
    async with portico.runtime("signing").database.transaction() as tx:
        await tx.execute(
            update(Submission)
            .where(Submission.id == uuid.UUID(submission_id))
            .values(expires_at=utcnow() + delta)
        )


def sent(portico: RunningPortico, event_type: str, submission_id: str) -> list[Any]:
    return portico.events.of_type(event_type, subject=submission_id)


async def test_reminders_follow_the_schedule_once_each_then_the_last_call_and_expiry(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    schedule = await portico.http.put(
        SETTINGS, json={"reminder_days": [4, 1], "last_call_days": 1}, headers=admin
    )
    assert schedule.status_code == 200, schedule.text
    assert schedule.json()["reminder_days"] == [1, 4]
    assert schedule.json()["source"] == "organisation"

    client = await make_client(portico, admin)
    template = await make_template(portico, ONE_SIGNER)
    await replica_ready(portico, template, client)
    expiry = (utcnow() + timedelta(days=10)).isoformat()
    submitted = await send_to(portico, template, client, expires_at=expiry)
    assert submitted.status_code == 201, submitted.text
    submission_id = submitted.json()["id"]
    token = await link_of(portico, submission_id, "ines@lumiere.example")

    # Not yet a day: nothing.
    await run_follow_up(portico)
    assert sent(portico, SubmissionReminded.event_type, submission_id) == []

    # A day: the first reminder, once however often the job runs.
    await days_ago(portico, submission_id, 1.01)
    await run_follow_up(portico)
    await run_follow_up(portico)
    [first] = await portico.events.wait_for(SubmissionReminded.event_type, subject=submission_id)
    assert first.data["reminder_number"] == 1
    assert first.data["submitter"]["email"] == "ines@lumiere.example"
    # Each reminder carries a link of its own; the first still opens.
    assert str(first.data["signing_url"]).rsplit("/", 1)[1] != token
    assert (await portico.http.get(f"{SIGNING}/{token}")).status_code == 200

    # Four days: the second, and no third (the schedule has two days).
    await days_ago(portico, submission_id, 4.01)
    await run_follow_up(portico)
    await days_ago(portico, submission_id, 9)
    await run_follow_up(portico)
    reminders = await portico.events.wait_for(
        SubmissionReminded.event_type, subject=submission_id, count=2
    )
    assert [r.data["reminder_number"] for r in reminders] == [1, 2]

    # A day before the expiry: the last call, once.
    await expires_in(portico, submission_id, timedelta(hours=20))
    await run_follow_up(portico)
    await run_follow_up(portico)
    [last_call] = await portico.events.wait_for(
        SubmissionExpiring.event_type, subject=submission_id
    )
    assert last_call.data["submitter"]["email"] == "ines@lumiere.example"

    # Past the expiry: expired, once; its links stop working and nothing follows.
    await expires_in(portico, submission_id, -timedelta(minutes=1))
    await run_follow_up(portico)
    await run_follow_up(portico)
    [expired] = await portico.events.wait_for(SubmissionExpired.event_type, subject=submission_id)
    assert expired.data["submission_id"] == submission_id
    detail = await portico.http.get(
        f"{SUBMISSIONS}/{submission_id}", headers=portico.headers("staff")
    )
    assert detail.json()["status"] == "expired"
    opened = (await portico.http.get(f"{SIGNING}/{token}")).json()
    assert opened["status"] == "expired" and opened["may_act"] is False
    submit = await portico.http.post(f"{SIGNING}/{token}/submit", json={"values": {}})
    assert submit.status_code == 409, submit.text
    await days_ago(portico, submission_id, 30)
    await run_follow_up(portico)
    assert len(sent(portico, SubmissionReminded.event_type, submission_id)) == 2
    assert len(sent(portico, SubmissionExpired.event_type, submission_id)) == 1
    actions = [event["action"] for event in detail.json()["trail"]]
    assert actions.count("reminded") == 2 and "last_call" in actions and "expired" in actions


@pytest.mark.backends("embedded")
async def test_the_schedule_is_the_configuration_until_an_admin_sets_it_checked_field_by_field(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    before = await portico.http.get(SETTINGS, headers=admin)
    assert before.status_code == 200
    assert before.json() == {
        "reminder_days": [3, 7],
        "last_call_days": 2,
        "source": "configuration",
        "updated_at": None,
    }
    for body, field in [
        ({"reminder_days": [0], "last_call_days": 2}, "reminder_days.0"),
        ({"reminder_days": [3, 3], "last_call_days": 2}, "reminder_days"),
        ({"reminder_days": [1, 2, 3, 4, 5, 6], "last_call_days": 2}, "reminder_days"),
        ({"reminder_days": [3], "last_call_days": 61}, "last_call_days"),
        ({"reminder_days": [3]}, "last_call_days"),
    ]:
        refused = await portico.http.put(SETTINGS, json=body, headers=admin)
        assert refused.status_code == 422, body
        assert refused.headers["content-type"] == "application/problem+json"
        assert [error["field"] for error in refused.json()["errors"]] == [field], refused.json()
    # Nothing refused was kept.
    assert (await portico.http.get(SETTINGS, headers=admin)).json()["source"] == "configuration"

    # No reminders at all is a choice too.
    none = await portico.http.put(
        SETTINGS, json={"reminder_days": [], "last_call_days": 0}, headers=admin
    )
    assert none.status_code == 200
    assert (await portico.http.get(SETTINGS, headers=admin)).json()["reminder_days"] == []

    staff = await portico.http.get(SETTINGS, headers=portico.headers("staff"))
    assert staff.status_code == 403
    put_by_staff = await portico.http.put(
        SETTINGS, json={"reminder_days": [2], "last_call_days": 1}, headers=portico.headers("staff")
    )
    assert put_by_staff.status_code == 403
    assert (await portico.http.get(SETTINGS, headers=admin)).json()["reminder_days"] == []
