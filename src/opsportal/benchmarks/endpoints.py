"""Benchmark routes: calculate, run history, and where an organisation stands."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import TypeAdapter
from sqlalchemy.orm import Session

from opsportal.auth.deps import AdminUser, Caller, CallerDep, CurrentUser, StaffUser
from opsportal.benchmarks import service
from opsportal.benchmarks.published import PublishedDayCache
from opsportal.benchmarks.schemas import (
    BenchmarkComparison,
    BenchmarkRunRead,
    CalculateRequest,
    CalculationSummary,
    ComparisonRead,
    HistoryPoint,
    PeerGroupOptions,
    PeerGroupQuery,
    PortfolioPage,
)
from opsportal.benchmarks.service import exports
from opsportal.config import Settings
from opsportal.deps import (
    Limit,
    Offset,
    ResourceId,
    SessionDep,
    SessionFactoryDep,
    SettingsDep,
    run_read,
)
from opsportal.kit.downloads import csv_download, download_route
from opsportal.principal import Principal
from opsportal.schemas import MAX_ID, QueryText

router = APIRouter(prefix="/api/v1/benchmarks", tags=["benchmarks"])

# The hot read path: comparisons are built as schema objects by the service, so
# they are serialised straight to JSON rather than validated a second time.
_COMPARISONS: TypeAdapter[list[BenchmarkComparison]] = TypeAdapter(list[BenchmarkComparison])
_COMPARISON: TypeAdapter[BenchmarkComparison] = TypeAdapter(BenchmarkComparison)


def _json(adapter: TypeAdapter[Any], value: Any) -> Response:
    # serialize_as_any: a StaffBenchmarkComparison keeps its staff-only fields.
    body = adapter.dump_json(value, by_alias=True, serialize_as_any=True)
    return Response(body, media_type="application/json")


async def published_cache(request: Request) -> PublishedDayCache:
    cache: PublishedDayCache = request.app.state.published_cache
    return cache


PublishedCacheDep = Annotated[PublishedDayCache, Depends(published_cache)]

IndustrySector = Annotated[
    QueryText | None,
    Query(
        alias="industrySector",
        max_length=100,
        description="Compare with this industry only (default: every industry)",
    ),
]
EmployeeMin = Annotated[
    int | None,
    Query(alias="employeeMin", ge=0, le=MAX_ID, description="Lower end of a size band"),
]
EmployeeMax = Annotated[
    int | None,
    Query(alias="employeeMax", ge=0, le=MAX_ID, description="Upper end of a size band"),
]


async def peer_group_query(
    settings: SettingsDep,
    industry_sector: IndustrySector = None,
    employee_min: EmployeeMin = None,
    employee_max: EmployeeMax = None,
) -> PeerGroupQuery:
    """The peer group named by industrySector, employeeMin and employeeMax (422 for a non-band)."""
    band = service.size_band_for(settings, employee_min=employee_min, employee_max=employee_max)
    return PeerGroupQuery(industry_sector=industry_sector, size_band=band)


PeerGroupDep = Annotated[PeerGroupQuery, Depends(peer_group_query)]


@dataclass(frozen=True)
class Comparisons:
    """An organisation against the peer group the request names, as the caller may see it.

    The caller's token is checked on first use (`Caller`), inside the route's
    reads: one trip to a worker thread on PostgreSQL for both.
    """

    session: Session
    settings: Settings
    cache: PublishedDayCache
    caller: Caller
    group: PeerGroupQuery

    @property
    def principal(self) -> Principal:
        return self.caller.principal()

    def organization(self, organization_id: int) -> list[BenchmarkComparison]:
        return service.compare_organization(
            self.session,
            principal=self.principal,
            organization_id=organization_id,
            industry_sector=self.group.industry_sector,
            size_band=self.group.size_band,
            settings=self.settings,
            cache=self.cache,
        )

    def metric(self, organization_id: int, metric: str) -> BenchmarkComparison:
        return service.compare_metric(
            self.session,
            principal=self.principal,
            organization_id=organization_id,
            metric=metric,
            industry_sector=self.group.industry_sector,
            size_band=self.group.size_band,
            settings=self.settings,
            cache=self.cache,
        )

    def history(self, organization_id: int, metric: str, *, days: int) -> list[HistoryPoint]:
        return service.comparison_history(
            self.session,
            principal=self.principal,
            organization_id=organization_id,
            metric=metric,
            days=days,
            industry_sector=self.group.industry_sector,
            size_band=self.group.size_band,
            settings=self.settings,
        )


async def comparisons(
    session: SessionDep,
    settings: SettingsDep,
    cache: PublishedCacheDep,
    caller: CallerDep,
    group: PeerGroupDep,
) -> Comparisons:
    return Comparisons(session, settings, cache, caller, group)


ComparisonsDep = Annotated[Comparisons, Depends(comparisons)]


@router.post(
    "/calculate",
    response_model=CalculationSummary,
    responses={503: {"description": "The run failed; the previous results stay published"}},
)
def calculate(
    session: SessionDep,
    session_factory: SessionFactoryDep,
    settings: SettingsDep,
    user: AdminUser,
    body: CalculateRequest | None = None,
) -> CalculationSummary:
    """Calculate and publish benchmarks now (default: for today, UTC); replaces that day."""
    # The run commits in its own transactions, so that a failure is recorded
    # too. End this request's (read-only) transaction first: on SQLite it holds
    # the database's write lock, which the run needs.
    session.commit()
    return service.run_benchmarks(
        session_factory,
        settings=settings,
        calculated_for=body.calculated_for if body else None,
        trigger="api",
        actor=user,
    )


@router.get("/runs", response_model=list[BenchmarkRunRead])
def list_runs(
    session: SessionDep,
    user: StaffUser,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[BenchmarkRunRead]:
    """Benchmark run history, newest first."""
    return service.list_runs(session, limit=limit, offset=offset)


@router.get("/peer-groups", response_model=PeerGroupOptions)
def peer_groups(session: SessionDep, settings: SettingsDep, user: CurrentUser) -> PeerGroupOptions:
    """Industries and size bands to choose a peer group from (a customer: its own only)."""
    return service.peer_group_options(
        session, principal=user, settings=settings, organization_id=None
    )


@router.get("/organizations/{organization_id}", response_model=list[ComparisonRead])
async def compare_organization(organization_id: ResourceId, compare: ComparisonsDep) -> Response:
    """Every metric of an organisation against its peers (default peer group: all customers)."""
    return await run_read(
        compare.session, lambda: _json(_COMPARISONS, compare.organization(organization_id))
    )


@router.get("/organizations/{organization_id}/metrics/{metric}", response_model=ComparisonRead)
def compare_metric(organization_id: ResourceId, metric: str, compare: ComparisonsDep) -> Response:
    """One metric of an organisation against its peers (default peer group: all customers)."""
    return _json(_COMPARISON, compare.metric(organization_id, metric))


@router.get("/organizations/{organization_id}/history", response_model=list[HistoryPoint])
def comparison_history(
    organization_id: ResourceId,
    metric: Annotated[QueryText, Query(min_length=1, max_length=50, description="A metric name")],
    compare: ComparisonsDep,
    days: Annotated[
        int, Query(ge=1, le=service.MAX_HISTORY_DAYS, description="How far back, in days")
    ] = 180,
) -> list[HistoryPoint]:
    """One metric of an organisation, one point per calculated day, oldest first."""
    return compare.history(organization_id, metric, days=days)


@router.get(
    "/organizations/{organization_id}/scorecard.csv",
    **download_route("text/csv", "One row per metric"),
)
def scorecard_csv(organization_id: ResourceId, compare: ComparisonsDep) -> Response:
    """The scorecard as CSV: one row per metric with the comparison's fields."""
    return csv_download(
        exports.scorecard_csv(
            compare.organization(organization_id), staff=compare.principal.is_staff
        ),
        filename=f"scorecard-{organization_id}.csv",
    )


