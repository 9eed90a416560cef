"""The outbox and its sender, against a real SMTP server: delivery, retry, never twice, the log."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from opsportal.config import Settings
from opsportal.config_values import parse_smtp_url
from opsportal.db import SessionFactory, session_scope
from opsportal.kit.sending import SendReport, backoff
from opsportal.models import OutboxMessage, OutboxStatus
from opsportal.models.base import utcnow
from opsportal.notifications import mail, repository
from opsportal.notifications.mail import send_pending
from opsportal.notifications.schedule import SENDER_JOB_ID, send_outbox
from opsportal.scheduler import build_scheduler
from tests.factories import queue_mail
from tests.notifications.conftest import SmtpServer
from tests.processes import free_port


def reload(session: Session, message: OutboxMessage) -> OutboxMessage:
    session.expire_all()
    row = session.get(OutboxMessage, message.id)
    assert row is not None
    return row


def make_due(session: Session) -> None:
    """Let every queued message's backoff run out now."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.QUEUED)
        .values(next_attempt_at=utcnow() - timedelta(seconds=1))
    )


class TestDelivery:
    def test_the_server_receives_recipient_subject_and_body(
        self,
        session: Session,
        session_factory: SessionFactory,
        mail_settings: Settings,
        smtp_server: SmtpServer,
    ) -> None:
        message = queue_mail(
            session,
            recipient="zoe@example.test",
            subject="Login rate dropped to “Below median”",
            body="Your organisation's login rate moved.\n\nZoë Łukasz-Ångström\n",
        )
        report = send_pending(session_factory, settings=mail_settings)
        assert (report.sent, report.retrying, report.failed) == (1, 0, 0)

        [received] = smtp_server.recorder.received
        assert received.mail_from == "opsportal@example.test"
        assert received.recipients == ["zoe@example.test"]
        assert received.message["To"] == "zoe@example.test"
        assert received.message["From"] == "opsportal@example.test"
        assert received.message["Subject"] == "Login rate dropped to “Below median”"
        assert received.message.get_content() == (
            "Your organisation's login rate moved.\n\nZoë Łukasz-Ångström\n"
        )
        assert received.message["Message-ID"]

        row = reload(session, message)
        assert row.status is OutboxStatus.SENT
        assert (row.attempts, row.transport, row.last_error) == (1, "smtp", None)
        assert row.sent_at is not None

    def test_a_sent_message_is_not_sent_again(
        self,
        session: Session,
        session_factory: SessionFactory,
        mail_settings: Settings,
        smtp_server: SmtpServer,
    ) -> None:
        queue_mail(session)
        send_pending(session_factory, settings=mail_settings)
        make_due(session)
        assert send_pending(session_factory, settings=mail_settings).sent == 0
        assert len(smtp_server.recorder.received) == 1

    def test_a_subject_cannot_add_headers(
        self,
        session: Session,
        session_factory: SessionFactory,
        mail_settings: Settings,
        smtp_server: SmtpServer,
    ) -> None:
        queue_mail(session, subject="Hello\r\nBcc: victim@example.test")
        send_pending(session_factory, settings=mail_settings)
        [received] = smtp_server.recorder.received
        assert received.recipients == [received.message["To"]]
        assert received.message["Bcc"] is None
        assert received.message["Subject"] == "Hello Bcc: victim@example.test"

    def test_the_same_dedupe_key_is_queued_once(self, session: Session) -> None:
        for _ in range(2):
            repository.add_messages(
                session,
                [
                    {
                        "dedupe_key": "once",
                        "recipient": "a@example.test",
                        "subject": "s",
                        "body": "b",
                        "created_at": utcnow(),
                        "next_attempt_at": utcnow(),
                        "attempts": 0,
                        "status": OutboxStatus.QUEUED,
                    }
                ],
            )
        count = select(func.count()).where(OutboxMessage.dedupe_key == "once")
        assert session.scalar(count) == 1


