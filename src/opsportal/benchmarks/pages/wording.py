"""The benchmark pages' words, in their reader's language.

The JSON API speaks English that clients match on: a comparison's `label`,
`reason`, `summary` and `filterDescription`, and the verdict words of the pure
modules (`verdicts`, `cohorts`, the metric registry) stay as they are. The
pages say the same things through here instead, from the codes and numbers
beside that English (`Verdict`, `medianGap`, `Wording`), each as one whole
translatable sentence. In English every function here returns exactly the API's
text (tests/benchmarks/test_page_wording.py holds them to it).

Numbers and days go through the pages' own `number` and `date` filters, so they
are written as the rest of the page writes them in the reader's locale.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from babel.core import UnknownLocaleError
from babel.dates import format_date

from opsportal.benchmarks.charts import TrendPoint
from opsportal.benchmarks.schemas import BenchmarkComparison
from opsportal.benchmarks.service.scorecard import GroupChoice
from opsportal.benchmarks.verdicts import Verdict, direction
from opsportal.metrics.registry import Unit, get_metric
from opsportal.models import OrganizationStatus, RunStatus
from opsportal.web.i18n import N_, _, current_locale, ngettext, pgettext
from opsportal.web.templating import templates

EMPTY = "—"


def number(value: float | int | None, digits: int = 1) -> str:
    """A figure as the page's `number` filter writes it in the current locale ("—" for none)."""
    return str(templates.env.filters["number"](value, digits))


def day(value: date | None) -> str:
    """A day as the page's `date` filter writes it (ISO in English)."""
    return str(templates.env.filters["date"](value))


# Metrics ------------------------------------------------------------------------------------


def metric_label(name: str) -> str:
    """A metric's name as a heading or a list item says it: "Case resolution time"."""
    metric = get_metric(name)
    return _(metric.label) if metric is not None else name


# A metric's name inside a sentence ("has no value for login rate recorded"). English writes
# the label in lower case there; other languages may not (German keeps its nouns capitalised).
IN_SENTENCE = {
    "attestation_completion_rate": N_("attestation completion rate"),
    "case_resolution_time": N_("case resolution time"),
    "case_on_time_rate": N_("cases closed on time"),
    "login_rate": N_("login rate"),
    "feature_adoption_rate": N_("feature adoption rate"),
    "training_completion_rate": N_("training completion rate"),
}


def metric_in_sentence(name: str) -> str:
    found = IN_SENTENCE.get(name)
    if found is not None:
        return _(found)
    metric = get_metric(name)
    return metric.label.lower() if metric is not None else name


def in_unit(value: float | None, unit: str) -> str:
    """A metric's value with its unit, as `Unit.show` writes it in English: "12.5 %", "3 days"."""
    if value is None:
        return EMPTY
    shown = number(value)
    if Unit(unit) is Unit.PERCENT:
        return _("%(number)s %%", number=shown)
    if float(value).is_integer():
        return ngettext("%(number)s day", "%(number)s days", int(value), number=shown)
    # gettext's plural forms count whole numbers only; "1.5 days" is a message of its own.
    return pgettext("a number with decimals", "%(number)s days", number=shown)


def chart_value(value: float, unit: str) -> str:
    """A value on a chart's axis: whole from 10 up, one decimal below; "12%"."""
    whole = abs(value) >= 10 or float(value).is_integer()
    shown = number(float(round(value))) if whole else number(value, 1)
    if unit == Unit.PERCENT:
        return pgettext("a value on a chart", "%(number)s%%", number=shown)
    return shown


# Verdicts -----------------------------------------------------------------------------------

# A verdict in the metric's own direction (`verdicts.direction`), keyed by its English word.
_AMONG = {
    "fastest": N_("Among the fastest quarter"),
    "slowest": N_("Among the slowest quarter"),
    "highest": N_("Among the highest quarter"),
    "lowest": N_("Among the lowest quarter"),
    "best": N_("Among the best quarter"),
    "worst": N_("Among the worst quarter"),
}
_THAN_MEDIAN = {
    "faster": N_("Faster than the median"),
    "slower": N_("Slower than the median"),
    "higher": N_("Higher than the median"),
    "lower": N_("Lower than the median"),
    "better": N_("Better than the median"),
    "worse": N_("Worse than the median"),
}
AT_MEDIAN = N_("At the median")
CLOSE_TO_MEDIAN = N_("Close to the median")


