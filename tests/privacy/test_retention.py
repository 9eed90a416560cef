"""Retention: `opsportal retention apply --dry-run` counts what is past its time per kind and
deletes nothing; without it, exactly that goes; a kind without a setting is kept."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from opsportal.cli import app as cli_app
from opsportal.config import get_settings
from opsportal.db import SessionFactory
from opsportal.models import (
    AuditEntry,
    LoginFailure,
    MetricValue,
    Notification,
    OutboxMessage,
    OutboxStatus,
    Role,
)
from tests.factories import create_notification, create_organization, create_user, queue_mail

runner = CliRunner()
NOW = datetime.now(UTC)


def count(session: Session, model: type[object]) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
def aged(session: Session) -> dict[str, int]:
    """Rows of every kind, some 400 days old, some a day old."""
    user, _ = create_user(session, role=Role.CUSTOMER)
    for age in (400, 1):
        session.execute(
            insert(AuditEntry).values(
                at=NOW - timedelta(days=age), action="test.old", target_type="test", detail={}
            )
        )
        session.add(
            LoginFailure(
                email_hash="0" * 64, address="10.0.0.1", failed_at=NOW - timedelta(days=age)
            )
        )
        create_notification(session, user=user, age=timedelta(days=age))
        sent = queue_mail(session)
        sent.status, sent.sent_at = OutboxStatus.SENT, NOW - timedelta(days=age)
        failed = queue_mail(session)  # failed mail is kept whatever its age
        failed.status, failed.created_at = OutboxStatus.FAILED, NOW - timedelta(days=age)
    organization = create_organization(session)
    for day in (date.today() - timedelta(days=400), date.today() - timedelta(days=1)):
        session.add(
            MetricValue(organization_id=organization.id, metric="m", recorded_on=day, value=1.0)
        )
    session.flush()
    return {
        "audit": count(session, AuditEntry),
        "login_failures": count(session, LoginFailure),
        "notifications": count(session, Notification),
        "outbox": count(session, OutboxMessage),
        "metric_values": count(session, MetricValue),
    }


@pytest.fixture
def retention_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for kind in ("AUDIT", "LOGIN_FAILURES", "SENT_MAIL", "NOTIFICATIONS"):
        monkeypatch.setenv(f"OPSPORTAL_RETENTION_{kind}_DAYS", "365")
    monkeypatch.delenv("OPSPORTAL_RETENTION_METRIC_HISTORY_DAYS", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.usefixtures("retention_settings")
def test_a_dry_run_first_then_the_deletion(
    cli_session_factory: SessionFactory, session: Session, aged: dict[str, int]
) -> None:
    dry = runner.invoke(cli_app, ["retention", "apply", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    lines = dry.output.splitlines()
    assert "audit: would delete 1 (older than 365 days)" in lines
    assert "login_failures: would delete 1 (older than 365 days)" in lines
    assert "sent_mail: would delete 1 (older than 365 days)" in lines
    assert "notifications: would delete 1 (older than 365 days)" in lines
    assert "metric_history: kept (no retention set)" in lines
    session.expire_all()
    assert count(session, AuditEntry) == aged["audit"]
    assert count(session, OutboxMessage) == aged["outbox"]

    applied = runner.invoke(cli_app, ["retention", "apply"])
    assert applied.exit_code == 0, applied.output
    assert "audit: deleted 1 (older than 365 days)" in applied.output.splitlines()
    session.expire_all()
    # One old audit entry gone, and one added that says what retention deleted.
    assert count(session, AuditEntry) == aged["audit"]
    assert session.scalar(select(AuditEntry.detail).where(AuditEntry.action == "retention.apply"))
    assert count(session, LoginFailure) == aged["login_failures"] - 1
    assert count(session, Notification) == aged["notifications"] - 1
    assert count(session, OutboxMessage) == aged["outbox"] - 1  # the old sent one; failed stays
    assert count(session, MetricValue) == aged["metric_values"]
    oldest_sent = session.scalar(
        select(func.min(OutboxMessage.sent_at)).where(OutboxMessage.status == OutboxStatus.SENT)
    )
    assert oldest_sent is not None and oldest_sent > NOW - timedelta(days=365)

    again = runner.invoke(cli_app, ["retention", "apply", "--dry-run"])
    assert "audit: would delete 0 (older than 365 days)" in again.output.splitlines()


def test_metric_history_keeps_the_newest_value(
    cli_session_factory: SessionFactory,
    session: Session,
    aged: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPSPORTAL_RETENTION_METRIC_HISTORY_DAYS", "30")
    get_settings.cache_clear()
    try:
        result = runner.invoke(cli_app, ["retention", "apply"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "metric_history: deleted 1 (older than 30 days)" in result.output.splitlines()
    session.expire_all()
    assert count(session, MetricValue) == aged["metric_values"] - 1


def test_the_server_applies_it_daily_once_per_firing(
    committed_session_factory: SessionFactory,
) -> None:
    from opsportal.config import Settings
    from opsportal.privacy.schedule import JOB_ID
    from opsportal.scheduler import build_scheduler

    scheduler = build_scheduler(Settings(retention_cron="15 4 * * *"), committed_session_factory)
    job = scheduler.get_job(JOB_ID)
    assert job is not None
    trigger = str(job.trigger)
    assert "hour='4'" in trigger and "minute='15'" in trigger
    # An elected job: run through kit.elected, so one process runs each firing.
    assert job.func.__name__ == "run_elected"
