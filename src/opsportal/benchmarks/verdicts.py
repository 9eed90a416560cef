"""Verdicts: a stored, direction-aware percentile in plain words (pure).

The percentile already means "better than this share of peers" for every
metric, lower-is-better ones included, so one scale serves them all.
"""

from __future__ import annotations

import enum


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

VERDICT_TEXT = {
    Verdict.TOP_QUARTILE: "Top quartile",
    Verdict.ABOVE_MEDIAN: "Above median",
    Verdict.BELOW_MEDIAN: "Below median",
    Verdict.BOTTOM_QUARTILE: "Bottom quartile",
}


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