def verdict_text(verdict: Verdict, *, unit: str, higher_is_better: bool) -> str:
    """`verdicts.verdict_words`, translated: "Faster than the median"."""
    words = direction(unit, higher_is_better=higher_is_better)
    return _(
        {
            Verdict.TOP_QUARTILE: _AMONG[words.best],
            Verdict.ABOVE_MEDIAN: _THAN_MEDIAN[words.better],
            Verdict.BELOW_MEDIAN: _THAN_MEDIAN[words.worse],
            Verdict.BOTTOM_QUARTILE: _AMONG[words.worst],
        }[verdict]
    )


def month(value: date) -> str:
    """A month on a chart's time axis: "Sep 2026", "Sept. 2026", "سبتمبر 2026"."""
    try:
        return format_date(value, "MMM y", locale=current_locale())
    except (UnknownLocaleError, ValueError):  # a made-up locale, such as a pseudo-locale
        return value.strftime("%b %Y")


def band_title(
    metric: str, p25: float, median: float, p75: float, value: float | None, *, unit: str
) -> str:
    """The band chart's accessible name: where the peers are, and the organisation."""
    shown = {
        "metric": metric,
        "p25": chart_value(p25, unit),
        "median": chart_value(median, unit),
        "p75": chart_value(p75, unit),
    }
    if value is None:
        return _("%(metric)s: peers' middle half %(p25)s to %(p75)s, median %(median)s", **shown)
    return _(
        "%(metric)s: peers' middle half %(p25)s to %(p75)s, median %(median)s; "
        "this organization %(value)s",
        value=chart_value(value, unit),
        **shown,
    )


def percentile_title(metric: str, percentile: int) -> str:
    return _(
        "%(metric)s: better than %(percentile)s%% of peers", metric=metric, percentile=percentile
    )


def trend_title(metric: str, points: Sequence[TrendPoint], *, unit: str) -> str | None:
    """The trend chart's accessible name: from its first value to its last (None: no trend)."""
    valued = [p for p in points if p.value is not None]
    if len(valued) < 2:
        return None
    start, end = valued[0], valued[-1]
    return _(
        "%(metric)s: from %(first)s on %(first_day)s to %(last)s on %(last_day)s",
        metric=metric,
        first=chart_value(start.value or 0, unit),
        first_day=day(start.day),
        last=chart_value(end.value or 0, unit),
        last_day=day(end.day),
    )


def lower_first(text: str) -> str:
    """A phrase continuing a list ("5 days slower · among the slowest quarter"): only its first
    letter lowered, so a language's capitalised nouns keep their capitals."""
    return text[:1].lower() + text[1:]


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


# Peer groups --------------------------------------------------------------------------------


def peer_group_name(industry: str, size_band: str) -> str:
    """`cohorts.describe_peer_group`'s name of a group: "Healthcare, 101-500 employees".

    The industry is the organisations' own (data, as they spell it); the size band's label is
    the deployment's ("101-500").
    """
    if industry and size_band:
        return _("%(industry)s, %(size)s employees", industry=industry, size=size_band)
    if industry:
        return industry
    if size_band:
        return _("%(size)s employees", size=size_band)
    return _("all customers")


def peer_group_text(industry: str, size_band: str, peer_count: int | None = None) -> str:
    """The group with its size when known: "all customers (412 organizations)"."""
    name = peer_group_name(industry, size_band)
    if peer_count is None:
        return name
    return ngettext(
        "%(group)s (%(num)d organization)",
        "%(group)s (%(num)d organizations)",
        peer_count,
        group=name,
    )


def group_choice(group: GroupChoice) -> str:
    """A scorecard's chosen group (`GroupChoice.describe`)."""
    return peer_group_name(group.industry, group.size)


