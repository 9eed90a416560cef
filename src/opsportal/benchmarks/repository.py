"""Benchmark queries: fresh latest values, results and positions per day, runs, the run lock."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from itertools import chain, islice, repeat
from typing import Any, NamedTuple

import numpy as np
from sqlalchemy import Connection, Engine, Select, case, delete, func, insert, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from opsportal.benchmarks.aggregation import ANY, FloatArray, IntArray
from opsportal.errors import Conflict
from opsportal.models import (
    BenchmarkPosition,
    BenchmarkResult,
    BenchmarkRun,
    LatestMetricValue,
    MetricValue,
    Organization,
    OrganizationStatus,
    RunStatus,
)

# pg_advisory_xact_lock key for "a benchmark run is writing" ("opsbench" in ASCII).
RUN_LOCK_KEY = 0x6F70736265
RUN_LOCK_WAIT = "120s"
# A percentile under this is the bottom quartile (see benchmarks/verdicts.py).
BOTTOM_QUARTILE_BELOW = 25
# pg_advisory_lock(RUN_GUARD_CLASS, run_id): held by the process running that run
# for as long as it lives, so a run whose guard is free has lost its process.
RUN_GUARD_CLASS = 0x6F70
_IN_CHUNK = 500  # keeps an IN list within SQLite's bound-parameter limit
POSITION_CHUNK = 10_000

_POSITION_COLUMNS = (
    "calculated_for",
    "organization_id",
    "metric",
    "value",
    "percentile_all",
    "percentile_sector",
    "percentile_band",
    "percentile_sector_band",
)


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


def acquire_run_lock(session: Session) -> None:
    """Hold the benchmark-run lock until this transaction ends; wait for a running one.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: every transaction
    already begins with BEGIN IMMEDIATE (see db.py), which holds the database's
    single write lock until commit, so starting the transaction is the lock.
    """
    if session.get_bind().dialect.name == "postgresql":
        try:
            session.execute(text(f"SET LOCAL lock_timeout = '{RUN_LOCK_WAIT}'"))
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": RUN_LOCK_KEY})
        except OperationalError as exc:
            raise Conflict("Another benchmark run is still in progress; try again later.") from exc
    else:
        session.execute(text("SELECT 1"))


def this_worker() -> str:
    """Names this process in a run record: "host:pid"."""
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def _is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


@contextmanager
def claimed_run(
    session_factory: sessionmaker[Session],
    *,
    day: date,
    trigger: str,
    on_claim: Callable[[Session | Connection, int], None] | None = None,
) -> Iterator[int]:
    """Record a RUNNING run for `day`, and hold its guard until the block ends.

    On PostgreSQL the guard is a session-level advisory lock, taken in the same
    transaction that makes the run visible, on a connection kept for the run's
    whole life: the database frees it when that connection goes, so also when
    the process dies. On SQLite the run records its process id instead.
    `on_claim(db, run_id)` writes in the transaction that records the run (its audit row).
    """
    values = {
        "calculated_for": day,
        "status": RunStatus.RUNNING,
        "trigger": trigger,
        "worker": this_worker(),
    }
    bind = session_factory.kw.get("bind")
    if isinstance(bind, Engine) and bind.dialect.name == "postgresql":
        with bind.connect() as connection:
            run_id = connection.execute(
                insert(BenchmarkRun).values(**values).returning(BenchmarkRun.id)
            ).scalar_one()
            if on_claim is not None:
                on_claim(connection, run_id)
            key = {"kind": RUN_GUARD_CLASS, "run": run_id}
            connection.execute(text("SELECT pg_advisory_lock(:kind, :run)"), key)
            connection.commit()
            try:
                yield run_id
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:kind, :run)"), key)
                connection.commit()
        return
    with session_factory() as session:
        run = BenchmarkRun(**values)
        session.add(run)
        session.flush()
        if on_claim is not None:
            on_claim(session, run.id)
        session.commit()
        run_id = run.id
    yield run_id


def running_runs(session: Session) -> list[BenchmarkRun]:
    return list(
        session.scalars(select(BenchmarkRun).where(BenchmarkRun.status == RunStatus.RUNNING))
    )


def run_is_abandoned(session: Session, run: BenchmarkRun) -> bool:
    """True when the process that was running `run` is gone (its guard is free)."""
    if _is_postgresql(session):
        key = {"kind": RUN_GUARD_CLASS, "run": run.id}
        # Transaction-level, so the probe lets go of it when this transaction ends.
        return bool(session.scalar(text("SELECT pg_try_advisory_xact_lock(:kind, :run)"), key))
    host, _, pid = (run.worker or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False  # SQLite lives on one machine; a run from elsewhere is not ours to judge
    return not _process_alive(int(pid))


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def replace_results(session: Session, *, day: date, rows: Sequence[dict[str, Any]]) -> None:
    """Swap one day's results for `rows`; atomic with the caller's transaction."""
    session.execute(delete(BenchmarkResult).where(BenchmarkResult.calculated_for == day))
    if rows:
        session.execute(insert(BenchmarkResult), list(rows))


@dataclass(frozen=True)
class PositionColumns:
    """A run's positions column by column: one entry per organisation × metric placed."""

    organization_ids: IntArray
    metrics: list[str]  # metric names, aligned with the ids
    values: FloatArray
    ranks: IntArray  # shape (n, 4): percentile per cohort kind, or NO_RANK (-1)

    def __len__(self) -> int:
        return int(self.organization_ids.shape[0])


