"""Benchmark pages: an organisation's scorecard, and (for staff) the run history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from opsportal.auth.service import Principal
from opsportal.benchmarks import repository, service
from opsportal.benchmarks.charts import TrendPoint, band_svg, trend_svg
from opsportal.benchmarks.downloads import csv_download
from opsportal.benchmarks.schemas import BenchmarkComparison, HistoryPoint
from opsportal.benchmarks.service import exports
from opsportal.benchmarks.verdicts import VERDICT_TEXT, Verdict
from opsportal.config import Settings
from opsportal.db import SessionDep
from opsportal.deps import SessionFactoryDep, SettingsDep
from opsportal.errors import Conflict
from opsportal.metrics.registry import METRICS, get_metric
from opsportal.schemas import QueryText, ResourceId
from opsportal.tenants import service as tenant_service
from opsportal.web.session import CheckedForm, PageAdmin, PageStaff, PageUser
from opsportal.web.templating import render

router = APIRouter(include_in_schema=False)

RUNS_SHOWN = 50
TREND_MONTHS = (6, 12)
TREND_DAYS = {6: 183, 12: 366}


@router.get("/benchmarks")
def benchmarks_home(user: PageUser) -> RedirectResponse:
    """Customers go to their own scorecard; staff pick an organisation first."""
    if user.organization_id is not None and not user.is_staff:
        return RedirectResponse(f"/benchmarks/organizations/{user.organization_id}", 303)
    return RedirectResponse("/organizations", 303)


@dataclass(frozen=True)
class VerdictLabel:
    key: str  # the CSS modifier: top, above, below, bottom
    text: str


def _verdict_label(verdict: Verdict | None) -> VerdictLabel | None:
    if verdict is None:
        return None
    return VerdictLabel(verdict.value.split("_")[0].lower(), VERDICT_TEXT[verdict])


def _card(comparison: BenchmarkComparison, history: list[HistoryPoint]) -> dict[str, object]:
    metric = get_metric(comparison.metric)
    chart = None
    if comparison.available and comparison.p25 is not None and comparison.p75 is not None:
        chart = band_svg(
            p25=comparison.p25,
            median=comparison.median if comparison.median is not None else comparison.p25,
            p75=comparison.p75,
            value=comparison.your_value,
            unit=comparison.unit,
            floor=metric.min if metric else None,
            ceiling=metric.max if metric else None,
            label=comparison.label,
        )
    trend = trend_svg(
        [TrendPoint(p.calculated_for, p.your_value, p.p25, p.median, p.p75) for p in history],
        unit=comparison.unit,
        floor=metric.min if metric else None,
        ceiling=metric.max if metric else None,
        label=comparison.label,
    )
    return {
        "comparison": comparison,
        "chart": chart,
        "verdict": _verdict_label(comparison.verdict),
        "trend": trend,
        "history": [p for p in history if p.available],
    }


def _comparisons(
    request: Request,
    session: Session,
    *,
    user: Principal,
    settings: Settings,
    organization_id: int,
    industry: str | None,
    size: str | None,
) -> list[BenchmarkComparison]:
    """Every metric against the peer group the page's `industry` and `size` choices name."""
    return service.compare_organization(
        session,
        principal=user,
        organization_id=organization_id,
        industry_sector=industry or None,
        size_band=size or None,
        settings=settings,
        cache=request.app.state.published_cache,
    )


@router.get("/benchmarks/organizations/{organization_id}")
def scorecard(
    request: Request,
    organization_id: ResourceId,
    session: SessionDep,
    user: PageUser,
    settings: SettingsDep,
    industry: Annotated[QueryText | None, Query(max_length=100)] = None,
    size: Annotated[QueryText | None, Query(max_length=20)] = None,
    months: Annotated[int, Query(description="Trend span: 6 or 12 months")] = 6,
) -> Response:
    if months not in TREND_MONTHS:
        months = TREND_MONTHS[0]
    organization = tenant_service.get_organization(
        session, principal=user, organization_id=organization_id
    )
    comparisons = _comparisons(
        request,
        session,
        user=user,
        settings=settings,
        organization_id=organization_id,
        industry=industry,
        size=size,
    )
    histories = service.comparison_histories(
        session,
        principal=user,
        organization_id=organization_id,
        metrics=METRICS,
        days=TREND_DAYS[months],
        industry_sector=industry or None,
        size_band=size or None,
        settings=settings,
    )
    return render(
        request,
        "benchmarks/scorecard.html",
        user=user,
        organization=organization,
        cards=[_card(c, histories[c.metric]) for c in comparisons],
        months=months,
        trend_months=TREND_MONTHS,
        options=service.peer_group_options(
            session, principal=user, settings=settings, organization_id=organization_id
        ),
        industry=industry or "",
        size=size or "",
        min_peers=settings.benchmark_min_peers,
        min_peers_quartiles=settings.benchmark_min_peers_quartiles,
        freshness_days=settings.benchmark_freshness_days,
    )