def comparison_group(c: BenchmarkComparison) -> str:
    """A comparison's `filterDescription`, translated."""
    found = c.wording
    if found is None:
        return c.filter_description
    return peer_group_text(found.sector, found.size_band, c.peer_count if c.available else None)


def reason_text(c: BenchmarkComparison) -> str | None:
    """A comparison's `reason` (`service.reasons`), translated."""
    found = c.wording
    if found is None or found.reason is None:
        return c.reason
    metric = metric_in_sentence(c.metric)
    match found.reason:
        case "not_calculated":
            return _("Benchmarks have not been calculated yet.")
        case "no_value":
            return ngettext(
                "%(organization)s has no value for %(metric)s recorded in the %(num)d day "
                "up to %(day)s.",
                "%(organization)s has no value for %(metric)s recorded in the %(num)d days "
                "up to %(day)s.",
                found.freshness_days,
                organization=found.organization,
                metric=metric,
                day=day(c.calculated_for),
            )
        case "too_few":
            return ngettext(
                "Fewer than %(num)d organization in %(group)s had a recent value for "
                "%(metric)s on %(day)s, so this peer group is not published.",
                "Fewer than %(num)d organizations in %(group)s had a recent value for "
                "%(metric)s on %(day)s, so this peer group is not published.",
                found.minimum,
                group=peer_group_name(found.sector, found.size_band),
                metric=metric,
                day=day(c.calculated_for),
            )
        case "not_published":
            return _(
                "No benchmark is published for %(group)s. A peer group is shown only when it "
                "is one of your organization's own groups and large enough that no member's "
                "numbers can be worked out from it.",
                group=peer_group_name(found.sector, found.size_band),
            )
        case "few_peers":
            return ngettext(
                "Fewer than %(num)d organization: their quartiles and your percentile are "
                "shown from %(num)d up, so that no member's numbers can be worked out.",
                "Fewer than %(num)d organizations: their quartiles and your percentile are "
                "shown from %(num)d up, so that no member's numbers can be worked out.",
                found.minimum,
            )
        case "not_available":
            return _("Not available.")
    return c.reason


# Statuses and triggers ----------------------------------------------------------------------


def run_status(status: RunStatus | str) -> str:
    """A run's status as a word ("Succeeded"); the pages' badges write it in capitals."""
    names = {
        RunStatus.RUNNING: pgettext("benchmark run status", "Running"),
        RunStatus.SUCCEEDED: pgettext("benchmark run status", "Succeeded"),
        RunStatus.FAILED: pgettext("benchmark run status", "Failed"),
    }
    return names[RunStatus(status)]


def organization_status(status: OrganizationStatus | str) -> str:
    names = {
        OrganizationStatus.ACTIVE: pgettext("organization status", "Active"),
        OrganizationStatus.INACTIVE: pgettext("organization status", "Inactive"),
        OrganizationStatus.CHURNED: pgettext("organization status", "Churned"),
    }
    return names[OrganizationStatus(status)]


def trigger_name(trigger: str) -> str:
    """What started a run, as the runs table names it ("schedule"); an unknown code as it is."""
    names = {
        "schedule": pgettext("benchmark run trigger", "schedule"),
        "api": pgettext("benchmark run trigger", "api"),
        "web": pgettext("benchmark run trigger", "web"),
        "cli": pgettext("benchmark run trigger", "cli"),
        "demo": pgettext("benchmark run trigger", "demo"),
        "manual": pgettext("benchmark run trigger", "manual"),
    }
    return names.get(trigger, trigger)


templates.env.filters.update(
    in_unit=in_unit,
    metric_label=metric_label,
    group_choice=group_choice,
    comparison_group=comparison_group,
    comparison_reason=reason_text,
    run_status=run_status,
    organization_status=organization_status,
    trigger_name=trigger_name,
    upper_first=upper_first,
    # `{{ point.verdict | verdict_in(c) }}`: a verdict in the words of comparison c's metric.
    verdict_in=lambda verdict, c: (
        verdict_text(verdict, unit=c.unit, higher_is_better=c.higher_is_better)
        if verdict
        else EMPTY
    ),
)
