"""Verdicts: a stored, direction-aware percentile in plain words (pure).

The percentile already means "better than this share of peers" for every
metric, lower-is-better ones included, so one scale serves them all.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from opsportal.metrics.registry import Metric, Unit


class Verdict(enum.StrEnum):
    TOP_QUARTILE = "TOP_QUARTILE"
    ABOVE_MEDIAN = "ABOVE_MEDIAN"
    BELOW_MEDIAN = "BELOW_MEDIAN"
    BOTTOM_QUARTILE = "BOTTOM_QUARTILE"


# Best first: a verdict's index here is its rank (0 is best).
VERDICT_ORDER = (
    Verdict.TOP_QUARTILE,
    Verdict.ABOVE_MEDIAN,
    Verdict.BELOW_MEDIAN,
    Verdict.BOTTOM_QUARTILE,
)

# A percentile under this is the bottom quartile; at or above it, the quartiles above.
BOTTOM_QUARTILE_BELOW = 25

# The API's words for a verdict (its fixed enum), and the CSV's. People are shown
# `verdict_words`: the same verdict in the metric's own direction.
VERDICT_TEXT = {
    Verdict.TOP_QUARTILE: "Top quartile",
    Verdict.ABOVE_MEDIAN: "Above median",
    Verdict.BELOW_MEDIAN: "Below median",
    Verdict.BOTTOM_QUARTILE: "Bottom quartile",
}


@dataclass(frozen=True)
class Direction:
    """How a metric's better and worse read: "faster"/"slower", "higher"/"lower"."""

    better: str
    worse: str
    best: str
    worst: str


# Days (lower is better): fewer days is faster. Rates (higher is better): higher.
FASTER = Direction("faster", "slower", "fastest", "slowest")
HIGHER = Direction("higher", "lower", "highest", "lowest")
LOWER = Direction("lower", "higher", "lowest", "highest")
BETTER = Direction("better", "worse", "best", "worst")


def direction(unit: str, *, higher_is_better: bool) -> Direction:
    """The words a metric's verdicts use (better/worse where no plainer word fits)."""
    if unit == "days":
        return BETTER if higher_is_better else FASTER
    if unit == "percent":
        return HIGHER if higher_is_better else LOWER
    return BETTER


def is_better(verdict: Verdict) -> bool:
    """The better half (top quartile, above the median): what the colour of a verdict follows."""
    return verdict in (Verdict.TOP_QUARTILE, Verdict.ABOVE_MEDIAN)


def verdict_words(verdict: Verdict, *, unit: str, higher_is_better: bool) -> str:
    """A verdict as a person reads it: "Faster than the median", "Among the lowest quarter".

    The percentile (and so the verdict) already means "better than this share of
    peers", so the top quartile of a lower-is-better metric is its fastest quarter.
    """
    words = direction(unit, higher_is_better=higher_is_better)
    return {
        Verdict.TOP_QUARTILE: f"Among the {words.best} quarter",
        Verdict.ABOVE_MEDIAN: f"{words.better.capitalize()} than the median",
        Verdict.BELOW_MEDIAN: f"{words.worse.capitalize()} than the median",
        Verdict.BOTTOM_QUARTILE: f"Among the {words.worst} quarter",
    }[verdict]


def verdict_for(percentile: int) -> Verdict:
    """The quartile a percentile (0-100, better than this share of peers) falls in.

    Each boundary belongs to the better side: 75 is the top quartile, 50 above
    the median. (The pages say "at the median" for a value equal to it.)
    """
    if percentile >= 75:
        return Verdict.TOP_QUARTILE
    if percentile >= 50:
        return Verdict.ABOVE_MEDIAN
    if percentile >= BOTTOM_QUARTILE_BELOW:
        return Verdict.BELOW_MEDIAN
    return Verdict.BOTTOM_QUARTILE


def dropped(before: Verdict, after: Verdict) -> bool:
    """True when `after` is a worse quartile than `before`."""
    return VERDICT_ORDER.index(after) > VERDICT_ORDER.index(before)


def verdict_and_gap(
    metric: Metric, *, value: float, percentile: int, median: float | None
) -> dict[str, Any]:
    """The verdict, and the gap to the median (as shown to the caller) in numbers and words."""
    found = verdict_for(percentile)
    if median is None:
        return {"verdict": found, "median_gap": None, "summary": None}
    gap = round(value - median, 1)
    return {"verdict": found, "median_gap": gap, "summary": describe_gap(metric, gap)}


def describe_gap(metric: Metric, gap: float, *, median: str = "the median") -> str:
    """ "2.1 days faster than the median", "6 points above the median", "at the median"."""
    if gap == 0:
        return f"at {median}"
    size = abs(gap)
    amount = f"{size:g}"
    if metric.unit is Unit.DAYS:
        noun = "day" if size == 1 else "days"
        return f"{amount} {noun} {'slower' if gap > 0 else 'faster'} than {median}"
    noun = "point" if size == 1 else "points"
    return f"{amount} {noun} {'above' if gap > 0 else 'below'} {median}"
