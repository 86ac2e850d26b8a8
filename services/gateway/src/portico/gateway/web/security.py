"""The session cookie around each request, its language, and the security headers."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portico.gateway.web import i18n
from portico.gateway.web.session import COOKIE, SessionCodec, WebSession

# No inline script or style anywhere: the organisation's colour comes from /brand.css.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}
# An email's HTML as its own document, in a sandboxed <iframe> of this site's pages: its
# inline styles and remote images, but no script, form, plugin or frame of its own.
FRAMED_EMAIL_HEADERS = {
    "content-security-policy": "; ".join(
        [
            "default-src 'none'",
            "style-src 'unsafe-inline'",
            "img-src * data:",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'self'",
            "sandbox allow-popups allow-popups-to-escape-sandbox",
        ]
    ),
    "x-frame-options": "SAMEORIGIN",
}
IMMUTABLE = "public, max-age=31536000, immutable"


class SessionMiddleware:
    """Reads the signed session cookie, sets the request's language, writes the cookie back."""

    def __init__(self, app: ASGIApp, codec: SessionCodec, *, secure: bool) -> None:
        self.app = app
        self.codec = codec
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        session = self.codec.loads(request.cookies.get(COOKIE))
        scope.setdefault("state", {})["session"] = session
        locale = session.locale or i18n.from_accept_language(request.headers.get("accept-language"))
        token = i18n.use_locale(locale or i18n.DEFAULT_LOCALE)
        static = scope["path"].startswith("/static/")
        # The services' APIs passed through get their headers from the passthrough route.
        passthrough = scope["path"].startswith("/api/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start" and not passthrough:
                response = Response(status_code=message["status"])
                response.raw_headers = list(message.get("headers", []))
                if static:
                    if request.query_params.get("v"):
                        response.headers["cache-control"] = IMMUTABLE
                else:
                    # A response may bring its own policy: an email shown in a sandboxed frame.
                    for name, value in SECURITY_HEADERS.items():
                        response.headers.setdefault(name, value)
                    response.headers.setdefault("cache-control", "no-store")
                    self._write_cookie(session, response)
                message["headers"] = response.raw_headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            i18n.reset_locale(token)

    def _write_cookie(self, session: WebSession, response: Response) -> None:
        if not session.changed:
            return
        response.set_cookie(
            COOKIE,
            self.codec.dumps(session),
            max_age=self.codec.max_age,
            httponly=True,
            secure=self.secure,
            samesite="lax",
            path="/",
        )
