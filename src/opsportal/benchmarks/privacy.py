"""What customers may see of a run's peer groups: decided once per run, from its numbers alone.

Pure functions over the run's group census (arrays in, decisions out). The run
stores the decision with each published group, and every view reads it.

Rules (README, "How we calculate this"; docs/privacy-benchmarks-round3.md):
- a group with fewer than `min_peers` organisations is not published at all;
- customers see a group's quartiles only from `min_peers_quartiles` peers up;
  below that, only the peer count (quartiles of a few peers, before and after
  one joins or leaves, give its value away; a percentile computed from the
  peers' values is an oracle for a customer who steers its own value);
- what a customer sees of its peers is a function of the figures published to
  it and of its own value, and of nothing else: the quartiles of the group's
  *other* organisations (Harrell-Davis, which blends every order statistic),
  rounded to `customer_step` (`customer_quartiles`); its percentile and verdict
  are estimated from those and its value (`estimated_percentile`). Its own value
  never enters what it is shown of the others, so moving it, run after run,
  teaches it nothing; and the blend and the rounding leave a leaver's value
  open by more than a grid-valued metric's spacing (tests/benchmarks/test_privacy.py);
- complementary suppression: in every line of the table whose total customers
  see — an industry's size bands, a size band's industries, all customers'
  industries, all customers' size bands — a withheld non-empty group never
  stands alone, or its count and values would follow by subtraction from the
  total. With exactly one, the smallest other group of that line is withheld
  too (or, when there is none, the total itself), until nothing changes.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
import numpy.typing as npt

from opsportal.benchmarks.aggregation import ANY, NO_GROUP, GroupCensus

BoolArray = npt.NDArray[np.bool_]
Cell = tuple[int, int]  # (sector, band), ANY for "any"


def withheld_from_customers(census: GroupCensus, *, min_peers: int) -> BoolArray:
    """For every census group: True when customers must not see it (too small, or complementary)."""
    withheld = census.count < min_peers
    index_of: dict[tuple[int, int, int], int] = {}
    cells_of_metric: dict[int, dict[Cell, int]] = defaultdict(dict)
    for i, (metric, sector, band, count) in enumerate(
        zip(
            census.metric.tolist(),
            census.sector.tolist(),
            census.band.tolist(),
            census.count.tolist(),
            strict=True,
        )
    ):
        index_of[(metric, sector, band)] = i
        cells_of_metric[metric][(sector, band)] = count
    for metric, counts in cells_of_metric.items():
        hidden = {cell for cell in counts if withheld[index_of[(metric, *cell)]]}
        for cell in _complementary(counts, hidden):
            withheld[index_of[(metric, *cell)]] = True
    return withheld


def _lines(cells: dict[Cell, int]) -> list[tuple[Cell, list[Cell]]]:
    """Each total with the non-empty groups that add up to it (bar those of unknown size)."""
    members: dict[Cell, list[Cell]] = defaultdict(list)
    for sector, band in cells:
        if sector != ANY and band != ANY:
            members[(sector, ANY)].append((sector, band))
            members[(ANY, band)].append((sector, band))
    everyone = (ANY, ANY)
    by_sector = [cell for cell in cells if cell[0] != ANY and cell[1] == ANY]
    by_band = [cell for cell in cells if cell[0] == ANY and cell[1] != ANY]
    lines = [(total, sorted(parts)) for total, parts in sorted(members.items())]
    return lines + [(everyone, sorted(by_sector)), (everyone, sorted(by_band))]


def _complementary(cells: dict[Cell, int], primary: set[Cell]) -> set[Cell]:
    """The groups withheld on top of `primary`, so no withheld group stands alone in a line."""
    hidden = set(primary)
    lines = _lines(cells)
    changed = True
    while changed:
        changed = False
        for total, parts in lines:
            if total not in cells or total in hidden:
                continue  # customers see no total here, so there is nothing to subtract from
            if sum(part in hidden for part in parts) != 1:
                continue
            shown = [part for part in parts if part not in hidden]
            hidden.add(min(shown, key=lambda part: (cells[part], part)) if shown else total)
            changed = True
    return hidden - primary


def quartiles_for_customers(count: npt.ArrayLike, *, min_peers_quartiles: int) -> BoolArray:
    """True where a group is large enough for customers to see its quartiles."""
    return np.asarray(count) >= min_peers_quartiles


# Rounding of what customers are shown, by unit, from the fewest peers up:
# (peers from, step). Percentages are often k/m of a few people (a training
# completion rate of 6 learners), whose neighbouring values lie up to 100/12
# points apart near 0 and 100: in small groups a step of 10 keeps a leaver's
# value open across more than one of them. Days are measured finely enough for 1.
CUSTOMER_STEPS: dict[str, tuple[tuple[int, float], ...]] = {
    "percent": ((0, 10.0), (20, 5.0)),
    "days": ((0, 1.0),),
}
DEFAULT_STEPS: tuple[tuple[int, float], ...] = ((0, 1.0),)


def customer_step(unit: str, peers: int) -> float:
    """The step customers' quartiles are rounded to, for a group of `peers` of this unit."""
    step = 1.0
    for smallest, size in CUSTOMER_STEPS.get(unit, DEFAULT_STEPS):
        if peers >= smallest:
            step = size
    return step


