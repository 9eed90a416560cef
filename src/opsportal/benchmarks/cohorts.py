"""Peer groups: size bands and how a cohort is described to people."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from opsportal.benchmarks.aggregation import ANY


@dataclass(frozen=True)
class SizeBand:
    label: str  # "101-500", "2001+"
    minimum: int
    maximum: int | None  # None: open-ended

    def contains(self, employees: int) -> bool:
        return employees >= self.minimum and (self.maximum is None or employees <= self.maximum)


def parse_size_bands(spec: str) -> tuple[SizeBand, ...]:
    """Parse "1-100,101-500,501-2000,2001+" into ordered, non-overlapping bands."""
    bands: list[SizeBand] = []
    for raw in spec.split(","):
        part = raw.strip()
        try:
            if part.endswith("+"):
                band = SizeBand(part, int(part[:-1]), None)
            else:
                low, high = part.split("-")
                band = SizeBand(part, int(low), int(high))
        except ValueError as exc:
            raise ValueError(f"size band {part!r} is not like 101-500 or 2001+") from exc
        if band.maximum is not None and band.maximum < band.minimum:
            raise ValueError(f"size band {part!r} ends before it starts")
        if bands:
            previous = bands[-1]
            if previous.maximum is None or band.minimum <= previous.maximum:
                raise ValueError(f"size band {part!r} overlaps {previous.label!r}")
        bands.append(band)
    if not bands:
        raise ValueError("at least one size band is needed")
    return tuple(bands)


def band_codes(employee_counts: npt.ArrayLike, bands: Sequence[SizeBand]) -> npt.NDArray[np.int64]:
    """Each organisation's band index, or ANY when its size is unknown (-1) or in no band."""
    counts = np.asarray(employee_counts, dtype=np.int64)
    minimums = np.array([b.minimum for b in bands], dtype=np.int64)
    maximums = np.array(
        [np.iinfo(np.int64).max if b.maximum is None else b.maximum for b in bands], dtype=np.int64
    )
    index = np.searchsorted(minimums, counts, side="right") - 1
    safe = np.clip(index, 0, len(bands) - 1)
    inside = (index >= 0) & (counts <= maximums[safe]) & (counts >= 0)
    return np.where(inside, index, ANY).astype(np.int64)


def describe_peer_group(industry_sector: str, size_band: str, peer_count: int | None) -> str:
    """`Healthcare, 101-500 employees (23 organizations)` / `all customers (412 organizations)`."""
    parts = []
    if industry_sector:
        parts.append(industry_sector)
    if size_band:
        parts.append(f"{size_band} employees")
    name = ", ".join(parts) if parts else "all customers"
    if peer_count is None:
        return name
    noun = "organization" if peer_count == 1 else "organizations"
    return f"{name} ({peer_count} {noun})"
