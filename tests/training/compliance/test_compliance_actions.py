"""The compliance report as something to act on: Remind, learners' pages, the CSV, former users."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from opsportal.config import Settings
from opsportal.db import SessionFactory
from opsportal.models import Assignment, AuditEntry, OutboxMessage, ReminderSent, Role
from opsportal.models.base import utcnow
from opsportal.notifications.mail import send_pending
from opsportal.principal import Principal
from opsportal.training.compliance.assignments import assign_track
from opsportal.training.compliance.schemas import AssignmentCreate
from tests.factories import (
    bearer,
    certify,
    create_organization,
    create_track_with_quizzes,
    create_user,
    pass_quiz,
)
from tests.notifications.conftest import SmtpServer, mail_settings, smtp_server  # noqa: F401
from tests.pages import PASSWORD, log_in, post_form


def count(session: Session, model: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
def acme(session: Session, settings: Settings) -> dict[str, Any]:
    """Acme: a manager; Olga overdue, Nina not started, Carl certified, Lena (left) certified."""
    org = create_organization(session, name="Acme")
    boss, _ = create_user(
        session,
        role=Role.CUSTOMER_ADMIN,
        organization=org,
        email="boss@acme.test",
        name="Bea Boss",
        password=PASSWORD,
    )
    olga, _ = create_user(session, organization=org, email="olga@acme.test", name="Olga Overdue")
    nina, _ = create_user(session, organization=org, email="nina@acme.test", name="Nina New")
    carl, _ = create_user(session, organization=org, email="carl@acme.test", name="Carl Done")
    lena, _ = create_user(session, organization=org, email="lena@acme.test", name="Lena Leaver")
    track, quizzes = create_track_with_quizzes(session, courses=1, name="Speak Up")
    today = utcnow().date()
    assign_track(
        session,
        principal=Principal.of(boss),
        data=AssignmentCreate(
            track_id=track.id,
            organization_id=org.id,
            user_ids=[olga.id, nina.id, carl.id, lena.id],
            due_on=today + timedelta(days=10),
        ),
    )
    session.execute(
        update(Assignment).where(Assignment.user_id == olga.id).values(due_on=today - timedelta(3))
    )
    pass_quiz(session, user=nina, quiz=quizzes[0], passed=False)
    certify(session, user=carl, track=track, quizzes=quizzes, settings=settings)
    certify(session, user=lena, track=track, quizzes=quizzes, settings=settings)
    lena.is_active = False  # she left the company after completing the track
    session.flush()
    session.expire_all()
    people = {"olga": olga, "nina": nina, "carl": carl, "lena": lena, "boss": boss}
    return {"org": org, "track": track, **people}


def report_url(acme: dict[str, Any], rest: str = "") -> str:
    return f"/training/compliance/organizations/{acme['org'].id}{rest}"


def remind(client: TestClient, acme: dict[str, Any], **data: str) -> str:
    """Post a Remind form from the report; returns the message the report then shows."""
    response = post_form(client, report_url(acme, "/remind"), from_page=report_url(acme), data=data)
    assert response.status_code == 303, response.text
    page = client.get(response.headers["location"])
    assert page.status_code == 200
    start = page.text.index('role="status">') + len('role="status">')
    return page.text[start : page.text.index("</p>", start)]


class TestRemind:
    def test_one_learner_gets_the_reminder_mail_once_a_day(
        self,
        client: TestClient,
        session: Session,
        session_factory: SessionFactory,
        acme: dict[str, Any],
        mail_settings: Settings,  # noqa: F811
        smtp_server: SmtpServer,  # noqa: F811
    ) -> None:
        log_in(client, "boss@acme.test")
        message = remind(client, acme, user_id=str(acme["olga"].id))
        assert message == "Reminder sent to Olga Overdue about 1 open assignment."

        assert send_pending(session_factory, settings=mail_settings).sent == 1
        [received] = smtp_server.recorder.received
        assert received.recipients == ["olga@acme.test"]
        # The words of the daily job's overdue reminder.
        assert received.message["Subject"] == "opsportal: Overdue: Speak Up"
        assert "was due on" in received.message.get_content()

        again = remind(client, acme, user_id=str(acme["olga"].id))
        assert again.startswith("Olga Overdue was already reminded on ")
        assert "you can remind them again from " in again
        assert count(session, OutboxMessage) == 1
        assert send_pending(session_factory, settings=mail_settings).sent == 0
        assert len(smtp_server.recorder.received) == 1
        audited = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "training_assignment.remind")
        ).all()
        assert [a.detail["userIds"] for a in audited] == [[acme["olga"].id]]

    def test_remind_all_shown_follows_the_filter(
        self, client: TestClient, session: Session, acme: dict[str, Any]
    ) -> None:
        log_in(client, "boss@acme.test")
        overdue = client.get(report_url(acme), params={"show": "overdue"})
        assert "Remind all shown" in overdue.text
        message = remind(client, acme, show="overdue")
        assert message == "Reminder sent to Olga Overdue about 1 open assignment."
        reminded = set(session.scalars(select(ReminderSent.user_id)))
        assert reminded == {acme["olga"].id}

        # All open rows now: Olga is within the day, Nina is reminded.
        message = remind(client, acme, show="incomplete")
        assert message == (
            "Reminder sent to Nina New about 1 open assignment. Not sent to 1 learner "
            "already reminded in the last 24 hours: Olga Overdue."
        )
        assert set(session.scalars(select(ReminderSent.user_id))) == {
            acme["olga"].id,
            acme["nina"].id,
        }

    def test_nothing_to_remind_about(self, client: TestClient, acme: dict[str, Any]) -> None:
        log_in(client, "boss@acme.test")
        assert (
            "Remind all shown"
            not in client.get(report_url(acme), params={"show": "expiring90"}).text
        )
        assert remind(client, acme, user_id=str(acme["carl"].id)) == (
            "Nobody shown has an open assignment to be reminded about."
        )

    def test_bad_input_changes_nothing(
        self, client: TestClient, session: Session, acme: dict[str, Any]
    ) -> None:
        other, _ = create_user(session, email="stranger@elsewhere.test")
        log_in(client, "boss@acme.test")
        path = report_url(acme, "/remind")
        for data, status in (
            ({"show": "everything"}, 422),
            ({"former": "maybe"}, 422),
            ({"user_id": "abc"}, 422),
            ({"user_id": str(other.id)}, 404),
            ({"user_id": str(acme["lena"].id)}, 404),  # a former user is not reminded
        ):
            response = post_form(client, path, from_page=report_url(acme), data=data)
            assert response.status_code == status, (data, response.text)
        assert count(session, ReminderSent) == 0
        assert client.post(path, data={"user_id": str(acme["olga"].id)}).status_code == 403


class TestLearnerPages:
    def test_names_link_to_the_learners_training(
        self, client: TestClient, acme: dict[str, Any]
    ) -> None:
        log_in(client, "boss@acme.test")
        page = client.get(report_url(acme)).text
        for who in ("olga", "nina", "carl", "lena"):
            assert f'href="{report_url(acme)}/users/{acme[who].id}"' in page

        nina = client.get(report_url(acme, f"/users/{acme['nina'].id}"))
        assert nina.status_code == 200
        assert "Training: Nina New" in nina.text
        assert "Speak Up" in nina.text
        assert "0 of 1 course quiz passed" in nina.text
        assert "Failed" in nina.text  # her one attempt
        assert "No certificates yet." in nina.text

        carl = client.get(report_url(acme, f"/users/{acme['carl'].id}")).text
        assert "1 of 1 course quiz passed" in carl and "CERT-" in carl

        lena = client.get(report_url(acme, f"/users/{acme['lena'].id}")).text
        assert "Former user (deactivated)" in lena and "CERT-" in lena

    def test_only_those_who_oversee_the_organisation(
        self, client: TestClient, session: Session, acme: dict[str, Any]
    ) -> None:
        stranger, _ = create_user(session, email="stranger@elsewhere.test")
        log_in(client, "boss@acme.test")
        assert client.get(report_url(acme, f"/users/{stranger.id}")).status_code == 404
        assert client.get(report_url(acme, f"/users/{acme['boss'].id}")).status_code == 200
        other = create_organization(session)
        url = f"/training/compliance/organizations/{other.id}/users/{acme['olga'].id}"
        assert client.get(url).status_code == 404


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


class TestFormerUsers:
    def test_a_leavers_completion_stays_listed_and_can_be_left_out(
        self, client: TestClient, acme: dict[str, Any]
    ) -> None:
        log_in(client, "boss@acme.test")
        page = client.get(report_url(acme)).text
        assert "Lena Leaver" in page and "Former user (deactivated)" in page
        # The totals count current learners: Olga, Nina and Carl.
        assert "<dt>Assigned</dt><dd>3</dd>" in page
        without = client.get(report_url(acme), params={"former": "exclude"}).text
        assert "Lena Leaver" not in without
        assert "<dt>Assigned</dt><dd>3</dd>" in without


class TestCsv:
    def test_words_dates_and_the_pages_filter(
        self, client: TestClient, acme: dict[str, Any]
    ) -> None:
        log_in(client, "boss@acme.test")
        response = client.get(report_url(acme, "/compliance.csv"))
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        rows = read_csv(response.text)
        assert list(rows[0]) == [
            "Learner",
            "Email",
            "Track",
            "Status",
            "Due date",
            "Completed on",
            "Certificate expires on",
            "Assigned on",
            "Learner status",
        ]
        by_name = {r["Learner"]: r for r in rows}
        assert set(by_name) == {"Olga Overdue", "Nina New", "Carl Done", "Lena Leaver"}
        today = utcnow().date()
        assert by_name["Olga Overdue"]["Status"] == "Overdue"
        assert by_name["Olga Overdue"]["Due date"] == (today - timedelta(3)).isoformat()
        assert by_name["Nina New"]["Status"] == "In progress"
        assert by_name["Carl Done"]["Status"] == "Completed"
        assert by_name["Carl Done"]["Completed on"] == today.isoformat()
        assert by_name["Carl Done"]["Learner status"] == "Current"
        assert by_name["Lena Leaver"]["Learner status"] == "Former user (deactivated)"

        overdue = read_csv(client.get(report_url(acme, "/compliance.csv?show=overdue")).text)
        assert [r["Learner"] for r in overdue] == ["Olga Overdue"]
        current = read_csv(client.get(report_url(acme, "/compliance.csv?former=exclude")).text)
        assert "Lena Leaver" not in {r["Learner"] for r in current}
        # The page links to the CSV of what it shows.
        page = client.get(report_url(acme), params={"show": "overdue"}).text
        assert f'href="{report_url(acme)}/compliance.csv?show=overdue"' in page

    def test_formulas_stay_text(
        self, client: TestClient, session: Session, acme: dict[str, Any]
    ) -> None:
        acme["nina"].name = '=HYPERLINK("http://evil.example","x")'
        session.flush()
        log_in(client, "boss@acme.test")
        rows = read_csv(client.get(report_url(acme, "/compliance.csv")).text)
        assert '\'=HYPERLINK("http://evil.example","x")' in {r["Learner"] for r in rows}

    def test_the_api_csv_keeps_its_format(
        self, client: TestClient, session: Session, acme: dict[str, Any]
    ) -> None:
        _, token = create_user(session, role=Role.INTERNAL)
        url = f"/api/v1/training/compliance/organizations/{acme['org'].id}/compliance.csv"
        rows = read_csv(client.get(url, headers=bearer(token)).text)
        assert list(rows[0])[:3] == ["userId", "name", "email"]
        assert {r["status"] for r in rows} == {"OVERDUE", "IN_PROGRESS", "COMPLETED"}
