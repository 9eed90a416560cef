"""The pure publication rules: complementary suppression over any table, quartile visibility."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from opsportal.benchmarks.aggregation import ANY, GroupCensus
from opsportal.benchmarks.privacy import (
    customer_step,
    estimated_percentile,
    quartiles_for_customers,
    withheld_from_customers,
)
from tests.hypothesis_profiles import examples

MIN_PEERS = 5


def census_of(cells: dict[tuple[int, int], int], metric: int = 0) -> GroupCensus:
    """The census of one metric's table: every non-empty cell, row, column and the total."""
    groups: dict[tuple[int, int], int] = {}
    for (sector, band), count in cells.items():
        if count == 0:
            continue
        for key in ((sector, band), (sector, ANY), (ANY, band), (ANY, ANY)):
            groups[key] = groups.get(key, 0) + count
    keys = sorted(groups)
    return GroupCensus(
        metric=np.full(len(keys), metric, dtype=np.int64),
        sector=np.array([k[0] for k in keys], dtype=np.int64),
        band=np.array([k[1] for k in keys], dtype=np.int64),
        count=np.array([groups[k] for k in keys], dtype=np.int64),
    )


def hidden_of(census: GroupCensus) -> set[tuple[int, int]]:
    withheld = withheld_from_customers(census, min_peers=MIN_PEERS)
    return {
        (int(s), int(b)) for s, b, w in zip(census.sector, census.band, withheld, strict=True) if w
    }


tables = st.dictionaries(
    st.tuples(st.integers(0, 5), st.integers(0, 3)), st.integers(0, 30), max_size=24
)


class TestComplementarySuppression:
    @settings(max_examples=examples(400), deadline=None)
    @given(tables)
    def test_no_line_with_a_visible_total_hides_exactly_one_group(
        self, cells: dict[tuple[int, int], int]
    ) -> None:
        census = census_of(cells)
        hidden = hidden_of(census)
        present = {(int(s), int(b)) for s, b in zip(census.sector, census.band, strict=True)}
        lines = []
        for sector in {s for s, b in present if s != ANY}:
            lines.append(((sector, ANY), [k for k in present if k[0] == sector and k[1] != ANY]))
        for band in {b for s, b in present if b != ANY}:
            lines.append(((ANY, band), [k for k in present if k[1] == band and k[0] != ANY]))
        lines.append(((ANY, ANY), [k for k in present if k[0] != ANY and k[1] == ANY]))
        lines.append(((ANY, ANY), [k for k in present if k[0] == ANY and k[1] != ANY]))
        for total, members in lines:
            if total in present and total not in hidden:
                assert sum(member in hidden for member in members) != 1, (total, members)
        # Everything under the minimum stays withheld; nothing else without cause.
        keys = zip(census.sector.tolist(), census.band.tolist(), strict=True)
        counts = dict(zip(keys, census.count.tolist(), strict=True))
        assert {k for k, c in counts.items() if c < MIN_PEERS} <= hidden

    def test_the_energy_row(self) -> None:
        # 45 in all: 16, 6, 19 published and 4 withheld would give the 4 away,
        # so the smallest other cell (6) is withheld too; the row total stays.
        cells = {(0, 0): 16, (0, 1): 6, (0, 2): 19, (0, 3): 4}
        cells |= {(1, band): 30 for band in range(4)} | {(2, band): 20 for band in range(4)}
        hidden = hidden_of(census_of(cells))
        assert {(0, 3), (0, 1)} <= hidden
        assert (0, ANY) not in hidden

    def test_nothing_to_hide(self) -> None:
        census = census_of({(0, 0): 10, (0, 1): 12, (1, 0): 9, (1, 1): 40})
        assert hidden_of(census) == set()


class TestQuartileVisibility:
    def test_from_the_minimum_up(self) -> None:
        shown = quartiles_for_customers([5, 9, 10, 400], min_peers_quartiles=10)
        assert shown.tolist() == [False, False, True, True]


class TestEstimatedPercentile:
    """A customer's percentile from the quartiles it is shown and its own value, nothing else."""

    def estimate(self, value: float, *, higher_is_better: bool = True, ceiling: float | None = 100):
        return estimated_percentile(
            value, (40.0, 60.0, 80.0), floor=0.0, ceiling=ceiling, step=10.0,
            higher_is_better=higher_is_better,
        )  # fmt: skip

    def test_read_off_the_quartiles(self) -> None:
        assert [self.estimate(v) for v in (0, 20, 40, 50, 60, 70, 80, 90, 100)] == [
            0, 13, 25, 38, 50, 63, 75, 88, 100
        ]  # fmt: skip

    def test_turned_round_when_lower_is_better(self) -> None:
        assert self.estimate(20, higher_is_better=False) == 88
        assert self.estimate(90, higher_is_better=False) == 13

    def test_an_open_ended_metric_ends_two_interquartile_ranges_past_p75(self) -> None:
        assert self.estimate(120, ceiling=None) == 88  # 80 + 2 × 40 = 160 is 100
        assert self.estimate(500, ceiling=None) == 100

    def test_a_value_on_equal_quartiles_takes_their_middle(self) -> None:
        shown = (50.0, 50.0, 70.0)
        assert (
            estimated_percentile(
                50.0, shown, floor=0.0, ceiling=100.0, step=10.0, higher_is_better=True
            )
            == 38
        )  # between 25 and 50
        assert (
            estimated_percentile(
                0.0, (0.0, 10.0, 20.0), floor=0.0, ceiling=100.0, step=10.0, higher_is_better=True
            )
            == 13
        )  # the floor and p25 both at 0

    @settings(max_examples=200, deadline=None)
    @given(st.floats(0, 100), st.floats(0, 100))
    def test_never_falls_as_the_value_rises(self, a: float, b: float) -> None:
        low, high = sorted((a, b))
        assert self.estimate(low) <= self.estimate(high)


class TestCustomerStep:
    def test_coarser_for_small_groups_of_percentages(self) -> None:
        assert [customer_step("percent", n) for n in (10, 19, 20, 400)] == [10, 10, 5, 5]
        assert [customer_step("days", n) for n in (10, 400)] == [1, 1]
