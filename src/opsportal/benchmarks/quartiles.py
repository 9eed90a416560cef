"""The quartiles customers see: Harrell–Davis estimates over each organisation's other peers.

Plain arrays in, plain arrays out (no database), like `aggregation`."""

from __future__ import annotations

import functools

import numpy as np
import numpy.typing as npt
from scipy.special import betainc

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# The quartiles customers see, as fractions (Harrell-Davis, of the other values).
CUSTOMER_QUARTILES = (0.25, 0.5, 0.75)

# A Harrell-Davis weight this far (in standard deviations of its beta
# distribution) from the quantile is below 1e-30: left out, and its mass given
# to the nearest kept order statistic, so a group of 200,000 costs a few
# thousand evaluations of the incomplete beta function, not 200,000.
_HD_WINDOW_SD = 12.0


def harrell_davis_weights(size: int, q: float) -> FloatArray:
    """The weight of each order statistic of `size` values in their Harrell-Davis q-quantile.

    The estimate is sum(weights * sorted values): every order statistic counts,
    with the probability that a beta((size + 1)q, (size + 1)(1 - q)) variable
    falls in its 1/size-wide slot (Harrell & Davis, Biometrika 1982).
    """
    low, window = _harrell_davis_window(size, q)
    weights = np.zeros(size)
    weights[low : low + window.size] = window
    return weights


@functools.lru_cache(maxsize=1024)
def _harrell_davis_window(size: int, q: float) -> tuple[int, FloatArray]:
    """The weights that are not negligibly small, and where they start (shared: read only).

    Group sizes change little from night to night, so each is worked out once
    per process.
    """
    if size < 1 or not 0.0 < q < 1.0:
        raise ValueError("need at least one value and a quantile strictly between 0 and 1")
    a, b = (size + 1) * q, (size + 1) * (1 - q)
    spread = float(np.sqrt(a * b / ((a + b) ** 2 * (a + b + 1))))
    low = max(0, int(np.floor((q - _HD_WINDOW_SD * spread) * size)))
    high = min(size, int(np.ceil((q + _HD_WINDOW_SD * spread) * size)))
    cdf = betainc(a, b, np.arange(low, high + 1, dtype=np.float64) / size)
    window = np.diff(cdf)
    window[0] += cdf[0]
    window[-1] += 1.0 - cdf[-1]
    window.flags.writeable = False
    return low, window


def leave_one_out_quartiles(stacked: FloatArray, starts: IntArray, counts: IntArray) -> FloatArray:
    """For every value of every group: the Harrell-Davis quartiles of the group's other values.

    `stacked[start:start + count]` is one group's values, sorted. With the
    others' weights W (count - 1 of them), leaving out the value at sorted
    position r gives sum(W[j] * x[j] for j < r) + sum(W[j - 1] * x[j] for j > r):
    a prefix and a suffix sum. Only W's window [low, high) is not negligible, so
    every r up to `low` gets the same sum, and every r from `high` on another:
    a group costs O(window), plus filling its rows. Equal values get equal
    results (which copy is left out does not matter). Shape (sum(counts), 3),
    in group order; NaN for a group of one value.
    """
    found = np.full((int(counts.sum()), len(CUSTOMER_QUARTILES)), np.nan)
    offset = 0
    for start, count in zip(starts.tolist(), counts.tolist(), strict=True):
        if count > 1:
            for column, q in enumerate(CUSTOMER_QUARTILES):
                low, w = _harrell_davis_window(count - 1, q)
                high = low + w.size
                # Positions low..high of the group: x[low:high] and x[low + 1:high + 1].
                x = stacked[start + low : start + high + 1]
                kept_below = w * x[:-1]  # W[j] x[j]: left out above j
                kept_above = w * x[1:]  # W[j] x[j + 1]: left out at or below j
                prefix = np.concatenate(([0.0], np.cumsum(kept_below)))
                suffix = np.concatenate((np.cumsum(kept_above[::-1])[::-1], [0.0]))
                rows = found[offset : offset + count, column]
                rows[:low] = suffix[0]
                rows[low : high + 1] = prefix + suffix
                rows[high + 1 :] = prefix[-1]
        offset += count
    return found
