"""The kinds of message the notifier sends: what each must carry and how it is previewed.

A kind's templates (subject, HTML, text, SMS) live in ``templates/<kind>/<locale>/``; an
admin may override them. ``links`` name the variables a template must use: a version that
drops the accept link of an invitation would send an email nobody can act on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

WORKSPACE_URL = "http://127.0.0.1:8000/portal/workspaces/7e8f9a0b-1c2d-4e3f-8a4b-5c6d7e8f9a0b"


@dataclass(frozen=True)
class Channels:
    email: bool
    sms: bool
    in_app: bool


@dataclass(frozen=True)
class MessageKind:
    key: str
    description: str
    links: tuple[str, ...]
    sample: dict[str, Any]
    has_sms: bool = False
    # For kinds staff hear about: what they get until they change their preferences.
    staff_defaults: Channels | None = None
    examples: dict[str, Any] = field(default_factory=dict)


KINDS: dict[str, MessageKind] = {
    kind.key: kind
    for kind in (
        MessageKind(
            key="client_invited",
            description="A contact is invited to the client portal",
            links=("accept_url",),
            sample={
                "client_name": "Atelier Lumière",
                "accept_url": "http://127.0.0.1:8000/invitations/accept?token=sample",
                "expires_at": "2026-12-09T09:00:00+00:00",
            },
        ),
        MessageKind(
            key="password_reset",
            description="Someone asked to reset their password",
            links=("reset_url",),
            sample={
                "reset_url": "http://127.0.0.1:8000/password/reset?token=sample",
                "expires_at": "2026-11-25T11:00:00+00:00",
            },
        ),
        MessageKind(
            key="workspace_shared",
            description="A workspace is shared with a contact",
            links=("workspace_url",),
            sample={
                "workspace_name": "Rénovation atelier",
                "project_name": "Atelier 2027",
                "workspace_url": WORKSPACE_URL,
            },
        ),
        MessageKind(
            key="message_posted",
            description="A new message in a workspace thread",
            links=("workspace_url",),
            sample={
                "workspace_name": "Rénovation atelier",
                "author_name": "Camille Durand",
                "excerpt": "Voici les plans mis à jour.",
                "workspace_url": WORKSPACE_URL,
            },
            staff_defaults=Channels(email=True, sms=False, in_app=True),
        ),
        MessageKind(
            key="task_assigned",
            description="A workspace task is assigned to someone",
            links=("workspace_url",),
            sample={
                "title": "Envoyer le Kbis",
                "due_on": "2026-12-05",
                "workspace_url": WORKSPACE_URL,
            },
            staff_defaults=Channels(email=True, sms=False, in_app=True),
        ),
    )
}

SAMPLE_RECIPIENT = {"name": "Camille Durand"}
SAMPLE_ORGANISATION = {"name": "Studio Portico", "logo_url": None, "brand_colour": "#2f5bea"}