def customer_quartiles(
    others_quartiles: npt.NDArray[np.floating[Any]],
    group_of: npt.ArrayLike,
    *,
    shown: npt.ArrayLike,
    steps: npt.ArrayLike,
) -> npt.NDArray[np.float32]:
    """What each value's customers see of each of its groups: p25, median, p75, or NaN.

    `others_quartiles[i, k]` are the quartiles of the other members of value i's
    group of kind k (`quartiles.leave_one_out_quartiles`), `group_of[i, k]` that
    group's index (NO_GROUP: none); `shown[g]` says whether customers see group
    g's quartiles and `steps[g]` what they are rounded to (`customer_step`).
    """
    groups = np.asarray(group_of)
    shown_of = np.asarray(shown, dtype=bool)
    step_of = np.asarray(steps, dtype=np.float64)
    placed = groups != NO_GROUP
    visible = np.zeros(groups.shape, dtype=bool)
    visible[placed] = shown_of[groups[placed]]
    step = np.ones(groups.shape)
    step[placed] = step_of[groups[placed]]
    rounded = np.floor(np.asarray(others_quartiles, np.float64) / step[..., None] + 0.5)
    found = (rounded * step[..., None]).astype(np.float32)
    found[~visible] = np.nan
    return found


def estimated_percentile(
    value: float,
    quartiles: tuple[float, float, float],
    *,
    floor: float,
    ceiling: float | None,
    step: float,
    higher_is_better: bool,
) -> int:
    """A customer's percentile (0-100, better than this share of peers), from what it is shown.

    Piecewise linear through (floor, 0), (p25, 25), (median, 50), (p75, 75) and
    (ceiling, 100): the metric's range, or for an open-ended metric two
    interquartile ranges (at least two steps) past p75. A value equal to
    several of those points takes the middle of their shares, as equal values
    do in the exact percentile. Turned round for a lower-is-better metric.
    """
    p25, median, p75 = quartiles
    top = ceiling if ceiling is not None else p75 + 2 * max(p75 - p25, step)
    points = [min(floor, p25), p25, median, p75, max(top, p75)]
    shares = [0.0, 25.0, 50.0, 75.0, 100.0]
    if value <= points[0]:
        share = 0.0 if value < points[0] else _middle(points, shares, value)
    elif value >= points[-1]:
        share = 100.0 if value > points[-1] else _middle(points, shares, value)
    elif value in points:
        share = _middle(points, shares, value)
    else:
        upper = next(i for i, point in enumerate(points) if point > value)
        low, high = points[upper - 1], points[upper]
        share = shares[upper - 1] + (shares[upper] - shares[upper - 1]) * (value - low) / (
            high - low
        )
    if not higher_is_better:
        share = 100.0 - share
    return int(min(100.0, max(0.0, np.floor(share + 0.5))))


def _middle(points: list[float], shares: list[float], value: float) -> float:
    """The middle of the shares of every point equal to `value`."""
    equal = [share for point, share in zip(points, shares, strict=True) if point == value]
    return (min(equal) + max(equal)) / 2
