"""The metric registry: the health metrics customer organisations report, and computed ones.

A computed metric (`computed=True`) is never imported: its values come from a
source inside opsportal (see `metrics.computed`), refreshed by each benchmark run.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    unit: str
    higher_is_better: bool
    min: float
    max: float | None  # None: no upper bound
    computed: bool = False

    def check(self, value: float) -> str | None:
        """Why `value` is out of range for this metric, or None when it fits."""
        if value < self.min:
            return f"{self.name} must be at least {self.min:g} {self.unit}"
        if self.max is not None and value > self.max:
            return f"{self.name} must be at most {self.max:g} {self.unit}"
        return None


METRICS: tuple[Metric, ...] = (
    Metric(
        "attestation_completion_rate",
        "Attestation completion rate",
        "percent",
        higher_is_better=True,
        min=0.0,
        max=100.0,
    ),
    Metric(
        "case_resolution_time",
        "Case resolution time",
        "days",
        higher_is_better=False,
        min=0.0,
        max=None,
    ),
    Metric(
        "case_on_time_rate",
        "Cases closed on time",
        "percent",
        higher_is_better=True,
        min=0.0,
        max=100.0,
    ),
    Metric("login_rate", "Login rate", "percent", higher_is_better=True, min=0.0, max=100.0),
    Metric(
        "feature_adoption_rate",
        "Feature adoption rate",
        "percent",
        higher_is_better=True,
        min=0.0,
        max=100.0,
    ),
    Metric(
        "training_completion_rate",
        "Training completion rate",
        "percent",
        higher_is_better=True,
        min=0.0,
        max=100.0,
        computed=True,
    ),
)

METRICS_BY_NAME: dict[str, Metric] = {metric.name: metric for metric in METRICS}
METRIC_NAMES: tuple[str, ...] = tuple(METRICS_BY_NAME)
# The metrics that organisations report (imports and the API accept only these).
IMPORTED_METRIC_NAMES: tuple[str, ...] = tuple(m.name for m in METRICS if not m.computed)


def get_metric(name: str) -> Metric | None:
    return METRICS_BY_NAME.get(name)
