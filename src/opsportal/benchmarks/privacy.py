"""What customers may see of a run's peer groups: decided once per run, from its numbers alone.

Pure functions over the run's group census (arrays in, decisions out). The run
stores the decision with each published group, and every view reads it.

Rules (README, "How we calculate this"):
- a group with fewer than `min_peers` organisations is not published at all;
- customers see a group's quartiles only from `min_peers_quartiles` peers up;
  below that, only their own percentile and the peer count (quartiles of a few
  peers, before and after one joins or leaves, give its value away);
- complementary suppression: in every line of the table whose total customers
  see — an industry's size bands, a size band's industries, all customers'
  industries, all customers' size bands — a withheld non-empty group never
  stands alone, or its count and values would follow by subtraction from the
  total. With exactly one, the smallest other group of that line is withheld
  too (or, when there is none, the total itself), until nothing changes.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import numpy.typing as npt

from opsportal.benchmarks.aggregation import ANY, GroupCensus

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
