"""``python -m portico.kit.embedded``: every installed service and the web UI in one process
(``make run``)."""

from __future__ import annotations

from portico.kit.host import EMBEDDED, discover_services, discover_web, serve


def main() -> None:
    services = discover_services()
    if not services:
        raise SystemExit("no Portico service is installed (run `make run` from the workspace)")
    serve(services, EMBEDDED, process_name="portico", web=discover_web())


if __name__ == "__main__":
    main()
