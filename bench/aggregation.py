"""Benchmark aggregation and metric ingestion at scale, on SQLite and PostgreSQL.

    uv run python bench/aggregation.py                    # N = 200,000, both databases
    uv run python bench/aggregation.py --n 50000 --skip-postgres
    uv run python bench/aggregation.py --postgres-admin-url postgresql://postgres@127.0.0.1/postgres

For each database it builds a throwaway database (a temporary SQLite file;
PostgreSQL database `opsportal_bench`, created and dropped again on
127.0.0.1), migrates it and loads N organisations (8 industries, sizes across
every band, ~95 % ACTIVE) with 10 days of values for all five metrics:

- days 1-9 go straight in with one INSERT ... SELECT (history the nightly job
  must not need to read; generated in SQL only to keep the bench short), and
  day 9 fills the latest-value table, as yesterday's import would have;
- day 10 — N × 5 values — is written to a CSV file and loaded with the real
  `opsportal import values FILE.csv` command in a subprocess (CSV parsing,
  validation, organisation lookup by externalId or id, both upserts — every
  latest value is replaced — into tables already holding the history). Its
  wall time, process start included, gives values/s.

Then it times `opsportal benchmarks compute` (the service behind it: read the
latest values, aggregate every metric × cohort, replace the day's results,
record the run), median of 3, with the share spent in the numpy aggregation.

Finally, at N = 20,000 (--naive-n), it times a naive reference — one query
per organisation per metric per cohort, as a straightforward ORM loop would
do, computing the same percentiles — against the real run on the same data,
and prints the ratio.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.orm import Session

from opsportal.benchmarks import repository
from opsportal.benchmarks.service import aggregate_fresh_values, run_benchmarks
from opsportal.config import Settings
from opsportal.config_values import parse_size_bands
from opsportal.db import make_engine, make_session_factory, normalise_url, session_scope
from opsportal.metrics.registry import IMPORTED_METRIC_NAMES, METRICS_BY_NAME
from opsportal.metrics.service import utc_today
from opsportal.migrate import upgrade
from opsportal.models import LatestMetricValue, Organization, OrganizationStatus

SECTORS = (
    "Healthcare",
    "Financial Services",
    "Manufacturing",
    "Retail",
    "Technology",
    "Energy",
    "Education",
    "Public Sector",
)
DAYS = 10
BENCH_DB = "opsportal_bench"


def say(message: str) -> None:
    print(message, flush=True)


@contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="opsportal-bench-") as folder:
        yield f"sqlite:///{Path(folder) / 'bench.db'}"


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    admin = create_engine(normalise_url(admin_url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)"))
            conn.execute(text(f"CREATE DATABASE {BENCH_DB}"))
        url = admin.url.set(database=BENCH_DB).render_as_string(hide_password=False)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)"))
        admin.dispose()


def load_organizations(session: Session, n: int, rng: np.random.Generator) -> None:
    sizes = np.exp(rng.uniform(np.log(5), np.log(30_000), n)).astype(int)
    status = rng.random(n)
    sectors = rng.integers(0, len(SECTORS), n)
    rows = [
        {
            "external_id": f"bench-{i:07d}",
            "name": f"Bench Organization {i}",
            "industry_sector": SECTORS[sectors[i]],
            "employee_count": int(max(1, sizes[i])),
            "status": OrganizationStatus.INACTIVE
            if status[i] < 0.05
            else OrganizationStatus.ACTIVE,
        }
        for i in range(n)
    ]
    for start in range(0, n, 20_000):
        session.execute(insert(Organization), rows[start : start + 20_000])


def load_history(session: Session, last_day: date) -> None:
    """Days 1-9 for every organisation and metric, generated inside the database."""
    metrics = ", ".join(f"('{name}')" for name in IMPORTED_METRIC_NAMES)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text(
                "INSERT INTO metric_values (organization_id, metric, recorded_on, value) "
                "SELECT o.id, m.name, CAST(:last AS date) - k, round((random() * 100)::numeric, 2) "
                f"FROM organizations o CROSS JOIN (VALUES {metrics}) AS m(name) "
                f"CROSS JOIN generate_series(1, {DAYS - 1}) AS k"
            ),
            {"last": last_day},
        )
    else:
        session.execute(
            text(
                "WITH RECURSIVE d(k) AS "
                f"(SELECT 1 UNION ALL SELECT k + 1 FROM d WHERE k < {DAYS - 1}), "
                f"m(name) AS (VALUES {metrics}) "
                "INSERT INTO metric_values (organization_id, metric, recorded_on, value) "
                "SELECT o.id, m.name, date(:last, '-' || d.k || ' days'), "
                "(abs(random()) % 10000) / 100.0 FROM organizations o, m, d"
            ),
            {"last": last_day.isoformat()},
        )


def write_day_csv(path: Path, session: Session, day: date, rng: np.random.Generator) -> int:
    orgs = session.execute(
        select(Organization.id, Organization.external_id).order_by(Organization.id)
    ).all()
    count = 0
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["organization", "metric", "value", "recordedOn"])
        for name in IMPORTED_METRIC_NAMES:
            metric = METRICS_BY_NAME[name]
            high = 60.0 if metric.max is None else metric.max
            values = np.round(rng.uniform(metric.min, high, len(orgs)), 2)
            for (org_id, external_id), value in zip(orgs, values.tolist(), strict=True):
                # Half by externalId, half by id: both lookups are exercised.
                writer.writerow(
                    [external_id if org_id % 2 else org_id, name, value, day.isoformat()]
                )
                count += 1
    return count


def import_values(url: str, path: Path) -> float:
    env = {**os.environ, "OPSPORTAL_DATABASE_URL": url, "TERM": "dumb"}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "opsportal.cli", "import", "values", str(path)],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def build(url: str, n: int, *, label: str) -> tuple[Settings, date, float, int]:
    """A migrated database with N organisations and DAYS days of values; returns import figures."""
    rng = np.random.default_rng(42)
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    day = utc_today()
    started = time.perf_counter()
    with session_scope(factory) as session:
        load_organizations(session, n, rng)
    with session_scope(factory) as session:
        load_history(session, day)
        # As after yesterday's import: day 10 then replaces every latest value.
        session.execute(
            text(
                "INSERT INTO latest_metric_values (organization_id, metric, recorded_on, value) "
                "SELECT organization_id, metric, recorded_on, value FROM metric_values "
                "WHERE recorded_on = :yesterday"
            ),
            {"yesterday": day - timedelta(days=1)},
        )
    elapsed = time.perf_counter() - started
    say(f"  [{label}] {n:,} organisations and {DAYS - 1} days of history in {elapsed:.1f} s")
    with tempfile.TemporaryDirectory(prefix="opsportal-bench-csv-") as folder:
        path = Path(folder) / "values.csv"
        with session_scope(factory) as session:
            rows = write_day_csv(path, session, day, rng)
        seconds = import_values(url, path)
    engine.dispose()
    return Settings(database_url=url, scheduler_enabled=False), day, seconds, rows


def time_runs(settings: Settings, day: date, repeat: int = 3) -> tuple[float, float, float, int]:
    """Median wall time of a full run, and of its read and numpy parts; cohorts published."""
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    totals, reads, computes = [], [], []
    published = 0
    for _ in range(repeat):
        started = time.perf_counter()
        summary = run_benchmarks(factory, settings=settings, calculated_for=day, trigger="bench")
        totals.append(time.perf_counter() - started)
        published = summary.cohorts_published
        with session_scope(factory) as session:
            started = time.perf_counter()
            fresh = repository.load_fresh_values(
                session,
                since=day - timedelta(days=settings.benchmark_freshness_days),
                until=day,
                metrics=IMPORTED_METRIC_NAMES,
            )
            reads.append(time.perf_counter() - started)
        computes.append(_time_numpy(fresh, settings))
    engine.dispose()
    return (
        statistics.median(totals),
        statistics.median(reads),
        statistics.median(computes),
        published,
    )


def time_back_dated_run(settings: Settings, day: date) -> float:
    """One run for a past day: each organisation's value as of that day, from the history."""
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    started = time.perf_counter()
    run_benchmarks(factory, settings=settings, calculated_for=day, trigger="bench")
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed


