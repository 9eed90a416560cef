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
default (the property tests hold it to that). In the same pass every value's
exact percentile rank in each of its groups is read off the sorted slices, so
an organisation's position is decided by the run, never at request time.

What customers are shown comes from other numbers of the same pass (see
`benchmarks/privacy.py`): for every value, the quartiles of its group's *other*
values by the Harrell-Davis estimator, which blends every order statistic
(`leave_one_out_quartiles`). Those never move when the value itself moves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from opsportal.benchmarks.quartiles import CUSTOMER_QUARTILES, leave_one_out_quartiles

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
RankArray = npt.NDArray[np.int8]  # percentiles 0..100, or NO_RANK

# The stored quantile summary: the 0th, 1st, ..., 100th percentile.
QUANTILE_POINTS: FloatArray = np.arange(101, dtype=np.float64)
ANY = -1  # "any sector" / "any size band" / "no sector known"

# (uses sector, uses size band) for the four cohort kinds: all customers, one
# industry, one size band, one industry × size band. `ranks` columns follow it.
COHORT_KINDS = ((False, False), (True, False), (False, True), (True, True))
NO_RANK = -1  # the organisation is not in that group, or the group is not published
NO_GROUP = -1  # in `group_of`: the value is in no published group of that kind


@dataclass(frozen=True)
class GroupCensus:
    """Every non-empty (metric, sector, band) group, published or not, with its size."""

    metric: IntArray
    sector: IntArray
    band: IntArray
    count: IntArray


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
    census: GroupCensus
    # ranks[i, k]: the percentile (0-100, "better than this share of peers") of
    # input value i in its group of cohort kind k, or NO_RANK.
    ranks: RankArray
    # group_of[i, k]: the published group (an index into these arrays) that input
    # value i is in for cohort kind k, or NO_GROUP.
    group_of: IntArray
    # others_quartiles[i, k]: the Harrell-Davis p25, median and p75 of the other
    # values of that group (value i left out); NaN where group_of is NO_GROUP.
    others_quartiles: npt.NDArray[np.float32]

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
    higher_is_better: npt.ArrayLike | None = None,
) -> CohortStatistics:
    """Statistics of every (metric, cohort) group with at least `min_peers` values.

    `values[i]` is one organisation's value of metric `metrics[i]`; `sectors[i]`
    and `bands[i]` are that organisation's industry and size band codes
    (0..n-1, or ANY when unknown: it then counts only in the cohorts that do
    not need it). Values must be finite. `higher_is_better[m]` gives metric m's
    direction for the ranks (default: higher is better for every metric).
    """
    vals = np.asarray(values, dtype=np.float64)
    met = np.asarray(metrics, dtype=np.int64)
    sec = np.asarray(sectors, dtype=np.int64)
    ban = np.asarray(bands, dtype=np.int64)
    if not (vals.shape == met.shape == sec.shape == ban.shape) or vals.ndim != 1:
        raise ValueError("values, metrics, sectors and bands must be 1-d arrays of one length")
    if min_peers < 1:
        raise ValueError("min_peers must be at least 1")

    n_values = vals.size
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
    keys, stacked, by_key = keys[:kept], stacked[:kept], by_key[:kept]

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
    census_metric, census_sector, census_band = _decode(
        keys[starts].astype(np.int64), n_sectors=n_sectors, n_bands=n_bands
    )
    census = GroupCensus(census_metric, census_sector, census_band, counts)

    kinds = len(COHORT_KINDS)
    ranks = np.full((n_values, kinds), NO_RANK, dtype=np.int8)
    group_of = np.full((n_values, kinds), NO_GROUP, dtype=np.int64)
    others_quartiles = np.full((n_values, kinds, len(CUSTOMER_QUARTILES)), np.nan, np.float32)
    if keys.size:
        directions = (
            np.ones(n_metrics, dtype=bool)
            if higher_is_better is None
            else np.asarray(higher_is_better, dtype=bool)
        )
        run_rank, run_lengths = _run_ranks(
            keys,
            stacked,
            starts,
            counts,
            lower_better=~directions[census_metric],
            published=published,
        )
        # by_key indexes the stacked copies: copy k of sorted value j is k * n + j,
        # whose rank goes to ranks[order[j], k].
        # 4-byte indices where they fit: this scatter moves every rank once.
        index_type = np.int32 if ranks.size < np.iinfo(np.int32).max else np.int64
        kind_offset: npt.NDArray[Any] = np.arange(kinds, dtype=index_type)[:, None]
        destination = (order.astype(index_type)[None, :] * kinds + kind_offset).reshape(-1)
        into = destination[by_key]
        ranks.reshape(-1)[into] = np.repeat(run_rank, run_lengths)
        # The same scatter for each value's published group and its others' quartiles.
        published_index = np.where(published, np.cumsum(published) - 1, NO_GROUP)
        group_of.reshape(-1)[into] = np.repeat(published_index, counts)
        others = leave_one_out_quartiles(stacked, starts[published], counts[published])
        in_published = np.repeat(published, counts)
        # Each value's three quartiles move as one 12-byte record (a third of the work).
        triple = np.dtype((np.void, others_quartiles.itemsize * len(CUSTOMER_QUARTILES)))
        others_quartiles.view(triple).reshape(-1)[into[in_published]] = (
            others.astype(np.float32).view(triple).reshape(-1)
        )

    starts, counts, sums = starts[published], counts[published], sums[published]
    metric, sector, band = (
        census_metric[published],
        census_sector[published],
        census_band[published],
    )

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
        census=census,
        ranks=ranks,
        group_of=group_of,
        others_quartiles=others_quartiles,
    )


def _decode(group_keys: IntArray, *, n_sectors: int, n_bands: int) -> tuple[IntArray, ...]:
    """(metric, sector, band) of each group key; sector and band ANY where a kind ignores them."""
    band = group_keys % (n_bands + 1) - 1
    rest = group_keys // (n_bands + 1)
    sector = rest % (n_sectors + 1) - 1
    metric = rest // (n_sectors + 1)
    return metric, sector, band


def _run_ranks(
    keys: npt.NDArray[Any],
    stacked: FloatArray,
    group_start: IntArray,
    group_count: IntArray,
    *,
    lower_better: npt.NDArray[np.bool_],
    published: npt.NDArray[np.bool_],
) -> tuple[RankArray, IntArray]:
    """The rank of each run of equal values in the grouped, sorted values, and each run's length.

    A rank is 100 × (below + ½·equal) / peers, rounded, turned round for a
    lower-is-better metric, NO_RANK in an unpublished group. Within a group the
    values are sorted, so a run of equal values starts at the first of them:
    `below` is that run's offset in its group, `equal` its length. Every value
    of a run shares its rank, so the arithmetic is done once per run.
    """
    size = keys.size
    new_run = np.ones(size, dtype=bool)
    new_run[1:] = (keys[1:] != keys[:-1]) | (stacked[1:] != stacked[:-1])
    run_starts = np.flatnonzero(new_run)
    run_lengths = np.diff(np.append(run_starts, size))
    group = np.searchsorted(group_start, run_starts, side="right") - 1  # runs never span groups
    share = 100.0 * (run_starts - group_start[group] + 0.5 * run_lengths) / group_count[group]
    share = np.where(lower_better[group], 100.0 - share, share)
    rank = np.clip(np.floor(share + 0.5), 0, 100).astype(np.int8)
    rank[~published[group]] = NO_RANK
    return rank, run_lengths


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
