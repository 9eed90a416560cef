"""The xAPI queue: which statements a learner's attempts and certificates queue, and the sender's
handling of the LRS's answers (with a recording transport; tests/training/content/test_xapi_lrs.py
sends to a real LRS)."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from opsportal.config import Settings
from opsportal.db import SessionFactory
from opsportal.models import Role, XapiStatement, XapiStatus
from opsportal.principal import Principal
from opsportal.training.certification import service as certification
from opsportal.training.content.xapi import queue, sender
from tests.factories import create_user
from tests.factories.training import certify, create_track_with_quizzes, pass_quiz

ADL = "http://adlnet.gov/expapi/verbs/"


def statements(session: Session) -> list[dict[str, Any]]:
    rows = session.scalars(select(XapiStatement).order_by(XapiStatement.id))
    return [row.statement for row in rows]


def verbs(session: Session) -> list[tuple[str, str]]:
    return [(s["verb"]["id"].rsplit("/", 1)[1], s["object"]["id"]) for s in statements(session)]


class TestWhatIsQueued:
    def test_a_pass_and_a_fail_each_queue_attempted_and_their_grade(
        self, session: Session, xapi_settings: Settings
    ) -> None:
        user, _ = create_user(session, email="ada@example.org")
        track, quizzes = create_track_with_quizzes(session, courses=2)
        pass_quiz(session, user=user, quiz=quizzes[0], passed=False)
        pass_quiz(session, user=user, quiz=quizzes[0])
        quiz = f"http://testserver/training/quizzes/{quizzes[0].id}"
        course = f"http://testserver/training/courses/{quizzes[0].course_id}"
        assert verbs(session) == [
            ("attempted", quiz),
            ("failed", quiz),
            ("attempted", quiz),
            ("passed", quiz),
            ("completed", course),
        ]
        failed, passed = statements(session)[1], statements(session)[3]
        assert failed["result"]["success"] is False
        assert failed["result"]["score"] == {"scaled": 0.2, "raw": 1, "min": 0, "max": 5}
        assert passed["result"]["score"]["scaled"] == 1
        assert passed["result"]["success"] is True and passed["result"]["completion"] is True
        assert passed["result"]["duration"].startswith("PT")
        assert passed["actor"] == {
            "objectType": "Agent",
            "name": user.name,
            "mbox": "mailto:ada@example.org",
        }
        assert passed["context"]["contextActivities"]["grouping"][0]["id"] == (
            f"http://testserver/training/tracks/{track.id}"
        )

    def test_the_last_course_completes_the_track_once_and_certificates_are_told(
        self, session: Session, xapi_settings: Settings
    ) -> None:
        user, _ = create_user(session)
        track, quizzes = create_track_with_quizzes(session, courses=2)
        read = certify(session, user=user, track=track, quizzes=quizzes, settings=xapi_settings)
        pass_quiz(session, user=user, quiz=quizzes[1])  # again: no second completion
        admin, _ = create_user(session, role=Role.ADMIN)
        certification.revoke_certificate(
            session,
            principal=Principal.of(admin),
            certificate_id=read.id,
            reason="Test",
            settings=xapi_settings,
        )
        told = verbs(session)
        track_iri = f"http://testserver/training/tracks/{track.id}"
        certificate_iri = f"http://testserver/verify/{read.verification_code}"
        assert told.count(("completed", track_iri)) == 1
        assert ("earned", certificate_iri) in told
        assert told[-1] == ("revoked", certificate_iri)
        assert statements(session)[-1]["verb"]["id"] == "http://testserver/xapi/verbs/revoked"
        assert [v for v, _ in told].count("completed") == 3  # two courses and the track

    def test_nothing_is_queued_without_an_lrs(self, session: Session, settings: Settings) -> None:
        user, _ = create_user(session)
        _, quizzes = create_track_with_quizzes(session, courses=1)
        pass_quiz(session, user=user, quiz=quizzes[0])
        assert statements(session) == []

    def test_the_actor_is_what_the_customer_chose(
        self, session: Session, xapi_settings: Settings
    ) -> None:
        user, _ = create_user(session, email="bo@example.org")
        _, quizzes = create_track_with_quizzes(session, courses=1)
        hashed = xapi_settings.model_copy(update={"xapi_actor": "mbox_sha1sum"})
        account = xapi_settings.model_copy(
            update={"xapi_actor": "account", "xapi_account_home_page": "https://sso.example"}
        )
        for settings, key in ((hashed, "a"), (account, "b")):
            queue.queue_course_completion(
                session, settings=settings, user_id=user.id, course_id=quizzes[0].course_id
            )
            row = session.scalars(select(XapiStatement).order_by(XapiStatement.id.desc())).first()
            assert row is not None
            session.delete(row)  # the next one is a completion of the same cycle
            session.flush()
            if key == "a":
                digest = hashlib.sha1(b"mailto:bo@example.org").hexdigest()
                assert row.statement["actor"] == {"objectType": "Agent", "mbox_sha1sum": digest}
            else:
                assert row.statement["actor"]["account"] == {
                    "homePage": "https://sso.example",
                    "name": str(user.id),
                }
                assert "name" not in row.statement["actor"]


class Recording:
    def __init__(self, answers: list[Exception | None]) -> None:
        self.answers = answers
        self.sent: list[str] = []

    def put(self, statement_id: str, statement: dict[str, object]) -> None:
        answer = self.answers.pop(0) if self.answers else None
        if answer is not None:
            raise answer
        assert statement["id"] == statement_id
        self.sent.append(statement_id)

    def close(self) -> None:
        pass


class TestSender:
    def test_an_lrs_that_is_down_stops_the_pass_and_the_statement_is_sent_later(
        self, session: Session, session_factory: SessionFactory, xapi_settings: Settings
    ) -> None:
        user, _ = create_user(session)
        _, quizzes = create_track_with_quizzes(session, courses=1)
        pass_quiz(session, user=user, quiz=quizzes[0])
        session.commit()
        down = Recording([sender.LrsUnavailable("ConnectError")])
        report = sender.send_pending(session_factory, settings=xapi_settings, transport=down)
        assert (report.sent, report.retrying) == (0, 1)
        assert down.sent == []
        row = session.scalars(select(XapiStatement).order_by(XapiStatement.id)).first()
        assert row is not None
        session.refresh(row)
        assert row.status is XapiStatus.QUEUED and row.last_error == "ConnectError"
        session.execute(XapiStatement.__table__.update().values(next_attempt_at=row.created_at))
        session.commit()
        up = Recording([])
        assert sender.send_pending(session_factory, settings=xapi_settings, transport=up).sent == 4
        assert len(set(up.sent)) == 4
        assert sender.send_pending(session_factory, settings=xapi_settings, transport=up).sent == 0

    def test_a_refused_statement_fails_alone(
        self, session: Session, session_factory: SessionFactory, xapi_settings: Settings
    ) -> None:
        user, _ = create_user(session)
        _, quizzes = create_track_with_quizzes(session, courses=1)
        pass_quiz(session, user=user, quiz=quizzes[0], passed=False)
        session.commit()
        lrs = Recording([sender.Refused("HTTP 400: bad statement")])
        report = sender.send_pending(session_factory, settings=xapi_settings, transport=lrs)
        assert (report.failed, report.sent) == (1, 1)
        rows = list(session.scalars(select(XapiStatement).order_by(XapiStatement.id)))
        for row in rows:
            session.refresh(row)
        assert [r.status for r in rows] == [XapiStatus.FAILED, XapiStatus.SENT]
