"""The router every page module uses: CSRF checked on each state-changing request."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import RedirectResponse

from portico.gateway.web.context import verify_csrf


def page_router() -> APIRouter:
    return APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


def see_other(url: str) -> RedirectResponse:
    """After a form is posted, show the result with a GET (no resubmission on reload)."""
    return RedirectResponse(url, status_code=303)


def local_path(candidate: str | None, default: str) -> str:
    """``candidate`` when it is a path on this site; never another site (open redirects)."""
    if candidate and candidate.startswith("/") and not candidate.startswith(("//", "/\\")):
        return candidate
    return default
