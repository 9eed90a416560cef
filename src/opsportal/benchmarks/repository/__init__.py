"""Benchmark queries, by what they serve: the values a run reads (`values`), runs and
their locks (`runs`), a day's group results (`results`) and organisation positions
(`positions`), and the organisations of a peer group (`portfolio`)."""

from opsportal.benchmarks.repository.portfolio import (
    GroupSelection,
    bottom_quartile_ids,
    group_positions,
    portfolio,
)
from opsportal.benchmarks.repository.positions import (
    Membership,
    MembershipColumns,
    PlacedDay,
    Position,
    PositionColumns,
    day_members,
    placed_day,
    placed_history,
    position_history,
    positions_of,
)
from opsportal.benchmarks.repository.results import (
    active_sectors,
    replace_results,
    result_history,
    results_for,
)
from opsportal.benchmarks.repository.runs import (
    RUN_LOCK_KEY,
    PublishedRun,
    acquire_run_lock,
    calculated_days,
    claimed_run,
    get_run,
    latest_published_run,
    list_runs,
    publications,
    run_is_abandoned,
    running_runs,
    runs_of_day,
)
from opsportal.benchmarks.repository.storing import replace_positions
from opsportal.benchmarks.repository.values import FreshValues, active_members, load_fresh_values

__all__ = [
    "bottom_quartile_ids",
    "RUN_LOCK_KEY",
    "FreshValues",
    "GroupSelection",
    "Membership",
    "MembershipColumns",
    "PlacedDay",
    "Position",
    "PositionColumns",
    "PublishedRun",
    "acquire_run_lock",
    "active_members",
    "active_sectors",
    "calculated_days",
    "claimed_run",
    "day_members",
    "get_run",
    "group_positions",
    "latest_published_run",
    "list_runs",
    "publications",
    "load_fresh_values",
    "placed_day",
    "placed_history",
    "portfolio",
    "position_history",
    "positions_of",
    "replace_positions",
    "replace_results",
    "result_history",
    "results_for",
    "run_is_abandoned",
    "running_runs",
    "runs_of_day",
]
