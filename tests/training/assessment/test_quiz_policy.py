"""Quiz policy through the API and pages: answer reveal, attempt limits, time limits, draws."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from opsportal.models import QuizAttempt, Role
from opsportal.models.base import utcnow
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

KEY_WORDS = ("correctOptionIds", "explanation", "The hotline is open to everyone.")


def start(client: TestClient, quiz_id: int, token: str) -> Any:
    return client.post(f"/api/v1/training/quizzes/{quiz_id}/start", headers=bearer(token))


def submit(client: TestClient, attempt_id: int, token: str, answers: list[dict[str, Any]]) -> Any:
    return client.post(
        f"/api/v1/training/attempts/{attempt_id}/submit",
        json={"answers": answers},
        headers=bearer(token),
    )


def wrong_answers(questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each question answered with its first option that is not (all of) the key."""
    key = {q["id"]: q["correctOptionIds"] for q in sample_questions()}
    answers = []
    for q in questions:
        options = [o["id"] for o in q["options"]]
        wrong = next(o for o in options if [o] != key[q["id"]])
        answers.append({"questionId": q["id"], "selectedOptionIds": [wrong]})
    return answers


def quiz_with(session: Session, **policy: Any) -> tuple[int, int]:
    track = create_track(session)
    course = create_course(session, track=track)
    quiz = create_quiz(session, course=course, **policy)
    return quiz.id, course.id


class TestAnswerReveal:
    def test_the_fail_read_the_key_pass_attacker_comes_away_empty(
        self, client: TestClient, session: Session
    ) -> None:
        quiz_id, course_id = quiz_with(session)  # the default: AFTER_PASS
        user, token = create_user(session, role=Role.CUSTOMER, password=PASSWORD)
        started = start(client, quiz_id, token).json()
        failed = submit(client, started["attemptId"], token, wrong_answers(started["questions"]))
        assert failed.status_code == 200 and failed.json()["passed"] is False
        assert failed.json()["answersRevealed"] is False
        # Every way of reading the failed attempt says what was wrong, never what is right.
        reads = [
            failed.text,
            client.get(
                f"/api/v1/training/attempts/{started['attemptId']}", headers=bearer(token)
            ).text,
            client.get(
                f"/api/v1/training/attempts/{started['attemptId']}/result", headers=bearer(token)
            ).text,
        ]
        for text in reads:
            for word in KEY_WORDS:
                assert word not in text
            assert all(item["correct"] is False for item in json.loads(text).get("feedback", []))
        assert log_in(client, user.email).status_code == 303
        page = client.get(f"/training/attempts/{started['attemptId']}").text
        assert "Incorrect" in page
        assert "Correct answer:" not in page
        assert "The hotline is open to everyone." not in page
        assert "Anonymous reporting is supported." not in page
        course_page = client.get(f"/training/courses/{course_id}").text
        assert "The hotline is open to everyone." not in course_page

        # Passing honestly reveals the key, for the earlier attempt too.
        second = start(client, quiz_id, token).json()
        passed = submit(client, second["attemptId"], token, correct_answers())
        assert passed.json()["answersRevealed"] is True
        earlier = client.get(
            f"/api/v1/training/attempts/{started['attemptId']}/result", headers=bearer(token)
        ).json()
        assert earlier["feedback"][0]["explanation"] == "The hotline is open to everyone."
        assert earlier["feedback"][0]["correctOptionIds"] == ["b"]

    def test_never_reveals_even_after_a_pass(self, client: TestClient, session: Session) -> None:
        quiz_id, _ = quiz_with(session, revealAnswers="NEVER")
        _, token = create_user(session, role=Role.CUSTOMER)
        started = start(client, quiz_id, token).json()
        result = submit(client, started["attemptId"], token, correct_answers())
        assert result.json()["passed"] is True
        for word in KEY_WORDS:
            assert word not in result.text

    def test_always_reveals_on_a_fail(self, client: TestClient, session: Session) -> None:
        quiz_id, _ = quiz_with(session, revealAnswers="ALWAYS")
        _, token = create_user(session, role=Role.CUSTOMER)
        started = start(client, quiz_id, token).json()
        result = submit(client, started["attemptId"], token, []).json()
        assert result["passed"] is False
        assert result["feedback"][0]["correctOptionIds"] == ["b"]


