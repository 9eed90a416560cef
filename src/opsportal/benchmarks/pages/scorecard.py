"""An organisation's scorecard: the page, the staff's "Customer view" of it, its CSV and its PDF.

The page opens on the organisation's own most specific peer group that shows
the viewer something (`service.scorecard.default_group`); the JSON API keeps
all customers as its default. The Customer view and the PDF are rendered for
the organisation's customer users (`customer_principal`), through the same
privacy path as their own requests: no staff figures, withheld groups withheld.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from opsportal.benchmarks import service
from opsportal.benchmarks.charts import (
    COLOURS,
    ChartLanguage,
    TrendPoint,
    band_svg,
    percentile_svg,
    trend_svg,
)
from opsportal.benchmarks.pages import gaps, scorecard_words, wording
from opsportal.benchmarks.pages.drawn import DrawnTrends
from opsportal.benchmarks.pages.figures import staff_figures, verdict_label
from opsportal.benchmarks.published import PublishedDayCache
from opsportal.benchmarks.schemas import BenchmarkComparison, HistoryPoint
from opsportal.benchmarks.service import exports
from opsportal.benchmarks.service.history import HistoryCache
from opsportal.benchmarks.service.scorecard import (
    GroupChoice,
    comparisons_in,
    customer_principal,
    default_group,
    own_groups,
    wider_group,
    withheld,
)
from opsportal.config import Settings
from opsportal.deps import ResourceId, SessionDep, SettingsDep, run_read
from opsportal.kit.downloads import csv_download
from opsportal.metrics.registry import METRICS, get_metric
from opsportal.models import Organization, OrganizationStatus
from opsportal.principal import Principal
from opsportal.schemas import QueryText
from opsportal.tenants import service as tenant_service
from opsportal.web.i18n import text_direction
from opsportal.web.session import PageStaff, PageUser
from opsportal.web.templating import render

router = APIRouter(include_in_schema=False)

TREND_MONTHS = (6, 12)
TREND_DAYS = {6: 183, 12: 366}

IndustryQuery = Annotated[QueryText | None, Query(max_length=100)]
SizeQuery = Annotated[QueryText | None, Query(max_length=20)]
Months = Annotated[int, Query(description="Trend span: 6 or 12 months")]


@dataclass(frozen=True)
class Asked:
    """What every scorecard route is asked: an organisation, and a peer group (None: default)."""

    request: Request
    session: Session
    settings: Settings
    organization_id: int
    industry: str | None
    size: str | None

    @property
    def cache(self) -> PublishedDayCache:
        cache: PublishedDayCache = self.request.app.state.published_cache
        return cache

    @property
    def history_cache(self) -> HistoryCache:
        cache: HistoryCache = self.request.app.state.history_cache
        return cache


async def asked(
    request: Request,
    organization_id: ResourceId,
    session: SessionDep,
    settings: SettingsDep,
    industry: IndustryQuery = None,
    size: SizeQuery = None,
) -> Asked:
    return Asked(request, session, settings, organization_id, industry, size)


AskedDep = Annotated[Asked, Depends(asked)]


def chart_language() -> ChartLanguage:
    """How the charts write values and months in the page's language, and which way they read."""
    return ChartLanguage(
        value=wording.chart_value, month=wording.month, rtl=text_direction() == "rtl"
    )


_DRAWN_TRENDS = DrawnTrends()


def _card(
    comparison: BenchmarkComparison, history: list[HistoryPoint], language: ChartLanguage
) -> dict[str, object]:
    metric = get_metric(comparison.metric)
    floor, ceiling = (metric.min, metric.max) if metric else (None, None)
    label = wording.metric_label(comparison.metric)
    unit = comparison.unit
    chart = None
    banded = comparison.available and comparison.p25 is not None and comparison.p75 is not None
    if comparison.available and comparison.p25 is not None and comparison.p75 is not None:
        median = comparison.median if comparison.median is not None else comparison.p25
        chart = band_svg(
            p25=comparison.p25,
            median=median,
            p75=comparison.p75,
            value=comparison.your_value,
            unit=unit,
            floor=floor,
            ceiling=ceiling,
            title=wording.band_title(
                label, comparison.p25, median, comparison.p75, comparison.your_value, unit=unit
            ),
            language=language,
        )
    elif comparison.available and comparison.percentile is not None:
        # Too few peers for quartiles (customers): the position on the peers' scale instead.
        chart = percentile_svg(
            comparison.percentile,
            title=wording.percentile_title(label, comparison.percentile),
            language=language,
        )

    def draw_trend() -> str | None:
        points = [
            TrendPoint(p.calculated_for, p.your_value, p.p25, p.median, p.p75) for p in history
        ]
        return trend_svg(
            points,
            unit=unit,
            floor=floor,
            ceiling=ceiling,
            title=wording.trend_title(label, points, unit=unit),
            language=language,
        )

    # Drawn once per cached trend, metric and language (DrawnTrends keys by the locale too).
    trend = _DRAWN_TRENDS.draw(history, (label, unit), draw_trend)
    gap = comparison.median_gap
    return {
        "comparison": comparison,
        "label": label,
        "reason": wording.reason_text(comparison),
        "group": wording.comparison_group(comparison),
        "gap": wording.upper_first(gaps.gap_text(unit, gap)) if gap is not None else None,
        "chart": chart,
        "banded": banded,
        "verdict": verdict_label(comparison),
        "figures": staff_figures(comparison),
        "withheld": withheld(comparison),
        "trend": trend,
        "history": [p for p in history if p.available],
    }


