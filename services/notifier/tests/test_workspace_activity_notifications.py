"""Staff hear of a client's files and completed tasks, as they hear of their messages: in the
app and by email as their preferences say, in their language, once per event."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

import pytest

from portico.contracts.events.portal import FileUploaded, MessageRecipient, TaskCompleted
from portico.kit.testing.services import RunningPortico
from portico.kit.testing.smtp import Mailbox, text_and_html

if TYPE_CHECKING:
    from conftest import Publish, StaffMember

pytestmark = pytest.mark.usefixtures("notifier_smtp")

WORKSPACE_ID = uuid.uuid4()
LINK = f"http://127.0.0.1:8000/portal/workspaces/{WORKSPACE_ID}"


def to(staff: StaffMember) -> list[MessageRecipient]:
    return [MessageRecipient(kind="staff", id=staff.id, name="Admin Portico", email=None)]


def file_uploaded(staff: StaffMember, file_name: str = "plans-v3.pdf") -> FileUploaded:
    return FileUploaded(
        file_id=uuid.uuid4(),
        workspace_id=WORKSPACE_ID,
        client_id=uuid.uuid4(),
        workspace_name="Rénovation atelier",
        file_name=file_name,
        content_type="application/pdf",
        size_bytes=482133,
        uploaded_by_kind="client",
        uploaded_by_id=uuid.uuid4(),
        uploaded_by_name="Camille Durand",
        recipients=to(staff),
        workspace_url=LINK,
    )


def task_completed(staff: StaffMember, title: str = "Envoyer le Kbis") -> TaskCompleted:
    return TaskCompleted.model_validate(
        {
            **TaskCompleted.model_json_schema()["examples"][0],
            "task_id": str(uuid.uuid4()),
            "workspace_id": str(WORKSPACE_ID),
            "title": title,
            "recipients": [r.model_dump(mode="json") for r in to(staff)],
            "workspace_url": LINK,
        }
    )


def subjects(mailbox: Mailbox) -> list[str]:
    return [str(message["Subject"]) for message in mailbox.messages]


async def test_a_clients_file_and_task_done_reach_staff_in_the_app_and_by_email_once(
    portico: RunningPortico, staff: StaffMember, publish: Publish, notifier_smtp: Mailbox
) -> None:
    await staff.change(locale="en")
    [uploaded] = await publish("portal", file_uploaded(staff))
    [notification] = await staff.notifications(1)
    assert notification["title"] == "Camille Durand added a file to “Rénovation atelier”"
    assert notification["excerpt"] == "plans-v3.pdf"
    assert notification["link"] == LINK
    [email] = await notifier_smtp.wait_for(1)
    assert email["To"] == "Admin Portico <admin@studio.example>"
    assert email["Subject"] == "Camille Durand added a file to “Rénovation atelier”"
    text, html = text_and_html(email)
    assert "plans-v3.pdf" in text and LINK in text
    assert f'href="{LINK}"' in html

    # The same event delivered again changes nothing; the next one is told as usual. The
    # notifier reads its queue in order: once the task's news is here, the copy was read.
    await publish("portal", uploaded)
    await publish("portal", task_completed(staff))
    newest, first = await staff.notifications(2)
    assert first["id"] == notification["id"]
    assert newest["title"] == "Camille Durand completed “Envoyer le Kbis”"
    assert newest["excerpt"] == "Done in “Rénovation atelier”."
    assert newest["link"] == LINK
    await notifier_smtp.wait_for(2)
    assert subjects(notifier_smtp) == [
        "Camille Durand added a file to “Rénovation atelier”",
        "Camille Durand completed “Envoyer le Kbis”",
    ]
    emailed = [(d["kind"], d["channel"]) for d in await staff.deliveries()]
    assert sorted(emailed) == [("file_uploaded", "email"), ("task_completed", "email")]


async def test_each_staff_member_chooses_how_they_hear_of_files_and_tasks_done_in_their_language(
    portico: RunningPortico, staff: StaffMember, publish: Publish, notifier_smtp: Mailbox
) -> None:
    preferences = await portico.http.get("/api/notifier/v1/preferences", headers=staff.headers)
    defaults: dict[str, dict[str, Any]] = {p["kind"]: p for p in preferences.json()}
    for kind in ("file_uploaded", "task_completed"):
        chosen = defaults[kind]
        assert (chosen["email"], chosen["sms"], chosen["in_app"]) == (True, False, True)

    await staff.change(locale="fr")
    await staff.choose("task_completed", email=False, sms=False, in_app=True)
    await staff.choose("file_uploaded", email=True, sms=False, in_app=False)
    await publish("portal", task_completed(staff, "Signer le devis"))
    [done] = await staff.notifications(1)
    assert done["title"] == "Camille Durand a terminé « Signer le devis »"
    assert done["excerpt"] == "Terminée dans « Rénovation atelier »."

    # The file is told by email only, in French; the task done was not emailed at all (the
    # notifier reads its queue in order: the file's email comes after the task's would).
    await publish("portal", file_uploaded(staff, "devis-signé.pdf"))
    [email] = await notifier_smtp.wait_for(1)
    assert email["Subject"] == "Camille Durand a ajouté un fichier dans « Rénovation atelier »"
    text, _ = text_and_html(email)
    assert "devis-signé.pdf" in text and f"Le voir : {LINK}" in text
    assert [n["id"] for n in await staff.notifications(1)] == [done["id"]]
    emailed = [(d["kind"], d["channel"]) for d in await staff.deliveries()]
    assert emailed == [("file_uploaded", "email")]