@router.get("/benchmarks/organizations/{organization_id}/scorecard.csv")
def scorecard_download(
    request: Request,
    organization_id: ResourceId,
    session: SessionDep,
    user: PageUser,
    settings: SettingsDep,
    industry: Annotated[QueryText | None, Query(max_length=100)] = None,
    size: Annotated[QueryText | None, Query(max_length=20)] = None,
) -> Response:
    comparisons = _comparisons(
        request,
        session,
        user=user,
        settings=settings,
        organization_id=organization_id,
        industry=industry,
        size=size,
    )
    return csv_download(
        exports.scorecard_csv(comparisons, staff=user.is_staff), f"scorecard-{organization_id}.csv"
    )


PORTFOLIO_PER_PAGE = 50


def _portfolio_filter(
    settings: Settings, industry: str | None, size: str | None, metric: str | None
) -> repository.GroupSelection:
    return exports.group_filter(
        settings,
        industry_sector=industry or None,
        size_band=size or None,
        metric=metric if metric and get_metric(metric) else None,
    )


@router.get("/benchmarks/portfolio")
def portfolio_page(
    request: Request,
    session: SessionDep,
    user: PageStaff,
    settings: SettingsDep,
    industry: Annotated[QueryText | None, Query(max_length=100)] = None,
    size: Annotated[QueryText | None, Query(max_length=20)] = None,
    metric: Annotated[QueryText | None, Query(max_length=50)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Staff: which customers need attention, most bottom-quartile metrics first."""
    chosen = _portfolio_filter(settings, industry, size, metric)
    found = exports.portfolio(
        session,
        principal=user,
        chosen=chosen,
        limit=PORTFOLIO_PER_PAGE,
        offset=(page - 1) * PORTFOLIO_PER_PAGE,
    )
    query = urlencode(
        {k: v for k, v in (("industry", industry), ("size", size), ("metric", metric)) if v}
    )
    return render(
        request,
        "benchmarks/portfolio.html",
        user=user,
        portfolio=found,
        options=service.peer_group_options(
            session, principal=user, settings=settings, organization_id=None
        ),
        metrics=METRICS,
        industry=industry or "",
        size=size or "",
        metric=chosen.metric or "",
        page=page,
        pages=max(1, -(-found.total // PORTFOLIO_PER_PAGE)),
        query=query,
    )


@router.get("/benchmarks/portfolio.csv")
def portfolio_download(
    user: PageStaff,
    settings: SettingsDep,
    session_factory: SessionFactoryDep,
    industry: Annotated[QueryText | None, Query(max_length=100)] = None,
    size: Annotated[QueryText | None, Query(max_length=20)] = None,
    metric: Annotated[QueryText | None, Query(max_length=50)] = None,
) -> Response:
    chosen = _portfolio_filter(settings, industry, size, metric)
    return csv_download(
        exports.group_csv(session_factory, principal=user, chosen=chosen), "peer-group.csv"
    )


@router.get("/benchmarks/runs")
def run_history(request: Request, session: SessionDep, user: PageStaff) -> Response:
    return render(
        request,
        "benchmarks/runs.html",
        user=user,
        runs=service.list_runs(session, limit=RUNS_SHOWN),
        message=request.session.pop("flash", None),
    )


@router.post("/benchmarks/runs")
def run_now(
    request: Request,
    session: SessionDep,
    user: PageAdmin,
    settings: SettingsDep,
    session_factory: SessionFactoryDep,
    form: CheckedForm,
) -> Response:
    # The run commits in its own transactions; end this request's first (on
    # SQLite it holds the write lock the run needs).
    session.commit()
    try:
        summary = service.run_benchmarks(
            session_factory, settings=settings, trigger="web", actor=user
        )
    except Conflict as exc:
        request.session["flash"] = exc.detail
    else:
        request.session["flash"] = (
            f"Run {summary.run_id} for {summary.calculated_for.isoformat()} finished in "
            f"{summary.duration_ms} ms: {summary.cohorts_published} peer groups published, "
            f"{summary.cohorts_suppressed} held back for privacy, "
            f"{summary.cohorts_withheld} more withheld from customers."
        )
    return RedirectResponse("/benchmarks/runs", status_code=303)