def replace_positions(session: Session, *, day: date, positions: PositionColumns) -> None:
    """Swap one day's organisation positions (a million rows at 200,000 customers).

    Built column by column — each column converted to text or Python values in
    one pass — because a Python loop formatting a million rows would cost more
    than the database's own work.
    """
    session.execute(delete(BenchmarkPosition).where(BenchmarkPosition.calculated_for == day))
    if not len(positions):
        return
    connection = session.connection()
    iso = day.isoformat()
    if connection.dialect.name == "postgresql":
        driver: Any = connection.connection.driver_connection
        columns = ", ".join(_POSITION_COLUMNS)
        with driver.cursor() as cursor:
            with cursor.copy(f"COPY benchmark_positions ({columns}) FROM STDIN") as copy:
                for lines in _copy_lines(iso, positions):
                    copy.write(lines)
        return
    placeholders = ", ".join("?" for _ in _POSITION_COLUMNS)
    sql = (
        f"INSERT INTO benchmark_positions ({', '.join(_POSITION_COLUMNS)}) VALUES ({placeholders})"
    )
    # -1 (no rank) as None, by list index: ranks are 0..100, so -1 picks the last entry.
    as_value: list[int | None] = [*range(101), None]
    rank_columns = [[as_value[r] for r in column] for column in positions.ranks.T.tolist()]
    rows = list(
        zip(
            repeat(iso),  # SQLAlchemy's Date is ISO text on SQLite
            positions.organization_ids.tolist(),
            positions.metrics,
            positions.values.tolist(),
            *rank_columns,
        )
    )
    for start in range(0, len(rows), POSITION_CHUNK):
        connection.exec_driver_sql(sql, rows[start : start + POSITION_CHUNK])


def _copy_lines(iso: str, positions: PositionColumns) -> Iterator[str]:
    """COPY text-format lines, in blocks.

    Ids and metric names need no escaping, repr() of a float is exact, NULL is \\N.
    """
    as_text = [str(r) for r in range(101)] + ["\\N"]
    ids = list(map(str, positions.organization_ids.tolist()))
    values = list(map(repr, positions.values.tolist()))
    ranks = [[as_text[r] for r in column] for column in positions.ranks.T.tolist()]
    rows = map("\t".join, zip(repeat(iso), ids, positions.metrics, values, *ranks))
    while block := list(islice(rows, POSITION_CHUNK)):
        yield "\n".join(block) + "\n"


