"""The pure aggregation: cohort statistics against numpy, suppression, percentile ranks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats.mstats import hdquantiles

from opsportal.benchmarks.aggregation import (
    ANY,
    COHORT_KINDS,
    NO_GROUP,
    NO_RANK,
    aggregate,
    exact_percentile_rank,
    percentile_rank,
)
from opsportal.benchmarks.cohorts import band_codes, describe_peer_group
from opsportal.benchmarks.quartiles import leave_one_out_quartiles
from opsportal.config_values import SizeBand, parse_size_bands
from tests.hypothesis_profiles import examples

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@st.composite
def populations(draw: st.DrawFn) -> tuple[np.ndarray, ...]:
    n = draw(st.integers(min_value=0, max_value=120))
    n_metrics = draw(st.integers(min_value=1, max_value=3))
    n_sectors = draw(st.integers(min_value=0, max_value=4))
    n_bands = draw(st.integers(min_value=1, max_value=3))
    # Few distinct values sometimes, so ties are common.
    pool = draw(st.lists(finite, min_size=1, max_size=8))
    use_pool = draw(st.booleans())
    values = draw(st.lists(st.sampled_from(pool) if use_pool else finite, min_size=n, max_size=n))
    metrics = draw(st.lists(st.integers(0, n_metrics - 1), min_size=n, max_size=n))
    sectors = draw(st.lists(st.integers(ANY, n_sectors - 1), min_size=n, max_size=n))
    bands = draw(st.lists(st.integers(ANY, n_bands - 1), min_size=n, max_size=n))
    return (
        np.array(values, dtype=np.float64),
        np.array(metrics, dtype=np.int64),
        np.array(sectors, dtype=np.int64),
        np.array(bands, dtype=np.int64),
        np.array([n_sectors, n_bands]),
    )


def expected_groups(values, metrics, sectors, bands):  # type: ignore[no-untyped-def]
    """Every (metric, sector, band) group by brute force: one boolean mask per group."""
    groups = {}
    for m in set(metrics.tolist()):
        for s in {ANY, *sectors.tolist()}:
            for b in {ANY, *bands.tolist()}:
                mask = metrics == m
                if s != ANY:
                    mask &= sectors == s
                if b != ANY:
                    mask &= bands == b
                if mask.any():
                    groups[(m, s, b)] = values[mask]
    return groups


class TestAggregateAgainstNumpy:
    @settings(max_examples=examples(200), deadline=None)
    @given(populations(), st.integers(min_value=1, max_value=6))
    def test_every_cohort_matches_numpy(self, population, min_peers: int) -> None:  # type: ignore[no-untyped-def]
        values, metrics, sectors, bands, (n_sectors, n_bands) = population
        stats = aggregate(
            values,
            metrics,
            sectors,
            bands,
            n_sectors=int(n_sectors),
            n_bands=int(n_bands),
            min_peers=min_peers,
        )
        groups = expected_groups(values, metrics, sectors, bands)
        published = {k: v for k, v in groups.items() if v.size >= min_peers}
        got = {
            (int(stats.metric[i]), int(stats.sector[i]), int(stats.band[i])): i
            for i in range(len(stats))
        }
        assert set(got) == set(published)
        assert stats.suppressed == len(groups) - len(published)
        for key, data in published.items():
            i = got[key]
            assert stats.count[i] == data.size
            expected = np.percentile(data, np.arange(101))
            np.testing.assert_array_equal(stats.quantiles[i], expected)
            assert stats.p25[i] == np.percentile(data, 25)
            assert stats.median[i] == np.percentile(data, 50)
            assert stats.p75[i] == np.percentile(data, 75)
            assert stats.minimum[i] == data.min()
            assert stats.maximum[i] == data.max()
            assert stats.mean[i] == pytest.approx(data.mean(), rel=1e-9, abs=1e-6)

    @settings(max_examples=examples(150), deadline=None)
    @given(populations(), st.integers(min_value=1, max_value=6), st.booleans())
    def test_every_value_is_ranked_exactly_in_each_of_its_groups(  # type: ignore[no-untyped-def]
        self, population, min_peers: int, higher_is_better: bool
    ) -> None:
        values, metrics, sectors, bands, (n_sectors, n_bands) = population
        directions = [higher_is_better, not higher_is_better, higher_is_better]
        stats = aggregate(
            values,
            metrics,
            sectors,
            bands,
            n_sectors=int(n_sectors),
            n_bands=int(n_bands),
            min_peers=min_peers,
            higher_is_better=directions,
        )
        groups = expected_groups(values, metrics, sectors, bands)
        census = {
            (int(m), int(s), int(b)): int(c)
            for m, s, b, c in zip(
                stats.census.metric,
                stats.census.sector,
                stats.census.band,
                stats.census.count,
                strict=True,
            )
        }
        assert census == {key: data.size for key, data in groups.items()}
        assert stats.ranks.shape == (values.size, len(COHORT_KINDS))
        for i in range(values.size):
            m, s, b = int(metrics[i]), int(sectors[i]), int(bands[i])
            for kind, (uses_sector, uses_band) in enumerate(COHORT_KINDS):
                if (uses_sector and s == ANY) or (uses_band and b == ANY):
                    assert stats.ranks[i, kind] == NO_RANK
                    continue
                peers = groups[(m, s if uses_sector else ANY, b if uses_band else ANY)]
                if peers.size < min_peers:
                    assert stats.ranks[i, kind] == NO_RANK
                    continue
                exact = exact_percentile_rank(values[i], peers, higher_is_better=directions[m])
                assert stats.ranks[i, kind] == int(np.floor(exact + 0.5))

    def test_cohort_kinds(self) -> None:
        # Two sectors, two bands; the third organisation's size is unknown and
        # the fourth has no sector: each counts only where it can.
        values = [1.0, 2.0, 3.0, 4.0]
        stats = aggregate(
            values,
            [0, 0, 0, 0],
            [0, 0, 1, ANY],
            [0, 1, ANY, 1],
            n_sectors=2,
            n_bands=2,
            min_peers=1,
        )
        counts = {
            (int(stats.sector[i]), int(stats.band[i])): int(stats.count[i])
            for i in range(len(stats))
        }
        assert counts == {
            (ANY, ANY): 4,
            (0, ANY): 2,
            (1, ANY): 1,
            (ANY, 0): 1,
            (ANY, 1): 2,
            (0, 0): 1,
            (0, 1): 1,
        }

    def test_cohorts_under_the_minimum_are_not_published(self) -> None:
        stats = aggregate(
            np.arange(7.0),
            np.zeros(7, dtype=int),
            [0, 0, 0, 0, 0, 1, 1],
            np.full(7, ANY),
            n_sectors=2,
            n_bands=1,
            min_peers=5,
        )
        published = {(int(stats.sector[i]), int(stats.count[i])) for i in range(len(stats))}
        assert published == {(ANY, 7), (0, 5)}
        assert stats.suppressed == 1

    def test_empty_input(self) -> None:
        stats = aggregate([], [], [], [], n_sectors=0, n_bands=4, min_peers=5)
        assert len(stats) == 0 and stats.suppressed == 0

    def test_many_groups_use_wider_keys(self) -> None:
        rng = np.random.default_rng(7)
        n = 5000
        values, metrics = rng.random(n), rng.integers(0, 5, n)
        sectors, bands = rng.integers(0, 2000, n), rng.integers(0, 4, n)
        stats = aggregate(values, metrics, sectors, bands, n_sectors=2000, n_bands=4, min_peers=1)
        i = int(np.flatnonzero((stats.sector == 1234) & (stats.band == ANY))[0])
        mask = (metrics == stats.metric[i]) & (sectors == 1234)
        np.testing.assert_array_equal(
            stats.quantiles[i], np.percentile(values[mask], np.arange(101))
        )

    def test_mismatched_lengths_are_rejected(self) -> None:
        with pytest.raises(ValueError):
            aggregate([1.0], [0, 0], [0], [0], n_sectors=1, n_bands=1, min_peers=1)


class TestPercentileRank:
    @settings(max_examples=examples(300), deadline=None)
    @given(
        st.lists(finite, min_size=1, max_size=300),
        st.one_of(finite, st.integers(0, 299)),
        st.booleans(),
    )
    def test_summary_places_a_value_close_to_the_exact_rank(
        self, peers: list[float], probe: float | int, higher_is_better: bool
    ) -> None:
        data = np.array(peers)
        # Half the time probe an actual peer value (ties, own value among peers).
        value = float(data[probe % data.size]) if isinstance(probe, int) else probe
        summary = np.percentile(data, np.arange(101))
        got = percentile_rank(value, summary, data.size, higher_is_better=higher_is_better)
        exact = exact_percentile_rank(value, data, higher_is_better=higher_is_better)
        assert isinstance(got, int) and 0 <= got <= 100
        # One percentile point from the summary, half a peer from interpolating
        # between two peers, half a point from rounding to an integer.
        assert abs(got - exact) <= 1.5 + 50 / data.size

    def test_mid_rank_for_ties(self) -> None:
        peers = [1, 2, 2, 2, 3]
        summary = np.percentile(peers, np.arange(101))
        # below 1, equal 3: (1 + 1.5) / 5
        assert percentile_rank(2, summary, 5, higher_is_better=True) == 50
        assert percentile_rank(3, summary, 5, higher_is_better=True) == 90
        assert percentile_rank(1, summary, 5, higher_is_better=True) == 10

    def test_all_equal(self) -> None:
        summary = np.full(101, 7.0)
        assert percentile_rank(7.0, summary, 20, higher_is_better=True) == 50
        assert percentile_rank(7.0, summary, 20, higher_is_better=False) == 50

    def test_outside_the_range(self) -> None:
        summary = np.percentile(np.arange(10.0), np.arange(101))
        assert percentile_rank(-5, summary, 10, higher_is_better=True) == 0
        assert percentile_rank(50, summary, 10, higher_is_better=True) == 100

    def test_lower_is_better_turns_the_scale_round(self) -> None:
        peers = np.arange(1.0, 101.0)  # resolution times of 1..100 days
        summary = np.percentile(peers, np.arange(101))
        fast = percentile_rank(5.0, summary, 100, higher_is_better=False)
        slow = percentile_rank(95.0, summary, 100, higher_is_better=False)
        assert fast == 96 and slow == 6
        assert percentile_rank(95.0, summary, 100, higher_is_better=True) == 95  # 94.5

    def test_large_population_is_within_one_point(self) -> None:
        rng = np.random.default_rng(3)
        data = rng.lognormal(2, 0.7, 50_000)
        summary = np.percentile(data, np.arange(101))
        for value in rng.choice(data, 200):
            got = percentile_rank(float(value), summary, data.size, higher_is_better=True)
            exact = exact_percentile_rank(float(value), data, higher_is_better=True)
            assert abs(got - exact) <= 1.5


class TestSizeBands:
    def test_default_bands(self) -> None:
        bands = parse_size_bands("1-100,101-500,501-2000,2001+")
        assert [b.label for b in bands] == ["1-100", "101-500", "501-2000", "2001+"]
        assert bands[-1] == SizeBand("2001+", 2001, None)

    @pytest.mark.parametrize("spec", ["", "1-100,50-200", "100-1", "a-b", "1-100,2001+,3000+"])
    def test_bad_specs(self, spec: str) -> None:
        with pytest.raises(ValueError):
            parse_size_bands(spec)

    def test_band_codes(self) -> None:
        bands = parse_size_bands("1-100,101-500,501-2000,2001+")
        codes = band_codes([1, 100, 101, 500, 501, 2000, 2001, 10**7, -1, 0], bands)
        assert codes.tolist() == [0, 0, 1, 1, 2, 2, 3, 3, ANY, ANY]

    def test_gaps_between_bands(self) -> None:
        bands = parse_size_bands("1-10,20-30")
        assert band_codes([15, 25, 31], bands).tolist() == [ANY, 1, ANY]

    def test_describe(self) -> None:
        assert (
            describe_peer_group("Healthcare", "101-500", 23)
            == "Healthcare, 101-500 employees (23 organizations)"
        )
        assert describe_peer_group("", "", 412) == "all customers (412 organizations)"
        assert describe_peer_group("Retail", "", None) == "Retail"


class TestWhatCustomersAreShown:
    """Each value's others' Harrell-Davis quartiles, against scipy's own estimator."""

    @settings(max_examples=examples(200), deadline=None)
    @given(
        st.lists(
            st.lists(st.integers(0, 40).map(lambda v: v * 2.5), min_size=2, max_size=30),
            min_size=1,
            max_size=4,
        )
    )
    def test_leave_one_out_quartiles_are_those_of_the_others(
        self, groups: list[list[float]]
    ) -> None:
        ordered = [sorted(g) for g in groups]
        stacked = np.array([v for g in ordered for v in g])
        counts = np.array([len(g) for g in ordered])
        starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
        found = leave_one_out_quartiles(stacked, starts, counts)
        row = 0
        for group in ordered:
            for i in range(len(group)):
                others = np.array(group[:i] + group[i + 1 :])
                expected = (
                    np.repeat(others[0], 3)
                    if others.size == 1
                    else np.asarray(hdquantiles(others, prob=[0.25, 0.5, 0.75]))
                )
                assert found[row] == pytest.approx(expected, abs=1e-9)
                row += 1

    def test_the_run_hands_each_value_its_groups_quartiles_of_others(self) -> None:
        values = [10.0, 20.0, 30.0, 40.0, 50.0, 60.0]
        stats = aggregate(values, [0] * 6, [0, 0, 0, 1, 1, 1], [0] * 6,
                          n_sectors=2, n_bands=1, min_peers=5)  # fmt: skip
        # All customers and the size band hold all six; the industries (3 each) are not
        # published, so no quartiles there.
        for i, value in enumerate(values):
            others = np.array([v for v in values if v != value])
            expected = np.asarray(hdquantiles(others, prob=[0.25, 0.5, 0.75]))
            assert stats.others_quartiles[i, 0] == pytest.approx(expected, abs=1e-4)
            assert stats.others_quartiles[i, 2] == pytest.approx(expected, abs=1e-4)
            assert np.isnan(stats.others_quartiles[i, 1]).all()
            assert stats.group_of[i, 1] == NO_GROUP
