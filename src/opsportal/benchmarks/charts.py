"""Inline SVG for the scorecard: the peers' p25–median–p75 band with the organisation's value.

Pure functions (numbers in, markup out) so the drawing is tested without a browser.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

WIDTH = 320
HEIGHT = 72
PAD = 14
BAND_TOP = 26
BAND_HEIGHT = 18


@dataclass(frozen=True)
class Verdict:
    key: str
    text: str


def verdict(percentile: int) -> Verdict:
    """Plain words for a direction-aware percentile ("better than this share of peers")."""
    if percentile >= 75:
        return Verdict("top", "Top quartile")
    if percentile >= 50:
        return Verdict("above", "Above median")
    if percentile >= 25:
        return Verdict("below", "Below median")
    return Verdict("bottom", "Bottom quartile")


def axis_range(
    p25: float, p75: float, value: float | None, *, floor: float | None, ceiling: float | None
) -> tuple[float, float]:
    """The span to draw: around the band and the value, never beyond the metric's own range.

    Zoomed to the data rather than the whole 0-100 scale, so a narrow peer band
    still reads as a band.
    """
    points = [p25, p75] + ([value] if value is not None else [])
    low, high = min(points), max(points)
    spread = max(high - low, abs(high) * 0.05, 1.0)
    low, high = low - spread * 0.35, high + spread * 0.35
    if floor is not None:
        low = max(low, floor)
    if ceiling is not None:
        high = min(high, ceiling)
    if high <= low:
        high = low + 1.0
    return low, high


def band_svg(
    *,
    p25: float,
    median: float,
    p75: float,
    value: float | None,
    unit: str,
    floor: float | None = None,
    ceiling: float | None = None,
    label: str = "",
) -> str:
    low, high = axis_range(p25, p75, value, floor=floor, ceiling=ceiling)

    def x(v: float) -> float:
        clamped = min(max(v, low), high)
        return round(PAD + (clamped - low) / (high - low) * (WIDTH - 2 * PAD), 1)

    def fmt(v: float) -> str:
        text = f"{v:.0f}" if abs(v) >= 10 or float(v).is_integer() else f"{v:.1f}"
        return text + ("%" if unit == "percent" else "")

    title = f"{label}: peers' middle half {fmt(p25)} to {fmt(p75)}, median {fmt(median)}" + (
        f"; this organization {fmt(value)}" if value is not None else ""
    )
    parts = [
        f'<svg class="band" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
        f'preserveAspectRatio="xMidYMid meet" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{PAD}" y1="{BAND_TOP + BAND_HEIGHT / 2}" x2="{WIDTH - PAD}" '
        f'y2="{BAND_TOP + BAND_HEIGHT / 2}" stroke="#c3cad4" stroke-width="2"/>',
        f'<rect class="iqr" x="{x(p25)}" y="{BAND_TOP}" width="{max(x(p75) - x(p25), 2)}" '
        f'height="{BAND_HEIGHT}" rx="3" fill="#c9d8f0" stroke="#7d9fd6"/>',
        f'<line class="median" x1="{x(median)}" y1="{BAND_TOP - 2}" x2="{x(median)}" '
        f'y2="{BAND_TOP + BAND_HEIGHT + 2}" stroke="#1f5fbf" stroke-width="3"/>',
        f'<text x="{x(p25)}" y="{BAND_TOP + BAND_HEIGHT + 16}" text-anchor="middle">'
        f"{escape(fmt(p25))}</text>",
        f'<text x="{x(p75)}" y="{BAND_TOP + BAND_HEIGHT + 16}" text-anchor="middle">'
        f"{escape(fmt(p75))}</text>",
    ]
    if value is not None:
        vx = x(value)
        parts.append(
            f'<path class="you" d="M{vx} {BAND_TOP - 2} l-5 -8 h10 z" fill="#13213a"/>'
            f'<line x1="{vx}" y1="{BAND_TOP}" x2="{vx}" y2="{BAND_TOP + BAND_HEIGHT}" '
            f'stroke="#13213a" stroke-width="1.5" stroke-dasharray="3 2"/>'
            f'<text x="{vx}" y="12" text-anchor="middle" font-weight="700" fill="#13213a">'
            f"{escape(fmt(value))}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
