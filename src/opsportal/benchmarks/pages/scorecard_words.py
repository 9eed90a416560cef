"""The scorecard page's sentences that count something beside other values, in its language.

Made here rather than in the template: each is one plural message with more than
the count in it, which Python's `ngettext` fills (`{{ value | filter }}` in the
template). The English is the page's as it always read.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

from opsportal.benchmarks.pages.wording import number
from opsportal.web.i18n import ngettext, pgettext
from opsportal.web.templating import templates


def employees(count: int | None) -> str:
    """ "3,000 employees" (an unknown size: "— employees")."""
    return ngettext("%(count)s employee", "%(count)s employees", count or 0, count=number(count))


def summary(below: int, placed: int, *, staff_view: bool) -> Markup:
    """ "<strong>1 of 4 metrics worse than your peers' median</strong>." (staff: "the peers'")."""
    if staff_view:
        if below == 0:
            text = ngettext(
                "<strong>%(below)d of %(num)d metric worse than the peers' median</strong> — "
                "every metric is at it or better.",
                "<strong>%(below)d of %(num)d metrics worse than the peers' median</strong> — "
                "every metric is at it or better.",
                placed,
                below=below,
            )
        else:
            text = ngettext(
                "<strong>%(below)d of %(num)d metric worse than the peers' median</strong>.",
                "<strong>%(below)d of %(num)d metrics worse than the peers' median</strong>.",
                placed,
                below=below,
            )
    elif below == 0:
        text = ngettext(
            "<strong>%(below)d of %(num)d metric worse than your peers' median</strong> — "
            "every metric is at it or better.",
            "<strong>%(below)d of %(num)d metrics worse than your peers' median</strong> — "
            "every metric is at it or better.",
            placed,
            below=below,
        )
    else:
        text = ngettext(
            "<strong>%(below)d of %(num)d metric worse than your peers' median</strong>.",
            "<strong>%(below)d of %(num)d metrics worse than your peers' median</strong>.",
            placed,
            below=below,
        )
    # The message's own markup; its values are numbers.
    return Markup(text)  # noqa: S704


def metric_list(labels: Sequence[str]) -> str:
    """Metric names as a list inside a sentence: "Login rate, Case resolution time"."""
    return pgettext("between the items of a list", ", ").join(labels)


def withheld_note(metrics: int, minimum: int) -> str:
    """Staff: why a group is not published for the metrics listed above it."""
    return ngettext(
        "Fewer than %(minimum)s organizations of this group had a recent value of this metric, "
        "so the group is not published for it.",
        "Fewer than %(minimum)s organizations of this group had a recent value of these "
        "metrics, so the group is not published for them.",
        metrics,
        minimum=minimum,
    )


templates.env.filters.update(
    employees=employees, metric_list=metric_list, withheld_note=withheld_note
)
