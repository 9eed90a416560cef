"""Inline SVG for the scorecard: the peers' band with the organisation's value, now and over time.

Pure functions (numbers in, markup out) so the drawing is tested without a browser.
They draw in English, left to right, unless given a `ChartLanguage` (how values
and months are written, which way the chart reads) and a `title` in the reader's
words (`benchmarks.pages.wording`).

Right to left, every axis is mirrored: low values and early days on the right,
as an Arabic or Hebrew reader scans a horizontal scale and a timeline (and as the
mirrored page around the chart runs). Text keeps its logical anchors (`start`
is the reading start), so under `direction="rtl"` a label still grows away
from the chart's edge.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

from opsportal.metrics.registry import Unit

WIDTH = 320
HEIGHT = 84
PAD = 16
BAND_TOP = 30
BAND_HEIGHT = 18
# Labels in user units: the charts are drawn at least ~280 px wide (the grid's
# narrowest card), so 14 units read as 12 px or more on screen.
FONT_SIZE = 14
_TEXT = f'font-size="{FONT_SIZE}" fill="#4a5668"'

# Contrast on the white card (WCAG 1.4.11, non-text: 3:1 at least): the band's fill
# 3.6:1 and its outline 8:1; the median and the organisation's mark are dark enough
# to stand out on the band (4.2:1 and 3.4:1) as well as on white, and differ from
# each other in hue and in shape (a solid bar; a triangle with a dashed line).
COLOURS = {
    "band": "#5f87c7",
    "band_outline": "#1f4e99",
    "median": "#0b2546",
    "you": "#5c1060",
    "axis": "#7a8494",
}
_BAND = f'fill="{COLOURS["band"]}" stroke="{COLOURS["band_outline"]}"'


def axis_range(
    p25: float, p75: float, value: float | None, *, floor: float | None, ceiling: float | None
) -> tuple[float, float]:
    """The span to draw: around the band and the value, never beyond the metric's own range.

    Zoomed to the data rather than the whole 0-100 scale, so a narrow peer band
    still reads as a band.
    """
    points = [p25, p75] + ([value] if value is not None else [])
    return _span(points, margin=0.35, floor=floor, ceiling=ceiling)


def _span(
    numbers: Sequence[float], *, margin: float, floor: float | None, ceiling: float | None
) -> tuple[float, float]:
    """From the lowest to the highest of `numbers`, widened by `margin` of their spread
    on each side, within the metric's own range."""
    low, high = min(numbers), max(numbers)
    spread = max(high - low, abs(high) * 0.05, 1.0)
    low, high = low - spread * margin, high + spread * margin
    if floor is not None:
        low = max(low, floor)
    if ceiling is not None:
        high = min(high, ceiling)
    if high <= low:
        high = low + 1.0
    return low, high


def _label(v: float, unit: str) -> str:
    """A value on a chart: whole numbers from 10 up, one decimal below; percent marked."""
    text = f"{v:.0f}" if abs(v) >= 10 or float(v).is_integer() else f"{v:.1f}"
    return text + ("%" if unit == Unit.PERCENT else "")


def _month(day: date) -> str:
    return day.strftime("%b %Y")


@dataclass(frozen=True)
class ChartLanguage:
    """How a chart writes a value (with its unit) and a month, and which way it reads."""

    value: Callable[[float, str], str] = _label
    month: Callable[[date], str] = _month
    rtl: bool = False

    def mirror(self, x: float, width: float) -> float:
        """`x` on a chart `width` wide, as this language reads it (mirrored right to left)."""
        return round(width - x, 1) if self.rtl else x

    @property
    def direction(self) -> str:
        """The <svg> element's direction attribute: none left to right (the page's own)."""
        return ' direction="rtl"' if self.rtl else ""


