"""The learner takes a track in their language when its translation is complete, else in the
track's default language and is told so; progress, completion and the certificate are one,
whatever the language, and grading (by option id) loses nothing when the language changes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opsportal.config import Settings
from opsportal.models import Certificate, Course, Quiz, QuizAttempt, Track
from opsportal.training.translations import service
from tests.factories import (
    Customer,
    correct_answers,
    create_course,
    create_quiz,
    create_track,
    sample_questions,
    translate_track,
    translated,
)
from tests.training.translations.speaking import speaking

API = "/api/v1/training"


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """The app in the language each request's Accept-Language asks for."""
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def track(session: Session, settings: Settings) -> Track:
    track = create_track(session, settings=settings, name="Code of conduct")
    for title in ("Speaking up", "Gifts and conflicts"):
        create_quiz(session, course=create_course(session, track=track, title=title))
    return track


def quizzes_of(session: Session, track: Track) -> list[Quiz]:
    return list(
        session.scalars(
            select(Quiz).join(Course).where(Course.track_id == track.id).order_by(Course.id)
        )
    )


def take(client: TestClient, quiz: Quiz, *, headers: dict[str, str], locale: str) -> dict:
    """Start and pass a quiz in `locale`: the answer sheet names option ids only."""
    started = client.post(
        f"{API}/quizzes/{quiz.id}/start", headers=headers | speaking(locale)
    ).json()
    result = client.post(
        f"{API}/attempts/{started['attemptId']}/submit",
        json={"answers": correct_answers()},
        headers=headers | speaking(locale),
    ).json()
    return {"started": started, "result": result}


class TestServedLanguage:
    def test_a_complete_translation_is_served_in_the_learners_language(
        self, client: TestClient, session: Session, track: Track, customer: Customer
    ) -> None:
        translate_track(session, track=track, locale="de")
        read = client.get(f"{API}/tracks/{track.id}", headers=customer.headers | speaking("de"))
        body = read.json()
        assert body["locale"] == "de"
        assert body["name"] == translated("de", "Code of conduct")
        assert body["courses"][0]["title"] == translated("de", "Speaking up")
        assert body["courses"][0]["content"] == translated("de", "# Welcome\n\nRead this.")
        english = client.get(f"{API}/tracks/{track.id}", headers=customer.headers).json()
        assert english["locale"] == "en"
        assert english["name"] == "Code of conduct"

    def test_the_quiz_is_served_in_the_learners_language_and_graded_by_id(
        self, client: TestClient, session: Session, track: Track, customer: Customer
    ) -> None:
        translate_track(session, track=track, locale="fr")
        quiz = quizzes_of(session, track)[0]
        taken = take(client, quiz, headers=customer.headers, locale="fr")
        started = taken["started"]
        assert started["locale"] == "fr"
        assert started["title"] == translated("fr", "Speaking up")
        question = next(q for q in started["questions"] if q["id"] == "q1")
        assert question["question"] == translated("fr", "Who may use the hotline?")
        assert {o["id"]: o["text"] for o in question["options"]}["b"] == translated("fr", "Anyone")
        assert taken["result"]["score"] == 100
        assert taken["result"]["locale"] == "fr"
        attempt = session.get(QuizAttempt, started["attemptId"])
        assert attempt is not None and attempt.locale == "fr"
        # The snapshot keeps the author's texts: the language is chosen when it is shown.
        assert attempt.questions[0]["question"] in {q["question"] for q in sample_questions()}

    def test_a_partial_translation_falls_back_to_the_default_language(
        self, client: TestClient, session: Session, track: Track, customer: Customer
    ) -> None:
        translate_track(session, track=track, locale="es", only=lambda f: f.key == "name")
        body = client.get(
            f"{API}/tracks/{track.id}", headers=customer.headers | speaking("es")
        ).json()
        assert body["locale"] == "en"
        assert body["name"] == "Code of conduct"
        assert {"locale": "es", "status": "missing"} in body["translations"]
        quiz = quizzes_of(session, track)[0]
        started = take(client, quiz, headers=customer.headers, locale="es")["started"]
        assert started["locale"] == "en"
        assert started["title"] == "Speaking up"
        attempt = session.get(QuizAttempt, started["attemptId"])
        assert attempt is not None and attempt.locale == "en"

    def test_editing_the_source_outdates_the_translation_and_it_falls_back(
        self,
        client: TestClient,
        session: Session,
        track: Track,
        customer: Customer,
        admin_headers: dict[str, str],
    ) -> None:
        translate_track(session, track=track, locale="de")
        course = quizzes_of(session, track)[1].course_id
        client.patch(
            f"{API}/courses/{course}",
            json={"content": "# Gifts\n\nDeclare every gift."},
            headers=admin_headers,
        ).raise_for_status()
        body = client.get(
            f"{API}/tracks/{track.id}", headers=customer.headers | speaking("de")
        ).json()
        assert {"locale": "de", "status": "outdated"} in body["translations"]
        assert body["locale"] == "en"
        assert body["courses"][1]["content"] == "# Gifts\n\nDeclare every gift."
        assert body["courses"][0]["title"] == "Speaking up"


class TestOneProgressWhateverTheLanguage:
    def test_german_then_french_gives_one_completion_and_one_certificate(
        self,
        client: TestClient,
        session: Session,
        track: Track,
        customer: Customer,
    ) -> None:
        translate_track(session, track=track, locale="de")
        translate_track(session, track=track, locale="fr")
        first, second = quizzes_of(session, track)
        german = take(client, first, headers=customer.headers, locale="de")
        assert german["started"]["locale"] == "de"
        assert german["result"]["passed"] is True
        assert german["result"]["trackCompleted"] is False
        in_french = client.get(
            f"{API}/tracks/{track.id}", headers=customer.headers | speaking("fr")
        ).json()
        assert in_french["locale"] == "fr"
        assert in_french["userProgress"]["coursesPassed"] == 1
        assert [c["isPassed"] for c in in_french["courses"]] == [True, False]
        french = take(client, second, headers=customer.headers, locale="fr")
        assert french["started"]["locale"] == "fr"
        assert french["result"]["trackCompleted"] is True
        issued = client.post(
            f"{API}/tracks/{track.id}/certificate", headers=customer.headers | speaking("fr")
        )
        assert issued.status_code == 201, issued.text
        again = client.post(
            f"{API}/tracks/{track.id}/certificate", headers=customer.headers | speaking("de")
        )
        assert again.status_code == 200  # already certified: the same certificate
        assert again.json()["certificateNumber"] == issued.json()["certificateNumber"]
        count = session.scalar(
            select(func.count())
            .select_from(Certificate)
            .where(Certificate.user_id == customer.user.id, Certificate.track_id == track.id)
        )
        assert count == 1
        english = client.get(f"{API}/tracks/{track.id}", headers=customer.headers).json()
        assert english["isCompleted"] is True
        assert english["certificate"]["certificateNumber"] == issued.json()["certificateNumber"]
        locales = session.scalars(
            select(QuizAttempt.locale)
            .where(QuizAttempt.user_id == customer.user.id)
            .order_by(QuizAttempt.id)
        ).all()
        assert locales == ["de", "fr"]

    def test_switching_language_mid_attempt_shows_the_new_one_and_loses_nothing(
        self, client: TestClient, session: Session, track: Track, customer: Customer
    ) -> None:
        translate_track(session, track=track, locale="de")
        translate_track(session, track=track, locale="fr")
        quiz = quizzes_of(session, track)[0]
        headers = customer.headers
        started = client.post(
            f"{API}/quizzes/{quiz.id}/start", headers=headers | speaking("de")
        ).json()
        attempt_url = f"{API}/attempts/{started['attemptId']}"
        saved = client.put(
            f"{attempt_url}/draft", json={"answers": correct_answers()[:2]}, headers=headers
        )
        assert saved.status_code == 200
        in_french = client.get(attempt_url, headers=headers | speaking("fr")).json()
        assert in_french["locale"] == "fr"
        assert [q["id"] for q in in_french["questions"]] == [q["id"] for q in started["questions"]]
        q1 = next(q for q in in_french["questions"] if q["id"] == "q1")
        assert q1["question"] == translated("fr", "Who may use the hotline?")
        draft = client.get(f"{attempt_url}/draft", headers=headers | speaking("fr")).json()
        assert len(draft["answers"]) == 2
        result = client.post(
            f"{attempt_url}/submit",
            json={"answers": correct_answers()},
            headers=headers | speaking("fr"),
        ).json()
        assert result["score"] == 100 and result["passed"] is True
        assert result["locale"] == "fr"
        feedback = next(f for f in result["feedback"] if f["questionId"] == "q1")
        assert feedback["question"] == translated("fr", "Who may use the hotline?")
        assert feedback["explanation"] == translated("fr", "The hotline is open to everyone.")
        attempt = session.get(QuizAttempt, started["attemptId"])
        assert attempt is not None and attempt.locale == "fr"

    def test_a_question_changed_after_the_attempt_started_keeps_its_snapshot_text(
        self,
        client: TestClient,
        session: Session,
        track: Track,
        customer: Customer,
        admin_headers: dict[str, str],
    ) -> None:
        translate_track(session, track=track, locale="de")
        quiz = quizzes_of(session, track)[0]
        started = client.post(
            f"{API}/quizzes/{quiz.id}/start", headers=customer.headers | speaking("de")
        ).json()
        questions = sample_questions()
        questions[0]["question"] = "Who may call the hotline?"
        client.put(
            f"{API}/courses/{quiz.course_id}/quiz",
            json={"questions": questions},
            headers=admin_headers,
        ).raise_for_status()
        # Retranslate the changed question: German is complete again, for the new text.
        session.expire_all()  # the quiz was replaced by the request's own session
        loaded = service.get_track(session, track.id)
        key = f"courses/{quiz.course_id}/quiz/questions/q1/question"
        texts = {f.key: translated("de", f.text) for f in service.fields_of(loaded)}
        service.save_texts(session, track=loaded, locale="de", texts=texts, actor=None)
        shown = client.get(
            f"{API}/attempts/{started['attemptId']}", headers=customer.headers | speaking("de")
        ).json()
        assert shown["locale"] == "de"
        q1 = next(q for q in shown["questions"] if q["id"] == "q1")
        # The attempt asks what it asked at its start; the translation of the new wording
        # would not be a translation of it.
        assert q1["question"] == "Who may use the hotline?"
        assert texts[key] == translated("de", "Who may call the hotline?")
        q2 = next(q for q in shown["questions"] if q["id"] == "q2")
        assert q2["question"] == translated("de", "Reports can be anonymous.")
