"""RFC 9457 problem details: the one error shape every Portico service answers with.

A service raises a ``Problem`` (``NotFound``, ``Conflict``, ``ValidationProblem``...);
``install_problem_handlers`` turns it, and every error FastAPI or Starlette raise (unknown
route, wrong method, invalid or malformed input) and any unexpected exception, into an
``application/problem+json`` response with a stable ``type``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from http import HTTPStatus
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from opentelemetry import trace
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware import Middleware
from starlette.routing import Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portico.kit.observability import current_correlation_id, route_template

log = structlog.get_logger(__name__)

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://portico.dev/problems/"
_SCHEMA_REF = "#/components/schemas/{model}"


class FieldError(BaseModel):
    """One input at fault in a validation problem."""

    field: str | None = Field(
        description="Dotted path of the field at fault (contacts.0.email); null for the whole body",
        examples=["contacts.0.email"],
    )
    location: str = Field(description="Where the field was: body, query, path, header or cookie")
    message: str = Field(description="What is wrong, in English")
    code: str = Field(description="A stable code for the kind of error (missing, int_parsing...)")
    params: dict[str, str | int] | None = Field(
        default=None,
        description="What the message names (a limit, another field), for a client that says "
        "it in its own words",
    )


class ProblemDetail(BaseModel):
    """The body of every error response (RFC 9457); services may add extension members."""

    type: str = Field(examples=[f"{TYPE_BASE}not-found"])
    title: str = Field(examples=["Not found"])
    status: int = Field(examples=[404])
    detail: str | None = None
    correlation_id: str | None = Field(
        default=None, description="Quote it when reporting a problem: it finds the logs"
    )
    errors: list[FieldError] | None = None


class Problem(Exception):
    """An error a service answers with. Subclasses fix ``status``, ``slug`` and ``title``."""

    status: int = 500
    slug: str = "internal-error"
    title: str = "Internal server error"

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: Sequence[FieldError] | None = None,
        headers: Mapping[str, str] | None = None,
        status: int | None = None,
        slug: str | None = None,
        title: str | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail or title or self.title)
        self.detail = detail
        self.errors = list(errors) if errors is not None else None
        self.headers = dict(headers or {})
        self.extra = extra
        if status is not None:
            self.status = status
        if slug is not None:
            self.slug = slug
        if title is not None:
            self.title = title

    @property
    def type(self) -> str:
        return TYPE_BASE + self.slug

    def to_dict(self) -> dict[str, Any]:
        # No ``instance`` (the request path): a public link's path holds its token, and
        # callers log the problems they get. The correlation id finds the request instead.
        body: dict[str, Any] = {"type": self.type, "title": self.title, "status": self.status}
        if self.detail:
            body["detail"] = self.detail
        if self.errors is not None:
            body["errors"] = [
                error.model_dump(exclude={"params"} if error.params is None else None)
                for error in self.errors
            ]
        correlation = current_correlation_id()
        if correlation:
            body["correlation_id"] = correlation
        body.update(jsonable_encoder(self.extra))
        return body

    def response(self) -> JSONResponse:
        return JSONResponse(
            self.to_dict(),
            status_code=self.status,
            headers=self.headers,
            media_type=MEDIA_TYPE,
        )


class BadRequest(Problem):
    status, slug, title = 400, "bad-request", "Bad request"


class MalformedJSON(Problem):
    status, slug, title = 400, "malformed-json", "Malformed JSON"


class Unauthorized(Problem):
    """401 with the ``WWW-Authenticate`` challenge (RFC 6750) clients expect."""

    status, slug, title = 401, "unauthorized", "Authentication required"

    def __init__(
        self, detail: str | None = None, *, invalid_token: bool = False, **extra: Any
    ) -> None:
        # Without credentials the bare challenge; with a bad token, say so.
        challenge = 'Bearer error="invalid_token"' if invalid_token else "Bearer"
        super().__init__(detail, headers={"WWW-Authenticate": challenge}, **extra)


class Forbidden(Problem):
    status, slug, title = 403, "forbidden", "Not allowed"


class NotFound(Problem):
    status, slug, title = 404, "not-found", "Not found"


class Conflict(Problem):
    status, slug, title = 409, "conflict", "Conflict"


class Gone(Problem):
    """For links that existed and no longer work (expired or revoked capability links)."""

    status, slug, title = 410, "gone", "No longer available"


class PayloadTooLarge(Problem):
    status, slug, title = 413, "payload-too-large", "Payload too large"


class UnsupportedMediaType(Problem):
    status, slug, title = 415, "unsupported-media-type", "Unsupported media type"


class ValidationProblem(Problem):
    status, slug, title = 422, "validation-error", "Invalid input"

    @classmethod
    def for_field(
        cls, field: str, message: str, *, location: str = "body", code: str = "invalid"
    ) -> ValidationProblem:
        """One field at fault, for checks a schema cannot make (an address already used)."""
        error = FieldError(field=field, location=location, message=message, code=code)
        return cls(f"{field}: {message}", errors=[error])


class TooManyRequests(Problem):
    status, slug, title = 429, "too-many-requests", "Too many requests"

    def __init__(self, detail: str | None = None, *, retry_after: int, **extra: Any) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after)}, **extra)


class ServiceUnavailable(Problem):
    status, slug, title = 503, "unavailable", "Service unavailable"


_BY_STATUS: dict[int, type[Problem]] = {
    problem.status: problem
    for problem in (
        BadRequest,
        Unauthorized,
        Forbidden,
        NotFound,
        Conflict,
        Gone,
        PayloadTooLarge,
        UnsupportedMediaType,
        ValidationProblem,
        TooManyRequests,
        ServiceUnavailable,
    )
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for a route: these statuses answer with a problem body.

    ``@router.get("/{id}", responses=problem_responses(404, 409))``. The schema it points
    to is added to the document by ``install_problem_handlers``.
    """
    return {
        status: {
            "description": _title_for(status),
            "content": {
                MEDIA_TYPE: {"schema": {"$ref": _SCHEMA_REF.format(model="ProblemDetail")}}
            },
        }
        for status in statuses
    }