ENGLISH = ChartLanguage()


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
    title: str | None = None,
    language: ChartLanguage = ENGLISH,
) -> str:
    low, high = axis_range(p25, p75, value, floor=floor, ceiling=ceiling)

    def from_left(v: float) -> float:
        clamped = min(max(v, low), high)
        return round(PAD + (clamped - low) / (high - low) * (WIDTH - 2 * PAD), 1)

    def x(v: float) -> float:
        return language.mirror(from_left(v), WIDTH)

    def fmt(v: float) -> str:
        return language.value(v, unit)

    if title is None:
        title = f"{label}: peers' middle half {fmt(p25)} to {fmt(p75)}, median {fmt(median)}" + (
            f"; this organization {fmt(value)}" if value is not None else ""
        )
    band_width = max(from_left(p75) - from_left(p25), 2)
    band_x = language.mirror(from_left(p25) + band_width, WIDTH) if language.rtl else x(p25)
    parts = [
        f'<svg class="band" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
        f'preserveAspectRatio="xMidYMid meet"{language.direction} aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{PAD}" y1="{BAND_TOP + BAND_HEIGHT / 2}" x2="{WIDTH - PAD}" '
        f'y2="{BAND_TOP + BAND_HEIGHT / 2}" stroke="{COLOURS["axis"]}" stroke-width="2"/>',
        f'<rect class="iqr" x="{band_x}" y="{BAND_TOP}" width="{band_width}" '
        f'height="{BAND_HEIGHT}" rx="3" {_BAND}/>',
        f'<line class="median" x1="{x(median)}" y1="{BAND_TOP - 2}" x2="{x(median)}" '
        f'y2="{BAND_TOP + BAND_HEIGHT + 2}" stroke="{COLOURS["median"]}" stroke-width="3"/>',
        f'<text x="{x(p25)}" y="{BAND_TOP + BAND_HEIGHT + 18}" text-anchor="middle" {_TEXT}>'
        f"{escape(fmt(p25))}</text>",
        f'<text x="{x(p75)}" y="{BAND_TOP + BAND_HEIGHT + 18}" text-anchor="middle" {_TEXT}>'
        f"{escape(fmt(p75))}</text>",
    ]
    if value is not None:
        vx = x(value)
        parts.append(
            f'<path class="you" d="M{vx} {BAND_TOP - 2} l-5 -8 h10 z" fill="{COLOURS["you"]}"/>'
            f'<line x1="{vx}" y1="{BAND_TOP}" x2="{vx}" y2="{BAND_TOP + BAND_HEIGHT}" '
            f'stroke="{COLOURS["you"]}" stroke-width="2" stroke-dasharray="3 2"/>'
            f'<text x="{vx}" y="15" text-anchor="middle" font-weight="700" '
            f'font-size="{FONT_SIZE}" fill="{COLOURS["you"]}">'
            f"{escape(fmt(value))}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


TREND_WIDTH = 320
TREND_HEIGHT = 130
TREND_PAD_X = 40
TREND_PAD_Y = 14


@dataclass(frozen=True)
class TrendPoint:
    day: date
    value: float | None
    p25: float | None
    median: float | None
    p75: float | None


def trend_svg(
    points: Sequence[TrendPoint],
    *,
    unit: str,
    floor: float | None = None,
    ceiling: float | None = None,
    label: str = "",
    title: str | None = None,
    language: ChartLanguage = ENGLISH,
) -> str | None:
    """The organisation's value (a line) against the peers' p25–p75 band and median, over time.

    None when fewer than two days have a value: a single point is no trend.
    Days without a published band leave a gap in the band, not a made-up one.
    """
    valued = [p for p in points if p.value is not None]
    if len(valued) < 2:
        return None
    numbers = [v for p in points for v in (p.value, p.p25, p.p75) if v is not None]
    low, high = _span(numbers, margin=0.1, floor=floor, ceiling=ceiling)
    first, last = points[0].day, points[-1].day
    span = max((last - first).days, 1)

    def x(day: date) -> float:
        inner = TREND_WIDTH - 2 * TREND_PAD_X
        return language.mirror(
            round(TREND_PAD_X + (day - first).days / span * inner, 1), TREND_WIDTH
        )

    def y(v: float) -> float:
        clamped = min(max(v, low), high)
        inner = TREND_HEIGHT - 2 * TREND_PAD_Y
        return round(TREND_PAD_Y + (high - clamped) / (high - low) * inner, 1)

    def fmt(v: float) -> str:
        return language.value(v, unit)

    start, end = valued[0], valued[-1]
    if title is None:
        title = (
            f"{label}: from {fmt(start.value or 0)} on {start.day.isoformat()} "
            f"to {fmt(end.value or 0)} on {end.day.isoformat()}"
        )
    parts = [
        f'<svg class="trend" role="img" viewBox="0 0 {TREND_WIDTH} {TREND_HEIGHT}" '
        f'width="100%" preserveAspectRatio="xMidYMid meet"{language.direction} '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for segment in _runs(points, lambda p: p.p25 is not None and p.p75 is not None):
        upper = " ".join(f"{x(p.day)},{y(p.p75 or 0)}" for p in segment)
        lower = " ".join(f"{x(p.day)},{y(p.p25 or 0)}" for p in reversed(segment))
        parts.append(f'<polygon class="trend-band" points="{upper} {lower}" {_BAND}/>')
    for segment in _runs(points, lambda p: p.median is not None):
        line = " ".join(f"{x(p.day)},{y(p.median or 0)}" for p in segment)
        parts.append(
            f'<polyline class="trend-median" points="{line}" fill="none" '
            f'stroke="{COLOURS["median"]}" stroke-width="1.5"/>'
        )
    for segment in _runs(points, lambda p: p.value is not None):
        line = " ".join(f"{x(p.day)},{y(p.value or 0)}" for p in segment)
        parts.append(
            f'<polyline class="trend-you" points="{line}" fill="none" '
            f'stroke="{COLOURS["you"]}" stroke-width="2"/>'
        )
    for p in valued:
        parts.append(
            f'<circle class="trend-dot" cx="{x(p.day)}" cy="{y(p.value or 0)}" r="2.5" '
            f'fill="{COLOURS["you"]}"/>'
        )
    label_at = f'<text {_TEXT} x="{{}}" y="{{}}" text-anchor="{{}}">{{}}</text>'
    bottom = TREND_HEIGHT - 1

    # Anchors are logical: the first month and the value scale sit at the reading start.
    def at(left: float) -> float:
        return language.mirror(left, TREND_WIDTH)

    parts += [
        label_at.format(at(TREND_PAD_X), bottom, "start", escape(language.month(first))),
        label_at.format(at(TREND_WIDTH - TREND_PAD_X), bottom, "end", escape(language.month(last))),
        label_at.format(at(2), y(high) + 10, "start", escape(fmt(high))),
        label_at.format(at(2), y(low), "start", escape(fmt(low))),
    ]
    parts.append("</svg>")
    return "".join(parts)


PERCENTILE_HEIGHT = 64


def percentile_svg(
    percentile: int,
    *,
    label: str = "",
    title: str | None = None,
    language: ChartLanguage = ENGLISH,
) -> str:
    """Where the organisation stands on its peers' 0-100 scale: the scale and its mark only.

    For groups whose quartiles are not shown: no band and no median are drawn,
    since none is known here; the marks 0, 50 and 100 are the scale's own.
    """

    def x(v: float) -> float:
        return language.mirror(round(PAD + v / 100 * (WIDTH - 2 * PAD), 1), WIDTH)

    if title is None:
        title = f"{label}: better than {percentile}% of peers"
    top = 24
    middle = top + BAND_HEIGHT / 2
    parts = [
        f'<svg class="percentile" role="img" viewBox="0 0 {WIDTH} {PERCENTILE_HEIGHT}" '
        f'width="100%" preserveAspectRatio="xMidYMid meet"{language.direction} '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<line class="scale" x1="{x(0)}" y1="{middle}" x2="{x(100)}" y2="{middle}" '
        f'stroke="{COLOURS["axis"]}" stroke-width="2"/>',
    ]
    for mark in (0, 50, 100):
        anchor = "start" if mark == 0 else "end" if mark == 100 else "middle"
        parts.append(
            f'<line x1="{x(mark)}" y1="{middle - 5}" x2="{x(mark)}" y2="{middle + 5}" '
            f'stroke="{COLOURS["axis"]}" stroke-width="2"/>'
            f'<text x="{x(mark)}" y="{top + BAND_HEIGHT + 17}" text-anchor="{anchor}" {_TEXT}>'
            f"{escape(language.value(mark, ''))}</text>"
        )
    vx = x(min(max(percentile, 0), 100))
    parts.append(
        f'<path class="you" d="M{vx} {top - 2} l-5 -8 h10 z" fill="{COLOURS["you"]}"/>'
        f'<line x1="{vx}" y1="{top}" x2="{vx}" y2="{top + BAND_HEIGHT}" '
        f'stroke="{COLOURS["you"]}" stroke-width="2" stroke-dasharray="3 2"/>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _runs(
    points: Sequence[TrendPoint], present: Callable[[TrendPoint], bool]
) -> list[list[TrendPoint]]:
    """Consecutive stretches of points where `present` holds (a gap breaks a line)."""
    runs: list[list[TrendPoint]] = []
    current: list[TrendPoint] = []
    for point in points:
        if present(point):
            current.append(point)
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs
