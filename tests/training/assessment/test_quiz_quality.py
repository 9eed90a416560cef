"""Admins' view of a quiz: item statistics (API, page, CSV) and regrading after a key fix."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from opsportal.config import Settings
from opsportal.models import AuditEntry, QuizAttempt, Role
from tests.factories import (
    bearer,
    correct_answers,
    create_course,
    create_quiz,
    create_track,
    create_user,
    sample_questions,
)
from tests.pages import PASSWORD, log_in, post_form


def take(client: TestClient, quiz_id: int, token: str, answers: list[dict[str, Any]]) -> Any:
    started = client.post(f"/api/v1/training/quizzes/{quiz_id}/start", headers=bearer(token))
    assert started.status_code == 201
    return client.post(
        f"/api/v1/training/attempts/{started.json()['attemptId']}/submit",
        json={"answers": answers},
        headers=bearer(token),
    ).json()


def answers_with(**overrides: list[str]) -> list[dict[str, Any]]:
    answers = correct_answers()
    for a in answers:
        if a["questionId"] in overrides:
            a["selectedOptionIds"] = overrides[a["questionId"]]
    return answers


class TestStatistics:
    def test_per_question_figures_and_flags(
        self, client: TestClient, session: Session, admin_headers: dict[str, str]
    ) -> None:
        course = create_course(session, track=create_track(session))
        quiz = create_quiz(session, course=course)
        # Four learners: two strong, two weak. q4 everybody gets right; q5 the strong
        # get wrong and the weak right (misleading).
        sheets = [
            answers_with(q5=["t"]),
            answers_with(q5=["t"]),
            answers_with(q1=["a"], q2=["f"], q3=["a"]),
            answers_with(q1=["c"], q2=["f"], q3=["c"]),
        ]
        for sheet in sheets:
            _, token = create_user(session, role=Role.CUSTOMER)
            take(client, quiz.id, token, sheet)
        response = client.get(
            f"/api/v1/training/quizzes/{quiz.id}/statistics", headers=admin_headers
        )
        assert response.status_code == 200
        body = response.json()
        assert body["gradedAttempts"] == 4
        by_id = {q["questionId"]: q for q in body["questions"]}
        assert by_id["q1"]["attempts"] == 4
        assert by_id["q1"]["correctRate"] == 0.5
        assert by_id["q1"]["discrimination"] == 1.0
        assert by_id["q1"]["optionCounts"] == {"a": 1, "b": 2, "c": 1}
        assert by_id["q4"]["flags"] == ["EVERYBODY_CORRECT"]
        assert by_id["q5"]["flags"] == ["NEGATIVE_DISCRIMINATION"]
        assert by_id["q5"]["discrimination"] == -1.0
        # The answer key beside the figures, and four attempts are too few to judge by.
        assert by_id["q1"]["correctOptionIds"] == ["b"]
        assert by_id["q3"]["correctOptionIds"] == ["a", "b"]
        assert body["minAttemptsToJudge"] == 30
        assert all(q["tooFewAttempts"] for q in body["questions"])

    def test_only_admins(
        self, client: TestClient, session: Session, staff_headers: dict[str, str]
    ) -> None:
        quiz = create_quiz(session, course=create_course(session, track=create_track(session)))
        _, token = create_user(session, role=Role.CUSTOMER)
        for headers in (staff_headers, bearer(token)):
            response = client.get(f"/api/v1/training/quizzes/{quiz.id}/statistics", headers=headers)
            assert response.status_code == 403
        assert client.get("/api/v1/training/quizzes/999999/statistics").status_code == 401

    def test_page_and_csv(self, client: TestClient, session: Session) -> None:
        questions = sample_questions()
        questions[0]["question"] = "=HYPERLINK(1)"
        quiz = create_quiz(
            session, course=create_course(session, track=create_track(session)), questions=questions
        )
        _, token = create_user(session, role=Role.CUSTOMER)
        take(client, quiz.id, token, correct_answers())
        admin, _ = create_user(session, role=Role.ADMIN, password=PASSWORD)
        assert log_in(client, admin.email).status_code == 303
        page = client.get(f"/admin/quizzes/{quiz.id}/statistics")
        assert page.status_code == 200
        assert "1 graded attempts" in page.text
        assert "Everybody gets it right" in page.text
        download = client.get(f"/admin/quizzes/{quiz.id}/statistics.csv")
        assert download.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(download.text)))
        first = [r for r in rows if r["question_id"] == "q1"]
        assert [r["option_id"] for r in first] == ["a", "b", "c"]
        assert first[0]["question"] == "'=HYPERLINK(1)"  # never a formula
        assert [r["option_count"] for r in first] == ["0", "1", "0"]
        assert [r["correct_option"] for r in first] == ["no", "yes", "no"]
        assert {r["too_few_attempts"] for r in rows} == {"yes"}

    def test_the_page_marks_the_answer_key_and_cautions_on_few_attempts(
        self, client: TestClient, session: Session
    ) -> None:
        quiz = create_quiz(session, course=create_course(session, track=create_track(session)))
        # Two learners: one gets everything right, one gets q1 wrong. That makes q1's
        # discrimination +1.00 — from two attempts, which tells nothing yet.
        for sheet in (correct_answers(), answers_with(q1=["a"])):
            _, token = create_user(session, role=Role.CUSTOMER)
            take(client, quiz.id, token, sheet)
        admin, _ = create_user(session, role=Role.ADMIN, password=PASSWORD)
        assert log_in(client, admin.email).status_code == 303
        page = client.get(f"/admin/quizzes/{quiz.id}/statistics").text
        q1 = page.split('id="q-1"')[1].split('id="q-2"')[0]
        assert "+1.00" in q1
        assert "Too few attempts to judge</strong> (2 so far, fewer than 30)" in q1
        rows = re.findall(r"<tr[^>]*><td>([^<]*)</td><td>(.*?)</td>", q1)
        assert rows == [
            ("Only managers", '<span class="muted">—</span>'),
            ("Anyone", "<strong>✓ Correct</strong>"),
            ("Only HR", '<span class="muted">—</span>'),
        ]


class TestRegrade:
    def test_dry_run_then_apply(
        self, client: TestClient, session: Session, settings: Settings,
        admin_headers: dict[str, str],
    ) -> None:  # fmt: skip
        track = create_track(session, settings=settings)
        course = create_course(session, track=track)
        wrong_key = sample_questions()
        wrong_key[4]["correctOptionIds"] = ["t"]  # the author's mistake: "True"
        quiz = create_quiz(session, course=course, questions=wrong_key)
        # Four of five right under the wrong key passes (80 %); one of them answered
        # q5 "False" — right in truth — and failed at 60 %.
        careful, careful_token = create_user(session, role=Role.CUSTOMER)
        lucky, lucky_token = create_user(session, role=Role.CUSTOMER)
        failed = take(client, quiz.id, careful_token, answers_with(q5=["f"], q4=["b"]))
        passed = take(client, quiz.id, lucky_token, answers_with(q5=["t"], q4=["b"]))
        assert (failed["score"], failed["passed"]) == (60, False)
        assert (passed["score"], passed["passed"]) == (80, True)
        issued = client.post(
            f"/api/v1/training/tracks/{track.id}/certificate", headers=bearer(lucky_token)
        )
        assert issued.status_code == 201

        fixed = client.put(
            f"/api/v1/training/courses/{course.id}/quiz",
            json={"questions": sample_questions()},
            headers=admin_headers,
        )
        assert fixed.status_code == 200
        dry = client.post(
            f"/api/v1/training/quizzes/{quiz.id}/regrade", json={"dryRun": True},
            headers=admin_headers,
        )  # fmt: skip
        assert dry.status_code == 200
        report = dry.json()
        assert report["attemptsChecked"] == 2 and report["passChanges"] == 2
        changes = {c["attemptId"]: c for c in report["changes"]}
        assert changes[failed["attemptId"]]["fromPassed"] is False
        assert changes[failed["attemptId"]]["toPassed"] is True
        assert changes[passed["attemptId"]]["toScore"] == 60
        unchanged = session.get(QuizAttempt, failed["attemptId"])
        assert unchanged is not None
        session.refresh(unchanged)
        assert unchanged.passed is False and unchanged.regraded_at is None

        applied = client.post(
            f"/api/v1/training/quizzes/{quiz.id}/regrade", json={"dryRun": False},
            headers=admin_headers,
        )  # fmt: skip
        assert applied.status_code == 200
        assert len(applied.json()["history"]) == 2
        result = client.get(
            f"/api/v1/training/attempts/{failed['attemptId']}/result", headers=bearer(careful_token)
        ).json()
        assert result["passed"] is True and result["score"] == 80
        assert result["regradedAt"] is not None
        # Passed now: the corrected key is what the learner sees.
        assert result["feedback"][4]["correctOptionIds"] == ["f"]
        # The certificate already issued stays.
        still = client.get(
            f"/api/v1/training/certificates/{issued.json()['id']}", headers=bearer(lucky_token)
        )
        assert still.json()["status"] == "ACTIVE"
        audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "quiz.regrade")).one()
        assert audit.target_id == quiz.id
        again = client.post(
            f"/api/v1/training/quizzes/{quiz.id}/regrade", json={"dryRun": True},
            headers=admin_headers,
        )  # fmt: skip
        assert again.json()["changes"] == []

    def test_only_admins_and_the_page(
        self, client: TestClient, session: Session, staff_headers: dict[str, str]
    ) -> None:
        quiz = create_quiz(session, course=create_course(session, track=create_track(session)))
        refused = client.post(
            f"/api/v1/training/quizzes/{quiz.id}/regrade", json={}, headers=staff_headers
        )
        assert refused.status_code == 403
        admin, _ = create_user(session, role=Role.ADMIN, password=PASSWORD)
        assert log_in(client, admin.email).status_code == 303
        page = client.get(f"/admin/quizzes/{quiz.id}/regrade")
        assert "No attempt would change" in page.text
        applied = post_form(
            client,
            f"/admin/quizzes/{quiz.id}/regrade",
            from_page=f"/admin/quizzes/{quiz.id}/regrade",
        )
        assert applied.status_code == 200 and "Regraded: 0 attempts changed" in applied.text


class TestMarkAsRead:
    def test_a_quizless_course_is_read_and_leads_on(
        self, client: TestClient, session: Session
    ) -> None:
        track = create_track(session)
        reading = create_course(session, track=track, title="Read me first")
        quizzed = create_course(session, track=track, title="Then the quiz")
        create_quiz(session, course=quizzed)
        user, token = create_user(session, role=Role.CUSTOMER, password=PASSWORD)
        assert log_in(client, user.email).status_code == 303
        page = client.get(f"/training/courses/{reading.id}").text
        assert "Course 1 of 2 · no quiz" in page
        assert "Next course: Then the quiz" in page
        marked = post_form(
            client,
            f"/training/courses/{reading.id}/read",
            from_page=f"/training/courses/{reading.id}",
        )
        assert marked.status_code == 303
        assert "You have marked this course as read." in client.get(marked.headers["location"]).text
        api = client.post(f"/api/v1/training/courses/{reading.id}/read", headers=bearer(token))
        assert api.status_code == 200 and api.json()["courseId"] == reading.id
        # Reading is progress, not completion: the quiz still decides the track.
        overview = client.get(f"/api/v1/training/tracks/{track.id}", headers=bearer(token)).json()
        assert overview["isCompleted"] is False
        assert [c["isRead"] for c in overview["courses"]] == [True, False]
        assert "Course 2 of 2 · 5 questions" in client.get(f"/training/courses/{quizzed.id}").text
