"""A scorecard card's verdict and, for staff, the customer's figures beside the exact ones,
in the page's language."""

from __future__ import annotations

from dataclasses import dataclass

from opsportal.benchmarks.pages import gaps, wording
from opsportal.benchmarks.schemas import BenchmarkComparison
from opsportal.benchmarks.verdicts import Verdict, is_better
from opsportal.web.i18n import _


@dataclass(frozen=True)
class VerdictLabel:
    key: str  # the CSS modifier, better or worse: best, better, at, worse, worst
    text: str


_KEYS = {
    Verdict.TOP_QUARTILE: "best",
    Verdict.ABOVE_MEDIAN: "better",
    Verdict.BELOW_MEDIAN: "worse",
    Verdict.BOTTOM_QUARTILE: "worst",
}


def verdict_label(comparison: BenchmarkComparison) -> VerdictLabel | None:
    """The verdict in the metric's own direction ("Slower than the median"), coloured by
    better or worse; "At the median" when the value equals the median shown.

    The JSON verdict stays one of the four quartiles (the API's fixed enum, where
    the median belongs to the better half); only the words on the page say "at".
    When the value sits on the other side of the median shown than its percentile
    says (ties among the peers), the page says "close to", never the opposite.
    """
    verdict: Verdict | None = comparison.verdict
    if verdict is None:
        return None
    gap = comparison.median_gap
    if gap == 0:
        return VerdictLabel("at", _(wording.AT_MEDIAN))
    if gap is not None and (gap > 0) != (is_better(verdict) == comparison.higher_is_better):
        return VerdictLabel("at", _(wording.CLOSE_TO_MEDIAN))
    words = wording.verdict_text(
        verdict, unit=comparison.unit, higher_is_better=comparison.higher_is_better
    )
    return VerdictLabel(_KEYS[verdict], words)


@dataclass(frozen=True)
class Figures:
    """For staff: what the customer is shown beside the exact figure, both labelled."""

    customer: str
    exact: str | None  # None: the customer is shown the same

    @property
    def differs(self) -> bool:
        return self.exact is not None


def percentile_words(c: BenchmarkComparison) -> str:
    """ "better than 17 % of peers", "better than about 17 % of peers"."""
    if c.percentile_estimated:
        return _("better than about %(percentile)s %% of peers", percentile=c.percentile)
    return _("better than %(percentile)s %% of peers", percentile=c.percentile)


def staff_figures(comparison: BenchmarkComparison) -> Figures | None:
    """The customer's figures (as their endpoint returns them) and the exact ones, in words."""
    theirs = getattr(comparison, "customer_view", None)
    if theirs is None or not comparison.available:
        return None
    exact = _figure_words(comparison, smoothed=False, verdict=True)
    if not theirs.available:
        return Figures(_("nothing for this peer group (not published to customers)"), exact)
    if theirs.percentile is None:
        return Figures(_("the number of peers only (%(count)s)", count=theirs.peer_count), exact)
    # The verdict is named only where the two differ: the card's heading shows the staff's.
    verdicts = verdict_label(theirs) != verdict_label(comparison)
    shown = _figure_words(theirs, smoothed=True, verdict=verdicts)
    exact = _figure_words(comparison, smoothed=False, verdict=verdicts)
    same = theirs.median_gap == comparison.median_gap and theirs.percentile == comparison.percentile
    return Figures(shown, None if same else exact)


def _figure_words(c: BenchmarkComparison, *, smoothed: bool, verdict: bool) -> str:
    """The figures as a list: "8.2 days slower than the median · among the slowest quarter"."""
    label = verdict_label(c)
    parts = []
    if c.median_gap is not None:
        parts.append(gaps.gap_text(c.unit, c.median_gap, smoothed=smoothed))
    if label is not None and (verdict or c.median_gap is None):
        parts.append(wording.lower_first(label.text))
    if c.percentile is not None:
        parts.append(percentile_words(c))
    return " · ".join(parts)
