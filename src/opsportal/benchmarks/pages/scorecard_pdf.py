"""The scorecard as a PDF for a customer review: always the Customer view.

Its verdicts, group and peer counts are the page's, and each metric gets the
page's band chart drawn for print (`pdf.band_drawing`).
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from opsportal.benchmarks.charts import axis_range
from opsportal.benchmarks.pages.figures import verdict_label
from opsportal.benchmarks.pages.scorecard import AskedDep, Scorecard, build_scorecard
from opsportal.benchmarks.pdf import Band, ScorecardDocument, ScorecardRow, scorecard_pdf
from opsportal.benchmarks.schemas import BenchmarkComparison
from opsportal.benchmarks.service.scorecard import customer_principal, withheld
from opsportal.kit.downloads import pdf_download
from opsportal.metrics.registry import Unit, get_metric
from opsportal.models import Organization, OrganizationStatus
from opsportal.tenants import service as tenant_service
from opsportal.web.i18n import DEFAULT_LOCALE, using_locale
from opsportal.web.session import PageUser

router = APIRouter(include_in_schema=False)


@router.get("/benchmarks/organizations/{organization_id}/scorecard.pdf")
def scorecard_pdf_download(asked: AskedDep, user: PageUser) -> Response:
    """The customer's scorecard as a PDF, for a review meeting: always the Customer view.

    Staff get what the organisation's customer users would see; a customer its own.
    """
    organization = tenant_service.get_organization(
        asked.session, principal=user, organization_id=asked.organization_id
    )
    viewer = customer_principal(user, asked.organization_id)
    card = build_scorecard(asked, viewer=viewer, organization=organization)
    # English for now, whatever the page's language: its layout and font draw no
    # right-to-left or CJK text yet, and half-translated words would read worse.
    with using_locale(DEFAULT_LOCALE):
        pdf = scorecard_pdf(scorecard_document(organization, card))
    return pdf_download(pdf, filename=f"scorecard-{asked.organization_id}.pdf")


def _band(c: BenchmarkComparison) -> Band | None:
    if not c.available or c.p25 is None or c.p75 is None or c.median is None:
        return None
    metric = get_metric(c.metric)
    floor, ceiling = (metric.min, metric.max) if metric else (None, None)
    low, high = axis_range(c.p25, c.p75, c.your_value, floor=floor, ceiling=ceiling)
    return Band(low, high, c.p25, c.median, c.p75, c.your_value)


def scorecard_document(organization: Organization, card: Scorecard) -> ScorecardDocument:
    rows = []
    for c in card.comparisons:
        label = verdict_label(c)
        rows.append(
            ScorecardRow(
                metric=c.label,
                value=Unit(c.unit).show(c.your_value),
                verdict=label.text if label else "Not published" if withheld(c) else "—",
                percentile="—"
                if c.percentile is None
                else f"better than {'about ' if c.percentile_estimated else ''}{c.percentile} %",
                quartiles="—"
                if c.p25 is None
                else " / ".join(Unit(c.unit).show(v) for v in (c.p25, c.median, c.p75)),
                peers="—" if c.peer_count is None else str(c.peer_count),
                lower_is_better=not c.higher_is_better,
                better=None if label is None or label.key == "at" else label.key in BETTER_KEYS,
                band=_band(c),
            )
        )
    day = next((c.calculated_for for c in card.comparisons if c.calculated_for), None)
    summary = card.summary
    return ScorecardDocument(
        organization=organization.name,
        peer_group=card.group.describe(),
        calculated_for=day,
        summary=(
            f"{summary[0]} of {summary[1]} metrics worse than your peers' median"
            if summary
            else None
        ),
        rows=rows,
        withheld=[c.label for c in card.missing],
        status=None if organization.status is OrganizationStatus.ACTIVE else organization.status,
    )


BETTER_KEYS = ("best", "better")
