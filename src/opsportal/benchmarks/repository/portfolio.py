"""Organisations of a peer group by where they stand: the portfolio and the group export."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from opsportal.benchmarks.repository.positions import NOT_PLACED, day_layouts, unpack_day
from opsportal.benchmarks.verdicts import BOTTOM_QUARTILE_BELOW
from opsportal.models import BenchmarkPosition, BenchmarkRun, Organization, RunStatus
from opsportal.tenants.repository import of_industry_and_size

_STREAM_ROWS = 2000


@dataclass(frozen=True)
class GroupSelection:
    """A peer group to list organisations of: the cohort kind and its industry and size bounds."""

    kind: int  # index into COHORT_KINDS: whose stored percentile places an organisation
    metric: str | None
    industry_sector: str | None
    employee_min: int | None
    employee_max: int | None


def _members(group: GroupSelection, day: date, *columns: Any) -> Select[Any]:
    """`columns`, then the run id and placements, of every organisation positioned on `day`
    that the group's industry and size bounds admit, by name."""
    query = (
        select(*columns, BenchmarkPosition.run_id, BenchmarkPosition.placements)
        .join(BenchmarkPosition, BenchmarkPosition.organization_id == Organization.id)
        .where(BenchmarkPosition.calculated_for == day)
        .order_by(Organization.name, Organization.id)
    )
    return of_industry_and_size(
        query,
        industry_sector=group.industry_sector,
        employee_min=group.employee_min,
        employee_max=group.employee_max,
    )


def _chosen_metrics(group: GroupSelection, layout: list[str]) -> list[int]:
    """Where the group's metric (or every metric) sits in a run's placements."""
    if group.metric is None:
        return list(range(len(layout)))
    return [layout.index(group.metric)] if group.metric in layout else []


def _percentiles(
    group: GroupSelection, rows: Sequence[Any], layout_of: dict[int, list[str]]
) -> npt.NDArray[np.int64]:
    """Each row's percentiles in the group's cohort kind, on the chosen metrics.

    Shape (rows, chosen metrics); NOT_PLACED where the organisation was not placed.
    """
    by_run: dict[int, list[int]] = {}
    for index, row in enumerate(rows):
        by_run.setdefault(row[-2], []).append(index)
    width = max((len(layout) for layout in layout_of.values()), default=0)
    percentiles = np.full((len(rows), width), NOT_PLACED, dtype=np.int64)
    for run_id, indexes in by_run.items():
        layout = layout_of.get(run_id, [])
        table = unpack_day([rows[i][-1] for i in indexes], layout)
        chosen = _chosen_metrics(group, layout) if table.shape[1] else []
        kinds = table["percentiles"][:, chosen, group.kind]
        percentiles[np.asarray(indexes)[:, None], np.arange(len(chosen))] = kinds
    return percentiles


def portfolio(
    session: Session, *, day: date, group: GroupSelection, limit: int, offset: int
) -> tuple[list[tuple[Any, ...]], int]:
    """Organisations of a group by how many metrics sit in its bottom quartile, worst first.

    Rows: (id, name, industry, employees, metrics in the bottom quartile, metrics placed).
    The database orders by name; a stable sort then puts the worst first, so
    organisations with as many metrics in the bottom quartile keep that order.
    """
    rows = session.execute(
        _members(
            group,
            day,
            Organization.id,
            Organization.name,
            Organization.industry_sector,
            Organization.employee_count,
        )
    ).all()
    if not rows:
        return [], 0
    percentiles = _percentiles(group, rows, day_layouts(session, day))
    placed = (percentiles != NOT_PLACED).sum(axis=1)
    bottom = ((percentiles != NOT_PLACED) & (percentiles < BOTTOM_QUARTILE_BELOW)).sum(axis=1)
    members = np.flatnonzero(placed > 0)
    worst_first = members[np.argsort(-bottom[members], kind="stable")]
    page = worst_first[offset : offset + limit].tolist()
    return (
        [(*rows[i][:4], int(bottom[i]), int(placed[i])) for i in page],
        int(members.size),
    )


def group_positions(
    session: Session, *, day: date, group: GroupSelection
) -> Iterator[tuple[Any, ...]]:
    """Every organisation × metric of a group on `day`, streamed from a server-side cursor.

    Rows: (id, externalId, name, industry, employees, metric, value, percentile).
    """
    query = _members(
        group,
        day,
        Organization.id,
        Organization.external_id,
        Organization.name,
        Organization.industry_sector,
        Organization.employee_count,
    )
    layout_of = day_layouts(session, day)
    for row in session.execute(query, execution_options={"yield_per": _STREAM_ROWS}):
        layout = layout_of.get(row[-2], [])
        table = unpack_day([row[-1]], layout)[0]
        if not table.size:  # no readable layout: placed nowhere
            continue
        for index in sorted(_chosen_metrics(group, layout), key=layout.__getitem__):
            value, percentiles = table[index].item()
            percentile = percentiles[group.kind]
            if percentile != NOT_PLACED:
                yield (*row[:5], layout[index], value, percentile)


def bottom_quartile_ids() -> Select[tuple[int]]:
    """Organisations with a metric in the bottom quartile of their default peer group.

    As of the newest successful run. The default group is the one the scorecard
    opens on for staff: the most specific group (industry × size, industry,
    size, all customers) in which the run placed any of the organisation's
    metrics — a percentile is stored only where the group was published.
    """
    latest = (
        select(func.max(BenchmarkRun.calculated_for))
        .where(BenchmarkRun.status == RunStatus.SUCCEEDED)
        .scalar_subquery()
    )
    return select(BenchmarkPosition.organization_id).where(
        BenchmarkPosition.calculated_for == latest,
        BenchmarkPosition.lowest_default_percentile < BOTTOM_QUARTILE_BELOW,
    )