def time_reference_sql(settings: Settings, day: date) -> float | None:
    """PostgreSQL's own GROUPING SETS + percentile_cont over the same latest values (the yardstick).

    It computes only count and quartiles per group, and writes nothing.
    """
    if not settings.database_url.startswith("postgres"):
        return None
    bands = parse_size_bands(settings.benchmark_size_bands)
    band = (
        "CASE "
        + " ".join(
            f"WHEN o.employee_count >= {b.minimum}"
            + (f" AND o.employee_count <= {b.maximum}" if b.maximum else "")
            + f" THEN '{b.label}'"
            for b in bands
        )
        + " END"
    )
    sql = (
        "SELECT l.metric, o.industry_sector, " + band + " AS band, count(*), "
        "percentile_cont(ARRAY[0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY l.value) "
        "FROM latest_metric_values l JOIN organizations o ON o.id = l.organization_id "
        "WHERE o.status = 'ACTIVE' AND l.recorded_on BETWEEN :since AND :until "
        "GROUP BY GROUPING SETS ((l.metric), (l.metric, o.industry_sector), "
        "(l.metric, " + band + "), (l.metric, o.industry_sector, " + band + "))"
    )
    engine = make_engine(settings.database_url)
    timings = []
    with engine.connect() as conn:
        for _ in range(3):
            started = time.perf_counter()
            conn.execute(
                text(sql),
                {"since": day - timedelta(days=settings.benchmark_freshness_days), "until": day},
            ).all()
            timings.append(time.perf_counter() - started)
    engine.dispose()
    return statistics.median(timings)


