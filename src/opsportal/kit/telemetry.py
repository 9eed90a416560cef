"""The server's Prometheus metrics, defined once and written by whichever part does the work.

Every serving process writes its own samples; `GET /metrics` sums them. Under
`opsportal serve` the values live in files under `PROMETHEUS_MULTIPROC_DIR`
(prometheus-client's multiprocess mode, chosen by that variable when
prometheus-client is first imported: `opsportal serve` sets it, one fresh
directory per server, before any worker starts), so one scrape of any worker
sees all of them. Without it (the tests, a plain `uvicorn` run) the values are
this process's own, in prometheus-client's default registry.

What the database knows for everyone (the outbox's depth, the last benchmark
run) is not kept here: the `/metrics` endpoint reads it at scrape time.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    values,
)
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST

# In multiprocess mode each metric opens its file as it is made, below: a command
# run where the variable is set (a shell that also starts the server) must find
# the directory there.
if os.environ.get(MULTIPROC_ENV):
    os.makedirs(os.environ[MULTIPROC_ENV], exist_ok=True)

# Requests: the route's template, never the raw path (an id per series would
# grow without bound); requests that matched no route count as "unmatched".
UNMATCHED_ROUTE = "unmatched"
REQUESTS = Counter(
    "opsportal_http_requests",
    "HTTP requests answered, by route template, method and status.",
    ["route", "method", "status"],
)
REQUEST_SECONDS = Histogram(
    "opsportal_http_request_duration_seconds",
    "Time from a request's arrival to the end of its answer, by route template and method.",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
# Gauges of live processes only: a worker that died takes its share with it.
POOL_IN_USE = Gauge(
    "opsportal_db_pool_connections_in_use",
    "Database connections checked out of the pool now, summed over the serving processes.",
    multiprocess_mode="livesum",
)
POOL_WAITING = Gauge(
    "opsportal_db_pool_waiting_requests",
    "Requests waiting for one of the process's database connection slots (web/admission.py).",
    multiprocess_mode="livesum",
)
JOB_RUNS = Counter(
    "opsportal_scheduled_job_runs",
    "Scheduled job firings seen by this server, by job and outcome "
    "(success, failure, or skipped: another process ran that firing).",
    ["job", "outcome"],
)
JOB_SECONDS = Histogram(
    "opsportal_scheduled_job_duration_seconds",
    "How long the scheduled jobs this server ran took, by job.",
    ["job"],
    buckets=(0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0),
)
BENCHMARK_RUN_SECONDS = Histogram(
    "opsportal_benchmark_run_duration_seconds",
    "Benchmark runs' duration in this server, by outcome (succeeded, failed).",
    ["outcome"],
    buckets=(0.5, 1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 900.0, 1800.0),
)
LOGIN_FAILURES = Counter(
    "opsportal_login_failures",
    "Password logins refused for a wrong email or password (API and form).",
)
LOGINS_THROTTLED = Counter(
    "opsportal_logins_throttled",
    "Logins refused with 429 by the throttle: too many recent failures for an email or address.",
)


def multiprocess() -> bool:
    """Whether this process writes its samples to the shared directory (see the module)."""
    return values.ValueClass is not values.MutexValue


def exposition(extra: Collector | None = None) -> bytes:
    """The text every worker would give, summed: this process's registry, or all of theirs."""
    if multiprocess():
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry = CollectorRegistry()
        registry.register(_Everything())
    if extra is not None:
        registry.register(extra)
    return generate_latest(registry)


class _Everything(Collector):
    """The default registry's metrics, inside a registry of our own (so `extra` can join)."""

    def collect(self):  # type: ignore[no-untyped-def]
        return REGISTRY.collect()


def process_ended(pid: int) -> None:
    """A worker ended: its live gauges stop counting (its counters stay in the sums)."""
    if os.environ.get(MULTIPROC_ENV):
        mark_process_dead(pid)  # type: ignore[no-untyped-call]
