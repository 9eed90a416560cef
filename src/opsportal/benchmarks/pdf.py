"""The scorecard as a PDF for a customer review: a ScorecardDocument in, PDF bytes out.

It is built from what the customer may see (the page builds the document from
the Customer view), so it has no field for the staff-only figures at all.
Text is set in the kit's embedded fonts (`opsportal.kit.fonts`), so any
organisation name renders as real, extractable text.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

from reportlab.graphics.shapes import Drawing, Line, Polygon, Rect
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from opsportal.benchmarks.charts import COLOURS
from opsportal.kit.fonts import BOLD, REGULAR, register_fonts

INK = colors.HexColor("#1c2430")
MUTED = colors.HexColor("#5b6675")
LINE = colors.HexColor("#d9dee5")
HEAD = colors.HexColor("#eef4fd")


GOOD = colors.HexColor("#1e7b46")
BAD = colors.HexColor("#b3261e")
CHART_WIDTH = 64 * mm
CHART_HEIGHT = 11 * mm


@dataclass(frozen=True)
class Band:
    """One metric's chart: the peers' p25-p75 band and median, and the organisation's value,
    on an axis from `low` to `high`."""

    low: float
    high: float
    p25: float
    median: float
    p75: float
    value: float | None


@dataclass(frozen=True)
class ScorecardRow:
    metric: str
    value: str
    verdict: str  # in the metric's own words: "Slower than the median"
    percentile: str
    quartiles: str  # "p25 / median / p75", or "—" where the customer is not shown them
    peers: str
    lower_is_better: bool = False
    better: bool | None = None  # the verdict's side: its colour (None: at the median, or none)
    band: Band | None = None


def band_drawing(band: Band) -> Drawing:
    """The scorecard page's band chart, drawn for print: axis, band, median, and the value."""
    drawing = Drawing(CHART_WIDTH, CHART_HEIGHT)
    pad = 3 * mm
    span = band.high - band.low or 1.0

    def x(v: float) -> float:
        clamped = min(max(v, band.low), band.high)
        return float(pad + (clamped - band.low) / span * (CHART_WIDTH - 2 * pad))

    middle, half = 4.5 * mm, 2 * mm
    drawing.add(
        Line(pad, middle, CHART_WIDTH - pad, middle, strokeColor=colors.HexColor(COLOURS["axis"]))
    )
    drawing.add(
        Rect(
            x(band.p25),
            middle - half,
            max(x(band.p75) - x(band.p25), 1.0),
            2 * half,
            fillColor=colors.HexColor(COLOURS["band"]),
            strokeColor=colors.HexColor(COLOURS["band_outline"]),
            strokeWidth=0.7,
        )
    )
    median = x(band.median)
    drawing.add(
        Line(median, middle - half - 1, median, middle + half + 1,
             strokeColor=colors.HexColor(COLOURS["median"]), strokeWidth=2)
    )  # fmt: skip
    if band.value is not None:
        vx, top = x(band.value), middle + half + 1
        drawing.add(
            Polygon(
                [vx, top, vx - 3, top + 5, vx + 3, top + 5],
                fillColor=colors.HexColor(COLOURS["you"]),
                strokeColor=colors.HexColor(COLOURS["you"]),
            )
        )
        drawing.add(
            Line(vx, middle - half, vx, top, strokeColor=colors.HexColor(COLOURS["you"]),
                 strokeDashArray=[2, 1.5])
        )  # fmt: skip
    return drawing


@dataclass(frozen=True)
class ScorecardDocument:
    organization: str
    peer_group: str
    calculated_for: date | None
    summary: str | None
    rows: list[ScorecardRow]
    withheld: list[str] = field(default_factory=list)  # metric labels not published in the group
    status: str | None = None  # "CHURNED" / "INACTIVE"; None for an active customer


def scorecard_pdf(document: ScorecardDocument) -> bytes:
    register_fonts()
    title = ParagraphStyle("title", fontName=BOLD, fontSize=18, leading=22, textColor=INK)
    body = ParagraphStyle("body", fontName=REGULAR, fontSize=10, leading=14, textColor=INK)
    muted = ParagraphStyle("muted", parent=body, textColor=MUTED, fontSize=9, leading=12)
    strong = ParagraphStyle("strong", parent=body, fontName=BOLD, fontSize=12, leading=16)
    cell = ParagraphStyle("cell", parent=body, fontSize=9, leading=12)

    def text(value: str, style: ParagraphStyle = body) -> Paragraph:
        # Paragraph reads a small markup language: escape what came from data.
        safe = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return Paragraph(safe, style)

    as_of = document.calculated_for.isoformat() if document.calculated_for else "not calculated"
    story: list[object] = [
        text(f"{document.organization} — benchmark scorecard", title),
        Spacer(1, 3 * mm),
        text(f"Peer group: {document.peer_group} · as of {as_of}", muted),
    ]
    if document.status:
        story += [
            Spacer(1, 2 * mm),
            text(
                f"{document.status.capitalize()}: this organization is no longer an active "
                "customer and is left out of the nightly benchmarks.",
                strong,
            ),
        ]
    if document.summary:
        story += [Spacer(1, 4 * mm), text(document.summary + ".", strong)]
    header = [
        "Metric",
        "Value",
        "Verdict",
        "Percentile",
        "Peers' p25 / median / p75",
        "Peers",
        "Peers' middle half, median, and the value",
    ]
    rows: list[list[object]] = [[text(h, cell) for h in header]]
    good = ParagraphStyle("good", parent=cell, fontName=BOLD, textColor=GOOD)
    bad = ParagraphStyle("bad", parent=cell, fontName=BOLD, textColor=BAD)
    for row in document.rows:
        name = row.metric + (" (lower is better)" if row.lower_is_better else "")
        tone = cell if row.better is None else good if row.better else bad
        rows.append(
            [
                text(name, cell),
                text(row.value, cell),
                text(row.verdict, tone),
                text(row.percentile, cell),
                text(row.quartiles, cell),
                text(row.peers, cell),
                band_drawing(row.band) if row.band is not None else text("—", cell),
            ]
        )
    table = Table(rows, colWidths=[48 * mm, 22 * mm, 36 * mm, 32 * mm, 36 * mm, 14 * mm, 79 * mm])
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), HEAD),
                ("LINEBELOW", (0, 0), (-1, -1), 0.5, LINE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story += [Spacer(1, 5 * mm), table]
    if document.withheld:
        story += [
            Spacer(1, 4 * mm),
            text(
                f"Not published for {document.peer_group}: {', '.join(document.withheld)}. "
                "A peer group is shown only when it is large enough that no member's numbers "
                "can be worked out from it; a wider group may show them.",
                muted,
            ),
        ]
    story += [
        Spacer(1, 3 * mm),
        text(
            "The chart: the blue band is the peers' middle half (25th to 75th percentile), "
            "the dark bar their median, the triangle and dashed line the organization's value.",
            muted,
        ),
        Spacer(1, 3 * mm),
        text(
            "Each metric compares the organization's most recent value with the peer group's "
            "published figures; the percentile says what share of peers it does better than "
            "(for customers, estimated from the quartiles shown, which are those of the other "
            "organizations of the group). No other organization's numbers are shown.",
            muted,
        ),
    ]
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"{document.organization} — benchmark scorecard",
        author="opsportal",
    ).build(story)
    return buffer.getvalue()
