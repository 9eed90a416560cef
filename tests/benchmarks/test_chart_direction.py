"""Right to left, the scorecard's charts read as their reader reads: every axis mirrored (low
values and early days on the right), text anchored at its reading start, values and months
written in the page's language."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta

from opsportal.benchmarks.charts import (
    ENGLISH,
    TREND_WIDTH,
    WIDTH,
    ChartLanguage,
    TrendPoint,
    band_svg,
    percentile_svg,
    trend_svg,
)
from opsportal.benchmarks.pages.scorecard import chart_language
from opsportal.web.i18n import using_locale

RTL = ChartLanguage(rtl=True)
SVG = "{http://www.w3.org/2000/svg}"


def elements(svg: str) -> list[ET.Element]:
    return list(ET.fromstring(svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)))


def assert_mirrored(ltr: str, rtl: str, width: float) -> None:
    """Element for element, every horizontal position of `rtl` is `ltr`'s seen in a mirror."""
    left, right = elements(ltr), elements(rtl)
    assert [e.tag for e in left] == [e.tag for e in right]
    for a, b in zip(left, right, strict=True):
        if a.tag == f"{SVG}rect":
            x, w = float(a.get("x", 0)), float(a.get("width", 0))
            assert float(b.get("x", 0)) == round(width - x - w, 1)
            assert b.get("width") == a.get("width")
            continue
        if a.tag == f"{SVG}line":  # a segment: its two ends mirrored, in either order
            ends = sorted(round(width - float(a.get(end, 0)), 1) for end in ("x1", "x2"))
            assert sorted(float(b.get(end, 0)) for end in ("x1", "x2")) == ends
            continue
        if a.tag == f"{SVG}path":  # the organisation's mark: a triangle drawn from its tip
            tip = float(a.get("d", "M0").split()[0][1:])
            assert float(b.get("d", "M0").split()[0][1:]) == round(width - tip, 1)
        for attribute in ("x", "cx"):
            if a.get(attribute) is not None:
                assert float(b.get(attribute, 0)) == round(width - float(a.get(attribute, 0)), 1)
        # Anchors are logical (start is the reading start), so they stay as they are.
        assert a.get("text-anchor") == b.get("text-anchor")
        assert a.text == b.text
    assert ET.fromstring(rtl).get("direction") == "rtl"
    assert ET.fromstring(ltr).get("direction") is None


def test_the_band_is_mirrored() -> None:
    shown = {"p25": 40.0, "median": 55.0, "p75": 70.0, "value": 82.0, "unit": "percent"}
    ltr = band_svg(**shown, floor=0, ceiling=100)
    rtl = band_svg(**shown, floor=0, ceiling=100, language=RTL)
    assert_mirrored(ltr, rtl, WIDTH)
    # The organisation's high value sits left of the median, where high is right to left.
    you = next(e for e in elements(rtl) if e.get("class") == "you")
    median = next(e for e in elements(rtl) if e.get("class") == "median")
    assert float(you.get("d", "M0").split()[0][1:]) < float(median.get("x1", 0))


def test_a_narrow_band_keeps_its_width_when_mirrored() -> None:
    shown = {"p25": 50.0, "median": 50.0, "p75": 50.0, "value": None, "unit": "days"}
    assert_mirrored(band_svg(**shown), band_svg(**shown, language=RTL), WIDTH)


def test_the_trend_runs_right_to_left() -> None:
    first = date(2026, 6, 1)
    points = [
        TrendPoint(first + timedelta(days=30 * i), 10.0 + i, 8.0, 11.0, 14.0) for i in range(6)
    ]
    ltr = trend_svg(points, unit="days")
    rtl = trend_svg(points, unit="days", language=RTL)
    assert ltr is not None and rtl is not None
    assert_mirrored(ltr, rtl, TREND_WIDTH)
    dots = [float(e.get("cx", 0)) for e in elements(rtl) if e.get("class") == "trend-dot"]
    assert dots == sorted(dots, reverse=True)  # the first day on the right


def test_the_percentile_scale_runs_right_to_left() -> None:
    ltr, rtl = percentile_svg(80), percentile_svg(80, language=RTL)
    assert_mirrored(ltr, rtl, WIDTH)
    zero = next(e for e in elements(rtl) if e.tag == f"{SVG}text" and e.text == "0")
    assert float(zero.get("x", 0)) > WIDTH / 2 and zero.get("text-anchor") == "start"


def test_english_draws_as_it_always_did() -> None:
    shown = {"p25": 4.0, "median": 5.5, "p75": 7.0, "value": 3.0, "unit": "days"}
    assert band_svg(**shown) == band_svg(**shown, language=ENGLISH)
    assert 'aria-label="Case: peers' in band_svg(**shown, label="Case")


def test_the_page_draws_in_its_language() -> None:
    """Arabic reads right to left with its own months; German left to right."""
    with using_locale("ar"):
        arabic = chart_language()
        assert arabic.rtl
        assert arabic.month(date(2026, 9, 1)) == "سبتمبر 2026"
    with using_locale("de"):
        german = chart_language()
        assert not german.rtl
        assert german.month(date(2026, 9, 1)) == "Sept. 2026"
    assert not chart_language().rtl
