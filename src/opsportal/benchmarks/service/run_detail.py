"""One benchmark run as staff open it: what it computed, who or what started it, and why its
counts differ from another run of the same day.

Only the run's page reads this, so its words are the reader's language (`_`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from opsportal.benchmarks import repository
from opsportal.benchmarks.schemas import BenchmarkRunRead
from opsportal.errors import NotFound
from opsportal.metrics.registry import METRIC_NAMES, get_metric
from opsportal.models import RunStatus
from opsportal.web.i18n import N_, _

TRIGGERS = {
    "schedule": N_("the nightly schedule"),
    "api": N_("by hand, through the API"),
    "web": N_("by hand, from the Runs page"),
    "cli": N_("by hand, from the command line"),
    "demo": N_("the demo loader"),
}


@dataclass(frozen=True)
class MetricCount:
    label: str
    values: int  # organisations with a fresh value counted
    groups: int  # peer groups published


@dataclass(frozen=True)
class RunDetail:
    run: BenchmarkRunRead
    started_by: str  # "the nightly schedule", "by hand, from the Runs page"
    duration_ms: int | None
    organizations: int | None  # None: recorded before runs kept their counts
    metrics: list[MetricCount]
    same_day: list[BenchmarkRunRead]  # every run of the day, oldest first (this one too)
    # The run whose results are published for the day (the newest successful one).
    published_run: int | None
    compared_with: int | None  # the previous successful run of the day
    differences: list[str]


def _label(metric: str) -> str:
    found = get_metric(metric)
    return _(found.label) if found else metric


def _metrics(counted: Mapping[str, Any] | None) -> dict[str, dict[str, int]]:
    return dict((counted or {}).get("metrics", {}))


def explain(
    earlier: BenchmarkRunRead,
    earlier_counted: Mapping[str, Any] | None,
    later: BenchmarkRunRead,
    later_counted: Mapping[str, Any] | None,
) -> list[str]:
    """Why two runs of one day counted differently, in sentences (empty: they did not)."""
    run = earlier.id
    if earlier_counted is None or later_counted is None:
        if earlier.cohorts_published == later.cohorts_published:
            return []
        return [
            _(
                "Run %(run)s published %(before)s peer groups and this run %(after)s; run "
                "%(run)s was recorded before runs kept what they counted, so only the totals "
                "can be compared.",
                run=run,
                before=earlier.cohorts_published,
                after=later.cohorts_published,
            )
        ]
    found = []
    before, after = _metrics(earlier_counted), _metrics(later_counted)
    orgs_before, orgs_after = earlier_counted["organizations"], later_counted["organizations"]
    if orgs_before != orgs_after:
        change = f"{orgs_after - orgs_before:+d}"
        found.append(
            _(
                "Organizations counted: %(before)s in run %(run)s, %(after)s in this run "
                "(%(change)s): organizations became active customers, or stopped being, in "
                "between.",
                before=orgs_before,
                run=run,
                after=orgs_after,
                change=change,
            )
        )
    for metric in METRIC_NAMES:
        was, now = before.get(metric), after.get(metric)
        if was == now:
            continue
        label = _label(metric)
        if was is None and now is not None:
            found.append(
                _(
                    "%(metric)s: not counted in run %(run)s; this run counted %(values)s "
                    "organizations' values and published %(groups)s groups for it. Its values "
                    "were loaded (or computed) in between.",
                    metric=label,
                    run=run,
                    values=now["values"],
                    groups=now["groups"],
                )
            )
        elif now is None and was is not None:
            found.append(
                _(
                    "%(metric)s: counted in run %(run)s (%(values)s values), not in this run: "
                    "no value of it was recent enough any more.",
                    metric=label,
                    run=run,
                    values=was["values"],
                )
            )
        elif was is not None and now is not None:
            found.append(
                _(
                    "%(metric)s: %(values_before)s values and %(groups_before)s groups in run "
                    "%(run)s, %(values_after)s values and %(groups_after)s groups in this run: "
                    "values were loaded in between.",
                    metric=label,
                    values_before=was["values"],
                    groups_before=was["groups"],
                    run=run,
                    values_after=now["values"],
                    groups_after=now["groups"],
                )
            )
    if not found and earlier.cohorts_published != later.cohorts_published:
        found.append(
            _(
                "The same organizations and values were counted; the groups differ because the "
                "size bands or the publication minimum changed in between."
            )
        )
    return found


def run_detail(session: Session, run_id: int) -> RunDetail:
    run = repository.get_run(session, run_id)
    if run is None:
        raise NotFound(f"Benchmark run {run_id} not found.")
    same_day = repository.runs_of_day(session, run.calculated_for)
    succeeded = [r for r in same_day if r.status == RunStatus.SUCCEEDED]
    earlier = [r for r in succeeded if r.id < run.id]
    previous = earlier[-1] if earlier and run.status == RunStatus.SUCCEEDED else None
    read = BenchmarkRunRead.model_validate(run)
    duration = (
        round((run.finished_at - run.started_at).total_seconds() * 1000)
        if run.finished_at is not None
        else None
    )
    counted = run.counted
    return RunDetail(
        run=read,
        started_by=(
            _(TRIGGERS[run.trigger])
            if run.trigger in TRIGGERS
            # A trigger this page has no words for (a script's own), quoted as it is.
            else _("“%(trigger)s”", trigger=run.trigger)
        ),
        duration_ms=duration,
        organizations=counted["organizations"] if counted else None,
        metrics=[
            MetricCount(_label(metric), count["values"], count["groups"])
            for metric, count in _metrics(counted).items()
        ],
        same_day=[BenchmarkRunRead.model_validate(r) for r in same_day],
        published_run=succeeded[-1].id if succeeded else None,
        compared_with=previous.id if previous else None,
        differences=(
            explain(BenchmarkRunRead.model_validate(previous), previous.counted, read, counted)
            if previous is not None
            else []
        ),
    )
