"""What a scrape reads from the database: the same for every worker, so read once per scrape."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from opsportal.db import SessionFactory, read_only, session_scope
from opsportal.models.base import utcnow
from opsportal.operations import repository

logger = logging.getLogger(__name__)


class DatabaseCollector(Collector):
    """The outbox's depth and the last benchmark run, as gauges; `opsportal_database_up` 0 when
    the database cannot be read (the scrape itself still answers)."""

    def __init__(self, factory: SessionFactory) -> None:
        self.factory = factory

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "opsportal_database_up", "1 when the scrape could read the database, else 0."
        )
        try:
            with session_scope(self.factory) as session:
                read_only(session)
                depth = repository.outbox_depth(session)
                run = repository.last_finished_run(session)
        except Exception as exc:  # a scrape answers whatever the database does
            logger.warning("metrics: could not read the database: %s", type(exc).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        now = utcnow()
        outbox = GaugeMetricFamily(
            "opsportal_outbox_messages",
            "Mail in the outbox by status: queued (waiting to be sent) or failed (given up).",
            labels=["status"],
        )
        outbox.add_metric(["queued"], depth.queued)
        outbox.add_metric(["failed"], depth.failed)
        yield outbox
        age = (now - depth.oldest_queued_at).total_seconds() if depth.oldest_queued_at else 0.0
        yield GaugeMetricFamily(
            "opsportal_outbox_oldest_queued_age_seconds",
            "Age of the oldest queued message (0 when none is queued).",
            value=max(0.0, age),
        )
        if run is not None and run.finished_at is not None:
            last = GaugeMetricFamily(
                "opsportal_benchmark_last_run_duration_seconds",
                "Duration of the newest finished benchmark run (any process), by its status.",
                labels=["status"],
            )
            last.add_metric(
                [run.status.value.lower()], (run.finished_at - run.started_at).total_seconds()
            )
            yield last
            yield GaugeMetricFamily(
                "opsportal_benchmark_last_run_finished_timestamp_seconds",
                "When the newest finished benchmark run ended (Unix time).",
                value=run.finished_at.timestamp(),
            )
