"""Benchmark runs: what counts, what is written, replacement, failure, locking, triggers."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from opsportal.benchmarks import aggregation, repository
from opsportal.benchmarks.schedule import JOB_ID, nightly_benchmarks
from opsportal.benchmarks.service import RunFailed, calculate_benchmarks, run_benchmarks
from opsportal.cli import app as cli_app
from opsportal.config import Settings
from opsportal.db import SessionFactory, session_scope
from opsportal.kit import elected
from opsportal.metrics.service import utc_today
from opsportal.models import (
    BenchmarkResult,
    BenchmarkRun,
    OrganizationStatus,
    Role,
    RunStatus,
    ScheduledFiring,
)
from opsportal.scheduler import CATCH_UP_THREAD, build_scheduler, start_scheduler
from tests.factories import add_many, bearer, create_user, organizations

runner = CliRunner()
TODAY = utc_today()


def result(
    session: Session, day: date, metric: str, sector: str = "", band: str = ""
) -> BenchmarkResult | None:
    session.expire_all()
    return session.get(BenchmarkResult, (day, metric, sector, band))


def result_count(session: Session, day: date | None = None) -> int:
    query = select(func.count()).select_from(BenchmarkResult)
    if day is not None:
        query = query.where(BenchmarkResult.calculated_for == day)
    return session.scalar(query) or 0


def population(session: Session, *, day: date = TODAY, size: int = 6, base: float = 10.0) -> None:
    """`size` Healthcare organisations of 101-500 employees with a login rate each."""
    orgs = organizations(session, size)
    add_many(session, [(org, "login_rate", base * (i + 1), day) for i, org in enumerate(orgs)])


class TestWhatCounts:
    def test_statistics_per_cohort(self, session: Session, settings: Settings) -> None:
        population(session)
        summary = calculate_benchmarks(session, settings=settings, calculated_for=TODAY)
        # all, Healthcare, 101-500, Healthcare x 101-500: one metric, four cohorts
        assert (summary.metrics_calculated, summary.cohorts_published) == (1, 4)
        stored = result(session, TODAY, "login_rate", "Healthcare", "101-500")
        assert stored is not None
        assert stored.peer_count == 6
        assert (stored.p25, stored.median, stored.p75) == (22.5, 35.0, 47.5)
        assert (stored.min, stored.max, stored.mean) == (10.0, 60.0, 35.0)
        assert len(stored.quantiles) == 101 and stored.quantiles[50] == 35.0
        assert stored.run_id == summary.run_id

    def test_an_industry_named_with_quotes_and_percent_signs_is_a_peer_group(
        self, session: Session, settings: Settings
    ) -> None:
        # Industry names are text from the organisation records; the run must
        # read them as data, never as part of its SQL.
        sector = "O'Brien & Sons -- 100% \\ ); DROP TABLE organizations; --"
        orgs = organizations(session, 5, sector=sector)
        add_many(
            session, [(org, "login_rate", 10.0 * (i + 1), TODAY) for i, org in enumerate(orgs)]
        )
        calculate_benchmarks(session, settings=settings, calculated_for=TODAY)
        stored = result(session, TODAY, "login_rate", sector, "")
        assert stored is not None and (stored.peer_count, stored.median) == (5, 30.0)
        position = repository.positions_of(session, day=TODAY, organization_id=orgs[4].id)
        assert position["login_rate"].percentile_sector == 90

    def test_only_active_organizations_count(self, session: Session, settings: Settings) -> None:
        population(session)
        for status in (OrganizationStatus.INACTIVE, OrganizationStatus.CHURNED):
            (org,) = organizations(session, 1, status=status)
            add_many(session, [(org, "login_rate", 99.0, TODAY)])
        calculate_benchmarks(session, settings=settings, calculated_for=TODAY)
        stored = result(session, TODAY, "login_rate")
        assert stored is not None and stored.peer_count == 6 and stored.max == 60.0

    def test_freshness_window(self, session: Session, settings: Settings) -> None:
        population(session)
        edge, stale, later = organizations(session, 3)
        add_many(
            session,
            [
                (edge, "login_rate", 1.0, TODAY - timedelta(days=35)),  # 35 days old: counts
                (stale, "login_rate", 2.0, TODAY - timedelta(days=36)),  # older: does not
                (later, "login_rate", 3.0, TODAY + timedelta(days=1)),  # after the day: not yet
            ],
        )
        calculate_benchmarks(session, settings=settings, calculated_for=TODAY)
        stored = result(session, TODAY, "login_rate")
        assert stored is not None and stored.peer_count == 7 and stored.min == 1.0

    def test_latest_value_only(self, session: Session, settings: Settings) -> None:
        population(session)
        (org,) = organizations(session, 1)
        add_many(
            session,
            [
                (org, "login_rate", 0.0, TODAY - timedelta(days=3)),
                (org, "login_rate", 100.0, TODAY),
            ],
        )
        calculate_benchmarks(session, settings=settings, calculated_for=TODAY)
        stored = result(session, TODAY, "login_rate")
        assert stored is not None and (stored.peer_count, stored.min, stored.max) == (
            7,
            10.0,
            100.0,
        )

    def test_cohorts_under_the_privacy_minimum_are_not_written(
        self, session: Session, settings: Settings
    ) -> None:
        population(session, size=5)
        retail = organizations(session, 4, sector="Retail")
        add_many(session, [(org, "login_rate", 50.0, TODAY) for org in retail])
        summary = calculate_benchmarks(session, settings=settings, calculated_for=TODAY)
        assert result(session, TODAY, "login_rate", "Healthcare") is not None
        assert result(session, TODAY, "login_rate", "Retail") is None
        assert result(session, TODAY, "login_rate", "Retail", "101-500") is None
        assert summary.cohorts_suppressed == 2

    def test_privacy_minimum_can_be_raised(self, session: Session, settings: Settings) -> None:
        population(session, size=5)
        stricter = settings.model_copy(update={"benchmark_min_peers": 6})
        summary = calculate_benchmarks(session, settings=stricter, calculated_for=TODAY)
        assert summary.cohorts_published == 0 and summary.cohorts_suppressed == 4
        assert result_count(session) == 0

    def test_privacy_minimum_cannot_be_lowered(self) -> None:
        with pytest.raises(ValueError):
            Settings(benchmark_min_peers=4)


class TestReplaceAndKeep:
    def test_rerunning_a_day_replaces_it(self, session: Session, settings: Settings) -> None:
        population(session)
        calculate_benchmarks(session, settings=settings, calculated_for=TODAY)
        population(session, base=1.0)  # six more organisations
        calculate_benchmarks(session, settings=settings, calculated_for=TODAY)
        assert result_count(session, TODAY) == 4
        stored = result(session, TODAY, "login_rate")
        assert stored is not None and stored.peer_count == 12

    def test_results_are_kept_per_day(self, session: Session, settings: Settings) -> None:
        population(session, day=TODAY - timedelta(days=1))
        calculate_benchmarks(session, settings=settings, calculated_for=TODAY - timedelta(days=1))
        calculate_benchmarks(session, settings=settings, calculated_for=TODAY)
        assert result_count(session, TODAY - timedelta(days=1)) == 4
        assert result_count(session, TODAY) == 4

    def test_a_past_day_ignores_values_recorded_after_it(
        self, session: Session, settings: Settings
    ) -> None:
        population(session, day=TODAY)
        summary = calculate_benchmarks(
            session, settings=settings, calculated_for=TODAY - timedelta(days=1)
        )
        assert summary.cohorts_published == 0

    def test_a_past_day_uses_each_organizations_value_as_of_that_day(
        self, session: Session, settings: Settings
    ) -> None:
        # Six organisations reported 10..60 a week ago, then all reported again today:
        # last week's run must see last week's values, not drop them nor take today's.
        orgs = organizations(session, 6)
        week_ago = TODAY - timedelta(days=7)
        add_many(session, [(o, "login_rate", 10.0 * (i + 1), week_ago) for i, o in enumerate(orgs)])
        add_many(session, [(o, "login_rate", 90.0, TODAY) for o in orgs])
        add_many(session, [(orgs[0], "login_rate", 15.0, week_ago - timedelta(days=2))])
        calculate_benchmarks(session, settings=settings, calculated_for=week_ago)
        result = session.get(BenchmarkResult, (week_ago, "login_rate", "", ""))
        assert result is not None and result.peer_count == 6
        assert result.median == np.percentile([10.0 * (i + 1) for i in range(6)], 50)
        positions = repository.positions_of(session, day=week_ago, organization_id=orgs[5].id)
        assert positions["login_rate"].value == 60.0
        # A day between the two reports: the week-old values are still the newest.
        calculate_benchmarks(session, settings=settings, calculated_for=TODAY - timedelta(days=3))
        middle = session.get(BenchmarkResult, (TODAY - timedelta(days=3), "login_rate", "", ""))
        assert middle is not None and middle.p75 == result.p75
        # Today: the new values.
        calculate_benchmarks(session, settings=settings, calculated_for=TODAY)
        today = session.get(BenchmarkResult, (TODAY, "login_rate", "", ""))
        assert today is not None and today.median == 90.0

    def test_a_value_dated_after_today_does_not_drop_an_organization_out(
        self, session: Session, settings: Settings
    ) -> None:
        # A customer whose day is already tomorrow sends tomorrow's value: today's
        # run still counts it with its newest value up to today.
        orgs = organizations(session, 5)
        add_many(session, [(o, "login_rate", 40.0 + i, TODAY) for i, o in enumerate(orgs)])
        add_many(session, [(orgs[0], "login_rate", 99.0, TODAY + timedelta(days=1))])
        calculate_benchmarks(session, settings=settings, calculated_for=TODAY)
        result = session.get(BenchmarkResult, (TODAY, "login_rate", "", ""))
        assert result is not None and result.peer_count == 5 and result.max == 44.0


class TestRecordedRuns:
    def test_run_is_recorded(
        self, session_factory: SessionFactory, session: Session, settings: Settings
    ) -> None:
        population(session)
        session.flush()
        summary = run_benchmarks(session_factory, settings=settings, calculated_for=TODAY)
        run = session.get(BenchmarkRun, summary.run_id)
        assert run is not None
        session.refresh(run)
        assert run.status is RunStatus.SUCCEEDED
        assert run.finished_at is not None and run.finished_at >= run.started_at
        assert (run.cohorts_published, run.cohorts_suppressed, run.error) == (4, 0, None)

    def test_failed_run_is_recorded_and_keeps_previous_results(
        self,
        committed_session_factory: SessionFactory,
        settings: Settings,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        with session_scope(committed_session_factory) as session:
            population(session)
        good = run_benchmarks(committed_session_factory, settings=settings, calculated_for=TODAY)

        original = repository.replace_results

        def replace_then_fail(session: Session, **kwargs: Any) -> None:
            original(session, **kwargs)  # the old results are deleted by now...
            raise RuntimeError("disk on fire")  # ...and then the run fails

        monkeypatch.setattr(repository, "replace_results", replace_then_fail)
        with pytest.raises(RunFailed, match="disk on fire"):
            run_benchmarks(committed_session_factory, settings=settings, calculated_for=TODAY)

        with session_scope(committed_session_factory) as session:
            runs = session.scalars(select(BenchmarkRun).order_by(BenchmarkRun.id)).all()
            assert [r.status for r in runs] == [RunStatus.SUCCEEDED, RunStatus.FAILED]
            assert runs[1].error == "disk on fire" and runs[1].finished_at is not None
            kept = session.scalars(select(BenchmarkResult)).all()
            assert len(kept) == 4 and {r.run_id for r in kept} == {good.run_id}

    def test_two_concurrent_runs_never_write_at_once(
        self,
        committed_session_factory: SessionFactory,
        settings: Settings,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        with session_scope(committed_session_factory) as session:
            population(session)
        inside = 0
        overlapped = False
        guard = threading.Lock()
        original = aggregation.aggregate

        def slow_aggregate(*args: Any, **kwargs: Any) -> aggregation.CohortStatistics:
            nonlocal inside, overlapped
            with guard:
                inside += 1
                overlapped = overlapped or inside > 1
            time.sleep(0.5)  # without the lock the other run would get in here
            with guard:
                inside -= 1
            return original(*args, **kwargs)

        monkeypatch.setattr(aggregation, "aggregate", slow_aggregate)
        outcomes: list[object] = []

        def run() -> None:
            try:
                outcomes.append(
                    run_benchmarks(
                        committed_session_factory, settings=settings, calculated_for=TODAY
                    )
                )
            except Exception as exc:  # reported below
                outcomes.append(exc)

        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not overlapped
        assert len(outcomes) == 2
        assert all(not isinstance(o, Exception) for o in outcomes), outcomes
        with session_scope(committed_session_factory) as session:
            statuses = session.scalars(select(BenchmarkRun.status)).all()
            assert sorted(statuses) == [RunStatus.SUCCEEDED, RunStatus.SUCCEEDED]
            assert result_count(session) == 4


class TestCalculateEndpoint:
    def test_admin_calculates(self, client: TestClient, session: Session) -> None:
        population(session)
        _, token = create_user(session, role=Role.ADMIN)
        response = client.post(
            "/api/v1/benchmarks/calculate",
            json={"calculatedFor": TODAY.isoformat()},
            headers=bearer(token),
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == {
            "runId",
            "calculatedFor",
            "metricsCalculated",
            "cohortsPublished",
            "cohortsSuppressed",
            "cohortsWithheld",
            "durationMs",
        }
        assert body["calculatedFor"] == TODAY.isoformat()
        assert (body["metricsCalculated"], body["cohortsPublished"]) == (1, 4)
        assert result_count(session, TODAY) == 4

    def test_without_body_calculates_today(self, client: TestClient, session: Session) -> None:
        _, token = create_user(session, role=Role.ADMIN)
        response = client.post("/api/v1/benchmarks/calculate", headers=bearer(token))
        assert response.status_code == 200, response.text
        assert response.json()["calculatedFor"] == TODAY.isoformat()

    @pytest.mark.parametrize("role", [Role.INTERNAL, Role.CUSTOMER])
    def test_only_admins(self, client: TestClient, session: Session, role: Role) -> None:
        _, token = create_user(session, role=role)
        response = client.post("/api/v1/benchmarks/calculate", headers=bearer(token))
        assert response.status_code == 403

    @pytest.mark.parametrize(
        "day", ["2026-02-30", "0001-01-01", "9999-12-31", "tomorrow", 12345678901234567890]
    )
    def test_bad_dates_are_422(self, client: TestClient, session: Session, day: object) -> None:
        _, token = create_user(session, role=Role.ADMIN)
        response = client.post(
            "/api/v1/benchmarks/calculate", json={"calculatedFor": day}, headers=bearer(token)
        )
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == "calculatedFor"


class TestRunHistory:
    def test_newest_first_for_staff(
        self, client: TestClient, session: Session, settings: Settings
    ) -> None:
        population(session)
        first = calculate_benchmarks(
            session, settings=settings, calculated_for=TODAY - timedelta(days=1)
        )
        second = calculate_benchmarks(session, settings=settings, calculated_for=TODAY)
        for role in (Role.ADMIN, Role.INTERNAL):
            _, token = create_user(session, role=role)
            response = client.get("/api/v1/benchmarks/runs", headers=bearer(token))
            assert response.status_code == 200
            runs = response.json()
            assert [r["id"] for r in runs] == [second.run_id, first.run_id]
            assert set(runs[0]) >= {
                "id",
                "calculatedFor",
                "status",
                "startedAt",
                "finishedAt",
                "cohortsPublished",
                "cohortsSuppressed",
                "cohortsWithheld",
                "error",
            }
            assert (
                runs[0]["status"] == "SUCCEEDED" and runs[0]["calculatedFor"] == TODAY.isoformat()
            )

    def test_customers_may_not(self, client: TestClient, session: Session) -> None:
        _, token = create_user(session, role=Role.CUSTOMER)
        assert client.get("/api/v1/benchmarks/runs", headers=bearer(token)).status_code == 403


@pytest.mark.usefixtures("cli_session_factory")
class TestComputeCommand:
    def test_computes_for_a_date(self, session: Session) -> None:
        population(session, day=TODAY - timedelta(days=2))
        day = (TODAY - timedelta(days=2)).isoformat()
        result = runner.invoke(cli_app, ["benchmarks", "compute", "--date", day])
        assert result.exit_code == 0, result.output
        summary = json.loads(result.stdout)
        assert summary["calculatedFor"] == day and summary["cohortsPublished"] == 4
        assert result_count(session, TODAY - timedelta(days=2)) == 4

    def test_defaults_to_today(self, session: Session) -> None:
        result = runner.invoke(cli_app, ["benchmarks", "compute"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["calculatedFor"] == TODAY.isoformat()

    def test_bad_date(self) -> None:
        result = runner.invoke(cli_app, ["benchmarks", "compute", "--date", "2026-02-30"])
        assert result.exit_code != 0
        far = runner.invoke(cli_app, ["benchmarks", "compute", "--date", "1970-01-01"])
        assert far.exit_code == 1 and "calculatedFor" in far.output


class TestSchedule:
    def test_cron_and_timezone_come_from_settings(
        self, settings: Settings, session_factory: SessionFactory
    ) -> None:
        custom = settings.model_copy(
            update={"benchmark_cron": "30 3 * * *", "benchmark_timezone": "Europe/Berlin"}
        )
        scheduler = build_scheduler(custom, session_factory)
        scheduler.start(paused=True)
        try:
            job = scheduler.get_job(JOB_ID)
            assert job is not None
            fire = job.trigger.get_next_fire_time(None, datetime.now(job.trigger.timezone))
            assert (fire.hour, fire.minute, str(fire.tzinfo)) == (3, 30, "Europe/Berlin")
        finally:
            scheduler.shutdown(wait=False)

    def test_default_is_two_in_the_morning_utc(
        self, settings: Settings, session_factory: SessionFactory
    ) -> None:
        scheduler = start_scheduler(settings, session_factory)
        try:
            job = scheduler.get_job(JOB_ID)
            assert job is not None
            assert (job.next_run_time.hour, job.next_run_time.minute) == (2, 0)
            assert str(job.next_run_time.tzinfo) == "UTC"
        finally:
            scheduler.shutdown(wait=False)
            # The start's catch-up check runs in a thread on this test's
            # connection: it must end before the test's transaction is rolled back.
            for thread in threading.enumerate():
                if thread.name == CATCH_UP_THREAD:
                    thread.join(timeout=60)

    def test_job_runs_benchmarks_and_never_raises(
        self,
        committed_session_factory: SessionFactory,
        settings: Settings,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        # Committed for real, as the scheduler's own sessions are: each job
        # opens and ends its units of work on connections of its own.
        with session_scope(committed_session_factory) as session:
            population(session)
        every_minute = settings.model_copy(update={"benchmark_cron": "* * * * *"})
        moment = datetime.now(UTC)  # one firing, however long the test takes
        monkeypatch.setattr(elected, "utcnow", lambda: moment)
        nightly_benchmarks(every_minute, committed_session_factory)
        with session_scope(committed_session_factory) as session:
            assert result_count(session, TODAY) == 4
            run = session.scalars(select(BenchmarkRun)).one()
            assert run.trigger == "schedule"
        # The same firing again (another process's scheduler): taken, so skipped.
        nightly_benchmarks(every_minute, committed_session_factory)
        with session_scope(committed_session_factory) as session:
            assert session.scalars(select(BenchmarkRun.id)).all() == [run.id]

        def broken(*args: Any, **kwargs: Any) -> None:
            raise RuntimeError("boom")

        monkeypatch.setattr(aggregation, "aggregate", broken)
        with session_scope(committed_session_factory) as session:
            session.execute(delete(ScheduledFiring))
        nightly_benchmarks(every_minute, committed_session_factory)  # logged, not raised
        with session_scope(committed_session_factory) as session:
            failed = session.scalars(select(BenchmarkRun).where(BenchmarkRun.id != run.id)).one()
            assert failed.status == RunStatus.FAILED and "boom" in (failed.error or "")


class TestConcurrentRequests:
    def test_two_calculate_requests_at_once_both_succeed_one_after_the_other(
        self, live_server: str, committed_session_factory: SessionFactory
    ) -> None:
        with session_scope(committed_session_factory) as session:
            population(session)
            _, token = create_user(session, role=Role.ADMIN)
        barrier = threading.Barrier(2)
        responses: list[httpx.Response] = []

        def calculate() -> None:
            barrier.wait()
            responses.append(
                httpx.post(
                    f"{live_server}/api/v1/benchmarks/calculate",
                    json={"calculatedFor": TODAY.isoformat()},
                    headers=bearer(token),
                    timeout=60,
                )
            )

        threads = [threading.Thread(target=calculate) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=90)
        assert [r.status_code for r in responses] == [200, 200], [r.text for r in responses]
        with session_scope(committed_session_factory) as session:
            runs = session.scalars(select(BenchmarkRun)).all()
            assert [r.status for r in runs] == [RunStatus.SUCCEEDED] * 2
            assert result_count(session, TODAY) == 4
        history = httpx.get(
            f"{live_server}/api/v1/benchmarks/runs", headers=bearer(token), timeout=30
        ).json()
        assert len(history) == 2


def test_openapi_documents_the_benchmark_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/v1/benchmarks/organizations/{organization_id}/metrics/{metric}" in paths
    assert "/api/v1/benchmarks/calculate" in paths
    assert "/api/v1/metrics/values" in paths
