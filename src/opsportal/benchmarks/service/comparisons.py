"""Where an organisation stands: its stored position against one peer group's published numbers.

Everything here reads what the newest successful run stored and decided
(`benchmarks/privacy.py`); nothing is recomputed from today's values, so a
question asked twice, or about another group, or after a new value arrives,
teaches a customer nothing the run did not publish to it.

A customer compares only with its own organisation's groups (all customers,
its industry, its size band, its industry × size band); every group it may
not see reads the same, whether empty, too small, withheld or someone else's.
Staff may compare any organisation with any published group, in full.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from opsportal.auth.service import Principal
from opsportal.benchmarks import aggregation, repository
from opsportal.benchmarks.cohorts import SizeBand, describe_peer_group
from opsportal.benchmarks.published import (
    GroupResult,
    Position,
    PublishedDay,
    PublishedDayCache,
    read_published_day,
)
from opsportal.benchmarks.schemas import (
    BenchmarkComparison,
    HistoryPoint,
    PeerGroupOptions,
    SizeBandRead,
    StaffBenchmarkComparison,
)
from opsportal.benchmarks.verdicts import verdict_for
from opsportal.config import Settings
from opsportal.errors import InvalidInput, NotFound
from opsportal.metrics.registry import METRIC_NAMES, METRICS, Metric, get_metric
from opsportal.metrics.service import utc_today
from opsportal.models import CustomerView, Organization
from opsportal.tenants.service import get_organization

NOT_PUBLISHED = (
    "No benchmark is published for {group}. A peer group is shown only when it is one "
    "of your organization's own groups and large enough that no member's numbers can "
    "be worked out from it."
)
NOT_CALCULATED = "Benchmarks have not been calculated yet."


@dataclass(frozen=True)
class PeerGroup:
    """A requested peer group: an industry and/or a size band ("" / None: any)."""

    sector: str
    band: SizeBand | None

    @property
    def band_label(self) -> str:
        return self.band.label if self.band else ""

    def describe(self, peer_count: int | None = None) -> str:
        return describe_peer_group(self.sector, self.band_label, peer_count)

    def kind_of(self, organization: Organization) -> int | None:
        """Which of the organisation's own groups this is (an index into COHORT_KINDS), or None."""
        own_sector = organization.industry_sector or ""
        if self.sector and self.sector.casefold() != own_sector.casefold():
            return None
        employees = organization.employee_count
        if self.band is not None and (employees is None or not self.band.contains(employees)):
            return None
        return (1 if self.sector else 0) + (2 if self.band else 0)


def _stored_percentile(position: Position, kind: int) -> int | None:
    return (
        position.percentile_all,
        position.percentile_sector,
        position.percentile_band,
        position.percentile_sector_band,
    )[kind]


def _resolve_band(settings: Settings, size_band: str | None) -> SizeBand | None:
    if not size_band:
        return None
    for band in settings.size_bands:
        if band.label == size_band:
            return band
    labels = ", ".join(band.label for band in settings.size_bands)
    raise InvalidInput(
        f"Unknown size band {size_band!r}; the bands are {labels}.", field="sizeBand"
    )


def resolve_peer_group(
    session: Session,
    *,
    principal: Principal,
    organization: Organization,
    industry_sector: str | None,
    size_band: str | None,
    settings: Settings,
) -> PeerGroup:
    """The requested group, its industry spelled as the organisations spell it.

    A customer's spelling is matched against its own industry only: matching it
    against every industry would tell it which industries have customers.
    """
    band = _resolve_band(settings, size_band)
    sector = (industry_sector or "").strip()
    if sector:
        known = (
            repository.active_sectors(session)
            if principal.is_staff
            else [organization.industry_sector or ""]
        )
        sector = {s.casefold(): s for s in known if s}.get(sector.casefold(), sector)
    return PeerGroup(sector=sector, band=band)


