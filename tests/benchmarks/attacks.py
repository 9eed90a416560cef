"""The linear-programming attacker of the privacy suite, shared by its tests.

A customer sees a group's quartiles before and after one organisation leaves.
Each published quartile is a known linear combination of the sorted values it
was computed from (numpy's linear interpolation reads two neighbours; the
Harrell-Davis estimator blends all of them), known up to its rounding. The
attacker solves, for every position the leaver may have held, the narrowest
interval its value must lie in; the union over positions is what it learns.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt
from scipy.optimize import linprog
from scipy.special import betainc

QUARTILES = (0.25, 0.5, 0.75)
Weights = Callable[[int, float], npt.NDArray[np.float64]]


def linear_weights(size: int, q: float) -> npt.NDArray[np.float64]:
    """numpy's default (linear) q-quantile of `size` sorted values, as weights on them."""
    row = np.zeros(size)
    position = (size - 1) * q
    low = int(np.floor(position))
    fraction = position - low
    row[low] += 1 - fraction
    row[min(low + 1, size - 1)] += fraction
    return row


def harrell_davis_weights(size: int, q: float) -> npt.NDArray[np.float64]:
    """The Harrell-Davis q-quantile of `size` sorted values, as weights on them."""
    a, b = (size + 1) * q, (size + 1) * (1 - q)
    return np.diff(betainc(a, b, np.arange(size + 1) / size))


def leaver_interval(
    *,
    size: int,
    weights: Weights,
    before: Sequence[float | None],
    after: Sequence[float | None],
    tolerance: float,
    candidates: Sequence[int],
    bounds: Sequence[tuple[float, float]],
) -> tuple[float, float] | None:
    """The interval the leaver's value must lie in, or None when nothing is published.

    `size` sorted unknowns, each within its `bounds`; the quartiles `before`
    are of all of them, those `after` of all but the leaver, each known to
    within `tolerance` (None: not shown). The leaver is one of `candidates`.
    """
    if all(q is None for q in (*before, *after)):
        return None
    ordered = np.zeros((size - 1, size))
    for i in range(size - 1):
        ordered[i, i], ordered[i, i + 1] = 1.0, -1.0
    low, high = np.inf, -np.inf
    for leaver in candidates:
        stayers = [i for i in range(size) if i != leaver]
        rows, observed = [], []
        for q, value in zip(QUARTILES, before, strict=True):
            if value is not None:
                rows.append(weights(size, q))
                observed.append(value)
        for q, value in zip(QUARTILES, after, strict=True):
            if value is not None:
                row = np.zeros(size)
                row[stayers] = weights(size - 1, q)
                rows.append(row)
                observed.append(value)
        equations, limits = np.array(rows), np.array(observed)
        a_ub = np.vstack([ordered, equations, -equations])
        b_ub = np.concatenate([np.zeros(size - 1), limits + tolerance, -(limits - tolerance)])
        ends = []
        for sign in (1.0, -1.0):
            objective = np.zeros(size)
            objective[leaver] = sign
            solved = linprog(objective, A_ub=a_ub, b_ub=b_ub, bounds=list(bounds), method="highs")
            if solved.status != 0:
                break
            ends.append(sign * solved.fun)
        if len(ends) == 2:
            low, high = min(low, ends[0]), max(high, ends[1])
    return (low, high) if low <= high else None
