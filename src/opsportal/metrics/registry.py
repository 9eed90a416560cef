"""The metric registry: the health metrics customer organisations report, and computed ones.

Labels are marked for translation (`N_`) and stay English here: the API and the
CSVs speak them as they are; the pages translate them (`benchmarks.pages.wording`).

A computed metric (`computed=True`) is never imported: its values come from a
source inside opsportal (see `metrics.computed`), refreshed by each benchmark run.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from opsportal.web.i18n import N_


class Unit(enum.StrEnum):
    """What a metric's values count. `show` writes a value in it: the one way every view does."""

    PERCENT = "percent"
    DAYS = "days"

    def show(self, value: float | None) -> str:
        """`12.5 %`, `3 days`, `1 day`; a whole number without decimals; `—` for none."""
        if value is None:
            return "—"
        number = f"{int(value):,}" if float(value).is_integer() else f"{value:,.1f}"
        if self is Unit.PERCENT:
            return f"{number} %"
        return f"{number} {'day' if number == '1' else 'days'}"


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    unit: Unit
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
        N_("Attestation completion rate"),
        Unit.PERCENT,
        higher_is_better=True,
        min=0.0,
        max=100.0,
    ),
    Metric(
        "case_resolution_time",
        N_("Case resolution time"),
        Unit.DAYS,
        higher_is_better=False,
        min=0.0,
        max=None,
    ),
    Metric(
        "case_on_time_rate",
        N_("Cases closed on time"),
        Unit.PERCENT,
        higher_is_better=True,
        min=0.0,
        max=100.0,
    ),
    Metric("login_rate", N_("Login rate"), Unit.PERCENT, higher_is_better=True, min=0.0, max=100.0),
    Metric(
        "feature_adoption_rate",
        N_("Feature adoption rate"),
        Unit.PERCENT,
        higher_is_better=True,
        min=0.0,
        max=100.0,
    ),
    Metric(
        "training_completion_rate",
        N_("Training completion rate"),
        Unit.PERCENT,
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