class TestRetry:
    def test_a_server_that_fails_once_gets_the_message_exactly_once(
        self,
        session: Session,
        session_factory: SessionFactory,
        mail_settings: Settings,
        smtp_server: SmtpServer,
    ) -> None:
        smtp_server.recorder.fail_data = 1
        message = queue_mail(session, recipient="retry@example.test")

        first = send_pending(session_factory, settings=mail_settings)
        assert (first.sent, first.retrying) == (0, 1)
        row = reload(session, message)
        assert row.status is OutboxStatus.QUEUED
        assert row.attempts == 1
        assert row.last_error is not None and "451" in row.last_error
        # Backed off: not due yet, so a pass right away leaves it alone.
        assert row.next_attempt_at > utcnow() + timedelta(seconds=50)
        assert send_pending(session_factory, settings=mail_settings).sent == 0

        make_due(session)
        second = send_pending(session_factory, settings=mail_settings)
        assert (second.sent, second.retrying) == (1, 0)
        assert smtp_server.recorder.refused_data == 1
        assert [r.recipients for r in smtp_server.recorder.received] == [["retry@example.test"]]
        row = reload(session, message)
        assert (row.status, row.attempts) == (OutboxStatus.SENT, 2)

        make_due(session)
        send_pending(session_factory, settings=mail_settings)
        assert len(smtp_server.recorder.received) == 1

    def test_an_unreachable_server_keeps_every_message_queued(
        self, session: Session, session_factory: SessionFactory, settings: Settings
    ) -> None:
        nowhere = settings.model_copy(
            update={"smtp_url": f"smtp://127.0.0.1:{free_port()}", "smtp_timeout_seconds": 2.0}
        )
        messages = [queue_mail(session) for _ in range(3)]
        report = send_pending(session_factory, settings=nowhere)
        # The pass stops at the first connection error; the others are not even tried.
        assert (report.sent, report.retrying, report.failed) == (0, 1, 0)
        rows = [reload(session, m) for m in messages]
        assert all(r.status is OutboxStatus.QUEUED for r in rows)
        assert [r.attempts for r in rows] == [1, 0, 0]
        assert rows[0].last_error is not None

    def test_a_recipient_refused_for_good_is_failed_and_kept(
        self,
        session: Session,
        session_factory: SessionFactory,
        mail_settings: Settings,
        smtp_server: SmtpServer,
    ) -> None:
        smtp_server.recorder.unknown = {"gone@example.test"}
        gone = queue_mail(session, recipient="gone@example.test")
        fine = queue_mail(session, recipient="fine@example.test")
        report = send_pending(session_factory, settings=mail_settings)
        assert (report.sent, report.failed) == (1, 1)
        row = reload(session, gone)
        assert row.status is OutboxStatus.FAILED
        assert row.last_error is not None and "550" in row.last_error
        assert reload(session, fine).status is OutboxStatus.SENT

    def test_the_last_attempt_marks_the_message_failed(
        self,
        session: Session,
        session_factory: SessionFactory,
        mail_settings: Settings,
        smtp_server: SmtpServer,
    ) -> None:
        smtp_server.recorder.fail_data = 100
        limited = mail_settings.model_copy(update={"mail_max_attempts": 2})
        message = queue_mail(session)
        send_pending(session_factory, settings=limited)
        assert reload(session, message).status is OutboxStatus.QUEUED
        make_due(session)
        assert send_pending(session_factory, settings=limited).failed == 1
        row = reload(session, message)
        assert (row.status, row.attempts) == (OutboxStatus.FAILED, 2)
        make_due(session)
        assert send_pending(session_factory, settings=limited).failed == 0
        assert smtp_server.recorder.received == []

    def test_backoff_doubles_up_to_an_hour(self) -> None:
        assert [backoff(n).total_seconds() / 60 for n in range(1, 9)] == [
            1,
            2,
            4,
            8,
            16,
            32,
            60,
            60,
        ]
        assert backoff(10_000) == timedelta(hours=1)


