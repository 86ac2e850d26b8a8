"""The kinds of message the notifier sends: what each must carry and how it is previewed.

A kind's templates (subject, HTML, text, SMS) live in ``templates/<kind>/<locale>/``; an
admin may override them. ``links`` name the variables a template must use: a version that
drops the accept link of an invitation would send an email nobody can act on. Each source
service's kinds are declared beside its planners (``messages/<service>.py``); ``catalogue``
gathers them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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
    # For kinds staff hear about: what they get until they change their preferences.
    staff_defaults: Channels | None = None


SAMPLE_RECIPIENT = {"name": "Camille Durand"}
SAMPLE_ORGANISATION = {"name": "Studio Portico", "logo_url": None, "brand_colour": "#2f5bea"}
