"""The scorecard's verdicts, SVG band and trend chart."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest

from opsportal.benchmarks.charts import TrendPoint, axis_range, band_svg, percentile_svg, trend_svg
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


def test_percentile_scale_places_the_value_between_the_quartile_marks() -> None:
    svg = percentile_svg(61, label="Login rate")
    root = ET.fromstring(svg)
    assert "better than 61% of peers" in (root.findtext("title") or "")
    you = re.search(r'class="you" d="M([\d.]+)', svg)
    median = re.search(r'class="median" x1="([\d.]+)"', svg)
    assert you and median and float(you.group(1)) > float(median.group(1))
    assert [t.text for t in root.findall("text")] == ["0", "25", "50", "75", "100"]


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
