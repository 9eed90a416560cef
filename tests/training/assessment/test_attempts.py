"""Taking a quiz: start, submit once, feedback after submission, progress."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from opsportal.models import Course, QuizAttempt, Role, TrackType
from tests.factories import (
    bearer,
    correct_answers,
    create_course,
    create_quiz,
    create_track,
    create_track_with_quizzes,
    create_user,
    sample_questions,
)


def start(client: TestClient, quiz_id: int, token: str) -> dict[str, Any]:
    response = client.post(f"/api/v1/training/quizzes/{quiz_id}/start", headers=bearer(token))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def submit(client: TestClient, attempt_id: int, token: str, answers: list[dict[str, Any]]) -> Any:
    return client.post(
        f"/api/v1/training/attempts/{attempt_id}/submit",
        json={"answers": answers},
        headers=bearer(token),
    )


def four_of_five() -> list[dict[str, Any]]:
    answers = correct_answers()
    answers[2]["selectedOptionIds"] = ["a"]  # MULTI_SELECT needs a and b
    return answers


class TestStart:
    def test_start_reveals_no_answer_key(self, client: TestClient, session: Session) -> None:
        _, (quiz, *_) = create_track_with_quizzes(session, courses=1)
        _, token = create_user(session)
        body = start(client, quiz.id, token)
        assert body["attemptId"] > 0
        assert [q["id"] for q in body["questions"]] == ["q1", "q2", "q3", "q4", "q5"]
        for question in body["questions"]:
            assert set(question) == {"id", "question", "type", "options"}
            for option in question["options"]:
                assert set(option) == {"id", "text"}
        text = json.dumps(body)
        assert "correct" not in text.lower() and "explanation" not in text.lower()
        assert "The hotline is open to everyone." not in text

    def test_unknown_quiz_is_404(self, client: TestClient, session: Session) -> None:
        _, token = create_user(session)
        response = client.post("/api/v1/training/quizzes/987654/start", headers=bearer(token))
        assert response.status_code == 404

    def test_inactive_course_or_track_cannot_be_started(
        self, client: TestClient, session: Session
    ) -> None:
        _, token = create_user(session)
        hidden_course = create_course(session, track=create_track(session), is_active=False)
        quiz = create_quiz(session, course=hidden_course)
        assert (
            client.post(
                f"/api/v1/training/quizzes/{quiz.id}/start", headers=bearer(token)
            ).status_code
            == 404
        )
        retired = create_track(session, is_active=False)
        quiz2 = create_quiz(session, course=create_course(session, track=retired))
        assert (
            client.post(
                f"/api/v1/training/quizzes/{quiz2.id}/start", headers=bearer(token)
            ).status_code
            == 404
        )


class TestSubmit:
    def test_all_correct(self, client: TestClient, session: Session) -> None:
        _, (quiz, *_) = create_track_with_quizzes(session, courses=2)
        _, token = create_user(session)
        attempt = start(client, quiz.id, token)
        response = submit(client, attempt["attemptId"], token, correct_answers())
        assert response.status_code == 200, response.text
        body = response.json()
        assert {
            k: body[k]
            for k in (
                "score",
                "passed",
                "requiredScore",
                "correctCount",
                "totalQuestions",
                "trackCompleted",
            )
        } == {  # fmt: skip
            "score": 100,
            "passed": True,
            "requiredScore": 80,
            "correctCount": 5,
            "totalQuestions": 5,
            "trackCompleted": False,
        }
        assert [f["correct"] for f in body["feedback"]] == [True] * 5
        assert body["feedback"][0]["explanation"] == "The hotline is open to everyone."
        assert body["feedback"][2]["correctOptionIds"] == ["a", "b"]

    def test_four_of_five_passes_at_eighty(self, client: TestClient, session: Session) -> None:
        _, (quiz,) = create_track_with_quizzes(session, courses=1)
        _, token = create_user(session)
        attempt = start(client, quiz.id, token)
        body = submit(client, attempt["attemptId"], token, four_of_five()).json()
        assert body["score"] == 80 and body["passed"] is True and body["correctCount"] == 4
        assert body["trackCompleted"] is True
        feedback = {f["questionId"]: f for f in body["feedback"]}
        assert feedback["q3"]["correct"] is False
        assert feedback["q3"]["selected"] == ["a"]

    def test_three_of_five_fails_and_unanswered_is_wrong(
        self, client: TestClient, session: Session
    ) -> None:
        _, (quiz,) = create_track_with_quizzes(session, courses=1)
        _, token = create_user(session)
        attempt = start(client, quiz.id, token)
        answers = four_of_five()[:4]  # q5 unanswered
        body = submit(client, attempt["attemptId"], token, answers).json()
        assert body["correctCount"] == 3 and body["score"] == 60
        assert body["passed"] is False and body["trackCompleted"] is False
        assert {f["questionId"]: f["selected"] for f in body["feedback"]}["q5"] == []

    def test_subset_of_multi_select_is_wrong(self, client: TestClient, session: Session) -> None:
        _, (quiz,) = create_track_with_quizzes(session, courses=1)
        _, token = create_user(session)
        attempt = start(client, quiz.id, token)
        answers = correct_answers()
        answers[2]["selectedOptionIds"] = ["a", "b", "c"]
        body = submit(client, attempt["attemptId"], token, answers).json()
        assert body["correctCount"] == 4

    def test_duplicate_question_is_422_and_attempt_stays_open(
        self, client: TestClient, session: Session
    ) -> None:
        _, (quiz,) = create_track_with_quizzes(session, courses=1)
        _, token = create_user(session)
        attempt = start(client, quiz.id, token)
        answers = [*correct_answers()[:3], correct_answers()[0]]
        response = submit(client, attempt["attemptId"], token, answers)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "answers.3.questionId"
        # Nothing was recorded: a correct submission still goes through.
        assert submit(client, attempt["attemptId"], token, correct_answers()).status_code == 200

    def test_unknown_question_is_422(self, client: TestClient, session: Session) -> None:
        _, (quiz,) = create_track_with_quizzes(session, courses=1)
        _, token = create_user(session)
        attempt = start(client, quiz.id, token)
        response = submit(
            client,
            attempt["attemptId"],
            token,
            [{"questionId": "nope", "selectedOptionIds": ["a"]}],
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "answers.0.questionId"

    def test_bad_shapes_are_4xx(self, client: TestClient, session: Session) -> None:
        _, (quiz,) = create_track_with_quizzes(session, courses=1)
        _, token = create_user(session)
        attempt = start(client, quiz.id, token)
        url = f"/api/v1/training/attempts/{attempt['attemptId']}/submit"
        for body in (
            {"answers": "all"},
            {"answers": [{"questionId": 1, "selectedOptionIds": "a"}]},
            {"answers": [{"questionId": "q1"}]},
            {},
            [],
            {"answers": [{"questionId": "q1", "selectedOptionIds": [{"x": 1}]}]},
        ):
            response = client.post(url, json=body, headers=bearer(token))
            assert response.status_code == 422, body
        response = client.post(
            url, content=b"{not json", headers={**bearer(token), "Content-Type": "application/json"}
        )
        assert response.status_code == 400

    def test_second_submit_is_409_and_changes_nothing(
        self, client: TestClient, session: Session
    ) -> None:
        _, (quiz,) = create_track_with_quizzes(session, courses=1)
        _, token = create_user(session)
        attempt = start(client, quiz.id, token)
        first = submit(client, attempt["attemptId"], token, correct_answers()[:1])
        assert first.status_code == 200 and first.json()["passed"] is False
        second = submit(client, attempt["attemptId"], token, correct_answers())
        assert second.status_code == 409
        assert second.headers["content-type"] == "application/problem+json"
        result = client.get(
            f"/api/v1/training/attempts/{attempt['attemptId']}/result", headers=bearer(token)
        ).json()
        assert result["correctCount"] == 1 and result["passed"] is False

    def test_only_owner_may_submit(self, client: TestClient, session: Session) -> None:
        _, (quiz,) = create_track_with_quizzes(session, courses=1)
        _, owner = create_user(session)
        _, other = create_user(session)
        _, admin = create_user(session, role=Role.ADMIN)
        attempt = start(client, quiz.id, owner)
        for intruder in (other, admin):
            assert (
                submit(client, attempt["attemptId"], intruder, correct_answers()).status_code == 404
            )
            assert (
                client.get(
                    f"/api/v1/training/attempts/{attempt['attemptId']}", headers=bearer(intruder)
                ).status_code
                == 404
            )
        # The intruders changed nothing.
        assert submit(client, attempt["attemptId"], owner, correct_answers()).status_code == 200

    def test_unknown_attempt_is_404(self, client: TestClient, session: Session) -> None:
        _, token = create_user(session)
        assert submit(client, 31337, token, []).status_code == 404
        assert submit(client, 2**40, token, []).status_code == 422

    def test_grading_uses_questions_from_start(self, client: TestClient, session: Session) -> None:
        _, (quiz,) = create_track_with_quizzes(session, courses=1)
        _, token = create_user(session)
        attempt = start(client, quiz.id, token)
        # The admin replaces the quiz mid-attempt with a different key.
        changed = sample_questions()
        changed[0]["correctOptionIds"] = ["a"]
        create_quiz(session, course=session.get(Course, quiz.course_id), questions=changed)
        body = submit(client, attempt["attemptId"], token, correct_answers()).json()
        assert body["correctCount"] == 5

    def test_submission_is_stored(self, client: TestClient, session: Session) -> None:
        _, (quiz,) = create_track_with_quizzes(session, courses=1)
        user, token = create_user(session)
        attempt = start(client, quiz.id, token)
        submit(client, attempt["attemptId"], token, four_of_five())
        stored = session.scalars(
            select(QuizAttempt).where(QuizAttempt.id == attempt["attemptId"])
        ).one()
        assert stored.user_id == user.id and stored.submitted_at is not None
        assert (stored.score, stored.passed, stored.correct_count) == (80, True, 4)


class TestAttemptRead:
    def test_feedback_only_after_submission(self, client: TestClient, session: Session) -> None:
        _, (quiz,) = create_track_with_quizzes(session, courses=1)
        _, token = create_user(session)
        attempt = start(client, quiz.id, token)
        url = f"/api/v1/training/attempts/{attempt['attemptId']}"
        before = client.get(url, headers=bearer(token))
        assert before.status_code == 200
        assert before.json()["result"] is None and before.json()["submittedAt"] is None
        assert "correctOptionIds" not in before.text and "explanation" not in before.text
        assert client.get(url + "/result", headers=bearer(token)).status_code == 409

        submit(client, attempt["attemptId"], token, correct_answers())
        after = client.get(url, headers=bearer(token)).json()
        assert after["result"]["passed"] is True
        assert after["result"]["feedback"][1]["explanation"] == "Anonymous reporting is supported."
        result = client.get(url + "/result", headers=bearer(token)).json()
        assert result["score"] == 100 and len(result["feedback"]) == 5


class TestProgress:
    def test_progress_and_completion(self, client: TestClient, session: Session) -> None:
        track, quizzes = create_track_with_quizzes(session, courses=3)
        # Hidden, without a quiz: does not count (an active one would block completion).
        create_course(session, track=track, title="Reading only", is_active=False)
        _, token = create_user(session)

        def overview() -> dict[str, Any]:
            tracks = client.get("/api/v1/training/tracks", headers=bearer(token)).json()
            return next(t for t in tracks if t["id"] == track.id)

        assert overview()["userProgress"] is None
        assert overview()["isCompleted"] is False

        attempt = start(client, quizzes[0].id, token)
        submit(client, attempt["attemptId"], token, correct_answers())
        progress = overview()["userProgress"]
        assert progress == {"coursesPassed": 1, "totalCourses": 3, "percentage": 33}
        assert [c["isPassed"] for c in overview()["courses"]] == [True, False, False]

        # A failed attempt after a pass does not undo the pass.
        attempt = start(client, quizzes[0].id, token)
        submit(client, attempt["attemptId"], token, [])
        assert overview()["userProgress"]["coursesPassed"] == 1

        for quiz in quizzes[1:]:
            attempt = start(client, quiz.id, token)
            last = submit(client, attempt["attemptId"], token, correct_answers()).json()
        assert last["trackCompleted"] is True
        final = overview()
        assert final["isCompleted"] is True
        assert final["userProgress"] == {"coursesPassed": 3, "totalCourses": 3, "percentage": 100}

    def test_progress_is_per_user(self, client: TestClient, session: Session) -> None:
        track, (quiz,) = create_track_with_quizzes(session, courses=1)
        _, alice = create_user(session)
        _, bob = create_user(session)
        attempt = start(client, quiz.id, alice)
        submit(client, attempt["attemptId"], alice, correct_answers())
        bob_view = client.get(f"/api/v1/training/tracks/{track.id}", headers=bearer(bob)).json()
        assert bob_view["isCompleted"] is False and bob_view["userProgress"] is None

    def test_inactive_course_does_not_count(self, client: TestClient, session: Session) -> None:
        track, (quiz,) = create_track_with_quizzes(session, courses=1)
        retired = create_course(session, track=track, is_active=False)
        create_quiz(session, course=retired)
        _, token = create_user(session)
        attempt = start(client, quiz.id, token)
        assert submit(client, attempt["attemptId"], token, correct_answers()).json()[
            "trackCompleted"
        ]

    def test_staff_take_internal_tracks(self, client: TestClient, session: Session) -> None:
        _, (quiz,) = create_track_with_quizzes(session, courses=1, type=TrackType.INTERNAL)
        _, token = create_user(session, role=Role.INTERNAL)
        attempt = start(client, quiz.id, token)
        assert submit(client, attempt["attemptId"], token, correct_answers()).json()["passed"]


def test_nul_in_answers_is_422(client: TestClient, session: Session) -> None:
    _, (quiz,) = create_track_with_quizzes(session, courses=1)
    _, token = create_user(session)
    attempt = start(client, quiz.id, token)
    response = submit(
        client, attempt["attemptId"], token, [{"questionId": "q1", "selectedOptionIds": ["\x00"]}]
    )
    assert response.status_code == 422
