"""What every service client shares: the HTTP connection, the user's token, problems."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import httpx

from portico.kit.observability import current_traceparent

# Answers the current access token, refreshing it first when it is about to expire.
TokenSource = Callable[[], Awaitable[str | None]]


@dataclass
class ApiProblem(Exception):
    """A service answered with an RFC 9457 problem."""

    status: int
    title: str
    detail: str | None = None
    errors: list[Mapping[str, Any]] = field(default_factory=list)
    # The problem's other members (``reason``, ``limit``...), as the service sent them.
    members: Mapping[str, Any] = field(default_factory=dict)
    # When to ask again (a preview still being rendered), as the service said.
    retry_after: str | None = None

    def __str__(self) -> str:
        return f"{self.status} {self.title}: {self.detail or ''}"

    @classmethod
    def from_response(cls, response: httpx.Response) -> ApiProblem:
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        return cls(
            status=response.status_code,
            title=str(body.get("title") or response.reason_phrase),
            detail=body.get("detail"),
            errors=[error for error in body.get("errors") or [] if isinstance(error, dict)],
            members={
                key: value
                for key, value in body.items()
                if key not in {"type", "title", "status", "detail", "instance", "errors"}
            },
            retry_after=response.headers.get("Retry-After"),
        )


class ServiceClient:
    """Calls one service's API as the person behind the request (or anonymously)."""

    # The service it calls: the name of its backend, its API's path (/api/<service>).
    service: ClassVar[str]

    def __init__(
        self,
        http: httpx.AsyncClient,
        token: TokenSource | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self._http = http
        self._token = token
        # Who is really asking (address, browser), for login throttles and audit trails.
        self._headers = dict(headers or {})

    async def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        files: Any = None,
        anonymous: bool = False,
    ) -> httpx.Response:
        headers = await self.headers(anonymous=anonymous)
        response = await self._http.request(
            method,
            path,
            json=json,
            params=_without_none(params),
            files=files,
            headers=headers,
        )
        if response.status_code >= 400:
            raise ApiProblem.from_response(response)
        return response

    async def headers(self, *, anonymous: bool = False) -> dict[str, str]:
        """What every call carries: who is really asking, the user's token, and the trace of
        the page's request, so that the service's spans and the events it emits join it."""
        headers = dict(self._headers)
        if traceparent := current_traceparent():
            headers["traceparent"] = traceparent
        if not anonymous and self._token is not None:
            token = await self._token()
            if token:
                headers["Authorization"] = f"Bearer {token}"
        return headers

    async def get(self, path: str, **kwargs: Any) -> Any:
        return (await self.call("GET", path, **kwargs)).json()

    async def post(self, path: str, **kwargs: Any) -> Any:
        return _body(await self.call("POST", path, **kwargs))

    async def put(self, path: str, **kwargs: Any) -> Any:
        return _body(await self.call("PUT", path, **kwargs))

    async def patch(self, path: str, **kwargs: Any) -> Any:
        return _body(await self.call("PATCH", path, **kwargs))

    async def delete(self, path: str, **kwargs: Any) -> None:
        await self.call("DELETE", path, **kwargs)


def _body(response: httpx.Response) -> Any:
    return response.json() if response.content else None


def _without_none(params: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if params is None:
        return None
    return {key: value for key, value in params.items() if value is not None and value != ""}
