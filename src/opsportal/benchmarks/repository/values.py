"""Reading the values a run aggregates: each ACTIVE organisation's newest value as of a day."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import reduce
from itertools import chain
from typing import Any

import numpy as np
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Float,
    Integer,
    Select,
    case,
    cast,
    func,
    literal,
    literal_column,
    select,
)
from sqlalchemy.orm import Session

from opsportal.benchmarks.aggregation import ANY, FloatArray, IntArray
from opsportal.benchmarks.repository.positions import MembershipColumns
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
    # Every organisation counted (placed or not), with the industry and size used.
    members: MembershipColumns


def _raw_rows(session: Session, statement: Select[Any]) -> list[tuple[Any, ...]]:
    """Run a SELECT on the driver's own cursor and return plain tuples.

    The nightly read moves a million rows; SQLAlchemy's Row objects would cost
    more than the database's work. The statement's bound values are rendered
    as literals, so it must bind only values of this module's own (dates,
    metric names, the status): never text from the database or a user.
    """
    connection = session.connection()
    sql = str(statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _float_table(rows: Sequence[tuple[Any, ...]], width: int) -> FloatArray:
    """Rows of numbers as a (rows, width) float array, in one pass over the values
    (three times faster than np.array over the tuples)."""
    flat = np.fromiter(chain.from_iterable(rows), dtype=np.float64, count=width * len(rows))
    return flat.reshape(-1, width)


# Per column kind ("i" a 4-byte integer, "l" an 8-byte one, "f" a float): its
# SQL type, PostgreSQL's binary send function for it, and numpy's name for that
# binary form (network byte order).
_SQL_TYPE: dict[str, Any] = {"i": Integer(), "l": BigInteger(), "f": Float(precision=53)}
_SEND = {"i": func.int4send, "l": func.int8send, "f": func.float8send}
_WIRE = {"i": ">i4", "l": ">i8", "f": ">f8"}
# The latest-value read sends organisation, metric and "reported after the day"
# as one 8-byte key: organisation × 256 + (metric code + 1) × 2 + after.
_KEY_ORGANIZATION = 256


def _number_columns(session: Session, statement: Select[Any], kinds: str) -> list[Any]:
    """The columns of a SELECT of non-NULL numbers, as arrays of int64 or float64.

    On PostgreSQL the database packs every row into one bytea of fixed-width
    binary records, which numpy reads in place: one value crosses to Python,
    not a tuple per row (a binary COPY would still send a message per row).
    Elsewhere the rows come as tuples (see `_raw_rows` for what it may bind).
    """
    if session.connection().dialect.name != "postgresql":
        table = _float_table(_raw_rows(session, statement), len(kinds))
        return [
            table[:, i] if kind == "f" else table[:, i].astype(np.int64)
            for i, kind in enumerate(kinds)
        ]
    rows_of = statement.subquery("fresh")
    sent: list[ColumnElement[Any]] = [
        _SEND[kind](cast(column, _SQL_TYPE[kind]))
        for column, kind in zip(rows_of.c, kinds, strict=True)
    ]
    record = reduce(lambda left, right: left.op("||")(right), sent)
    packed = select(func.count(), func.string_agg(record, literal_column("''::bytea")))
    count, data = session.execute(packed).one()
    wire = np.dtype([(f"c{i}", _WIRE[kind]) for i, kind in enumerate(kinds)])
    records = np.frombuffer(data or b"", dtype=wire)
    if records.size != count:  # a NULL would drop its row from string_agg
        raise RuntimeError("a benchmark read met a NULL where a number was expected")
    return [
        records[f"c{i}"].astype(np.float64 if kind == "f" else np.int64)
        for i, kind in enumerate(kinds)
    ]


def _active_organizations(session: Session) -> tuple[IntArray, IntArray, IntArray, list[str]]:
    """Ids, employee counts (-1: unknown) and sector codes of the ACTIVE organisations,
    and the sector names the codes index (ANY: no sector on record)."""
    active = Organization.status == OrganizationStatus.ACTIVE
    employees = func.coalesce(Organization.employee_count, -1)
    if session.connection().dialect.name != "postgresql":
        rows = _raw_rows(
            session, select(Organization.id, employees, Organization.industry_sector).where(active)
        )
        names = sorted({row[2] for row in rows if row[2]})
        code_of = {name: index for index, name in enumerate(names)}
        ids, counts = (
            np.fromiter((row[i] for row in rows), dtype=np.int64, count=len(rows)) for i in (0, 1)
        )
        codes = np.fromiter(
            (code_of.get(row[2], ANY) for row in rows), dtype=np.int64, count=len(rows)
        )
        return ids, counts, codes, names
    names = [
        name
        for name in session.scalars(
            select(Organization.industry_sector)
            .where(active, Organization.industry_sector.is_not(None))
            .distinct()
            .order_by(Organization.industry_sector)
        )
        if name
    ]
    # Bound parameters, not literals: sector names are text from the database.
    # A sector added since the names were read counts as none for this run.
    sector_code: ColumnElement[int] = (
        case(
            {name: index for index, name in enumerate(names)},
            value=Organization.industry_sector,
            else_=ANY,
        )
        if names
        else literal(ANY)
    )
    ids, counts, codes = _number_columns(
        session, select(Organization.id, employees, sector_code).where(active), "iii"
    )
    return ids, counts, codes, names


def active_members(session: Session) -> MembershipColumns:
    """Every ACTIVE organisation with its industry and size as they are now."""
    ids, employees, sectors, names = _active_organizations(session)
    return MembershipColumns(
        organization_ids=ids, sector_codes=sectors, employee_counts=employees, sector_names=names
    )


def load_fresh_values(
    session: Session,
    *,
    since: date,
    until: date,
    metrics: Sequence[str],
    members: MembershipColumns | None = None,
) -> FreshValues:
    """Each ACTIVE organisation's newest value per metric as of `until`, recorded since `since`.

    `members` names the organisations to count, with their industry and size,
    instead of those ACTIVE now (a re-run of a past day counts who it counted).

    Reads the latest-value table (one row per organisation and metric). Where an
    organisation has reported after `until` — a back-dated run, or a value dated
    tomorrow in the customer's time zone — the newest value up to `until` comes
    from the history instead, so a run for a past day never sees a later value.
    Metric names come back as their index in `metrics`, sectors as their index
    in `sector_names`.
    """
    counted = members if members is not None else active_members(session)
    org_ids, employees = counted.organization_ids, counted.employee_counts
    sectors, sector_names = counted.sector_codes, list(counted.sector_names)
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
    keys, values = _number_columns(
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
        table = _float_table(earlier, 3)
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
        members=counted,
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
