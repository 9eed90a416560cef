"""Benchmark services: runs publish a day (`runs`); comparisons (`comparisons`), their
history (`history`) and exports (`exports`) read it; `peer_groups` names the groups."""

from opsportal.benchmarks.service.comparisons import compare_metric, compare_organization
from opsportal.benchmarks.service.history import (
    MAX_HISTORY_DAYS,
    comparison_histories,
    comparison_history,
)
from opsportal.benchmarks.service.peer_groups import (
    peer_group_options,
    resolve_peer_group,
    size_band_for,
)
from opsportal.benchmarks.service.reasons import NOT_PUBLISHED
from opsportal.benchmarks.service.runs import (
    RunFailed,
    aggregate_fresh_values,
    calculate_benchmarks,
    close_abandoned_runs,
    list_runs,
    run_benchmarks,
)

__all__ = [
    "MAX_HISTORY_DAYS",
    "NOT_PUBLISHED",
    "RunFailed",
    "aggregate_fresh_values",
    "calculate_benchmarks",
    "close_abandoned_runs",
    "compare_metric",
    "compare_organization",
    "comparison_histories",
    "comparison_history",
    "list_runs",
    "peer_group_options",
    "resolve_peer_group",
    "run_benchmarks",
    "size_band_for",
]
