"""The cost of privacy: what the publication rules withhold from customers.

    uv run python bench/privacy.py                 # the demo data and N = 50,000 (SQLite)
    uv run python bench/privacy.py --n 200000

For the demo data (loaded as `opsportal demo` loads it) and for a synthetic
set of N organisations (bench/aggregation.py's generator: 8 industries, sizes
across every band, one day of values for all five metrics), it runs the real
benchmark calculation and then counts, from what the run stored:

- peer groups: published, and of those shown to customers with quartiles
  (and a percentile estimated from them), with the peer count only (5 to 9
  peers), and withheld from customers by complementary suppression; plus the
  groups never published (fewer than 5 peers);
- organisation × metric × own peer group cells (each organisation with a
  value is placed in up to four groups): what its customers see there —
  quartiles and an estimated percentile, the peer count only, or nothing;
- what estimating costs where customers see quartiles: how far the percentile
  they are shown lies from the exact one staff see, and how often the verdict
  (quartile) differs.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from opsportal.benchmarks import privacy, repository
from opsportal.benchmarks.aggregation import COHORT_KINDS
from opsportal.benchmarks.repository.positions import unpack
from opsportal.benchmarks.service import calculate_benchmarks
from opsportal.benchmarks.verdicts import verdict_for
from opsportal.config import Settings
from opsportal.db import make_engine, make_session_factory, session_scope
from opsportal.demo import load_demo
from opsportal.metrics.registry import METRICS_BY_NAME
from opsportal.migrate import upgrade
from opsportal.models import BenchmarkPosition, BenchmarkResult, BenchmarkRun, Organization

sys.path.insert(0, str(Path(__file__).parent))
from aggregation import build  # noqa: E402  (the shared synthetic-data generator)

KINDS = ("all customers", "industry", "size band", "industry × size band")


def say(message: str) -> None:
    print(message, flush=True)


def census(url: str, settings: Settings) -> None:
    """Count what the newest run stored and what customers may see of it."""
    factory = make_session_factory(make_engine(url))
    with session_scope(factory) as session:
        published = repository.latest_published_run(session)
        assert published is not None, "no benchmark run has succeeded"
        day = published.calculated_for
        run = session.scalars(select(BenchmarkRun).order_by(BenchmarkRun.id.desc()).limit(1)).one()
        results = session.scalars(
            select(BenchmarkResult).where(BenchmarkResult.calculated_for == day)
        ).all()
        views = {(r.metric, r.industry_sector, r.size_band): r.customer_view.value for r in results}
        counts = {(r.metric, r.industry_sector, r.size_band): r.peer_count for r in results}
        gaps: list[int] = []
        verdicts_differ = 0
        groups = Counter(views.values())
        orgs = {
            o.id: (o.industry_sector or "", o.employee_count)
            for o in session.scalars(select(Organization))
        }
        cells: Counter[str] = Counter()
        by_kind: dict[str, Counter[str]] = {kind: Counter() for kind in KINDS}
        placed = session.execute(
            select(
                BenchmarkPosition.organization_id,
                BenchmarkPosition.placements,
                BenchmarkPosition.customer_quartiles,
            ).where(BenchmarkPosition.calculated_for == day)
        )
        layout = run.position_metrics or []
        for organization_id, placements, customer in placed:
            sector, employees = orgs[organization_id]
            band = next(
                (b.label for b in settings.size_bands if employees and b.contains(employees)), ""
            )
            for kind, (uses_sector, uses_band) in zip(KINDS, COHORT_KINDS, strict=True):
                if (uses_sector and not sector) or (uses_band and not band):
                    continue  # the organisation has no industry or size on record
                group_sector = sector if uses_sector else ""
                group_band = band if uses_band else ""
                for metric, position in unpack(placements, layout, customer).items():
                    key = (metric, group_sector, group_band)
                    view = views.get(key, "NOT_PUBLISHED")
                    cells[view] += 1
                    by_kind[kind][view] += 1
                    shown = position.customer_quartiles(
                        COHORT_KINDS.index((uses_sector, uses_band))
                    )
                    exact = position.percentile(COHORT_KINDS.index((uses_sector, uses_band)))
                    if view != "QUARTILES" or shown is None or exact is None:
                        continue
                    found = METRICS_BY_NAME[metric]
                    estimate = privacy.estimated_percentile(
                        position.value,
                        shown,
                        floor=found.min,
                        ceiling=found.max,
                        step=privacy.customer_step(found.unit, counts[key]),
                        higher_is_better=found.higher_is_better,
                    )
                    gaps.append(abs(estimate - int(exact)))
                    verdicts_differ += verdict_for(estimate) != verdict_for(exact)
    published = len(views)
    say(
        f"  peer groups (metric × group): {published + run.cohorts_suppressed:,} with values; "
        f"{run.cohorts_suppressed:,} not published (under {settings.benchmark_min_peers} peers); "
        f"{published:,} published"
    )
    for view in ("QUARTILES", "PEER_COUNT_ONLY", "WITHHELD"):
        share = 100 * groups[view] / published if published else 0.0
        say(f"    {view:<16} {groups[view]:>7,}  ({share:.1f} % of published)")
    total = sum(cells.values())
    say(f"  organisation × metric × own group cells: {total:,}")
    for view in ("QUARTILES", "PEER_COUNT_ONLY", "WITHHELD", "NOT_PUBLISHED"):
        share = 100 * cells[view] / total if total else 0.0
        say(f"    {view:<16} {cells[view]:>9,}  ({share:.1f} %)")
    for kind in KINDS:
        seen = by_kind[kind]
        n = sum(seen.values()) or 1
        say(
            f"    {kind:<22} quartiles {100 * seen['QUARTILES'] / n:5.1f} %, "
            f"peer count only {100 * seen['PEER_COUNT_ONLY'] / n:5.1f} %, "
            f"nothing {100 * (seen['WITHHELD'] + seen['NOT_PUBLISHED']) / n:5.1f} %"
        )
    if gaps:
        ordered = sorted(gaps)
        say(
            f"  estimated percentile (customers) against the exact one (staff), {len(gaps):,} "
            f"cells: mean {sum(gaps) / len(gaps):.1f} points, median "
            f"{ordered[len(ordered) // 2]}, 95th percentile {ordered[int(0.95 * len(ordered))]}, "
            f"max {ordered[-1]}; verdict differs in {100 * verdicts_differ / len(gaps):.1f} %"
        )


def demo(folder: Path) -> None:
    url = f"sqlite:///{folder / 'demo.db'}"
    settings = Settings(database_url=url, scheduler_enabled=False)
    upgrade(url)
    factory = make_session_factory(make_engine(url))
    with session_scope(factory) as session:
        load_demo(session, settings=settings, say=lambda _message: None)
    say("demo data (the `opsportal demo` organisations, newest day):")
    census(url, settings)


def synthetic(folder: Path, n: int) -> None:
    url = f"sqlite:///{folder / 'synthetic.db'}"
    settings, day, _, _ = build(url, n, label="sqlite")
    factory = make_session_factory(make_engine(url))
    started = time.perf_counter()
    with session_scope(factory) as session:
        calculate_benchmarks(session, settings=settings, calculated_for=day)
    say(f"synthetic, N = {n:,} (run in {time.perf_counter() - started:.1f} s):")
    census(url, settings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50_000, help="synthetic organisations")
    parser.add_argument("--skip-demo", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="opsportal-bench-privacy-") as folder:
        if not args.skip_demo:
            demo(Path(folder))
        synthetic(Path(folder), args.n)


if __name__ == "__main__":
    main()
