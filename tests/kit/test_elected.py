"""Scheduled firings: one process runs each; the others are told so quietly, without an error."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from opsportal.benchmarks import schedule as benchmark_schedule
from opsportal.config import Settings
from opsportal.db import SessionFactory, session_scope
from opsportal.kit import elected
from opsportal.kit.elected import claim_firing
from opsportal.models import ScheduledFiring
from opsportal.training.compliance import schedule as reminder_schedule

FIRE_TIME = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def firings(factory: SessionFactory, job: str) -> int:
    with session_scope(factory) as session:
        query = select(func.count()).where(ScheduledFiring.job == job)
        return int(session.scalar(query) or 0)


class TestClaimFiring:
    def test_the_second_claim_of_a_firing_is_false_not_an_exception(
        self, committed_session_factory: SessionFactory
    ) -> None:
        assert claim_firing(committed_session_factory, job="nightly", fire_time=FIRE_TIME) is True
        assert claim_firing(committed_session_factory, job="nightly", fire_time=FIRE_TIME) is False
        assert firings(committed_session_factory, "nightly") == 1
        # The loser's session was left usable: the next firing is claimed normally.
        later = FIRE_TIME.replace(day=3)
        assert claim_firing(committed_session_factory, job="nightly", fire_time=later) is True

    def test_two_processes_claiming_at_once_get_one_true_and_one_false(
        self, committed_session_factory: SessionFactory
    ) -> None:
        barrier = threading.Barrier(2)
        won: list[bool] = []
        errors: list[BaseException] = []

        def claim() -> None:
            try:
                barrier.wait(timeout=30)
                won.append(
                    claim_firing(committed_session_factory, job="nightly", fire_time=FIRE_TIME)
                )
            except BaseException as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=claim) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == []
        assert sorted(won) == [False, True]
        assert firings(committed_session_factory, "nightly") == 1


class TestALostFiringIsAQuietSkip:
    """Every replica but one loses each firing: that is an INFO line, never an ERROR."""

    @pytest.fixture
    def every_minute(self, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
        moment = FIRE_TIME.replace(second=30)  # one firing, however long the test takes
        monkeypatch.setattr(elected, "utcnow", lambda: moment)
        return settings.model_copy(
            update={"benchmark_cron": "* * * * *", "reminder_cron": "* * * * *"}
        )

    def test_the_nightly_benchmarks(
        self,
        committed_session_factory: SessionFactory,
        every_minute: Settings,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        job = benchmark_schedule.JOB_ID
        assert claim_firing(committed_session_factory, job=job, fire_time=FIRE_TIME)
        with caplog.at_level(logging.INFO):
            benchmark_schedule.nightly_benchmarks(every_minute, committed_session_factory)
        assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
        assert any("taken by another process" in r.getMessage() for r in caplog.records)
        assert firings(committed_session_factory, job) == 1

    def test_the_daily_reminders(
        self,
        committed_session_factory: SessionFactory,
        every_minute: Settings,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        job = reminder_schedule.JOB_ID
        assert claim_firing(committed_session_factory, job=job, fire_time=FIRE_TIME)
        with caplog.at_level(logging.INFO):
            ran = reminder_schedule.daily_reminders(every_minute, committed_session_factory)
        assert ran is None
        assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
        assert any("taken by another process" in r.getMessage() for r in caplog.records)