def positions_of(
    session: Session, *, day: date, organization_id: int
) -> dict[str, BenchmarkPosition]:
    rows = session.scalars(
        select(BenchmarkPosition).where(
            BenchmarkPosition.calculated_for == day,
            BenchmarkPosition.organization_id == organization_id,
        )
    )
    return {row.metric: row for row in rows}


class PublishedRun(NamedTuple):
    calculated_for: date
    run_id: int


def latest_published_run(session: Session) -> PublishedRun | None:
    """The newest calculated day and the run that published it (one indexed row)."""
    # On the connection, not through the ORM: every scorecard request asks this.
    row = (
        session.connection()
        .execute(
            select(BenchmarkRun.calculated_for, BenchmarkRun.id)
            .where(BenchmarkRun.status == RunStatus.SUCCEEDED)
            .order_by(BenchmarkRun.calculated_for.desc(), BenchmarkRun.id.desc())
            .limit(1)
        )
        .first()
    )
    return PublishedRun(row[0], row[1]) if row else None


def calculated_days(session: Session, *, since: date) -> list[date]:
    """Every day with a successful run since `since`, oldest first."""
    query = (
        select(BenchmarkRun.calculated_for)
        .where(BenchmarkRun.status == RunStatus.SUCCEEDED, BenchmarkRun.calculated_for >= since)
        .distinct()
        .order_by(BenchmarkRun.calculated_for)
    )
    return list(session.scalars(query))


def result_history(
    session: Session, *, metrics: Sequence[str], industry_sector: str, size_band: str, since: date
) -> dict[tuple[str, date], BenchmarkResult]:
    """One group's published results of `metrics` since `since`, by (metric, day)."""
    rows = session.scalars(
        select(BenchmarkResult).where(
            BenchmarkResult.metric.in_(metrics),
            BenchmarkResult.industry_sector == industry_sector,
            BenchmarkResult.size_band == size_band,
            BenchmarkResult.calculated_for >= since,
        )
    )
    return {(row.metric, row.calculated_for): row for row in rows}


def position_history(
    session: Session, *, organization_id: int, metrics: Sequence[str], since: date
) -> dict[tuple[str, date], BenchmarkPosition]:
    """One organisation's stored positions on `metrics` since `since`, by (metric, day)."""
    rows = session.scalars(
        select(BenchmarkPosition).where(
            BenchmarkPosition.organization_id == organization_id,
            BenchmarkPosition.metric.in_(metrics),
            BenchmarkPosition.calculated_for >= since,
        )
    )
    return {(row.metric, row.calculated_for): row for row in rows}


def latest_calculated_day(session: Session) -> date | None:
    return session.scalar(
        select(func.max(BenchmarkRun.calculated_for)).where(
            BenchmarkRun.status == RunStatus.SUCCEEDED
        )
    )


def results_for(
    session: Session, *, day: date, industry_sector: str, size_band: str
) -> dict[str, BenchmarkResult]:
    rows = session.scalars(
        select(BenchmarkResult).where(
            BenchmarkResult.calculated_for == day,
            BenchmarkResult.industry_sector == industry_sector,
            BenchmarkResult.size_band == size_band,
        )
    )
    return {row.metric: row for row in rows}


def count_active_organizations(
    session: Session,
    *,
    industry_sector: str | None,
    employee_min: int | None,
    employee_max: int | None,
) -> int:
    query = select(func.count(Organization.id)).where(
        Organization.status == OrganizationStatus.ACTIVE
    )
    if industry_sector is not None:
        query = query.where(Organization.industry_sector == industry_sector)
    if employee_min is not None:
        query = query.where(Organization.employee_count >= employee_min)
    if employee_max is not None:
        query = query.where(Organization.employee_count <= employee_max)
    return session.scalar(query) or 0