def add_legacy_row(session: Session, *, recipient: str, subject: str = "Legacy") -> OutboxMessage:
    """A row as data written before addresses were checked may hold it: straight into the table."""
    row = OutboxMessage(
        dedupe_key=f"legacy:{recipient}:{subject}",
        recipient=recipient,
        subject=subject,
        body="Hello.\n",
        status=OutboxStatus.QUEUED,
        attempts=0,
        created_at=utcnow() - timedelta(hours=1),
        # At the head of the queue, where a crashing row stopped every later pass.
        next_attempt_at=utcnow() - timedelta(hours=1),
    )
    session.add(row)
    session.flush()
    return row


class TestPoisonedRows:
    def test_a_row_that_cannot_be_built_fails_alone_and_the_queue_goes_on(
        self,
        session: Session,
        session_factory: SessionFactory,
        mail_settings: Settings,
        smtp_server: SmtpServer,
    ) -> None:
        poisoned = [
            add_legacy_row(session, recipient="victim@x.test\r\nBcc: attacker@evil.test"),
            add_legacy_row(session, recipient="victim@x.test, attacker@evil.test"),
            add_legacy_row(session, recipient="Victim <victim@x.test>"),
        ]
        good = [queue_mail(session, recipient=f"good{n}@example.test") for n in range(3)]

        report = send_pending(session_factory, settings=mail_settings)
        assert (report.sent, report.failed, report.retrying) == (3, 3, 0)
        delivered = sorted(r for m in smtp_server.recorder.received for r in m.recipients)
        assert delivered == sorted(m.recipient for m in good)
        for message in poisoned:
            row = reload(session, message)
            assert (row.status, row.attempts) == (OutboxStatus.FAILED, 1)
            assert row.last_error is not None and "cannot be built" in row.last_error
        assert all(reload(session, m).status is OutboxStatus.SENT for m in good)

        # Later passes leave them alone, and mail queued afterwards still goes out.
        make_due(session)
        later = queue_mail(session, recipient="later@example.test")
        assert (send_pending(session_factory, settings=mail_settings).sent) == 1
        assert reload(session, later).status is OutboxStatus.SENT
        assert len(smtp_server.recorder.received) == 4


class TestOneMessageId:
    def test_a_server_that_drops_before_its_250_gets_at_most_one_extra_copy_with_the_same_id(
        self,
        session: Session,
        session_factory: SessionFactory,
        mail_settings: Settings,
        smtp_server: SmtpServer,
    ) -> None:
        # The server stores the first message, then cuts the connection before
        # its 250: the sender cannot tell that it arrived, and tries it again.
        smtp_server.recorder.drop_after_data = 1
        messages = [queue_mail(session, recipient=f"r{n}@example.test") for n in range(3)]

        first = send_pending(session_factory, settings=mail_settings)
        assert (first.sent, first.retrying) == (0, 1)
        make_due(session)
        second = send_pending(session_factory, settings=mail_settings)
        assert (second.sent, second.retrying, second.failed) == (3, 0, 0)

        received = smtp_server.recorder.received
        assert len(received) == len(messages) + 1  # one extra copy, of the dropped message
        ids: dict[str, set[str]] = {}
        for copy in received:
            ids.setdefault(copy.recipients[0], set()).add(copy.message["Message-ID"])
        assert all(len(found) == 1 for found in ids.values()), ids  # one id across attempts
        assert len({next(iter(found)) for found in ids.values()}) == len(messages)
        for message in messages:
            [found] = ids[message.recipient]
            assert found.startswith(f"<outbox-{message.id}.")
            assert found.endswith("@example.test>")
        rows = [reload(session, m) for m in messages]
        assert [(r.status, r.attempts) for r in rows] == [
            (OutboxStatus.SENT, 2),
            (OutboxStatus.SENT, 1),
            (OutboxStatus.SENT, 1),
        ]

    def test_the_id_is_the_same_whenever_the_row_is_built(self, session: Session) -> None:
        message = queue_mail(session)
        once = mail.build_email(message, sender="Ops <ops@example.test>")["Message-ID"]
        again = mail.build_email(message, sender="Ops <ops@example.test>")["Message-ID"]
        other = mail.build_email(queue_mail(session), sender="ops@example.test")["Message-ID"]
        assert once == again != other


