"""The scorecard's verdicts, SVG band and trend chart."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest

from opsportal.benchmarks.charts import (
    COLOURS,
    PAD,
    WIDTH,
    TrendPoint,
    axis_range,
    band_svg,
    percentile_svg,
    trend_svg,
)
from opsportal.benchmarks.verdicts import verdict_for


@pytest.mark.parametrize(
    ("percentile", "key"),
    [(100, "top"), (75, "top"), (74, "above"), (50, "above"), (49, "below"), (25, "below"),
     (24, "bottom"), (0, "bottom")],
)  # fmt: skip
def test_verdict_boundaries(percentile: int, key: str) -> None:
    assert verdict_for(percentile).value.split("_")[0].lower() == key


def test_band_is_well_formed_svg_with_positions_in_order() -> None:
    svg = band_svg(p25=40, median=55, p75=70, value=82, unit="percent", floor=0, ceiling=100)
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    rect = re.search(r'class="iqr" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', svg)
    median = re.search(r'class="median" x1="([\d.]+)"', svg)
    you = re.search(r'class="you" d="M([\d.]+)', svg)
    assert rect and median and you
    left, width = float(rect.group(1)), float(rect.group(2))
    assert left < float(median.group(1)) < left + width < float(you.group(1))
    assert "82%" in svg and "40%" in svg and "70%" in svg


def test_value_outside_axis_is_clamped_into_view() -> None:
    svg = band_svg(p25=2, median=3, p75=4, value=400, unit="days", floor=0)
    you = re.search(r'class="you" d="M([\d.]+)', svg)
    assert you and float(you.group(1)) <= 320


def test_axis_zooms_to_the_data_within_the_metric_range() -> None:
    low, high = axis_range(40, 70, 82, floor=0, ceiling=100)
    assert 0 < low < 40 and 82 < high <= 100
    assert axis_range(90, 98, 100, floor=0, ceiling=100)[1] == 100
    low, high = axis_range(2, 4, 9, floor=0, ceiling=None)
    assert low >= 0 and high > 9


def test_labels_are_escaped() -> None:
    svg = band_svg(p25=1, median=2, p75=3, value=None, unit="days", label='<b>"x"</b>')
    assert "<b>" not in svg
    assert 'class="you"' not in svg


def test_trend_is_well_formed_svg_with_a_gap_where_no_band_was_published() -> None:
    days = [date(2026, 5, 1) + timedelta(days=30 * i) for i in range(5)]
    points = [
        TrendPoint(days[0], 40.0, 30.0, 45.0, 60.0),
        TrendPoint(days[1], 50.0, 31.0, 46.0, 61.0),
        TrendPoint(days[2], 55.0, None, None, None),  # a withheld day
        TrendPoint(days[3], None, 33.0, 48.0, 63.0),  # no value of ours that day
        TrendPoint(days[4], 70.0, 34.0, 49.0, 64.0),
    ]
    svg = trend_svg(points, unit="percent", floor=0, ceiling=100, label="Login rate")
    assert svg is not None
    root = ET.fromstring(svg)
    assert len(root.findall("polygon")) == 2  # the band breaks at the withheld day
    assert len(root.findall("circle")) == 4
    assert "from 40% on 2026-05-01 to 70% on " in (root.findtext("title") or "")


def test_no_trend_from_a_single_day() -> None:
    point = TrendPoint(date(2026, 11, 1), 40.0, 30.0, 45.0, 60.0)
    assert trend_svg([point], unit="percent") is None


def test_percentile_scale_draws_no_band_or_median_it_does_not_know() -> None:
    svg = percentile_svg(61, label="Login rate")
    root = ET.fromstring(svg)
    assert "better than 61% of peers" in (root.findtext("title") or "")
    # A group without quartiles shown: no peers' band at 25-75, no median at 50.
    assert 'class="iqr"' not in svg and 'class="median"' not in svg
    assert root.findall("rect") == []
    you = re.search(r'class="you" d="M([\d.]+)', svg)
    assert you and float(you.group(1)) == round(PAD + 0.61 * (WIDTH - 2 * PAD), 1)
    assert [t.text for t in root.findall("text")] == ["0", "50", "100"]


def _contrast(one: str, other: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_band_and_marks_meet_non_text_contrast_on_the_card() -> None:
    white = "#ffffff"
    svg = band_svg(p25=40, median=55, p75=70, value=82, unit="percent", floor=0, ceiling=100)
    band = next(r for r in ET.fromstring(svg).iter("rect") if r.get("class") == "iqr")
    fill, outline = band.get("fill", ""), band.get("stroke", "")
    assert _contrast(fill, white) >= 3 and _contrast(outline, white) >= 3
    # The median and our mark stand out on the band as well as on the card.
    for mark in (COLOURS["median"], COLOURS["you"]):
        assert _contrast(mark, fill) >= 3 and _contrast(mark, white) >= 3


def test_every_chart_label_is_set_large_enough_to_read() -> None:
    days = [date(2026, 5, 1) + timedelta(days=30 * i) for i in range(3)]
    charts = [
        band_svg(p25=40, median=55, p75=70, value=82, unit="percent", floor=0, ceiling=100),
        percentile_svg(30),
        trend_svg([TrendPoint(d, 50.0 + i, 40.0, 50.0, 60.0) for i, d in enumerate(days)],
                  unit="percent") or "",
    ]  # fmt: skip
    for svg in charts:
        sizes = [float(t.get("font-size", "0")) for t in ET.fromstring(svg).findall("text")]
        assert sizes and min(sizes) >= 14  # drawn 280 px or wider: 12 px or more on screen
