"""The addresses a submission's messages carry: a submitter's link to sign (or to their
copy), and the staff page of the submission, both in the web UI."""

from __future__ import annotations

import uuid

from portico.kit.settings import PorticoSettings

SIGN_PATH = "/sign/"
COPY_PATH = "/sign/copy/"
STAFF_PAGE = "/smart-documents/submissions/"


def signing_link(settings: PorticoSettings, token: str) -> str:
    return settings.link(SIGN_PATH + token)


def copy_link(settings: PorticoSettings, token: str) -> str:
    return settings.link(COPY_PATH + token)


def staff_page(settings: PorticoSettings, submission_id: uuid.UUID) -> str:
    return settings.link(f"{STAFF_PAGE}{submission_id}")
