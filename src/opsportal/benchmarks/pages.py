"""Benchmark pages: an organisation's scorecard, and (for staff) the run history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from opsportal.benchmarks import service
from opsportal.benchmarks.charts import band_svg, verdict
from opsportal.benchmarks.schemas import BenchmarkComparison
from opsportal.db import SessionDep
from opsportal.deps import SessionFactoryDep, SettingsDep
from opsportal.errors import Conflict
from opsportal.metrics.registry import get_metric
from opsportal.schemas import QueryText, ResourceId
from opsportal.tenants import service as tenant_service
from opsportal.web.session import CheckedForm, PageAdmin, PageStaff, PageUser
from opsportal.web.templating import render

router = APIRouter(include_in_schema=False)

RUNS_SHOWN = 50


@router.get("/benchmarks")
def benchmarks_home(user: PageUser) -> RedirectResponse:
    """Customers go to their own scorecard; staff pick an organisation first."""
    if user.organization_id is not None and not user.is_staff:
        return RedirectResponse(f"/benchmarks/organizations/{user.organization_id}", 303)
    return RedirectResponse("/organizations", 303)


def _card(comparison: BenchmarkComparison) -> dict[str, object]:
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
    return {
        "comparison": comparison,
        "chart": chart,
        "verdict": verdict(comparison.percentile) if comparison.percentile is not None else None,
    }


@router.get("/benchmarks/organizations/{organization_id}")
def scorecard(
    request: Request,
    organization_id: ResourceId,
    session: SessionDep,
    user: PageUser,
    settings: SettingsDep,
    industry: Annotated[QueryText | None, Query(max_length=100)] = None,
    size: Annotated[QueryText | None, Query(max_length=20)] = None,
) -> Response:
    organization = tenant_service.get_organization(
        session, principal=user, organization_id=organization_id
    )
    comparisons = service.compare_organization(
        session,
        principal=user,
        organization_id=organization_id,
        industry_sector=industry or None,
        size_band=size or None,
        settings=settings,
        cache=request.app.state.published_cache,
    )
    return render(
        request,
        "benchmarks/scorecard.html",
        user=user,
        organization=organization,
        cards=[_card(c) for c in comparisons],
        options=service.peer_group_options(
            session, principal=user, settings=settings, organization_id=organization_id
        ),
        industry=industry or "",
        size=size or "",
        min_peers=settings.benchmark_min_peers,
        min_peers_quartiles=settings.benchmark_min_peers_quartiles,
        freshness_days=settings.benchmark_freshness_days,
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
        summary = service.run_benchmarks(session_factory, settings=settings, trigger="web")
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
