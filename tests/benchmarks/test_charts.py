"""The scorecard's verdicts and SVG band."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from opsportal.benchmarks.charts import axis_range, band_svg, verdict


@pytest.mark.parametrize(
    ("percentile", "key"),
    [(100, "top"), (75, "top"), (74, "above"), (50, "above"), (49, "below"), (25, "below"),
     (24, "bottom"), (0, "bottom")],
)  # fmt: skip
def test_verdict_boundaries(percentile: int, key: str) -> None:
    assert verdict(percentile).key == key


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
