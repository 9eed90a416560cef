"""Every email in its recipient's language, as the real SMTP server receives it.

A German user (users.locale "de") gets the invitation, the reminders, the
revocation notice and an organisation's alert in German; an English colleague,
and anyone who chose no language, in the deployment's default. The German words
come from a test catalogue (tests/catalogues.py) of real German translations.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage

import pytest
from babel.dates import format_date
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from opsportal.config import Settings
from opsportal.db import SessionFactory
from opsportal.i18n import _
from opsportal.models import Assignment, Certificate, Notification, Role, User
from opsportal.models.base import utcnow
from opsportal.notifications.mail import send_pending
from opsportal.notifications.service import (
    NoticeWords,
    OrganizationNotice,
    notify_organizations,
)
from opsportal.principal import Principal
from opsportal.training.certification.notices import revocation_notice
from opsportal.training.compliance.assignments import assign_track
from opsportal.training.compliance.reminders import send_reminders
from opsportal.training.compliance.schemas import AssignmentCreate
from opsportal.users.invitations import invite
from tests.catalogues import install_catalogue
from tests.factories import create_organization, create_track_with_quizzes, create_user
from tests.notifications.conftest import SmtpServer, mail_settings, smtp_server

__all__ = ["mail_settings", "smtp_server"]


@pytest.fixture(autouse=True)
def german(monkeypatch: pytest.MonkeyPatch) -> None:
    install_catalogue(monkeypatch, "de")


def delivered(
    session: Session, factory: SessionFactory, settings: Settings, server: SmtpServer
) -> dict[str, EmailMessage]:
    """Commit what was queued, run the real sender, and return what arrived, by recipient."""
    session.commit()
    send_pending(factory, settings=settings)
    return {r.recipients[0]: r.message for r in server.recorder.received}


def speaking(session: Session, locale: str | None, **kwargs: object) -> User:
    user, _ = create_user(session, **kwargs)  # type: ignore[arg-type]
    user.locale = locale
    session.flush()
    return user


def german_date(day: date) -> str:
    return format_date(day, format="long", locale="de")


class TestInvitations:
    def test_a_german_user_is_invited_in_german_an_english_one_in_english(
        self,
        session: Session,
        session_factory: SessionFactory,
        mail_settings: Settings,
        smtp_server: SmtpServer,
    ) -> None:
        organization = create_organization(session)
        anna = speaking(session, "de", organization=organization, email="anna@example.test")
        grace = speaking(session, None, organization=organization, email="grace@example.test")
        for user in (anna, grace):
            invite(session, user=user, settings=mail_settings, actor=None)
        expires = utcnow() + timedelta(days=mail_settings.invitation_days)

        received = delivered(session, session_factory, mail_settings, smtp_server)

        german = received["anna@example.test"]
        assert german["Subject"] == "Ihr opsportal-Konto: Legen Sie Ihr Passwort fest"
        body = german.get_content()
        assert body.startswith(f"Hallo {anna.name},\n\nFür Sie wurde ein opsportal-Konto angelegt")
        # The link's expiry as a German reader writes a date, not as ISO 8601.
        assert f"bis {german_date(expires.date())}, " in body
        assert "/set-password/" in body and "Set your password" not in body

        english = received["grace@example.test"]
        assert english["Subject"] == "Your opsportal account: set your password"
        assert english.get_content().startswith(f"Hello {grace.name},\n\nAn opsportal account")
        assert f"until {expires:%Y-%m-%d} " in english.get_content()

    def test_the_deployments_default_speaks_for_those_who_chose_none(
        self,
        session: Session,
        session_factory: SessionFactory,
        mail_settings: Settings,
        smtp_server: SmtpServer,
    ) -> None:
        settings = mail_settings.model_copy(update={"default_locale": "de"})
        grace = speaking(session, None, email="grace@example.test")
        ada = speaking(session, "en", email="ada@example.test")
        for user in (grace, ada):
            invite(session, user=user, settings=settings, actor=None)

        received = delivered(session, session_factory, settings, smtp_server)

        assert received["grace@example.test"]["Subject"].startswith("Ihr opsportal-Konto")
        # Who chose English gets English, whatever the deployment's default.
        assert received["ada@example.test"]["Subject"].startswith("Your opsportal account")


class TestReminders:
    def test_each_learner_is_reminded_in_their_own_language(
        self,
        session: Session,
        session_factory: SessionFactory,
        mail_settings: Settings,
        smtp_server: SmtpServer,
    ) -> None:
        organization = create_organization(session)
        staff, _ = create_user(session, role=Role.INTERNAL)
        anna = speaking(session, "de_DE", organization=organization, email="anna@example.test")
        olga = speaking(session, "de", organization=organization, email="olga@example.test")
        grace = speaking(session, None, organization=organization, email="grace@example.test")
        track, _ = create_track_with_quizzes(session, courses=1, name="Speak Up")
        today = utcnow().date()
        assign_track(
            session,
            principal=Principal.of(staff),
            data=AssignmentCreate(
                track_id=track.id,
                organization_id=organization.id,
                user_ids=[anna.id, olga.id, grace.id],
                due_on=today + timedelta(days=5),
            ),
        )
        session.execute(
            update(Assignment)
            .where(Assignment.user_id == olga.id)
            .values(due_on=today - timedelta(days=2))
        )
        session.expire_all()

        send_reminders(session, settings=mail_settings)
        received = delivered(session, session_factory, mail_settings, smtp_server)

        due = received["anna@example.test"]
        assert due["Subject"] == "opsportal: Fällig in 5 Tagen: Speak Up"
        assert due.get_content().startswith(
            f"Ihre Schulung „Speak Up“ ist am {german_date(today + timedelta(days=5))} "
            "fällig (in 5 Tagen).\n\nhttp://testserver/training"
        )
        overdue = received["olga@example.test"]
        assert overdue["Subject"] == "opsportal: Überfällig: Speak Up"
        assert f"am {german_date(today - timedelta(days=2))} fällig" in overdue.get_content()
        english = received["grace@example.test"]
        assert english["Subject"] == "opsportal: Due in 5 days: Speak Up"
        assert (
            f"is due on {(today + timedelta(days=5)).isoformat()} (in 5 days)"
            in english.get_content()
        )
        # The in-app notification speaks the same language as the email.
        titles = dict(session.execute(select(Notification.user_id, Notification.title)).all())
        assert titles[olga.id] == "Überfällig: Speak Up"
        assert titles[grace.id] == "Due in 5 days: Speak Up"


class TestRevocationNotice:
    def test_the_holder_is_told_in_their_language(self) -> None:
        certificate = Certificate(
            id=7,
            user_id=3,
            certificate_number="CERT-2026-00042",
            track_name="Speak Up",
            track_version="2.1",
            revoked_at=datetime(2026, 12, 4, 9, 30, tzinfo=UTC),
            revoked_reason="Answers were shared",
        )
        german = revocation_notice(
            certificate, email="a@example.test", base_url="http://testserver", locale="de"
        )
        assert german.title == "Zertifikat widerrufen: Speak Up"
        assert german.email_subject == "opsportal: Ihr Zertifikat CERT-2026-00042 wurde widerrufen"
        english = revocation_notice(
            certificate, email="a@example.test", base_url="http://testserver", locale="en"
        )
        assert english.title == "Certificate revoked: Speak Up"
        assert "was revoked on 2026-12-04. Reason: Answers were shared" in english.body


class TestOrganizationNotices:
    def test_each_customer_user_reads_the_notice_in_their_language(
        self,
        session: Session,
        session_factory: SessionFactory,
        mail_settings: Settings,
        smtp_server: SmtpServer,
    ) -> None:
        organization = create_organization(session)
        anna = speaking(session, "de", organization=organization, email="anna@example.test")
        grace = speaking(session, None, organization=organization, email="grace@example.test")
        calls = []

        def words() -> NoticeWords:
            calls.append(1)
            subject = _("Your opsportal account: set your password")
            return NoticeWords(_("Overdue: %(track)s", track="X"), "-", subject, "-\n")

        notify_organizations(
            session,
            [
                OrganizationNotice(
                    organization_id=organization.id,
                    kind="test",
                    link=None,
                    dedupe_key="test:1",
                    words=words,
                )
            ],
        )
        received = delivered(session, session_factory, mail_settings, smtp_server)

        assert received["anna@example.test"]["Subject"].startswith("Ihr opsportal-Konto")
        assert received["grace@example.test"]["Subject"].startswith("Your opsportal account")
        titles = dict(session.execute(select(Notification.user_id, Notification.title)).all())
        assert titles == {anna.id: "Überfällig: X", grace.id: "Overdue: X"}
        # Composed once per language, not once per recipient.
        assert len(calls) == 2
