"""Commands that queue mail send it, or say plainly that they only queued it and who sends it."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from opsportal.cli import app as cli_app
from opsportal.config import Settings, get_settings
from opsportal.models import OutboxMessage, OutboxStatus
from tests.benchmarks.test_drop_alerts import DAY1, DAY2, World
from tests.factories import queue_mail
from tests.notifications.conftest import SmtpServer
from tests.processes import free_port
from tests.training.compliance.test_reminders import set_up

runner = CliRunner()
SENT_LATER = "they are sent by a running server's scheduler or by `opsportal mail send`"


def statuses(session: Session) -> list[OutboxStatus]:
    session.expire_all()
    return list(session.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id)))


@pytest.fixture
def smtp_env(monkeypatch: pytest.MonkeyPatch, smtp_server: SmtpServer) -> Iterator[None]:
    """The command line's settings (the environment) name the test SMTP server."""
    monkeypatch.setenv("OPSPORTAL_SMTP_URL", smtp_server.url)
    monkeypatch.setenv("OPSPORTAL_MAIL_FROM", "opsportal@example.test")
    monkeypatch.setenv("OPSPORTAL_SMTP_TIMEOUT_SECONDS", "5")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def no_smtp_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("OPSPORTAL_SMTP_URL", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.usefixtures("cli_session_factory", "smtp_env")
class TestWithAMailServer:
    def test_reminders_send_queues_and_sends_them(
        self, session: Session, settings: Settings, smtp_server: SmtpServer
    ) -> None:
        set_up(session, settings)
        result = runner.invoke(cli_app, ["reminders", "send"])
        assert result.exit_code == 0, result.output
        assert result.stdout.count("queued\t") == 3
        assert "sent\t" not in result.stdout
        assert "queued 3 messages; mail: 3 sent, 0 failed for good" in result.stderr
        delivered = sorted(r.recipients[0] for r in smtp_server.recorder.received)
        assert delivered == ["holder@example.test", "late@example.test", "soon@example.test"]
        assert statuses(session) == [OutboxStatus.SENT] * 3

    def test_queue_only_leaves_it_to_mail_send(
        self, session: Session, settings: Settings, smtp_server: SmtpServer
    ) -> None:
        set_up(session, settings)
        queued = runner.invoke(cli_app, ["reminders", "send", "--queue-only"])
        assert queued.exit_code == 0, queued.output
        assert f"queued 3 messages; {SENT_LATER}" in queued.stderr
        assert smtp_server.recorder.received == []
        assert statuses(session) == [OutboxStatus.QUEUED] * 3

        sent = runner.invoke(cli_app, ["mail", "send"])
        assert sent.exit_code == 0, sent.output
        assert json.loads(sent.stdout) == {
            "sent": 3, "retrying": 0, "failed": 0, "skipped": 0, "queued": 0
        }  # fmt: skip
        assert len(smtp_server.recorder.received) == 3
        assert statuses(session) == [OutboxStatus.SENT] * 3

    def test_mail_send_counts_each_outcome(self, session: Session, smtp_server: SmtpServer) -> None:
        smtp_server.recorder.unknown = {"gone@example.test"}
        smtp_server.recorder.fail_data = 1  # the first message offered: try again later
        for recipient in ["later@example.test", "gone@example.test", "fine@example.test"]:
            queue_mail(session, recipient=recipient)
        result = runner.invoke(cli_app, ["mail", "send"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout) == {
            "sent": 1, "retrying": 1, "failed": 1, "skipped": 0, "queued": 1
        }  # fmt: skip
        assert f"1 message still queued ({SENT_LATER})" in result.stderr
        assert statuses(session) == [OutboxStatus.QUEUED, OutboxStatus.FAILED, OutboxStatus.SENT]

    def test_benchmarks_compute_sends_the_drop_alerts(
        self, session: Session, settings: Settings, smtp_server: SmtpServer
    ) -> None:
        world = World(session, settings)
        world.day(DAY1, {"login_rate": 65.0})
        world.run(DAY1)
        world.day(DAY2, {"login_rate": 45.0}, peers=False)
        result = runner.invoke(cli_app, ["benchmarks", "compute", "--date", DAY2.isoformat()])
        assert result.exit_code == 0, result.output
        assert "2 messages queued; mail: 2 sent" in result.stderr
        delivered = sorted(r.recipients[0] for r in smtp_server.recorder.received)
        assert delivered == sorted(u.email for u in world.users)


@pytest.mark.usefixtures("cli_session_factory", "no_smtp_env")
class TestWithoutAMailServer:
    def test_reminders_send_says_it_only_queued(self, session: Session, settings: Settings) -> None:
        set_up(session, settings)
        result = runner.invoke(cli_app, ["reminders", "send"])
        assert result.exit_code == 0, result.output
        assert "sent\t" not in result.stdout
        assert "queued 3 messages (OPSPORTAL_SMTP_URL is not set here" in result.stderr
        assert SENT_LATER in result.stderr
        assert statuses(session) == [OutboxStatus.QUEUED] * 3

    def test_mail_send_refuses_and_keeps_the_queue(self, session: Session) -> None:
        queue_mail(session)
        result = runner.invoke(cli_app, ["mail", "send"])
        assert result.exit_code == 1
        assert "OPSPORTAL_SMTP_URL is not set" in result.stderr
        assert "nothing was sent, and the outbox keeps 1 queued message" in result.stderr
        assert statuses(session) == [OutboxStatus.QUEUED]


@pytest.mark.usefixtures("cli_session_factory")
def test_an_unreachable_mail_server_keeps_the_mail_and_says_so(
    session: Session, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPSPORTAL_SMTP_URL", f"smtp://127.0.0.1:{free_port()}")
    monkeypatch.setenv("OPSPORTAL_SMTP_TIMEOUT_SECONDS", "2")
    get_settings.cache_clear()
    try:
        set_up(session, settings)
        result = runner.invoke(cli_app, ["reminders", "send"])
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert f"mail: 0 sent, 0 failed for good; 3 messages still queued ({SENT_LATER})" in (
        result.stderr
    )
    assert statuses(session) == [OutboxStatus.QUEUED] * 3
