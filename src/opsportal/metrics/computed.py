"""Computed metrics: values that a source inside opsportal works out for a day.

A domain that computes a metric (training computes `training_completion_rate`
from its assignments) registers a source here when the app or the command line
starts; the benchmark run asks for a refresh of its day before it loads the
fresh values. So the benchmarks read computed values exactly like imported
ones, and neither domain imports the other.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping
from datetime import date

from sqlalchemy.orm import Session

from opsportal.metrics import repository
from opsportal.metrics.registry import get_metric

logger = logging.getLogger(__name__)

# (session, day) -> {organization_id: value} as of the end of that day; an
# organisation without a value is left out (it has no value, which is not 0).
ComputedSource = Callable[[Session, date], Mapping[int, float]]

_sources: dict[str, ComputedSource] = {}


def register_source(metric: str, source: ComputedSource) -> None:
    """Name the source of a computed metric; registering again replaces it."""
    known = get_metric(metric)
    if known is None or not known.computed:
        raise ValueError(f"{metric} is not a computed metric of the registry")
    _sources[metric] = source


def refresh_computed_values(session: Session, *, day: date, today: date) -> dict[str, int]:
    """Recompute every registered metric for `day` and store it as that day's values.

    Re-running a day replaces that day's computed values (an organisation that
    no longer has one loses that day's value) while the day lasts (`day` is
    `today` or later). Once a day is over, the values it was calculated with
    stand: a source reads some things only as they are now (which users are
    active), so recomputing a past day would let today's state rewrite it. A
    past day never calculated is computed as of its end. Flushes, never
    commits: the caller's transaction (the benchmark run's) owns it. Returns
    values per metric written (a kept day counts none).
    """
    written: dict[str, int] = {}
    for name, source in sorted(_sources.items()):
        metric = get_metric(name)
        assert metric is not None
        if day < today and repository.has_values_on(session, metric=name, day=day):
            continue
        values = {
            org_id: float(value)
            for org_id, value in source(session, day).items()
            if math.isfinite(value) and metric.check(float(value)) is None
        }
        repository.replace_day(session, metric=name, day=day, values=values)
        written[name] = len(values)
    if written:
        logger.info("computed metric values for %s: %s", day, written)
    return written
