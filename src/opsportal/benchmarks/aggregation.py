"""Cohort statistics and percentile ranks: arrays in, arrays out, no database.

Every metric × every cohort is computed in one vectorised pass:

1. sort all values by (metric, value) once;
2. give each value one group key per cohort kind it belongs to — all
   customers, its industry, its size band, its industry × size band — and
   stack those four copies;
3. one stable sort by group key keeps each group's values sorted, so each
   group is a contiguous, ordered slice, and its percentiles are read off by
   index arithmetic for all groups at once.

Percentiles use linear interpolation exactly as `numpy.percentile` does by
default (the property tests hold it to that).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# The stored quantile summary: the 0th, 1st, ..., 100th percentile.
QUANTILE_POINTS: FloatArray = np.arange(101, dtype=np.float64)
ANY = -1  # "any sector" / "any size band" / "no sector known"

# (uses sector, uses size band) for the four cohort kinds.
COHORT_KINDS = ((False, False), (True, False), (False, True), (True, True))


@dataclass(frozen=True)
class CohortStatistics:
    """Published groups, one entry per (metric, sector, band); ANY (-1) means "any"."""

    metric: IntArray
    sector: IntArray
    band: IntArray
    count: IntArray
    mean: FloatArray
    minimum: FloatArray
    maximum: FloatArray
    quantiles: FloatArray  # shape (groups, 101)
    suppressed: int  # groups that had values but fewer than the privacy minimum

    def __len__(self) -> int:
        return int(self.count.shape[0])

    @property
    def p25(self) -> FloatArray:
        return self.quantiles[:, 25]

    @property
    def median(self) -> FloatArray:
        return self.quantiles[:, 50]

    @property
    def p75(self) -> FloatArray:
        return self.quantiles[:, 75]


def _lerp(a: FloatArray, b: FloatArray, t: FloatArray) -> FloatArray:
    # numpy's own formulation (numpy/lib/_function_base_impl.py:_lerp), so results
    # agree with numpy.percentile to the last bit rather than merely closely.
    diff = b - a
    result = a + diff * t
    upper = t >= 0.5
    result[upper] = (b - diff * (1 - t))[upper]
    return result


def group_quantiles(
    sorted_values: FloatArray, starts: IntArray, counts: IntArray, points: FloatArray
) -> FloatArray:
    """Percentiles `points` (0..100) of every group, each a sorted slice [start, start+count)."""
    q = np.true_divide(points, 100)
    virtual = (counts - 1)[:, None] * q[None, :]
    previous = np.floor(virtual)
    gamma = np.asarray(virtual - previous, dtype=np.float64)
    lower = previous.astype(np.int64)
    upper = np.minimum(lower + 1, (counts - 1)[:, None])
    a = sorted_values[starts[:, None] + lower]
    b = sorted_values[starts[:, None] + upper]
    return _lerp(a, b, gamma)


def _key_dtype(largest: int) -> type[np.signedinteger[Any]]:
    # Small keys sort by radix in linear time; most deployments have a few
    # hundred groups, so this is the common case.
    if largest < np.iinfo(np.int16).max:
        return np.int16
    if largest < np.iinfo(np.int32).max:
        return np.int32
    return np.int64


def aggregate(
    values: npt.ArrayLike,
    metrics: npt.ArrayLike,
    sectors: npt.ArrayLike,
    bands: npt.ArrayLike,
    *,
    n_sectors: int,
    n_bands: int,
    min_peers: int,
) -> CohortStatistics:
    """Statistics of every (metric, cohort) group with at least `min_peers` values.

    `values[i]` is one organisation's value of metric `metrics[i]`; `sectors[i]`
    and `bands[i]` are that organisation's industry and size band codes
    (0..n-1, or ANY when unknown: it then counts only in the cohorts that do
    not need it). Values must be finite.
    """
    vals = np.asarray(values, dtype=np.float64)
    met = np.asarray(metrics, dtype=np.int64)
    sec = np.asarray(sectors, dtype=np.int64)
    ban = np.asarray(bands, dtype=np.int64)
    if not (vals.shape == met.shape == sec.shape == ban.shape) or vals.ndim != 1:
        raise ValueError("values, metrics, sectors and bands must be 1-d arrays of one length")
    if min_peers < 1:
        raise ValueError("min_peers must be at least 1")

    # Sorted by value, then (stably, by radix on a small integer) by metric.
    order = np.argsort(vals)
    n_metrics = int(met.max()) + 1 if met.size else 0
    largest = n_metrics * (n_sectors + 1) * (n_bands + 1)
    dtype = _key_dtype(largest + 1)
    order = order[np.argsort(met[order].astype(dtype), kind="stable")]
    vals = vals[order]
    met = met[order].astype(dtype)
    sec = sec[order].astype(dtype)
    ban = ban[order].astype(dtype)

    # key = ((metric * (S + 1)) + sector + 1) * (B + 1) + band + 1, with sector
    # or band ANY (-1) where the cohort kind ignores it: unique across kinds.
    # A value that lacks what a kind needs gets `dropped`, a key past every group.
    dropped = dtype(largest)
    metric_part = met * dtype((n_sectors + 1) * (n_bands + 1))
    sector_part = (sec + 1) * dtype(n_bands + 1)
    band_part = ban + 1
    key_parts: list[npt.NDArray[Any]] = []
    for uses_sector, uses_band in COHORT_KINDS:
        key = metric_part.copy()
        if uses_sector:
            key += sector_part
        if uses_band:
            key += band_part
        if uses_sector:
            key[sec == ANY] = dropped
        if uses_band:
            key[ban == ANY] = dropped
        key_parts.append(key)
    keys = np.concatenate(key_parts)
    by_key = np.argsort(keys, kind="stable")
    keys = keys[by_key]
    stacked = np.tile(vals, len(COHORT_KINDS))[by_key]
    kept = int(np.searchsorted(keys, dropped, side="left"))
    keys, stacked = keys[:kept], stacked[:kept]

    if keys.size:
        starts = np.flatnonzero(np.diff(keys)) + 1
        starts = np.concatenate(([0], starts)).astype(np.int64)
    else:
        starts = np.zeros(0, dtype=np.int64)
    counts = np.diff(np.append(starts, keys.size)).astype(np.int64)
    # Sum every group (reduceat sums up to the next start) before dropping any.
    sums = np.add.reduceat(stacked, starts) if starts.size else np.zeros(0)
    published = counts >= min_peers
    suppressed = int((~published).sum())
    starts, counts, sums = starts[published], counts[published], sums[published]
    group_keys = keys[starts].astype(np.int64)

    band = group_keys % (n_bands + 1) - 1
    rest = group_keys // (n_bands + 1)
    sector = rest % (n_sectors + 1) - 1
    metric = rest // (n_sectors + 1)

    if starts.size:
        mean = sums / counts
        quantiles = group_quantiles(stacked, starts, counts, QUANTILE_POINTS)
    else:
        mean = np.zeros(0)
        quantiles = np.zeros((0, QUANTILE_POINTS.size))
    return CohortStatistics(
        metric=metric,
        sector=sector,
        band=band,
        count=counts,
        mean=mean,
        minimum=stacked[starts] if starts.size else np.zeros(0),
        maximum=stacked[starts + counts - 1] if starts.size else np.zeros(0),
        quantiles=quantiles,
        suppressed=suppressed,
    )


def percentile_rank(
    value: float, quantiles: npt.ArrayLike, peer_count: int, *, higher_is_better: bool
) -> int:
    """Share of peers (0-100) that `value` is better than, read from a 101-point summary.

    Mid-rank for ties: a value counts as better than every peer below it and
    half of those equal to it, i.e. 100 × (below + ½·equal) / peers. For a
    lower-is-better metric the scale is turned round, so a low value ranks high.
    Exact at the data points; elsewhere within 1 + 50/peers points of the
    exact figure (the summary holds one point per percentile).
    """
    q = np.asarray(quantiles, dtype=np.float64)
    if q.ndim != 1 or q.size < 2 or peer_count < 1:
        raise ValueError("need a quantile summary of at least two points and a peer count")
    last = q.size - 1
    if value < q[0]:
        share = 0.0
    elif value > q[-1]:
        share = 100.0
    else:
        lo = int(np.searchsorted(q, value, side="left"))
        hi = int(np.searchsorted(q, value, side="right"))
        if lo < hi:  # equal to one or more summary points: the middle of that run
            point = (lo + hi - 1) / 2
        else:  # strictly between q[lo - 1] and q[lo]
            below, above = q[lo - 1], q[lo]
            point = lo - 1 + (value - below) / (above - below)
        # From a position in the summary to a position among the sorted peers
        # (numpy's linear method puts percentile p at index p/100 × (n - 1)).
        position = point / last * (peer_count - 1)
        share = 100.0 * (position + 0.5) / peer_count
    if not higher_is_better:
        share = 100.0 - share
    return int(min(100.0, max(0.0, np.floor(share + 0.5))))


def exact_percentile_rank(value: float, peers: npt.ArrayLike, *, higher_is_better: bool) -> float:
    """The same measure computed from every peer value (the reference the summary approximates)."""
    data = np.asarray(peers, dtype=np.float64)
    below = float((data < value).sum())
    equal = float((data == value).sum())
    share = 100.0 * (below + 0.5 * equal) / data.size
    return share if higher_is_better else 100.0 - share