def _unavailable_reason(
    *,
    principal: Principal,
    organization: Organization,
    metric: Metric,
    group: PeerGroup,
    kind: int | None,
    published: PublishedDay,
    settings: Settings,
) -> str | None:
    """Why this comparison cannot be shown to this caller, or None when it can."""
    day = published.calculated_for
    if day is None:
        return NOT_CALCULATED
    position = published.positions.get(metric.name)
    result = published.results.get(metric.name)
    no_value = (
        f"{organization.name} has no {metric.label.lower()} recorded in the "
        f"{settings.benchmark_freshness_days} days up to {day.isoformat()}."
    )
    if principal.is_staff:
        if position is None:
            return no_value
        if result is None:
            return (
                f"Fewer than {settings.benchmark_min_peers} organizations in {group.describe()} "
                f"had a recent {metric.label.lower()} on {day.isoformat()}, so this peer group "
                "is not published."
            )
        return None
    if kind is None:
        return NOT_PUBLISHED.format(group=group.describe())
    if position is None:
        return no_value  # about the customer's own organisation: no one else's secret
    if (
        result is None
        or result.customer_view == CustomerView.WITHHELD
        or _stored_percentile(position, kind) is None
    ):
        return NOT_PUBLISHED.format(group=group.describe())
    return None


def _comparison(
    *,
    principal: Principal,
    metric: Metric,
    group: PeerGroup,
    kind: int | None,
    published: PublishedDay,
    reason: str | None,
) -> BenchmarkComparison:
    position = published.positions.get(metric.name)
    base: dict[str, Any] = {
        "metric": metric.name,
        "label": metric.label,
        "unit": metric.unit,
        "higher_is_better": metric.higher_is_better,
        "your_value": position.value if position is not None else None,
        "calculated_for": published.calculated_for,
        "filter_description": group.describe(),
    }
    result = published.results.get(metric.name)
    if reason is not None or result is None or position is None:
        if principal.is_staff:
            return StaffBenchmarkComparison(
                **base,
                available=False,
                reason=reason or "Not available.",
                mean=None,
                min=None,
                max=None,
                quantiles=None,
                withheld_from_customers=None,
            )
        return BenchmarkComparison(**base, available=False, reason=reason or "Not available.")
    stored = _stored_percentile(position, kind) if kind is not None else None
    percentile = (
        stored
        if stored is not None
        # Staff looking at a group the organisation is not in: placed by the summary.
        else aggregation.percentile_rank(
            position.value,
            result.quantiles,
            result.peer_count,
            higher_is_better=metric.higher_is_better,
        )
    )
    quartiles = _quartiles(principal, result)
    shown: dict[str, Any] = {
        **base,
        "available": True,
        "percentile": percentile,
        **quartiles,
        **_verdict(metric, value=position.value, percentile=percentile, median=quartiles["median"]),
        "peer_count": result.peer_count,
        "filter_description": group.describe(result.peer_count),
        "calculated_at": result.calculated_at,
    }
    if principal.is_staff:
        return StaffBenchmarkComparison(
            **shown,
            mean=result.mean,
            min=result.min,
            max=result.max,
            quantiles=[float(q) for q in result.quantiles],
            withheld_from_customers=result.customer_view == CustomerView.WITHHELD,
        )
    return BenchmarkComparison(**shown)


def _quartiles(principal: Principal, result: GroupResult) -> dict[str, float | None]:
    """p25, median and p75 as this caller may see them.

    Staff see them exactly. Customers see them only where the run allowed it,
    rounded to whole units (percentage points, days): exact quartiles before and
    after one organisation joins or leaves, with a customer's own value, can pin
    the leaver's exact value even in groups of 10 to 13 (tests/benchmarks/test_privacy.py).
    """
    if principal.is_staff:
        return {"p25": result.p25, "median": result.median, "p75": result.p75}
    if result.customer_view != CustomerView.QUARTILES:
        return {"p25": None, "median": None, "p75": None}
    return {
        "p25": float(round(result.p25)),
        "median": float(round(result.median)),
        "p75": float(round(result.p75)),
    }


def _view(
    *,
    principal: Principal,
    organization: Organization,
    metric: Metric,
    group: PeerGroup,
    kind: int | None,
    published: PublishedDay,
    settings: Settings,
) -> BenchmarkComparison:
    """One metric's comparison as this caller may see it, or the reason it may not."""
    reason = _unavailable_reason(
        principal=principal,
        organization=organization,
        metric=metric,
        group=group,
        kind=kind,
        published=published,
        settings=settings,
    )
    return _comparison(
        principal=principal,
        metric=metric,
        group=group,
        kind=kind,
        published=published,
        reason=reason,
    )


