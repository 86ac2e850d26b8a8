"""``python -m portico.gateway``: the web UI alone, over the services' URLs (distributed mode)."""

from __future__ import annotations

import contextlib

import uvicorn

from portico.gateway.app import create_gateway
from portico.kit.observability import configure_logging, configure_tracing
from portico.kit.settings import PorticoSettings


def main() -> None:
    settings = PorticoSettings()
    configure_logging("gateway", fmt=settings.log_format, level=settings.log_level)
    configure_tracing("gateway", settings.otlp_endpoint)
    app = create_gateway(settings)
    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.run(
            app,
            host=settings.host,
            port=settings.port,
            log_config=None,
            access_log=False,
            # The services decide whom to believe (PORTICO_TRUSTED_PROXIES); uvicorn would
            # otherwise take any X-Forwarded-For from 127.0.0.1 as the browser's address,
            # and the gateway would pass that on as what it saw.
            proxy_headers=False,
            # Within the stop bound, as the services' own processes: an open connection
            # must not hold a rollout until the orchestrator kills the process.
            timeout_graceful_shutdown=max(1, round(settings.stop_grace_seconds)),
        )


if __name__ == "__main__":
    main()
