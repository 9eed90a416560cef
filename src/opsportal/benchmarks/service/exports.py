"""What people take away: the scorecard as CSV, a peer group's organisations (staff), the portfolio.

Everything here is built from the same comparisons and stored positions as
the pages, so an export shows a customer nothing its scorecard would not, and
every CSV cell goes through `csvsafe` (no formulas for a spreadsheet to run).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from opsportal.benchmarks import repository
from opsportal.benchmarks.schemas import (
    BenchmarkComparison,
    PortfolioItem,
    StaffBenchmarkComparison,
)
from opsportal.benchmarks.verdicts import verdict_for
from opsportal.config import Settings
from opsportal.db import SessionFactory, read_only, session_scope
from opsportal.errors import Forbidden, NotFound
from opsportal.kit.csvsafe import Cell, csv_lines, csv_text, safe_row
from opsportal.metrics.registry import METRIC_NAMES, get_metric
from opsportal.principal import Principal

SCORECARD_COLUMNS = (
    "metric",
    "label",
    "unit",
    "available",
    "yourValue",
    "percentile",
    "percentileEstimated",
    "verdict",
    "summary",
    "medianGap",
    "p25",
    "median",
    "p75",
    "peerCount",
    "filterDescription",
    "calculatedFor",
    "reason",
)
STAFF_COLUMNS = (
    "mean",
    "min",
    "max",
    "withheldFromCustomers",
    # What the organisation's customers are shown of the same metric and group.
    "customerPercentile",
    "customerVerdict",
    "customerSummary",
    "customerMedian",
)
GROUP_COLUMNS = (
    "organizationId",
    "externalId",
    "name",
    "industrySector",
    "employeeCount",
    "metric",
    "value",
    "percentile",
    "verdict",
    "calculatedFor",
)
STREAM_ROWS = 2_000  # rows per chunk of a streamed CSV


def scorecard_csv(comparisons: Sequence[BenchmarkComparison], *, staff: bool) -> str:
    """One row per metric with the comparison's fields (staff: and the extra statistics)."""
    header = SCORECARD_COLUMNS + (STAFF_COLUMNS if staff else ())
    rows: list[list[Cell]] = []
    for c in comparisons:
        row: list[Cell] = [
            c.metric,
            c.label,
            c.unit,
            c.available,
            c.your_value,
            c.percentile,
            c.percentile_estimated,
            c.verdict.value if c.verdict else None,
            c.summary,
            c.median_gap,
            c.p25,
            c.median,
            c.p75,
            c.peer_count,
            c.filter_description,
            c.calculated_for,
            c.reason,
        ]
        if staff and isinstance(c, StaffBenchmarkComparison):
            theirs = c.customer_view
            shown = theirs is not None and theirs.available
            row += [
                c.mean,
                c.min,
                c.max,
                c.withheld_from_customers,
                theirs.percentile if theirs and shown else None,
                theirs.verdict.value if theirs and shown and theirs.verdict else None,
                theirs.summary if theirs and shown else None,
                theirs.median if theirs and shown else None,
            ]
        rows.append(row)
    return csv_text(header, rows)


def group_filter(
    settings: Settings, *, industry_sector: str | None, size_band: str | None, metric: str | None
) -> repository.GroupSelection:
    """The group staff chose; its kind says whose stored percentile places an organisation."""
    if metric and get_metric(metric) is None:
        raise NotFound(f"Unknown metric {metric!r}; the metrics are {', '.join(METRIC_NAMES)}.")
    sector = (industry_sector or "").strip() or None
    band = next((b for b in settings.size_bands if b.label == size_band), None)
    return repository.GroupSelection(
        kind=(1 if sector else 0) + (2 if band else 0),
        metric=metric or None,
        industry_sector=sector,
        employee_min=band.minimum if band else None,
        employee_max=band.maximum if band else None,
    )


@dataclass(frozen=True)
class Portfolio:
    calculated_for: date | None
    rows: list[PortfolioItem]
    total: int


def _require_staff(principal: Principal) -> None:
    if not principal.is_staff:
        raise Forbidden("Only operations staff and admins see other organisations.")


def portfolio(
    session: Session,
    *,
    principal: Principal,
    chosen: repository.GroupSelection,
    limit: int,
    offset: int,
) -> Portfolio:
    """Organisations of the group, those with most metrics in its bottom quartile first."""
    _require_staff(principal)
    published = repository.latest_published_run(session)
    if published is None:
        return Portfolio(None, [], 0)
    rows, total = repository.portfolio(
        session, day=published.calculated_for, group=chosen, limit=limit, offset=offset
    )
    # The repository's rows hold the item's fields in its order.
    items = [
        PortfolioItem(**dict(zip(PortfolioItem.model_fields, row, strict=True))) for row in rows
    ]
    return Portfolio(published.calculated_for, items, total)


def group_csv(
    session_factory: SessionFactory, *, principal: Principal, chosen: repository.GroupSelection
) -> Iterator[str]:
    """Every organisation × metric of the group on the newest day, as CSV text in chunks.

    Streamed from a server-side cursor in a read-only session of its own (the
    request's has ended by the time the response body is written), so 50,000
    organisations never sit in memory at once.
    """
    _require_staff(principal)

    def chunks() -> Iterator[str]:
        with session_scope(session_factory) as session:
            read_only(session)
            published = repository.latest_published_run(session)
            yield csv_text(GROUP_COLUMNS, [])
            if published is None:
                return
            day = published.calculated_for
            lines: list[list[str]] = []
            for *organization, pct in repository.group_positions(session, day=day, group=chosen):
                lines.append(safe_row([*organization, pct, verdict_for(pct).value, day]))
                if len(lines) >= STREAM_ROWS:
                    yield _lines(lines)
                    lines = []
            if lines:
                yield _lines(lines)

    return chunks()


def _lines(rows: list[list[str]]) -> str:
    """Rows already made safe, as CSV text (csv_text would add a header)."""
    return csv_lines(rows)
