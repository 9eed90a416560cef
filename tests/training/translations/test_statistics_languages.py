"""Item statistics per language and pooled: attempts record the language they were served in;
pooled (the default) is every attempt, as before; attempts from before translations count as
the track's default language."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from opsportal.config import Settings
from opsportal.models import Quiz, QuizAttempt, Role, User
from tests.factories import (
    bearer,
    correct_answers,
    create_course,
    create_quiz,
    create_track,
    create_user,
    translate_track,
)
from tests.pages import PASSWORD, log_in
from tests.training.translations.speaking import speaking

API = "/api/v1/training"


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def answers_with(**overrides: list[str]) -> list[dict[str, Any]]:
    answers = correct_answers()
    for a in answers:
        if a["questionId"] in overrides:
            a["selectedOptionIds"] = overrides[a["questionId"]]
    return answers


def take(client: TestClient, session: Session, quiz: Quiz, locale: str, sheet: Any) -> None:
    _, token = create_user(session, role=Role.CUSTOMER)
    headers = bearer(token) | speaking(locale)
    started = client.post(f"{API}/quizzes/{quiz.id}/start", headers=headers).json()
    client.post(
        f"{API}/attempts/{started['attemptId']}/submit", json={"answers": sheet}, headers=headers
    ).raise_for_status()


@pytest.fixture
def quiz(client: TestClient, session: Session, settings: Settings) -> Quiz:
    """Two attempts in German (q1 wrong in both), one in English, one from before attempts
    recorded a language (so English too)."""
    track = create_track(session, settings=settings)
    quiz = create_quiz(session, course=create_course(session, track=track))
    translate_track(session, track=track, locale="de")
    take(client, session, quiz, "de", answers_with(q1=["a"]))
    take(client, session, quiz, "de", answers_with(q1=["c"]))
    take(client, session, quiz, "en", correct_answers())
    take(client, session, quiz, "en", answers_with(q2=["f"]))
    oldest = session.scalars(
        select(QuizAttempt.id)
        .where(QuizAttempt.quiz_id == quiz.id, QuizAttempt.locale == "en")
        .order_by(QuizAttempt.id)
    ).first()
    session.execute(update(QuizAttempt).where(QuizAttempt.id == oldest).values(locale=None))
    session.flush()
    return quiz


def by_question(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {q["questionId"]: q for q in body["questions"]}


class TestApi:
    def test_pooled_by_default_with_the_languages_there_are(
        self, client: TestClient, quiz: Quiz, admin_headers: dict[str, str]
    ) -> None:
        body = client.get(f"{API}/quizzes/{quiz.id}/statistics", headers=admin_headers).json()
        assert body["locale"] is None
        assert body["gradedAttempts"] == 4
        assert body["languages"] == [
            {"locale": "de", "gradedAttempts": 2},
            {"locale": "en", "gradedAttempts": 2},
        ]
        assert by_question(body)["q1"]["correctRate"] == 0.5
        assert by_question(body)["q1"]["optionCounts"] == {"a": 1, "b": 2, "c": 1}

    def test_one_language_counts_only_its_attempts(
        self, client: TestClient, quiz: Quiz, admin_headers: dict[str, str]
    ) -> None:
        url = f"{API}/quizzes/{quiz.id}/statistics"
        german = client.get(url, params={"locale": "de"}, headers=admin_headers).json()
        assert german["locale"] == "de"
        assert german["gradedAttempts"] == 2
        assert by_question(german)["q1"]["correctRate"] == 0.0
        assert by_question(german)["q1"]["flags"] == ["NOBODY_CORRECT"]
        assert by_question(german)["q2"]["correctRate"] == 1.0
        # The attempt from before languages were recorded was served in English.
        english = client.get(url, params={"locale": "en"}, headers=admin_headers).json()
        assert english["gradedAttempts"] == 2
        assert by_question(english)["q1"]["correctRate"] == 1.0
        assert by_question(english)["q2"]["correctRate"] == 0.5
        french = client.get(url, params={"locale": "fr"}, headers=admin_headers).json()
        assert french["gradedAttempts"] == 0

    def test_the_csv_follows_the_language(
        self, client: TestClient, quiz: Quiz, admin_headers: dict[str, str]
    ) -> None:
        response = client.get(
            f"{API}/quizzes/{quiz.id}/statistics.csv",
            params={"locale": "de"},
            headers=admin_headers,
        )
        assert f"quiz-{quiz.id}-statistics-de.csv" in response.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
        q1 = {r["option_id"]: r["option_count"] for r in rows if r["question_id"] == "q1"}
        assert q1 == {"a": "1", "b": "0", "c": "1"}

    def test_a_malformed_language_is_a_422(
        self, client: TestClient, quiz: Quiz, admin_headers: dict[str, str]
    ) -> None:
        response = client.get(
            f"{API}/quizzes/{quiz.id}/statistics",
            params={"locale": "de'--"},
            headers=admin_headers,
        )
        assert response.status_code == 422


class TestPage:
    @pytest.fixture
    def admin(self, client: TestClient, session: Session) -> User:
        user, _ = create_user(session, role=Role.ADMIN, password=PASSWORD)
        assert log_in(client, user.email).status_code == 303
        return user

    def test_the_page_reads_one_language_or_all(
        self, client: TestClient, quiz: Quiz, admin: User
    ) -> None:
        pooled = client.get(f"/admin/quizzes/{quiz.id}/statistics").text
        assert '<option value="">Every language, pooled</option>' in pooled
        assert "German (2 attempts)" in pooled
        assert "4 graded attempts" in pooled
        assert 'id="statistics-language"' not in pooled
        german = client.get(f"/admin/quizzes/{quiz.id}/statistics?locale=de").text
        assert '<option value="de" selected>' in german
        assert "2 graded attempts" in german
        assert "Only attempts served in German are counted below." in german
        assert f"/admin/quizzes/{quiz.id}/statistics.csv?locale=de" in german
        csv_page = client.get(f"/admin/quizzes/{quiz.id}/statistics.csv?locale=de")
        assert csv_page.status_code == 200
        assert client.get(f"/admin/quizzes/{quiz.id}/statistics?locale=").status_code == 200
        assert client.get(f"/admin/quizzes/{quiz.id}/statistics?locale=%3Cx").status_code == 422
