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
JOBS_DONE = Counter("portico_jobs_done_total", "Jobs whose handler returned", ["service", "kind"])
JOBS_FAILED = Counter(
    "portico_jobs_failed_total",
    "Failed job tries, by what followed (retried or parked)",
    ["service", "kind", "outcome"],
)
JOBS_DUE = Gauge(
    "portico_jobs_due", "Pending jobs whose time has come, at the runner's last count", ["service"]
)
JOBS_RUNNING = Gauge(
    "portico_jobs_running", "Jobs held by a runner, at the runner's last count", ["service"]
)
JOBS_PARKED = Gauge(
    "portico_jobs_parked", "Jobs parked after their last try, waiting for an operator", ["service"]
)
JOBS_OLDEST_DUE_SECONDS = Gauge(
    "portico_jobs_oldest_due_seconds",
    "How long the oldest due job has waited, at the runner's last count",
    ["service"],
)
