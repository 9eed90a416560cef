"""Peer groups: size bands and how a cohort is described to people."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from opsportal.benchmarks.aggregation import ANY
from opsportal.config_values import SizeBand


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
