"""``/api/<service>/…`` through the gateway (distributed mode): one address for the browser,
the API docs, the organisation's logo and API clients; the embedded run mounts the services
themselves there."""

from __future__ import annotations

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from portico.gateway.apis.backends import Backends
from portico.gateway.web.security import SECURITY_HEADERS

# Connection-level headers are the two hops' own business (RFC 9110 §7.6.1).
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
    }
)
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def passthrough_route(backends: Backends) -> Route:
    async def forward(request: Request) -> Response:
        http = backends.get(request.path_params["service"])
        if http is None:
            return Response(status_code=404)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        if request.client is not None:
            seen = request.headers.get("x-forwarded-for")
            headers["x-forwarded-for"] = ", ".join(filter(None, [seen, request.client.host]))
        upstream = http.build_request(
            request.method,
            "/" + request.path_params["path"],
            params=tuple(request.query_params.multi_items()),
            headers=headers,
            content=request.stream(),
        )
        answer = await http.send(upstream, stream=True)
        passed = {k: v for k, v in answer.headers.items() if k.lower() not in HOP_BY_HOP}
        return StreamingResponse(
            answer.aiter_raw(),
            status_code=answer.status_code,
            # The pages' headers, unless the service chose its own (an API docs page).
            headers={**SECURITY_HEADERS, **passed},
            background=BackgroundTask(answer.aclose),
        )

    return Route("/api/{service}/{path:path}", forward, methods=METHODS)