def _verdict(
    metric: Metric, *, value: float, percentile: int, median: float | None
) -> dict[str, Any]:
    """The verdict, and the gap to the median (as shown to the caller) in numbers and words."""
    found = verdict_for(percentile)
    if median is None:
        return {"verdict": found, "median_gap": None, "summary": None}
    gap = round(value - median, 1)
    return {"verdict": found, "median_gap": gap, "summary": describe_gap(metric, gap)}


def describe_gap(metric: Metric, gap: float) -> str:
    """ "2.1 days faster than the median", "6 points above the median", "at the median"."""
    if gap == 0:
        return "at the median"
    size = abs(gap)
    amount = f"{size:g}"
    if metric.unit == "days":
        noun = "day" if size == 1 else "days"
        return f"{amount} {noun} {'slower' if gap > 0 else 'faster'} than the median"
    noun = "point" if size == 1 else "points"
    return f"{amount} {noun} {'above' if gap > 0 else 'below'} the median"


def _subject(
    session: Session,
    *,
    principal: Principal,
    organization_id: int,
    industry_sector: str | None,
    size_band: str | None,
    settings: Settings,
) -> tuple[Organization, PeerGroup, int | None]:
    """The organisation asked about (404 outside the caller's tenant), the group, and its kind."""
    organization = get_organization(session, principal=principal, organization_id=organization_id)
    group = resolve_peer_group(
        session,
        principal=principal,
        organization=organization,
        industry_sector=industry_sector,
        size_band=size_band,
        settings=settings,
    )
    return organization, group, group.kind_of(organization)


def _known_metric(principal: Principal, *, organization_id: int, metric: str) -> Metric:
    found = get_metric(metric)
    if found is None:
        # The tenant check first: an unknown metric must not confirm that an organisation exists.
        principal.require_organization(organization_id)
        raise NotFound(f"Unknown metric {metric!r}; the metrics are {', '.join(METRIC_NAMES)}.")
    return found


def _compare(
    session: Session,
    *,
    principal: Principal,
    organization_id: int,
    metrics: Sequence[Metric],
    industry_sector: str | None,
    size_band: str | None,
    settings: Settings,
    cache: PublishedDayCache | None,
) -> list[BenchmarkComparison]:
    organization, group, kind = _subject(
        session,
        principal=principal,
        organization_id=organization_id,
        industry_sector=industry_sector,
        size_band=size_band,
        settings=settings,
    )
    published = read_published_day(
        session,
        organization_id=organization.id,
        sector=group.sector,
        band=group.band_label,
        cache=cache,
    )
    return [
        _view(
            principal=principal,
            organization=organization,
            metric=metric,
            group=group,
            kind=kind,
            published=published,
            settings=settings,
        )
        for metric in metrics
    ]


def compare_metric(
    session: Session,
    *,
    principal: Principal,
    organization_id: int,
    metric: str,
    industry_sector: str | None = None,
    size_band: str | None = None,
    settings: Settings,
    cache: PublishedDayCache | None = None,
) -> BenchmarkComparison:
    """One metric of one organisation against its peer group (staff get the extra statistics)."""
    found = _known_metric(principal, organization_id=organization_id, metric=metric)
    return _compare(
        session,
        principal=principal,
        organization_id=organization_id,
        metrics=[found],
        industry_sector=industry_sector,
        size_band=size_band,
        settings=settings,
        cache=cache,
    )[0]


def compare_organization(
    session: Session,
    *,
    principal: Principal,
    organization_id: int,
    industry_sector: str | None = None,
    size_band: str | None = None,
    settings: Settings,
    cache: PublishedDayCache | None = None,
) -> list[BenchmarkComparison]:
    """Every metric of one organisation against its peer group, in registry order.

    With no industry and no size band the peer group is all active customers.
    `size_band` is a band label such as "101-500" (see `size_band_for`).
    """
    return _compare(
        session,
        principal=principal,
        organization_id=organization_id,
        metrics=METRICS,
        industry_sector=industry_sector,
        size_band=size_band,
        settings=settings,
        cache=cache,
    )


MAX_HISTORY_DAYS = 731