class TestAttemptLimits:
    def test_max_attempts_refuses_the_next_start_naming_the_rule(
        self, client: TestClient, session: Session
    ) -> None:
        quiz_id, _ = quiz_with(session, maxAttempts=2)
        _, token = create_user(session, role=Role.CUSTOMER)
        first = start(client, quiz_id, token).json()
        submit(client, first["attemptId"], token, [])
        assert start(client, quiz_id, token).status_code == 201  # unsubmitted still counts
        refused = start(client, quiz_id, token)
        assert refused.status_code == 409
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["rule"] == "maxAttempts"
        status = client.get(
            f"/api/v1/training/quizzes/{quiz_id}/status", headers=bearer(token)
        ).json()
        assert status["attemptsUsed"] == 2 and status["attemptsLeft"] == 0
        assert status["canStart"] is False and status["refusalRule"] == "maxAttempts"
        assert status["openAttemptId"] is not None
        attempts = session.scalars(select(QuizAttempt).where(QuizAttempt.quiz_id == quiz_id))
        assert len(attempts.all()) == 2

    def test_limits_are_per_learner(self, client: TestClient, session: Session) -> None:
        quiz_id, _ = quiz_with(session, maxAttempts=1)
        _, one = create_user(session, role=Role.CUSTOMER)
        _, other = create_user(session, role=Role.CUSTOMER)
        assert start(client, quiz_id, one).status_code == 201
        assert start(client, quiz_id, one).status_code == 409
        assert start(client, quiz_id, other).status_code == 201

    def test_cooldown_says_when_with_retry_after(
        self, client: TestClient, session: Session
    ) -> None:
        quiz_id, course_id = quiz_with(session, cooldownMinutes=30)
        user, token = create_user(session, role=Role.CUSTOMER, password=PASSWORD)
        first = start(client, quiz_id, token).json()
        submit(client, first["attemptId"], token, [])
        refused = start(client, quiz_id, token)
        assert refused.status_code == 409
        body = refused.json()
        assert body["rule"] == "cooldownMinutes"
        assert 1700 < body["retryAfter"] <= 1800
        assert refused.headers["retry-after"] == str(body["retryAfter"])
        # The page shows the end of the cooldown instead of a start button.
        assert log_in(client, user.email).status_code == 303
        page = client.get(f"/training/courses/{course_id}").text
        assert "You can start the next attempt at" in page
        assert "Take the quiz" not in page
        # Once the cooldown has passed, a start is allowed again.
        session.execute(
            update(QuizAttempt)
            .where(QuizAttempt.id == first["attemptId"])
            .values(submitted_at=utcnow() - timedelta(minutes=31))
        )
        assert start(client, quiz_id, token).status_code == 201

    def test_a_refused_page_start_goes_back_to_the_course(
        self, client: TestClient, session: Session
    ) -> None:
        quiz_id, course_id = quiz_with(session, maxAttempts=1)
        user, token = create_user(session, role=Role.CUSTOMER, password=PASSWORD)
        start(client, quiz_id, token)
        assert log_in(client, user.email).status_code == 303
        refused = post_form(
            client, f"/training/quizzes/{quiz_id}/start", from_page=f"/training/courses/{course_id}"
        )
        assert refused.status_code == 303
        assert refused.headers["location"].startswith(f"/training/courses/{course_id}")
        page = client.get(f"/training/courses/{course_id}").text
        assert "Attempts: 1 of 1 used, 0 left" in page
        assert "Continue your attempt" in page


class TestTimeLimit:
    def test_a_late_submit_fails_with_time_expired(
        self, client: TestClient, session: Session
    ) -> None:
        quiz_id, _ = quiz_with(session, timeLimitMinutes=10)
        _, token = create_user(session, role=Role.CUSTOMER)
        started = start(client, quiz_id, token).json()
        deadline = started["deadlineAt"]
        assert deadline is not None
        session.execute(
            update(QuizAttempt)
            .where(QuizAttempt.id == started["attemptId"])
            .values(deadline_at=utcnow() - timedelta(seconds=61))
        )
        result = submit(client, started["attemptId"], token, correct_answers()).json()
        assert result["timeExpired"] is True
        assert result["passed"] is False
        assert result["score"] == 100  # what the answers were worth, for the record

    def test_within_the_grace_period_counts(self, client: TestClient, session: Session) -> None:
        quiz_id, _ = quiz_with(session, timeLimitMinutes=10)
        _, token = create_user(session, role=Role.CUSTOMER)
        started = start(client, quiz_id, token).json()
        session.execute(
            update(QuizAttempt)
            .where(QuizAttempt.id == started["attemptId"])
            .values(deadline_at=utcnow() - timedelta(seconds=30))
        )
        result = submit(client, started["attemptId"], token, correct_answers()).json()
        assert result["timeExpired"] is False and result["passed"] is True