def _time_numpy(fresh: repository.FreshValues, settings: Settings) -> float:
    started = time.perf_counter()
    aggregate_fresh_values(fresh, settings=settings)
    return time.perf_counter() - started


def naive_run(settings: Settings, day: date) -> tuple[float, int]:
    """One query per organisation per metric per cohort, as an ORM loop would do it."""
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    bands = parse_size_bands(settings.benchmark_size_bands)
    since = day - timedelta(days=settings.benchmark_freshness_days)
    started = time.perf_counter()
    published = 0
    with session_scope(factory) as session:
        orgs = session.scalars(
            select(Organization).where(Organization.status == OrganizationStatus.ACTIVE)
        ).all()
        cohorts: list[tuple[str | None, object]] = [(None, None)]
        cohorts += [(s, None) for s in SECTORS]
        cohorts += [(None, b) for b in bands]
        cohorts += [(s, b) for s in SECTORS for b in bands]
        for name in IMPORTED_METRIC_NAMES:
            for sector, band in cohorts:
                values = []
                for org in orgs:
                    if sector is not None and org.industry_sector != sector:
                        continue
                    if band is not None and not band.contains(org.employee_count or 0):  # type: ignore[attr-defined]
                        continue
                    latest = session.scalars(
                        select(LatestMetricValue).where(
                            LatestMetricValue.organization_id == org.id,
                            LatestMetricValue.metric == name,
                            LatestMetricValue.recorded_on >= since,
                            LatestMetricValue.recorded_on <= day,
                        )
                    ).first()
                    if latest is not None:
                        values.append(latest.value)
                if len(values) >= settings.benchmark_min_peers:
                    data = np.array(values)
                    np.percentile(data, np.arange(101))
                    data.mean(), data.min(), data.max()
                    published += 1
    engine.dispose()
    return time.perf_counter() - started, published


def bench_database(
    name: str, database: Callable[[], contextmanager], args: argparse.Namespace
) -> None:  # type: ignore[type-arg]
    say(f"\n== {name}")
    with database() as url:
        settings, day, seconds, rows = build(url, args.n, label=f"N={args.n:,}")
        say(f"  import values: {rows:,} values in {seconds:.2f} s = {rows / seconds:,.0f} values/s")
        total, read, compute, published = time_runs(settings, day)
        say(
            f"  aggregation at N={args.n:,} ({rows:,} latest values, {published} cohorts): "
            f"{total:.2f} s per run (read {read:.2f} s, numpy {compute:.2f} s), median of 3"
        )
        reference = time_reference_sql(settings, day)
        if reference is not None:
            say(
                f"  reference: PostgreSQL GROUPING SETS + percentile_cont over the same values "
                f"{reference:.2f} s (quartiles only, nothing written); the run is "
                f"{total / reference:.1f}x that"
            )
        past = day - timedelta(days=5)
        say(
            f"  back-dated run for {past} (values as of that day, from the history): "
            f"{time_back_dated_run(settings, past):.2f} s"
        )
    if args.naive_n:
        with database() as url:
            settings, day, _, _ = build(url, args.naive_n, label=f"N={args.naive_n:,}")
            fast, _, _, published = time_runs(settings, day)
            slow, naive_published = naive_run(settings, day)
            assert naive_published == published, (naive_published, published)
            say(
                f"  naive reference at N={args.naive_n:,}: {slow:.1f} s vs {fast:.2f} s "
                f"= {slow / fast:,.0f}x slower ({published} cohorts each)"
            )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=200_000, help="organisations (default 200,000)")
    parser.add_argument(
        "--naive-n", type=int, default=20_000, help="N for the naive reference; 0 skips it"
    )
    parser.add_argument(
        "--postgres-admin-url",
        default="postgresql://postgres@127.0.0.1/postgres",
        help=f"a PostgreSQL URL allowed to CREATE and DROP DATABASE {BENCH_DB}",
    )
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    say(f"opsportal benchmark aggregation; {os.cpu_count()} CPUs")
    if not args.skip_sqlite:
        bench_database("SQLite", sqlite_database, args)
    if not args.skip_postgres:
        bench_database("PostgreSQL", lambda: postgres_database(args.postgres_admin_url), args)


if __name__ == "__main__":
    main()