def comparison_history(
    session: Session,
    *,
    principal: Principal,
    organization_id: int,
    metric: str,
    days: int,
    industry_sector: str | None = None,
    size_band: str | None = None,
    settings: Settings,
) -> list[HistoryPoint]:
    """One point per calculated day of the last `days`, oldest first, each under that day's rules.

    Every point is built by the same steps as a day's comparison, from what that
    day's run stored, so history shows a customer nothing its comparison would not.
    """
    found = _known_metric(principal, organization_id=organization_id, metric=metric)
    return comparison_histories(
        session,
        principal=principal,
        organization_id=organization_id,
        metrics=[found],
        days=days,
        industry_sector=industry_sector,
        size_band=size_band,
        settings=settings,
    )[found.name]


def comparison_histories(
    session: Session,
    *,
    principal: Principal,
    organization_id: int,
    metrics: Sequence[Metric],
    days: int,
    industry_sector: str | None = None,
    size_band: str | None = None,
    settings: Settings,
) -> dict[str, list[HistoryPoint]]:
    """`comparison_history` of several metrics at once (the scorecard's trends), by metric name."""
    organization, group, kind = _subject(
        session,
        principal=principal,
        organization_id=organization_id,
        industry_sector=industry_sector,
        size_band=size_band,
        settings=settings,
    )
    since = utc_today() - timedelta(days=days)
    names = [metric.name for metric in metrics]
    results = repository.result_history(
        session,
        metrics=names,
        industry_sector=group.sector,
        size_band=group.band_label,
        since=since,
    )
    positions = repository.position_history(
        session, organization_id=organization.id, metrics=names, since=since
    )
    calculated_days = repository.calculated_days(session, since=since)
    histories: dict[str, list[HistoryPoint]] = {}
    for metric in metrics:
        points = []
        for day in calculated_days:
            result, position = results.get((metric.name, day)), positions.get((metric.name, day))
            published = PublishedDay(
                day,
                {metric.name: GroupResult.of(result)} if result is not None else {},
                {metric.name: Position.of(position)} if position is not None else {},
            )
            day_view = _view(
                principal=principal,
                organization=organization,
                metric=metric,
                group=group,
                kind=kind,
                published=published,
                settings=settings,
            )
            points.append(
                HistoryPoint(
                    calculated_for=day,
                    available=day_view.available,
                    your_value=day_view.your_value if day_view.available else None,
                    percentile=day_view.percentile,
                    p25=day_view.p25,
                    median=day_view.median,
                    p75=day_view.p75,
                    peer_count=day_view.peer_count,
                    verdict=day_view.verdict,
                )
            )
        histories[metric.name] = points
    return histories


def peer_group_options(
    session: Session, *, principal: Principal, settings: Settings, organization_id: int | None
) -> PeerGroupOptions:
    """What a peer-group chooser offers.

    Staff: every industry with active customers and every size band. A customer:
    only its own organisation's industry and size band, so the list reveals
    nothing about which other industries or sizes have customers.
    """
    bands = settings.size_bands
    if principal.is_staff:
        sectors = repository.active_sectors(session)
    else:
        own_id = principal.organization_id
        if own_id is None or (organization_id is not None and organization_id != own_id):
            raise NotFound(f"Organization {organization_id or own_id} not found.")
        organization = get_organization(session, principal=principal, organization_id=own_id)
        sectors = [organization.industry_sector] if organization.industry_sector else []
        employees = organization.employee_count
        bands = tuple(b for b in bands if employees is not None and b.contains(employees))
    return PeerGroupOptions(
        industry_sectors=sectors,
        size_bands=[
            SizeBandRead(label=b.label, employee_min=b.minimum, employee_max=b.maximum)
            for b in bands
        ],
    )


def size_band_for(
    settings: Settings, *, employee_min: int | None, employee_max: int | None
) -> str | None:
    """The size band that employeeMin/employeeMax name exactly; 422 listing the bands otherwise."""
    if employee_min is None and employee_max is None:
        return None
    bands = settings.size_bands
    for band in bands:
        if employee_min == band.minimum and employee_max == band.maximum:
            return band.label
    choices = "; ".join(
        f"employeeMin={b.minimum}" + (f"&employeeMax={b.maximum}" if b.maximum else "")
        for b in bands
    )
    raise InvalidInput(
        "employeeMin and employeeMax must name one size band "
        f"({', '.join(b.label for b in bands)}): {choices}.",
        field="employeeMin",
        extra={"sizeBands": [b.label for b in bands]},
    )
