"""Prometheus metrics shared by every service (exposed at each service's /metrics)."""

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter(
    "portico_http_requests_total",
    "HTTP requests handled",
    ["service", "method", "route", "status"],
)
HTTP_REQUEST_SECONDS = Histogram(
    "portico_http_request_seconds",
    "HTTP request duration",
    ["service", "method", "route"],
)
EVENTS_PUBLISHED = Counter(
    "portico_events_published_total", "Events confirmed by the bus", ["service", "type"]
)
EVENTS_CONSUMED = Counter(
    "portico_events_consumed_total", "Events handled successfully", ["service", "type"]
)
EVENTS_DUPLICATE = Counter(
    "portico_events_duplicate_total",
    "Deliveries the inbox had already seen",
    ["service", "type"],
)
EVENTS_RETRIED = Counter(
    "portico_events_retried_total", "Failed deliveries scheduled for a retry", ["service", "type"]
)
EVENTS_PARKED = Counter(
    "portico_events_parked_total", "Events moved to the parking queue", ["service", "type"]
)
OUTBOX_LAG_SECONDS = Gauge(
    "portico_outbox_lag_seconds",
    "Age of the oldest unpublished outbox row at the relay's last pass",
    ["service"],
)
OUTBOX_PENDING = Gauge(
    "portico_outbox_pending", "Unpublished outbox rows at the relay's last pass", ["service"]
)