def install_problem_handlers(app: FastAPI) -> None:
    """Answer every error of ``app`` with problem+json and document it in the OpenAPI."""
    app.add_exception_handler(Problem, _on_problem)
    app.add_exception_handler(StarletteHTTPException, _on_http_exception)
    app.add_exception_handler(RequestValidationError, _on_invalid_request)
    # Starlette gives an ``Exception`` handler to its outermost middleware, which runs after
    # the user middleware has unwound: the log line would lose the request's service,
    # correlation id and span, and the 500 its X-Correlation-ID. Appended last, this
    # middleware sits inside every other one, whenever they are added.
    if app.middleware_stack is not None:
        raise RuntimeError("install_problem_handlers must be called before the app starts")
    app.user_middleware.append(Middleware(UnexpectedErrorMiddleware))
    # Still the last resort for errors raised by middleware itself.
    app.add_exception_handler(Exception, _on_unexpected)
    _document_problems(app)


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Problem)
    if exc.status >= 500:
        log.warning("request failed", status=exc.status, detail=exc.detail)
    return exc.response()


async def _on_http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(_allowed_methods(request))
    default_detail = exc.detail == _phrase(exc.status_code)
    detail = _default_detail(request, exc.status_code) if default_detail else str(exc.detail)
    known = _BY_STATUS.get(exc.status_code)
    if known is Unauthorized:
        problem: Problem = Unauthorized(detail)
        problem.headers.update(headers)
    elif known is not None and known is not TooManyRequests:
        problem = known(detail, headers=headers)
    else:
        problem = Problem(
            detail,
            headers=headers,
            status=exc.status_code,
            slug=_phrase(exc.status_code).lower().replace(" ", "-"),
            title=_title_for(exc.status_code),
        )
    return problem.response()