def active_sectors(session: Session) -> list[str]:
    query = (
        select(Organization.industry_sector)
        .where(
            Organization.status == OrganizationStatus.ACTIVE,
            Organization.industry_sector.is_not(None),
        )
        .distinct()
        .order_by(Organization.industry_sector)
    )
    return [sector for sector in session.scalars(query) if sector]


def get_run(session: Session, run_id: int) -> BenchmarkRun | None:
    return session.get(BenchmarkRun, run_id)


def list_runs(session: Session, *, limit: int, offset: int) -> tuple[list[BenchmarkRun], int]:
    total = session.scalar(select(func.count(BenchmarkRun.id))) or 0
    rows = session.scalars(
        select(BenchmarkRun)
        .order_by(BenchmarkRun.started_at.desc(), BenchmarkRun.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total


_PERCENTILE_OF_KIND = (
    BenchmarkPosition.percentile_all,
    BenchmarkPosition.percentile_sector,
    BenchmarkPosition.percentile_band,
    BenchmarkPosition.percentile_sector_band,
)


@dataclass(frozen=True)
class GroupSelection:
    """A peer group to list organisations of: the cohort kind and its industry and size bounds."""

    kind: int  # index into COHORT_KINDS: whose stored percentile places an organisation
    metric: str | None
    industry_sector: str | None
    employee_min: int | None
    employee_max: int | None


def _placed_in(group: GroupSelection, day: date, *columns: Any) -> Select[Any]:
    """`columns` of every organisation × metric placed in `group` on `day`."""
    percentile = _PERCENTILE_OF_KIND[group.kind]
    query = (
        select(*columns)
        .join(BenchmarkPosition, BenchmarkPosition.organization_id == Organization.id)
        .where(BenchmarkPosition.calculated_for == day, percentile.is_not(None))
    )
    if group.metric is not None:
        query = query.where(BenchmarkPosition.metric == group.metric)
    if group.industry_sector:
        query = query.where(Organization.industry_sector == group.industry_sector)
    if group.employee_min is not None:
        query = query.where(Organization.employee_count >= group.employee_min)
    if group.employee_max is not None:
        query = query.where(Organization.employee_count <= group.employee_max)
    return query


def portfolio(
    session: Session, *, day: date, group: GroupSelection, limit: int, offset: int
) -> tuple[list[tuple[Any, ...]], int]:
    """Organisations of a group by how many metrics sit in its bottom quartile, worst first.

    Rows: (id, name, industry, employees, metrics in the bottom quartile, metrics placed).
    """
    percentile = _PERCENTILE_OF_KIND[group.kind]
    bottom = func.sum(case((percentile < BOTTOM_QUARTILE_BELOW, 1), else_=0)).label("bottom")
    query = _placed_in(
        group,
        day,
        Organization.id,
        Organization.name,
        Organization.industry_sector,
        Organization.employee_count,
        bottom,
        func.count(percentile).label("placed"),
    ).group_by(Organization.id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(bottom.desc(), Organization.name, Organization.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return [tuple(row) for row in rows], total


def group_positions(
    session: Session, *, day: date, group: GroupSelection
) -> Iterator[tuple[Any, ...]]:
    """Every organisation × metric of a group on `day`, streamed from a server-side cursor.

    Rows: (id, externalId, name, industry, employees, metric, value, percentile).
    """
    query = _placed_in(
        group,
        day,
        Organization.id,
        Organization.external_id,
        Organization.name,
        Organization.industry_sector,
        Organization.employee_count,
        BenchmarkPosition.metric,
        BenchmarkPosition.value,
        _PERCENTILE_OF_KIND[group.kind],
    ).order_by(Organization.name, Organization.id, BenchmarkPosition.metric)
    result = session.execute(query, execution_options={"yield_per": 2000})
    for row in result:
        yield tuple(row)
