"""Answers saved as the learner goes: restored on return, checked, refused once it is over,
and never what is graded."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from opsportal.models import QuizAttempt, Role
from opsportal.models.base import utcnow
from tests.factories import bearer, correct_answers, create_track_with_quizzes, create_user


def started(client: TestClient, session: Session, **policy: Any) -> tuple[int, str]:
    _, (quiz, *_) = create_track_with_quizzes(session, courses=1)
    if policy:
        quiz.time_limit_minutes = policy["timeLimitMinutes"]
        session.flush()
    _, token = create_user(session, role=Role.CUSTOMER)
    response = client.post(f"/api/v1/training/quizzes/{quiz.id}/start", headers=bearer(token))
    assert response.status_code == 201, response.text
    return response.json()["attemptId"], token


def save(client: TestClient, attempt_id: int, token: str, answers: list[dict[str, Any]]) -> Any:
    return client.put(
        f"/api/v1/training/attempts/{attempt_id}/draft",
        json={"answers": answers},
        headers=bearer(token),
    )


def draft(client: TestClient, attempt_id: int, token: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/training/attempts/{attempt_id}/draft", headers=bearer(token))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


class TestSavingAndRestoring:
    def test_a_new_attempt_has_an_empty_draft(self, client: TestClient, session: Session) -> None:
        attempt_id, token = started(client, session)
        assert draft(client, attempt_id, token) == {
            "attemptId": attempt_id,
            "answers": [],
            "savedAt": None,
        }

    def test_saved_answers_come_back_and_a_later_save_replaces_them(
        self, client: TestClient, session: Session
    ) -> None:
        attempt_id, token = started(client, session)
        first = [
            {"questionId": "q1", "selectedOptionIds": ["c"]},
            {"questionId": "q3", "selectedOptionIds": ["a", "b"]},
        ]
        saved = save(client, attempt_id, token, first)
        assert saved.status_code == 200, saved.text
        assert saved.json()["savedAt"] is not None
        assert draft(client, attempt_id, token)["answers"] == first
        second = [
            {"questionId": "q1", "selectedOptionIds": ["b"]},
            {"questionId": "q2", "selectedOptionIds": []},  # cleared: not kept
        ]
        assert save(client, attempt_id, token, second).status_code == 200
        assert draft(client, attempt_id, token)["answers"] == [
            {"questionId": "q1", "selectedOptionIds": ["b"]}
        ]

    def test_the_attempt_itself_is_unchanged_and_ungraded(
        self, client: TestClient, session: Session
    ) -> None:
        attempt_id, token = started(client, session)
        save(client, attempt_id, token, correct_answers())
        attempt = client.get(f"/api/v1/training/attempts/{attempt_id}", headers=bearer(token))
        assert attempt.json()["submittedAt"] is None and attempt.json()["result"] is None

    def test_someone_elses_attempt_is_404(self, client: TestClient, session: Session) -> None:
        attempt_id, _ = started(client, session)
        _, other = create_user(session, role=Role.CUSTOMER)
        assert save(client, attempt_id, other, []).status_code == 404
        response = client.get(
            f"/api/v1/training/attempts/{attempt_id}/draft", headers=bearer(other)
        )
        assert response.status_code == 404


class TestBadInput:
    @pytest.mark.parametrize(
        ("answers", "field"),
        [
            ([{"questionId": "nope", "selectedOptionIds": ["a"]}], "answers.0.questionId"),
            ([{"questionId": "q1", "selectedOptionIds": ["z"]}], "answers.0.selectedOptionIds"),
            (
                [{"questionId": "q1", "selectedOptionIds": ["a", "b"]}],
                "answers.0.selectedOptionIds",
            ),
            (
                [{"questionId": "q3", "selectedOptionIds": ["a", "a"]}],
                "answers.0.selectedOptionIds",
            ),
            (
                [
                    {"questionId": "q1", "selectedOptionIds": ["a"]},
                    {"questionId": "q1", "selectedOptionIds": ["b"]},
                ],
                "answers.1.questionId",
            ),
        ],
    )
    def test_refused_with_a_problem_naming_the_field_and_nothing_changed(
        self, client: TestClient, session: Session, answers: list[dict[str, Any]], field: str
    ) -> None:
        attempt_id, token = started(client, session)
        kept = [{"questionId": "q2", "selectedOptionIds": ["t"]}]
        assert save(client, attempt_id, token, kept).status_code == 200
        response = save(client, attempt_id, token, answers)
        assert response.status_code == 422
        assert response.headers["content-type"].startswith("application/problem+json")
        assert field in response.text
        assert draft(client, attempt_id, token)["answers"] == kept

    def test_a_malformed_body_is_422(self, client: TestClient, session: Session) -> None:
        attempt_id, token = started(client, session)
        response = client.put(
            f"/api/v1/training/attempts/{attempt_id}/draft",
            json={"answers": "all of them"},
            headers=bearer(token),
        )
        assert response.status_code == 422


class TestRefusedWhenOver:
    def test_after_submission(self, client: TestClient, session: Session) -> None:
        attempt_id, token = started(client, session)
        save(client, attempt_id, token, [{"questionId": "q1", "selectedOptionIds": ["a"]}])
        submitted = client.post(
            f"/api/v1/training/attempts/{attempt_id}/submit",
            json={"answers": correct_answers()},
            headers=bearer(token),
        )
        assert submitted.status_code == 200
        response = save(client, attempt_id, token, [])
        assert response.status_code == 409
        assert "submitted" in response.json()["detail"]
        assert draft(client, attempt_id, token)["answers"] == [
            {"questionId": "q1", "selectedOptionIds": ["a"]}
        ]

    def test_after_the_time_is_up(self, client: TestClient, session: Session) -> None:
        attempt_id, token = started(client, session, timeLimitMinutes=10)
        assert save(client, attempt_id, token, []).status_code == 200
        session.execute(
            update(QuizAttempt)
            .where(QuizAttempt.id == attempt_id)
            .values(deadline_at=utcnow() - timedelta(seconds=61))
        )
        response = save(
            client, attempt_id, token, [{"questionId": "q1", "selectedOptionIds": ["b"]}]
        )
        assert response.status_code == 409
        assert "time" in response.json()["detail"]
        assert draft(client, attempt_id, token)["answers"] == []


class TestGradingReadsOnlyTheSubmission:
    def test_a_perfect_draft_does_not_pass_an_empty_submission(
        self, client: TestClient, session: Session
    ) -> None:
        attempt_id, token = started(client, session)
        assert save(client, attempt_id, token, correct_answers()).status_code == 200
        result = client.post(
            f"/api/v1/training/attempts/{attempt_id}/submit",
            json={"answers": []},
            headers=bearer(token),
        ).json()
        assert result["score"] == 0 and result["passed"] is False

    def test_a_wrong_draft_does_not_spoil_a_correct_submission(
        self, client: TestClient, session: Session
    ) -> None:
        attempt_id, token = started(client, session)
        wrong = [{"questionId": "q1", "selectedOptionIds": ["a"]}]
        assert save(client, attempt_id, token, wrong).status_code == 200
        result = client.post(
            f"/api/v1/training/attempts/{attempt_id}/submit",
            json={"answers": correct_answers()},
            headers=bearer(token),
        ).json()
        assert result["score"] == 100 and result["passed"] is True
        second = client.post(
            f"/api/v1/training/attempts/{attempt_id}/submit",
            json={"answers": correct_answers()},
            headers=bearer(token),
        )
        assert second.status_code == 409  # still one grading per attempt