def _allowed_methods(request: Request) -> list[str]:
    """Every method of the resource, for a 405's ``Allow``.

    FastAPI makes one route per operation, and Starlette answers 405 with the methods of
    the first route whose path matched: ``GET`` alone where ``PUT`` and ``DELETE`` exist too.
    """
    methods: set[str] = set()
    for route in request.app.router.routes:
        if isinstance(route, Route) and route.methods:
            match, _ = route.matches({**request.scope, "method": "GET"})
            if match is not Match.NONE:
                methods |= route.methods
    return sorted(methods)


async def _on_invalid_request(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    unreadable = _unreadable_body(errors)
    if unreadable is not None:
        return unreadable.response()
    field_errors = [_field_error(error) for error in errors]
    detail = "; ".join(
        f"{error.field or error.location}: {error.message}" for error in field_errors
    )
    return ValidationProblem(detail, errors=field_errors).response()


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    # The route template, not the path: a public link's token must never reach the logs.
    route = route_template(request.scope)
    log.error("unhandled error", method=request.method, route=route, exc_info=exc)
    trace.get_current_span().record_exception(exc)
    # The body says nothing of the cause: the logs have it, under the correlation id.
    problem = Problem("The request could not be completed. The error has been logged.")
    return problem.response()


class UnexpectedErrorMiddleware:
    """Answers an exception no handler took with a 500 problem, while the request's context
    is still bound."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            if started:  # too late for another answer; the server closes the connection
                raise
            response = await _on_unexpected(Request(scope), exc)
            await response(scope, receive, send)


def _unreadable_body(errors: list[Any]) -> Problem | None:
    """A body that is not JSON at all is a 400 (or 415), not a field-by-field 422."""
    for error in errors:
        location = tuple(error.get("loc", ()))
        if error.get("type") == "json_invalid":
            reason = error.get("ctx", {}).get("error", "cannot be parsed")
            at = f" (at character {location[1]})" if len(location) > 1 else ""
            return MalformedJSON(f"The request body is not valid JSON: {reason}{at}.")
        # FastAPI leaves a body it did not parse as bytes: it was not sent as JSON.
        if location == ("body",) and isinstance(error.get("input"), bytes | bytearray):
            return UnsupportedMediaType(
                "The request body must be JSON (Content-Type: application/json)."
            )
    return None


def _field_error(error: Mapping[str, Any]) -> FieldError:
    location, *path = [str(part) for part in error.get("loc", ())] or ["body"]
    return FieldError(
        field=".".join(path) or None,
        location=location,
        message=str(error.get("msg", "invalid")),
        code=str(error.get("type", "invalid")),
    )


def _default_detail(request: Request, status: int) -> str | None:
    if status == 404:
        return "Nothing is served at this address."
    if status == 405:
        return f"{request.method} is not allowed here (see the Allow header)."
    return None


def _title_for(status: int) -> str:
    known = _BY_STATUS.get(status)
    if known is not None:
        return known.title
    phrase = _phrase(status)
    return phrase[:1] + phrase[1:].lower()


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _document_problems(app: FastAPI) -> None:
    """Make the OpenAPI tell the truth: validation errors are problems, not FastAPI's shape."""
    build: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            _rewrite_validation_responses(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _rewrite_validation_responses(schema: dict[str, Any]) -> None:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    problem_schema = ProblemDetail.model_json_schema(ref_template=_SCHEMA_REF)
    components.update(problem_schema.pop("$defs", {}))
    components["ProblemDetail"] = problem_schema
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            # Any operation refuses a query parameter it does not declare (portico.kit.query).
            response = responses.setdefault("422", {})
            response["description"] = "Invalid input"
            response["content"] = problem_responses(422)[422]["content"]
            # A body that cannot be read at all (not JSON, not a form) is a 400.
            if "requestBody" in operation and "400" not in responses:
                responses["400"] = {
                    "description": "Bad request",
                    "content": problem_responses(400)[400]["content"],
                }
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
