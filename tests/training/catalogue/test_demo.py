"""The demo training content loads, is valid, and loads only once."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opsportal.config import Settings
from opsportal.models import QuestionType, Quiz, Track
from opsportal.training.demo import load_training_demo
from tests.factories import Customer


def test_demo_tracks_load_once(session: Session, settings: Settings) -> None:
    messages: list[str] = []
    load_training_demo(session, settings=settings, say=messages.append)
    load_training_demo(session, settings=settings, say=messages.append)
    slugs = {"speak-up-culture-foundations", "case-handling-operations"}
    count = session.scalar(select(func.count()).select_from(Track).where(Track.slug.in_(slugs)))
    assert count == 2
    assert len(messages) == 2


def test_demo_customer_track_is_takeable(
    client: TestClient, session: Session, settings: Settings, customer: Customer
) -> None:
    load_training_demo(session, settings=settings, say=lambda _: None)
    tracks = client.get("/api/v1/training/tracks", headers=customer.headers).json()
    demo = next(t for t in tracks if t["slug"] == "speak-up-culture-foundations")
    assert demo["type"] == "CUSTOMER"
    assert "case-handling-operations" not in [t["slug"] for t in tracks]
    assert len(demo["courses"]) == 3
    kinds: set[str] = set()
    for course in demo["courses"]:
        assert course["content"].startswith("# ")
        quiz = session.get(Quiz, course["quizId"])
        assert quiz is not None
        assert 5 <= len(quiz.questions) <= 8
        assert all(q.get("explanation") for q in quiz.questions)
        kinds |= {q["type"] for q in quiz.questions}
        started = client.post(
            f"/api/v1/training/quizzes/{quiz.id}/start", headers=customer.headers
        ).json()
        answers = [
            {"questionId": q["id"], "selectedOptionIds": q["correct_option_ids"]}
            for q in quiz.questions
        ]
        result = client.post(
            f"/api/v1/training/attempts/{started['attemptId']}/submit",
            json={"answers": answers},
            headers=customer.headers,
        ).json()
        assert result["score"] == 100
    assert kinds == {t.value for t in QuestionType}
    assert result["trackCompleted"] is True
    response = client.post(
        f"/api/v1/training/tracks/{demo['id']}/certificate", headers=customer.headers
    )
    assert response.status_code == 201
