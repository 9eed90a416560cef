"""Reading the values a run aggregates: each ACTIVE organisation's newest value as of a day."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import chain
from typing import Any

import numpy as np
from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from opsportal.benchmarks.aggregation import ANY, FloatArray, IntArray
from opsportal.models import LatestMetricValue, MetricValue, Organization, OrganizationStatus

_IN_CHUNK = 500  # keeps an IN list within SQLite's bound-parameter limit


@dataclass(frozen=True)
class FreshValues:
    """Every ACTIVE organisation's latest fresh values, as arrays ready for aggregation."""

    values: FloatArray
    organization_ids: IntArray
    metrics: IntArray  # index into the `metrics` asked for
    sectors: IntArray  # index into `sector_names`, or ANY
    employee_counts: IntArray  # -1 when unknown
    sector_names: list[str]


def _raw_rows(session: Session, statement: Select[Any]) -> list[tuple[Any, ...]]:
    """Run a SELECT on the driver's own cursor and return plain tuples.

    The nightly read moves a million rows; SQLAlchemy's Row objects would cost
    more than the database's work. The statement's only bound values are dates
    and enum names that this module itself supplies, rendered as literals.
    """
    connection = session.connection()
    sql = str(statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def load_fresh_values(
    session: Session, *, since: date, until: date, metrics: Sequence[str]
) -> FreshValues:
    """Each ACTIVE organisation's newest value per metric as of `until`, recorded since `since`.

    Reads the latest-value table (one row per organisation and metric). Where an
    organisation has reported after `until` — a back-dated run, or a value dated
    tomorrow in the customer's time zone — the newest value up to `until` comes
    from the history instead, so a run for a past day never sees a later value.
    Metric names come back as their index in `metrics`.
    """
    organizations = _raw_rows(
        session,
        select(Organization.id, Organization.employee_count, Organization.industry_sector).where(
            Organization.status == OrganizationStatus.ACTIVE
        ),
    )
    metric_code = case(
        {name: index for index, name in enumerate(metrics)},
        value=LatestMetricValue.metric,
        else_=-1,
    )
    newer = case((LatestMetricValue.recorded_on > until, 1), else_=0)
    latest = _raw_rows(
        session,
        select(
            LatestMetricValue.organization_id, metric_code, LatestMetricValue.value, newer
        ).where(LatestMetricValue.recorded_on >= since),
    )
    rows = [row[:3] for row in latest if not row[3]]
    reported_since = [(row[0], row[1]) for row in latest if row[3]]
    if reported_since:
        rows += _values_as_of(
            session, pairs=reported_since, since=since, until=until, metrics=metrics
        )
    count = len(organizations)
    org_ids = np.fromiter((row[0] for row in organizations), dtype=np.int64, count=count)
    employees = np.fromiter(
        (-1 if row[1] is None else row[1] for row in organizations), dtype=np.int64, count=count
    )
    sector_index: dict[str, int] = {}
    sectors = np.fromiter(
        (
            sector_index.setdefault(row[2], len(sector_index)) if row[2] else ANY
            for row in organizations
        ),
        dtype=np.int64,
        count=count,
    )
    table = np.fromiter(chain.from_iterable(rows), dtype=np.float64, count=3 * len(rows)).reshape(
        -1, 3
    )
    value_orgs = table[:, 0].astype(np.int64)
    value_metrics = table[:, 1].astype(np.int64)

    # Keep values of ACTIVE organisations (and known metrics) only, and look up
    # each value's organisation by binary search in the sorted id list.
    order = np.argsort(org_ids)
    org_ids, employees, sectors = org_ids[order], employees[order], sectors[order]
    position = np.searchsorted(org_ids, value_orgs)
    position = np.minimum(position, max(count - 1, 0))
    keep = (value_metrics >= 0) & (count > 0)
    if count:
        keep &= org_ids[position] == value_orgs
    position = position[keep]
    return FreshValues(
        values=table[keep, 2],
        organization_ids=value_orgs[keep],
        metrics=value_metrics[keep],
        sectors=sectors[position] if count else np.zeros(0, dtype=np.int64),
        employee_counts=employees[position] if count else np.zeros(0, dtype=np.int64),
        sector_names=list(sector_index),
    )


# Below this many organisation × metric pairs, their history is read by id;
# above it (a back-dated run), the whole window is read once.
_PAIRS_BY_ID = 5_000


def _values_as_of(
    session: Session,
    *,
    pairs: Sequence[tuple[int, int]],
    since: date,
    until: date,
    metrics: Sequence[str],
) -> list[tuple[Any, ...]]:
    """The newest history value within [since, until] of each (organisation, metric code) pair."""
    metric_code = case(
        {name: index for index, name in enumerate(metrics)}, value=MetricValue.metric, else_=-1
    )
    newest_first = (
        func.row_number()
        .over(
            partition_by=(MetricValue.organization_id, MetricValue.metric),
            order_by=MetricValue.recorded_on.desc(),
        )
        .label("newest_first")
    )
    window = select(
        MetricValue.organization_id, metric_code.label("code"), MetricValue.value, newest_first
    ).where(MetricValue.recorded_on >= since, MetricValue.recorded_on <= until)
    wanted = set(pairs)
    found: list[tuple[Any, ...]] = []
    org_ids = sorted({org for org, _ in pairs})
    chunks = (
        [org_ids[i : i + _IN_CHUNK] for i in range(0, len(org_ids), _IN_CHUNK)]
        if len(pairs) <= _PAIRS_BY_ID
        else [None]
    )
    for chunk in chunks:
        query = window if chunk is None else window.where(MetricValue.organization_id.in_(chunk))
        inner = query.subquery()
        rows = _raw_rows(
            session,
            select(inner.c.organization_id, inner.c.code, inner.c.value).where(
                inner.c.newest_first == 1
            ),
        )
        found += [row for row in rows if (row[0], row[1]) in wanted]
    return found