@dataclass(frozen=True)
class Scorecard:
    """One organisation's comparisons in one group, as one viewer may see them."""

    group: GroupChoice
    comparisons: list[BenchmarkComparison]
    missing: list[BenchmarkComparison]  # withheld in this group
    wider: GroupChoice | None  # the nearest wider group that shows one of `missing`

    @property
    def summary(self) -> tuple[int, int] | None:
        """(metrics worse than the peers' median, metrics placed), or None when none is placed."""
        labels = [verdict_label(c) for c in self.comparisons]
        placed = [label for label in labels if label is not None]
        if not placed:
            return None
        return sum(label.key in ("worse", "worst") for label in placed), len(placed)


def build_scorecard(asked: Asked, *, viewer: Principal, organization: Organization) -> Scorecard:
    """The group asked for, or (nothing asked) the viewer's default group, with its comparisons."""
    session, settings = asked.session, asked.settings
    cache = asked.cache
    if asked.industry is None and asked.size is None:
        group, comparisons = default_group(
            session, principal=viewer, organization=organization, settings=settings, cache=cache
        )
    else:
        group = GroupChoice(asked.industry or "", asked.size or "")
        comparisons = comparisons_in(
            session,
            principal=viewer,
            organization_id=organization.id,
            group=group,
            settings=settings,
            cache=cache,
        )
    missing = [c for c in comparisons if withheld(c)]
    wider = None
    if missing:
        wider = wider_group(
            session,
            principal=viewer,
            organization_id=organization.id,
            group=group,
            missing=[c.metric for c in missing],
            settings=settings,
            cache=cache,
        )
    return Scorecard(group, comparisons, missing, wider)


def _page(
    asked: Asked, *, user: Principal, viewer: Principal, months: int, customer_view: bool
) -> Response:
    session, settings, organization_id = asked.session, asked.settings, asked.organization_id
    if months not in TREND_MONTHS:
        months = TREND_MONTHS[0]
    organization = tenant_service.get_organization(
        session, principal=user, organization_id=organization_id
    )
    card = build_scorecard(asked, viewer=viewer, organization=organization)
    histories = service.comparison_histories(
        session,
        principal=viewer,
        organization_id=organization_id,
        metrics=METRICS,
        days=TREND_DAYS[months],
        industry_sector=card.group.industry or None,
        size_band=card.group.size or None,
        settings=settings,
        cache=asked.history_cache,
    )
    language = chart_language()
    return render(
        asked.request,
        "benchmarks/scorecard.html",
        user=user,
        staff_view=viewer.is_staff,
        customer_view=customer_view,
        organization=organization,
        churned=organization.status is not OrganizationStatus.ACTIVE,
        scorecard=card,
        cards=[_card(c, histories[c.metric], language) for c in card.comparisons],
        chart_colours=COLOURS,
        scorecard_summary=scorecard_words.summary,
        months=months,
        trend_months=TREND_MONTHS,
        options=service.peer_group_options(
            session, principal=viewer, settings=settings, organization_id=organization_id
        ),
        own=own_groups(organization, settings)[0],
        industry=card.group.industry,
        size=card.group.size,
        min_peers=settings.benchmark_min_peers,
        min_peers_quartiles=settings.benchmark_min_peers_quartiles,
        freshness_days=settings.benchmark_freshness_days,
    )


# Async, the page built in one `run_read`: on SQLite at once, on PostgreSQL in one
# trip to a worker thread (a `def` route takes that trip on SQLite too).
@router.get("/benchmarks/organizations/{organization_id}")
async def scorecard(asked: AskedDep, user: PageUser, months: Months = 6) -> Response:
    return await run_read(
        asked.session,
        lambda: _page(asked, user=user, viewer=user, months=months, customer_view=False),
    )


@router.get("/benchmarks/organizations/{organization_id}/customer-view")
async def customer_view(asked: AskedDep, user: PageStaff, months: Months = 6) -> Response:
    """Staff: the scorecard exactly as the organisation's customer users get it."""
    viewer = customer_principal(user, asked.organization_id)
    return await run_read(
        asked.session,
        lambda: _page(asked, user=user, viewer=viewer, months=months, customer_view=True),
    )


@router.get("/benchmarks/organizations/{organization_id}/scorecard.csv")
def scorecard_download(asked: AskedDep, user: PageUser) -> Response:
    comparisons = service.compare_organization(
        asked.session,
        principal=user,
        organization_id=asked.organization_id,
        industry_sector=asked.industry or None,
        size_band=asked.size or None,
        settings=asked.settings,
        cache=asked.cache,
    )
    return csv_download(
        exports.scorecard_csv(comparisons, staff=user.is_staff),
        filename=f"scorecard-{asked.organization_id}.csv",
    )
