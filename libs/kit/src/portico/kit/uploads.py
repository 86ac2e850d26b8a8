"""Request bodies are bounded before they are read, and uploads are for the authenticated.

FastAPI reads (and spools to disk) a whole multipart body before any dependency runs, so
without this an anonymous 200 MB POST is received in full and only then answered 401. This
middleware answers before the endpoint reads anything:

- 413 at once when ``Content-Length`` says the body is over the limit, and as soon as the
  bytes received pass it when the length is not declared (chunked);
- 401 for a multipart body sent without credentials the app accepts, but on the app's
  public upload paths (a page where anyone checks a document).

The limit is the app's: its largest upload (plus room for the multipart envelope) for
``multipart/form-data``, and ``MAX_JSON_BYTES`` for anything else. Endpoints still check
their own, smaller limits with a message naming the field.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portico.kit.auth.tokens import TokenVerifier
from portico.kit.problems import PayloadTooLarge, Problem, Unauthorized

MIB = 1024 * 1024
# The largest non-upload body (notes, messages, email templates are all far smaller).
MAX_JSON_BYTES = 2 * MIB
# The multipart envelope around a file: boundaries, part headers, the other form fields.
ENVELOPE_BYTES = 64 * 1024

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def is_multipart(headers: Headers) -> bool:
    return headers.get("content-type", "").lower().startswith("multipart/form-data")


def _limit_text(limit: int) -> str:
    return f"{limit / MIB:.0f} MiB" if limit >= MIB else f"{limit // 1024} KiB"


class BodyLimitMiddleware:
    """Bounds every request body; refuses anonymous multipart bodies unread.

    ``max_upload_bytes`` is the largest file the app accepts (None: it takes none, and a
    multipart body gets the JSON limit). ``has_credentials`` tells, from the request's headers
    alone, whether it carries credentials the app would accept (checked again by the endpoint).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_upload_bytes: Callable[[], int | None],
        has_credentials: Callable[[Scope], bool],
        public_paths: frozenset[str] = frozenset(),
    ) -> None:
        self.app = app
        self.max_upload_bytes = max_upload_bytes
        self.has_credentials = has_credentials
        self.public_paths = public_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        multipart = is_multipart(headers)
        upload = self.max_upload_bytes() if multipart else None
        limit = upload + ENVELOPE_BYTES if upload is not None else MAX_JSON_BYTES
        too_large = f"The request body must be at most {_limit_text(limit)}."
        if multipart and not (_app_path(scope) in self.public_paths or self.has_credentials(scope)):
            await Unauthorized("Log in before uploading a file.").response()(scope, receive, send)
            return
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await PayloadTooLarge(too_large).response()(scope, receive, send)
            return
        received = 0

        async def bounded_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Raised inside the endpoint's read: an HTTPException passes through
                    # FastAPI's body parsing untouched and is answered as a 413 problem.
                    raise HTTPException(413, too_large)
            return message

        await self.app(scope, bounded_receive, send)


def _app_path(scope: Scope) -> str:
    """The request's path within the app (the service's, however it is mounted)."""
    path: str = scope.get("path", "")
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def valid_bearer(verifier: TokenVerifier) -> Callable[[Scope], bool]:
    """A service's credentials: an access token it can verify (signature, issuer, expiry)."""

    def check(scope: Scope) -> bool:
        scheme, _, token = Headers(scope=scope).get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return False
        try:
            verifier.verify(token)
        except Problem:
            return False
        return True

    return check