class TestPermanentReplies:
    def test_a_message_refused_for_good_at_data_is_failed_not_retried(
        self,
        session: Session,
        session_factory: SessionFactory,
        mail_settings: Settings,
        smtp_server: SmtpServer,
    ) -> None:
        smtp_server.recorder.fail_data = 1
        smtp_server.recorder.fail_reply = "554 5.6.0 Message refused: content policy"
        refused = queue_mail(session, recipient="refused@example.test")
        fine = queue_mail(session, recipient="fine@example.test")

        report = send_pending(session_factory, settings=mail_settings)
        assert (report.sent, report.failed, report.retrying) == (1, 1, 0)
        row = reload(session, refused)
        assert (row.status, row.attempts) == (OutboxStatus.FAILED, 1)
        assert row.last_error is not None and "554" in row.last_error
        assert reload(session, fine).status is OutboxStatus.SENT

        make_due(session)
        assert send_pending(session_factory, settings=mail_settings).failed == 0
        assert smtp_server.recorder.refused_data == 1  # never offered again
        assert [r.recipients for r in smtp_server.recorder.received] == [["fine@example.test"]]


class TestWithoutSmtp:
    def test_mail_is_named_in_the_log_and_kept_in_the_outbox(
        self,
        session: Session,
        session_factory: SessionFactory,
        settings: Settings,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        assert settings.smtp_url is None
        secret_link = "http://testserver/set-password/one-time-secret"
        message = queue_mail(
            session,
            recipient="log@example.test",
            subject="To the log",
            body=f"Set your password: {secret_link}",
        )
        with caplog.at_level(logging.INFO, logger="opsportal.notifications.mail"):
            report = send_pending(session_factory, settings=settings)
        assert report.sent == 1
        logged = "\n".join(r.getMessage() for r in caplog.records)
        assert "log@example.test" in logged
        assert "To the log" in logged
        # A body may carry a one-time link: it stays in the outbox, out of the log.
        assert "one-time-secret" not in logged
        assert secret_link in reload(session, message).body
        row = reload(session, message)
        assert (row.status, row.transport) == (OutboxStatus.SENT, "log")
        make_due(session)
        assert send_pending(session_factory, settings=settings).sent == 0


class TestClaims:
    def test_a_claimed_message_is_not_due_until_its_claim_expires(self, session: Session) -> None:
        message = queue_mail(session)
        now = utcnow()
        mine = repository.claim_message(
            session, message_id=message.id, token="a", now=now, until=now + timedelta(minutes=5)
        )
        assert mine is not None
        assert (
            repository.claim_message(
                session, message_id=message.id, token="b", now=now, until=now + timedelta(minutes=5)
            )
            is None
        )
        # The first sender died: after its lease another may take the message, and
        # the first can no longer mark it sent.
        later = now + timedelta(minutes=6)
        theirs = repository.claim_message(
            session, message_id=message.id, token="b", now=later, until=later + timedelta(minutes=5)
        )
        assert theirs is not None and theirs.attempts == 2
        assert not repository.mark_sent(
            session, message_id=message.id, token="a", now=later, transport="smtp"
        )
        assert repository.mark_sent(
            session, message_id=message.id, token="b", now=later, transport="smtp"
        )

    def test_two_connections_claiming_at_once_get_it_once(
        self, committed_session_factory: SessionFactory
    ) -> None:
        with session_scope(committed_session_factory) as session:
            message_id = queue_mail(session).id
        barrier = threading.Barrier(2)
        won: list[bool] = []

        def claim(token: str) -> None:
            barrier.wait()
            with session_scope(committed_session_factory) as session:
                now = utcnow()
                row = repository.claim_message(
                    session,
                    message_id=message_id,
                    token=token,
                    now=now,
                    until=now + timedelta(minutes=5),
                )
                won.append(row is not None)

        threads = [threading.Thread(target=claim, args=(t,)) for t in ("a", "b")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(won) == [False, True]

    def test_concurrent_sender_passes_send_every_message_exactly_once(
        self,
        committed_session_factory: SessionFactory,
        mail_settings: Settings,
        smtp_server: SmtpServer,
    ) -> None:
        smtp_server.recorder.delay = 0.01
        with session_scope(committed_session_factory) as session:
            recipients = [queue_mail(session).recipient for _ in range(40)]
        barrier = threading.Barrier(4)
        errors: list[BaseException] = []
        reports: list[SendReport] = []

        def sender() -> None:
            try:
                barrier.wait()
                reports.append(send_pending(committed_session_factory, settings=mail_settings))
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=sender) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert errors == []
        delivered = [r.recipients[0] for r in smtp_server.recorder.received]
        assert sorted(delivered) == sorted(recipients)
        assert sum(r.sent for r in reports) == 40
        with session_scope(committed_session_factory) as session:
            rows = list(session.scalars(select(OutboxMessage)))
        assert {(r.status, r.attempts) for r in rows} == {(OutboxStatus.SENT, 1)}


class TestSmtpUrl:
    @pytest.mark.parametrize(
        ("url", "host", "port", "security", "username", "password"),
        [
            ("smtp://mail.internal", "mail.internal", 25, "plain", None, None),
            ("smtp://mail.internal:2525", "mail.internal", 2525, "plain", None, None),
            ("smtps://mail.internal", "mail.internal", 465, "tls", None, None),
            ("smtp+starttls://u%40x:p%3Aw@mail.internal", "mail.internal", 587, "starttls",
             "u@x", "p:w"),
        ],
    )  # fmt: skip
    def test_parses(
        self,
        url: str,
        host: str,
        port: int,
        security: str,
        username: str | None,
        password: str | None,
    ) -> None:
        server = parse_smtp_url(url)
        assert (server.host, server.port, server.security) == (host, port, security)
        assert (server.username, server.password) == (username, password)
        assert "p:w" not in repr(server)

    @pytest.mark.parametrize("url", ["http://mail", "smtp://", "smtp://mail:99999", "mail:25"])
    def test_refuses_at_start_up(self, url: str) -> None:
        with pytest.raises(ValueError):
            Settings(smtp_url=url)


class TestSenderSchedule:
    @pytest.fixture(autouse=True)
    def _no_waker_left(self) -> Iterator[None]:
        yield
        mail.set_waker(None)

    def test_a_commit_that_queued_mail_wakes_the_sender(
        self, session_factory: SessionFactory
    ) -> None:
        woken: list[int] = []
        mail.set_waker(lambda: woken.append(1))
        with session_scope(session_factory) as session:
            queue_mail(session)
            queue_mail(session)
            assert woken == []  # not before the commit: the rows are not visible yet
        assert woken == [1]
        with session_scope(session_factory) as session:
            session.execute(select(OutboxMessage.id))
        assert woken == [1]  # a commit that queued nothing wakes nobody

    def test_rolled_back_mail_is_not_queued(self, session_factory: SessionFactory) -> None:
        with pytest.raises(RuntimeError), session_scope(session_factory) as session:
            queue_mail(session, recipient="never@example.test")
            raise RuntimeError("the work failed")
        with session_scope(session_factory) as session:
            found = session.scalar(
                select(func.count()).where(OutboxMessage.recipient == "never@example.test")
            )
        assert found == 0

    def test_the_scheduler_sends_every_minute_and_when_woken(
        self, settings: Settings, session_factory: SessionFactory
    ) -> None:
        scheduler = build_scheduler(settings, session_factory)
        scheduler.start(paused=True)
        try:
            job = scheduler.get_job(SENDER_JOB_ID)
            assert job is not None
            assert job.trigger.interval == timedelta(minutes=1)
            assert job.next_run_time > utcnow() + timedelta(seconds=30)
            mail.wake_sender()
            job = scheduler.get_job(SENDER_JOB_ID)
            assert job.next_run_time <= utcnow() + timedelta(seconds=1)
        finally:
            scheduler.shutdown(wait=False)
        mail.wake_sender()  # a stopped scheduler: logged, never raised

    def test_the_job_never_raises(
        self, settings: Settings, session_factory: SessionFactory, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def broken(*args: object, **kwargs: object) -> None:
            raise RuntimeError("database gone")

        monkeypatch.setattr(mail, "send_pending", broken)
        send_outbox(settings, session_factory)
