"""Reading the values a run aggregates: each ACTIVE organisation's newest value as of a day."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import BigInteger, ColumnElement, Select, case, cast, func, literal, select
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


def _sql(session: Session, statement: Select[Any]) -> str:
    """The statement as SQL text. Its only bound values are dates and names that this
    module itself supplies, rendered as literals."""
    dialect = session.connection().dialect
    return str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def _raw_rows(session: Session, statement: Select[Any]) -> list[tuple[Any, ...]]:
    """Run a SELECT on the driver's own cursor and return plain tuples.

    The nightly read moves a million rows; SQLAlchemy's Row objects would cost
    more than the database's work.
    """
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute(_sql(session, statement))
        return list(cursor.fetchall())
    finally:
        cursor.close()


# Per column kind: PostgreSQL's binary send function, its type, and numpy's
# name for that binary form (network byte order).
_SEND = {"i": "int4send", "l": "int8send", "f": "float8send"}
_SQL_TYPE = {"i": "int4", "l": "int8", "f": "float8"}
_WIRE = {"i": ">i4", "l": ">i8", "f": ">f8"}
# The latest-value read sends organisation, metric and "reported after the day"
# as one 8-byte key: organisation × 256 + (metric code + 1) × 2 + after.
_KEY_ORGANIZATION = 256


def _numeric_columns(session: Session, statement: Select[Any], kinds: str) -> list[Any]:
    """The columns of a SELECT of non-NULL numbers as arrays: `kinds` says, per column,
    "i" (a 4-byte integer), "l" (an 8-byte integer) or "f" (a float).

    On PostgreSQL the database packs every row into one bytea of fixed-width
    binary records, which numpy reads in place: one value crosses to Python,
    not a tuple per row (COPY would still send a message per row). Elsewhere
    the rows come as tuples.
    """
    if session.connection().dialect.name != "postgresql":
        rows = _raw_rows(session, statement)
        table = np.array(rows, dtype=np.float64).reshape(-1, len(kinds))
        return [
            table[:, i] if kind == "f" else table[:, i].astype(np.int64)
            for i, kind in enumerate(kinds)
        ]
    names = [f"c{i}" for i in range(len(kinds))]
    record = " || ".join(
        f"{_SEND[kind]}({name}::{_SQL_TYPE[kind]})" for name, kind in zip(names, kinds, strict=True)
    )
    packed_sql = (
        f"SELECT count(*), string_agg({record}, ''::bytea) "
        f"FROM ({_sql(session, statement)}) AS fresh ({', '.join(names)})"
    )
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute(packed_sql)
        count, packed = cursor.fetchone() or (0, None)
    finally:
        cursor.close()
    dtype = np.dtype([(name, _WIRE[kind]) for name, kind in zip(names, kinds, strict=True)])
    records = np.frombuffer(packed or b"", dtype=dtype)
    if records.size != count:  # a NULL would drop its row from string_agg
        raise RuntimeError("a benchmark read met a NULL where a number was expected")
    return [
        records[name].astype(np.float64 if kind == "f" else np.int64)
        for name, kind in zip(names, kinds, strict=True)
    ]


def load_fresh_values(
    session: Session, *, since: date, until: date, metrics: Sequence[str]
) -> FreshValues:
    """Each ACTIVE organisation's newest value per metric as of `until`, recorded since `since`.

    Reads the latest-value table (one row per organisation and metric). Where an
    organisation has reported after `until` — a back-dated run, or a value dated
    tomorrow in the customer's time zone — the newest value up to `until` comes
    from the history instead, so a run for a past day never sees a later value.
    Metric names come back as their index in `metrics`, sectors as their index
    in `sector_names`.
    """
    active = Organization.status == OrganizationStatus.ACTIVE
    sector_names: list[str] = [
        name
        for name in session.scalars(
            select(Organization.industry_sector)
            .where(active, Organization.industry_sector.is_not(None))
            .distinct()
            .order_by(Organization.industry_sector)
        )
        if name
    ]
    sector_code: ColumnElement[int] = (
        case(
            {name: index for index, name in enumerate(sector_names)},
            value=Organization.industry_sector,
            else_=ANY,
        )
        if sector_names
        else literal(ANY)
    )
    org_ids, employees, sectors = _numeric_columns(
        session,
        select(Organization.id, func.coalesce(Organization.employee_count, -1), sector_code).where(
            active
        ),
        "iii",
    )
    if len(metrics) >= _KEY_ORGANIZATION // 2 - 1:
        raise ValueError("too many metrics for the latest-value key")
    metric_code = case(
        {name: index for index, name in enumerate(metrics)},
        value=LatestMetricValue.metric,
        else_=-1,
    )
    reported_after = case((LatestMetricValue.recorded_on > until, 1), else_=0)
    key = (
        cast(LatestMetricValue.organization_id, BigInteger) * _KEY_ORGANIZATION
        + (metric_code + 1) * 2
        + reported_after
    )
    keys, values = _numeric_columns(
        session,
        select(key, LatestMetricValue.value).where(LatestMetricValue.recorded_on >= since),
        "lf",
    )
    value_orgs = keys // _KEY_ORGANIZATION
    value_metrics = (keys % _KEY_ORGANIZATION) // 2 - 1
    current = keys % 2 == 0
    if not current.all():
        pairs = list(
            zip(value_orgs[~current].tolist(), value_metrics[~current].tolist(), strict=True)
        )
        earlier = _values_as_of(session, pairs=pairs, since=since, until=until, metrics=metrics)
        table = np.array(earlier, dtype=np.float64).reshape(-1, 3)
        value_orgs = np.concatenate([value_orgs[current], table[:, 0].astype(np.int64)])
        value_metrics = np.concatenate([value_metrics[current], table[:, 1].astype(np.int64)])
        values = np.concatenate([values[current], table[:, 2]])
    count = org_ids.size

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
        values=values[keep],
        organization_ids=value_orgs[keep],
        metrics=value_metrics[keep],
        sectors=sectors[position] if count else np.zeros(0, dtype=np.int64),
        employee_counts=employees[position] if count else np.zeros(0, dtype=np.int64),
        sector_names=sector_names,
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