MetricFilter = Annotated[
    QueryText | None, Query(max_length=50, description="Only this metric (default: every metric)")
]


@router.get("/portfolio", response_model=PortfolioPage)
def portfolio(
    session: SessionDep,
    settings: SettingsDep,
    user: StaffUser,
    group: PeerGroupDep,
    metric: MetricFilter = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> PortfolioPage:
    """Organisations of a peer group, those with most metrics in its bottom quartile first."""
    chosen = exports.group_filter(
        settings, industry_sector=group.industry_sector, size_band=group.size_band, metric=metric
    )
    found = exports.portfolio(session, principal=user, chosen=chosen, limit=limit, offset=offset)
    return PortfolioPage(
        calculated_for=found.calculated_for,
        items=found.rows,
        total=found.total,
        limit=limit,
        offset=offset,
    )


@router.get("/peer-group.csv", **download_route("text/csv", "Organisation × metric rows"))
def peer_group_csv(
    settings: SettingsDep,
    session_factory: SessionFactoryDep,
    user: StaffUser,
    group: PeerGroupDep,
    metric: MetricFilter = None,
) -> Response:
    """Every organisation × metric of a peer group on the newest day, with percentiles."""
    chosen = exports.group_filter(
        settings, industry_sector=group.industry_sector, size_band=group.size_band, metric=metric
    )
    return csv_download(
        exports.group_csv(session_factory, principal=user, chosen=chosen),
        filename="peer-group.csv",
    )
