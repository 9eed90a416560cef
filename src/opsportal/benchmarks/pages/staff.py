"""Staff benchmark pages: the portfolio (where "Benchmarks" leads staff) and the run history."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from opsportal.audit import service as audit_service
from opsportal.audit.repository import EntryFilter
from opsportal.benchmarks import repository, service
from opsportal.benchmarks.pages import wording
from opsportal.benchmarks.schemas import PortfolioItem
from opsportal.benchmarks.service import exports
from opsportal.benchmarks.service.run_detail import run_detail
from opsportal.config import Settings
from opsportal.deps import ResourceId, SessionDep, SessionFactoryDep, SettingsDep
from opsportal.errors import Conflict
from opsportal.kit.downloads import csv_download
from opsportal.metrics.registry import METRICS, get_metric
from opsportal.schemas import QueryText
from opsportal.web.i18n import _, ngettext
from opsportal.web.session import CheckedForm, PageAdmin, PageStaff, PageUser
from opsportal.web.templating import page_count, render, templates

router = APIRouter(include_in_schema=False)

RUNS_SHOWN = 50


@router.get("/benchmarks")
def benchmarks_home(user: PageUser) -> RedirectResponse:
    """Customers go to their own scorecard; staff to the portfolio (Organizations is the list)."""
    if user.organization_id is not None and not user.is_staff:
        return RedirectResponse(f"/benchmarks/organizations/{user.organization_id}", 303)
    return RedirectResponse("/benchmarks/portfolio", 303)


PORTFOLIO_PER_PAGE = 50


def bottom_quartile_count(row: PortfolioItem) -> str:
    """ "2 of 5 metrics": a portfolio row's metrics in the bottom quartile, of those placed."""
    return ngettext(
        "%(below)s of %(num)d metric",
        "%(below)s of %(num)d metrics",
        row.metrics_placed,
        below=row.bottom_quartile_metrics,
    )


templates.env.filters["bottom_quartile_count"] = bottom_quartile_count


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
        pages=page_count(found.total, PORTFOLIO_PER_PAGE),
        query=query,
        latest_run=next(iter(service.list_runs(session, limit=1)), None),
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
        exports.group_csv(session_factory, principal=user, chosen=chosen),
        filename="peer-group.csv",
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


@router.get("/benchmarks/runs/{run_id}")
def run_page(
    request: Request, session: SessionDep, user: PageStaff, run_id: ResourceId
) -> Response:
    """Staff: one run, what it computed and who started it, and why another of its day differs."""
    detail = run_detail(session, run_id)
    # Who started a run by hand is in the audit trail, written when the run was recorded.
    entries, _count = audit_service.list_entries(
        session,
        EntryFilter(target_type="benchmark_run", target_id=run_id, action="benchmark_run.start"),
        limit=1,
        offset=0,
    )
    return render(
        request,
        "benchmarks/run.html",
        user=user,
        detail=detail,
        actor=(entries[0].actor_email or _("the command line")) if entries else None,
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
        request.session["flash"] = _(exc.detail)
    else:
        request.session["flash"] = _(
            "Run %(run)s for %(day)s finished in %(ms)s ms: %(published)s peer groups published, "
            "%(suppressed)s held back for privacy, %(withheld)s more withheld from customers.",
            run=summary.run_id,
            day=wording.day(summary.calculated_for),
            ms=summary.duration_ms,
            published=summary.cohorts_published,
            suppressed=summary.cohorts_suppressed,
            withheld=summary.cohorts_withheld,
        )
    return RedirectResponse("/benchmarks/runs", status_code=303)
