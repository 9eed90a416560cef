"""The xAPI queue for operators: `opsportal xapi status | send | retry-failed`, and the
admins' page with its counts, latest errors and "Retry failed statements" button."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from opsportal.cli import app as cli_app
from opsportal.config import Settings
from opsportal.db import SessionFactory
from opsportal.models import AuditEntry, Role, XapiStatement, XapiStatus
from opsportal.training.content.xapi import sender
from tests.factories import create_user
from tests.factories.training import create_track_with_quizzes, pass_quiz
from tests.pages import PASSWORD, csrf_from, log_in
from tests.training.content.test_xapi_queue import Recording

runner = CliRunner()


def one_failed_one_sent(
    session: Session, session_factory: SessionFactory, settings: Settings
) -> None:
    """A failed attempt queues `attempted` and `failed`: the LRS refuses the first."""
    user, _ = create_user(session)
    _, quizzes = create_track_with_quizzes(session, courses=1)
    pass_quiz(session, user=user, quiz=quizzes[0], passed=False)
    session.commit()
    lrs = Recording([sender.Refused("HTTP 400: bad statement")])
    report = sender.send_pending(session_factory, settings=settings, transport=lrs)
    assert (report.failed, report.sent) == (1, 1)


def statuses(session: Session) -> list[XapiStatus]:
    session.expire_all()
    return list(session.scalars(select(XapiStatement.status).order_by(XapiStatement.id)))


@pytest.mark.usefixtures("cli_session_factory")
class TestCommandLine:
    def test_status_then_retry_failed(
        self, session: Session, session_factory: SessionFactory, xapi_settings: Settings
    ) -> None:
        one_failed_one_sent(session, session_factory, xapi_settings)

        status = runner.invoke(cli_app, ["xapi", "status"])
        assert status.exit_code == 0, status.output
        shown = json.loads(status.stdout.strip().splitlines()[-1])
        assert (shown["queued"], shown["sent"], shown["failed"]) == (0, 1, 1)
        assert shown["oldestQueuedAt"] is None
        assert [(e["verb"], e["status"], e["error"]) for e in shown["errors"]] == [
            ("attempted", "FAILED", "HTTP 400: bad statement")
        ]

        retried = runner.invoke(cli_app, ["xapi", "retry-failed"])
        assert retried.exit_code == 0, retried.output
        assert json.loads(retried.stdout.strip().splitlines()[-1]) == {"queued": 1}
        assert statuses(session) == [XapiStatus.QUEUED, XapiStatus.SENT]
        again = json.loads(runner.invoke(cli_app, ["xapi", "status"]).stdout.splitlines()[-1])
        assert (again["queued"], again["failed"]) == (1, 0)
        assert again["oldestQueuedAt"] is not None
        assert runner.invoke(cli_app, ["xapi", "retry-failed"]).stdout.strip() == '{"queued": 0}'

    def test_send_without_an_lrs_says_so_and_sends_nothing(self) -> None:
        result = runner.invoke(cli_app, ["xapi", "send"])
        assert result.exit_code == 1
        assert "OPSPORTAL_XAPI_ENDPOINT is not set" in result.output


class TestAdminPage:
    def test_counts_errors_and_retry(
        self,
        client: TestClient,
        session: Session,
        session_factory: SessionFactory,
        xapi_settings: Settings,
    ) -> None:
        one_failed_one_sent(session, session_factory, xapi_settings)
        admin, _ = create_user(session, role=Role.ADMIN, password=PASSWORD)
        session.commit()
        log_in(client, admin.email)

        page = client.get("/admin/xapi")
        assert page.status_code == 200
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text))
        assert "Waiting to be sent 0 Sent 1 Failed for good 1" in text
        assert "attempted failed 1 HTTP 400: bad statement" in text
        assert "Retry failed statements" in text

        forged = client.post("/admin/xapi/retry-failed", data={"csrf_token": "forged"})
        assert forged.status_code == 403
        assert statuses(session) == [XapiStatus.FAILED, XapiStatus.SENT]

        retried = client.post("/admin/xapi/retry-failed", data={"csrf_token": csrf_from(page.text)})
        assert retried.status_code == 200  # followed to the page
        assert "1 failed statement queued again" in retried.text
        assert "Retry failed statements" not in retried.text
        assert statuses(session) == [XapiStatus.QUEUED, XapiStatus.SENT]
        actions = session.scalars(select(AuditEntry.action)).all()
        assert "xapi.retry_failed" in actions

    def test_only_for_admins(self, client: TestClient, session: Session) -> None:
        learner, _ = create_user(session, role=Role.INTERNAL, password=PASSWORD)
        session.commit()
        log_in(client, learner.email)
        assert client.get("/admin/xapi").status_code == 403