class TestDraws:
    def test_an_attempt_keeps_its_draw_and_order(
        self, client: TestClient, session: Session
    ) -> None:
        quiz_id, _ = quiz_with(
            session, questionsPerAttempt=3, shuffleQuestions=True, shuffleOptions=True
        )
        _, token = create_user(session, role=Role.CUSTOMER)
        started = start(client, quiz_id, token).json()
        assert len(started["questions"]) == 3
        shown = client.get(
            f"/api/v1/training/attempts/{started['attemptId']}", headers=bearer(token)
        ).json()
        assert shown["questions"] == started["questions"]  # the same draw, the same order
        drawn = {q["id"] for q in started["questions"]}
        undrawn = next(q["id"] for q in sample_questions() if q["id"] not in drawn)
        bad = submit(
            client, started["attemptId"], token,
            [{"questionId": undrawn, "selectedOptionIds": ["a"]}],
        )  # fmt: skip
        assert bad.status_code == 422
        answers = [a for a in correct_answers() if a["questionId"] in drawn]
        result = submit(client, started["attemptId"], token, answers).json()
        assert result["score"] == 100 and result["totalQuestions"] == 3
        assert [f["questionId"] for f in result["feedback"]] == [
            q["id"] for q in started["questions"]
        ]

    def test_draws_differ_between_attempts(self, client: TestClient, session: Session) -> None:
        quiz_id, _ = quiz_with(session, questionsPerAttempt=2, shuffleQuestions=True)
        _, token = create_user(session, role=Role.CUSTOMER)
        draws = {
            tuple(q["id"] for q in start(client, quiz_id, token).json()["questions"])
            for _ in range(12)
        }
        assert len(draws) > 1
        assert all(len(d) == 2 for d in draws)

    def test_editing_the_quiz_does_not_change_a_started_attempt(
        self, client: TestClient, session: Session, admin_headers: dict[str, str]
    ) -> None:
        quiz_id, course_id = quiz_with(session, shuffleOptions=True)
        _, token = create_user(session, role=Role.CUSTOMER)
        started = start(client, quiz_id, token).json()
        edited = sample_questions()[:1]
        edited[0]["correctOptionIds"] = ["a"]
        put = client.put(
            f"/api/v1/training/courses/{course_id}/quiz",
            json={"questions": edited},
            headers=admin_headers,
        )
        assert put.status_code == 200
        result = submit(client, started["attemptId"], token, correct_answers()).json()
        assert result["passed"] is True and result["totalQuestions"] == 5


class TestPolicyInput:
    def test_policy_is_stored_and_read_back(
        self, client: TestClient, session: Session, admin_headers: dict[str, str]
    ) -> None:
        course = create_course(session, track=create_track(session))
        policy = {
            "revealAnswers": "NEVER",
            "maxAttempts": 3,
            "cooldownMinutes": 5,
            "timeLimitMinutes": 20,
            "questionsPerAttempt": 4,
            "shuffleQuestions": True,
            "shuffleOptions": True,
        }
        put = client.put(
            f"/api/v1/training/courses/{course.id}/quiz",
            json={"questions": sample_questions(), **policy},
            headers=admin_headers,
        )
        assert put.status_code == 200, put.text
        read = client.get(f"/api/v1/training/courses/{course.id}/quiz", headers=admin_headers)
        assert {k: read.json()[k] for k in policy} == policy

    def test_bad_policy_is_422_naming_the_field(
        self, client: TestClient, session: Session, admin_headers: dict[str, str]
    ) -> None:
        course = create_course(session, track=create_track(session))
        for body, field in [
            ({"questionsPerAttempt": 6}, "questionsPerAttempt"),
            ({"maxAttempts": 0}, "maxAttempts"),
            ({"revealAnswers": "SOMETIMES"}, "revealAnswers"),
            ({"timeLimitMinutes": -1}, "timeLimitMinutes"),
        ]:
            response = client.put(
                f"/api/v1/training/courses/{course.id}/quiz",
                json={"questions": sample_questions(), **body},
                headers=admin_headers,
            )
            assert response.status_code == 422, body
            assert field in json.dumps(response.json()["errors"])
        assert (
            client.get(
                f"/api/v1/training/courses/{course.id}/quiz", headers=admin_headers
            ).status_code
            == 404
        )  # nothing written


def test_shuffled_options_are_a_permutation(client: TestClient, session: Session) -> None:
    quiz_id, _ = quiz_with(session, shuffleOptions=True)
    _, token = create_user(session, role=Role.CUSTOMER)
    by_id = {q["id"]: q for q in sample_questions()}
    for question in start(client, quiz_id, token).json()["questions"]:
        original = by_id[question["id"]]["options"]
        assert sorted(question["options"], key=lambda o: o["id"]) == sorted(
            original, key=lambda o: o["id"]
        )


class TestResultPage:
    def test_a_failed_retake_never_says_the_track_is_complete(
        self, client: TestClient, session: Session
    ) -> None:
        quiz_id, _ = quiz_with(session)
        user, token = create_user(session, role=Role.CUSTOMER, password=PASSWORD)
        first = start(client, quiz_id, token).json()
        assert submit(client, first["attemptId"], token, correct_answers()).json()["passed"]
        retake = start(client, quiz_id, token).json()
        failed = submit(client, retake["attemptId"], token, []).json()
        assert failed["passed"] is False and failed["trackCompleted"] is True
        assert log_in(client, user.email).status_code == 303
        page = client.get(f"/training/attempts/{retake['attemptId']}").text
        assert "Not passed" in page
        assert "You have completed every course of this track." not in page
        assert "Get your certificate" not in page
        passed_page = client.get(f"/training/attempts/{first['attemptId']}").text
        assert "You have completed every course of this track." in passed_page
