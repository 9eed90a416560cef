"""Benchmark schemas: comparisons (customer and staff views), runs, peer-group choices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from pydantic import PrivateAttr

from opsportal.benchmarks.verdicts import Verdict
from opsportal.models import RunStatus
from opsportal.schemas import ApiModel, InputModel


@dataclass(frozen=True)
class Wording:
    """What a comparison's English texts were made of, so a page can say them in its reader's
    language (`benchmarks.pages.wording`); the API keeps serving the English.

    `reason` names which of `service.comparisons`' reasons `reason` is (None: none).
    """

    sector: str  # the peer group's industry, as the organisations spell it ("": any)
    size_band: str  # its size band's label ("": any)
    reason: str | None = None
    organization: str = ""  # the organisation's name, for "has no value" reasons
    minimum: int = 0  # the peer minimum a "fewer than" reason quotes
    freshness_days: int = 0


class BenchmarkComparison(ApiModel):
    """Where one organisation stands on one metric: what every role may see.

    Never carries min, max, mean or the quantile summary: those are for staff
    (`StaffBenchmarkComparison`), so a customer's response cannot leak them.
    For a customer, p25/median/p75 are those of its other peers, rounded, and null
    in groups below the quartile minimum; its percentile and verdict are estimated
    from them and its own value (`percentileEstimated`).
    """

    available: bool
    reason: str | None = None
    metric: str
    label: str
    unit: str
    higher_is_better: bool
    # The value the run used: served as stored, so a later value changes nothing until the next run.
    your_value: float | None = None
    percentile: int | None = None
    # True when `percentile` is estimated from the p25/median/p75 shown and your value
    # (what customers get), false when it is the run's exact figure (staff).
    percentile_estimated: bool | None = None
    p25: float | None = None
    median: float | None = None
    p75: float | None = None
    peer_count: int | None = None
    filter_description: str
    calculated_for: date | None = None
    calculated_at: datetime | None = None
    verdict: Verdict | None = None
    # Your value minus the median, in the metric's unit (null when no median is shown),
    # and the same in words, direction-aware: "2.1 days faster than the median".
    median_gap: float | None = None
    summary: str | None = None
    # Never serialised: what the pages word `reason` and `filterDescription` from.
    _wording: Wording | None = PrivateAttr(default=None)

    @property
    def wording(self) -> Wording | None:
        return self._wording

    def set_wording(self, wording: Wording) -> None:
        self._wording = wording


class StaffBenchmarkComparison(BenchmarkComparison):
    """The staff view adds the peer group's mean, extremes and 101-point quantile summary."""

    # No defaults: a customer-shaped object must not validate as this class.
    mean: float | None
    min: float | None
    max: float | None
    quantiles: list[float] | None
    # True when customers are not shown this group (complementary suppression).
    withheld_from_customers: bool | None
    # The same metric and group exactly as the organisation's customer users are shown it
    # (their endpoint's answer), so staff can quote the customer's own figures.
    customer_view: BenchmarkComparison | None = None


ComparisonRead = StaffBenchmarkComparison | BenchmarkComparison


class HistoryPoint(ApiModel):
    """One calculated day of an organisation's position on one metric."""

    calculated_for: date
    available: bool
    your_value: float | None
    percentile: int | None
    percentile_estimated: bool | None
    p25: float | None
    median: float | None
    p75: float | None
    peer_count: int | None
    verdict: Verdict | None


class PortfolioItem(ApiModel):
    organization_id: int
    name: str
    industry_sector: str | None
    employee_count: int | None
    # Metrics in the bottom quartile of the chosen peer group, of the metrics placed in it.
    bottom_quartile_metrics: int
    metrics_placed: int


class PortfolioPage(ApiModel):
    calculated_for: date | None
    items: list[PortfolioItem]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True)
class PeerGroupQuery:
    """A peer group as a request names it: an industry and/or a size band label (None: any)."""

    industry_sector: str | None
    size_band: str | None


class CalculateRequest(InputModel):
    calculated_for: date | None = None


class CalculationSummary(ApiModel):
    run_id: int
    calculated_for: date
    metrics_calculated: int
    cohorts_published: int
    cohorts_suppressed: int
    cohorts_withheld: int
    duration_ms: int


class BenchmarkRunRead(ApiModel):
    id: int
    calculated_for: date
    status: RunStatus
    trigger: str
    started_at: datetime
    finished_at: datetime | None
    metrics_calculated: int
    cohorts_published: int
    cohorts_suppressed: int
    cohorts_withheld: int
    error: str | None


class SizeBandRead(ApiModel):
    label: str
    employee_min: int
    employee_max: int | None


class PeerGroupOptions(ApiModel):
    """What a peer-group chooser offers (to a customer: only its own organisation's groups)."""

    industry_sectors: list[str]
    size_bands: list[SizeBandRead]
