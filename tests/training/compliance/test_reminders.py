"""Reminders: due, overdue and expiring, by email (a real SMTP server) and in the app, once each."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from opsportal.cli import app as cli_app
from opsportal.config import Settings
from opsportal.db import SessionFactory, session_scope
from opsportal.models import (
    Assignment,
    Certificate,
    Notification,
    OutboxMessage,
    ReminderSent,
    Role,
    User,
)
from opsportal.models.base import utcnow
from opsportal.notifications.mail import send_pending
from opsportal.principal import Principal
from opsportal.training.compliance.assignments import assign_track
from opsportal.training.compliance.reminders import due_reminders, send_reminders
from opsportal.training.compliance.schedule import daily_reminders
from opsportal.training.compliance.schemas import AssignmentCreate
from tests.factories import certify, create_organization, create_track_with_quizzes, create_user
from tests.notifications.conftest import SmtpServer, mail_settings, smtp_server  # noqa: F401

runner = CliRunner()


def count(session: Session, model: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def set_up(session: Session, settings: Settings) -> dict[str, Any]:
    """Three learners: one due in 5 days, one overdue, one certified with 20 days left."""
    org = create_organization(session)
    staff, _ = create_user(session, role=Role.INTERNAL)
    soon, _ = create_user(session, organization=org, email="soon@example.test")
    late, _ = create_user(session, organization=org, email="late@example.test")
    holder, _ = create_user(session, organization=org, email="holder@example.test")
    track, quizzes = create_track_with_quizzes(session, courses=1, name="Speak Up")
    today = utcnow().date()
    assign_track(
        session,
        principal=Principal.of(staff),
        data=AssignmentCreate(
            track_id=track.id,
            organization_id=org.id,
            user_ids=[soon.id, late.id],
            due_on=today + timedelta(days=5),
        ),
    )
    session.execute(
        update(Assignment)
        .where(Assignment.user_id == late.id)
        .values(due_on=today - timedelta(days=2))
    )
    certificate = certify(session, user=holder, track=track, quizzes=quizzes, settings=settings)
    session.execute(
        update(Certificate)
        .where(Certificate.id == certificate.id)
        .values(expires_at=utcnow() + timedelta(days=20))
    )
    session.expire_all()
    return {"soon": soon, "late": late, "holder": holder, "track": track, "quizzes": quizzes}


class TestSending:
    def test_email_and_notification_once_each(
        self,
        session: Session,
        session_factory: SessionFactory,
        mail_settings: Settings,  # noqa: F811
        smtp_server: SmtpServer,  # noqa: F811
    ) -> None:
        people = set_up(session, mail_settings)
        sent = send_reminders(session, settings=mail_settings)
        assert sorted((r.kind, r.email, r.threshold_days) for r in sent) == [
            ("assignment_due", "soon@example.test", 7),
            ("assignment_overdue", "late@example.test", 0),
            # 20 days left: the 30-day reminder, not the 60-day one that was missed.
            ("certificate_expiring", "holder@example.test", 30),
        ]
        session.flush()
        report = send_pending(session_factory, settings=mail_settings)
        assert report.sent == 3
        received = {r.recipients[0]: r.message for r in smtp_server.recorder.received}
        assert set(received) == {"soon@example.test", "late@example.test", "holder@example.test"}
        assert "Speak Up" in received["soon@example.test"]["Subject"]
        assert "due on" in received["soon@example.test"].get_content()
        assert "Overdue" in received["late@example.test"]["Subject"]
        assert "expires" in received["holder@example.test"].get_content()
        titles = session.scalars(
            select(Notification.title).where(Notification.user_id == people["late"].id)
        ).all()
        assert titles == ["Overdue: Speak Up"]

        # The job again, the same day: nothing new anywhere.
        assert send_reminders(session, settings=mail_settings) == []
        assert send_pending(session_factory, settings=mail_settings).sent == 0
        assert len(smtp_server.recorder.received) == 3
        assert count(session, Notification) == 3

    def test_completed_assignments_are_not_reminded(
        self, session: Session, settings: Settings
    ) -> None:
        people = set_up(session, settings)
        certify(
            session,
            user=people["soon"],
            track=people["track"],
            quizzes=people["quizzes"],
            settings=settings,
        )
        kinds = {(r.kind, r.user_id) for r in due_reminders(session, settings=settings)}
        assert ("assignment_due", people["soon"].id) not in kinds
        assert ("assignment_overdue", people["late"].id) in kinds

    def test_a_moved_due_day_earns_a_new_reminder(
        self, session: Session, settings: Settings
    ) -> None:
        people = set_up(session, settings)
        send_reminders(session, settings=settings)
        session.execute(
            update(Assignment)
            .where(Assignment.user_id == people["soon"].id)
            .values(due_on=utcnow().date() + timedelta(days=6))
        )
        session.expire_all()
        again = send_reminders(session, settings=settings)
        assert [(r.kind, r.user_id) for r in again] == [("assignment_due", people["soon"].id)]

    def test_thresholds_come_from_the_settings(self, session: Session, settings: Settings) -> None:
        set_up(session, settings)
        custom = settings.model_copy(update={"reminder_certificate_days": "90,14"})
        found = [
            r for r in due_reminders(session, settings=custom) if r.kind == "certificate_expiring"
        ]
        assert [r.threshold_days for r in found] == [90]

    def test_deactivated_users_get_nothing(self, session: Session, settings: Settings) -> None:
        people = set_up(session, settings)
        for user in people.values():
            if isinstance(user, User):
                user.is_active = False
        session.flush()
        assert due_reminders(session, settings=settings) == []


class TestCommandLine:
    def test_dry_run_then_send(
        self, session: Session, settings: Settings, cli_session_factory: SessionFactory
    ) -> None:
        set_up(session, settings)
        dry = runner.invoke(cli_app, ["reminders", "send", "--dry-run"])
        assert dry.exit_code == 0, dry.output
        assert dry.stdout.count("would send") == 3
        assert "late@example.test" in dry.stdout
        assert count(session, ReminderSent) == 0
        assert count(session, OutboxMessage) == 0

        sent = runner.invoke(cli_app, ["reminders", "send"])
        assert sent.exit_code == 0, sent.output
        assert sent.stdout.count("queued\t") == 3
        assert count(session, OutboxMessage) == 3

        again = runner.invoke(cli_app, ["reminders", "send"])
        assert again.stdout.count("queued\t") == 0


class TestOnlyOnce:
    def test_the_scheduled_firing_runs_once(
        self, session: Session, session_factory: SessionFactory, settings: Settings
    ) -> None:
        set_up(session, settings)
        session.commit()
        every_minute = settings.model_copy(update={"reminder_cron": "* * * * *"})
        first = daily_reminders(every_minute, session_factory)
        second = daily_reminders(every_minute, session_factory)
        assert first == 3
        assert second is None  # the same firing, claimed already

    def test_concurrent_runs_send_each_reminder_once(
        self, committed_session_factory: SessionFactory, settings: Settings
    ) -> None:
        """Several processes at once (separate connections): every reminder goes out once."""
        with session_scope(committed_session_factory) as session:
            set_up(session, settings)
        runs = 6
        barrier = threading.Barrier(runs)
        results: list[int] = []
        errors: list[BaseException] = []
        lock = threading.Lock()

        def run() -> None:
            try:
                barrier.wait(timeout=30)
                with session_scope(committed_session_factory) as session:
                    sent = send_reminders(session, settings=settings)
                with lock:
                    results.append(len(sent))
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=run) for _ in range(runs)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == []
        assert sum(results) == 3
        with session_scope(committed_session_factory) as session:
            assert count(session, ReminderSent) == 3
            assert count(session, OutboxMessage) == 3
            assert count(session, Notification) == 3


def test_the_server_schedules_the_daily_job(
    settings: Settings, session_factory: SessionFactory
) -> None:
    from opsportal.scheduler import build_scheduler
    from opsportal.training.compliance.schedule import JOB_ID

    custom = settings.model_copy(
        update={"reminder_cron": "30 6 * * *", "reminder_timezone": "Europe/Berlin"}
    )
    scheduler = build_scheduler(custom, session_factory)
    job = scheduler.get_job(JOB_ID)
    assert job is not None
    assert "hour='6'" in str(job.trigger) and "minute='30'" in str(job.trigger)
    # Its own timezone, not the benchmarks'.
    assert str(job.trigger.timezone) == "Europe/Berlin"
