"""`training_completion_rate`: the share of an organisation's assignments completed, as of a day.

Handed to `metrics/` as a computed source; the benchmark run refreshes it for
its day and benchmarks it like every other metric.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from opsportal.training.compliance import repository
from opsportal.training.compliance.status import completion_rate

METRIC = "training_completion_rate"


def end_of(day: date) -> datetime:
    """The last instant of a UTC day: what was true "as of" that day."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC) - timedelta(
        microseconds=1
    )


def completion_rates(session: Session, day: date) -> dict[int, float]:
    """Organisation id -> percent of its assignments (made by that day) completed on that day.

    Completed means an active certificate at the end of the day. An organisation
    with no assignments has no value, which is not a value of 0.
    """
    at = end_of(day)
    rates: dict[int, float] = {}
    for totals in repository.organization_totals(session, at=at, today=day):
        rate = completion_rate(totals.completed, totals.assigned)
        if rate is not None:
            rates[totals.organization_id] = rate
    return rates
