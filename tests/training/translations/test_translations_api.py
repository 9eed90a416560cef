"""A track's translations through the API: each language's status, one language's document
read, replaced whole and deleted; errors name their field and change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opsportal.config import Settings
from opsportal.models import AuditEntry, Course, Quiz, Track, TranslatedText
from tests.factories import (
    Customer,
    create_course,
    create_quiz,
    create_track,
    sample_questions,
)

API = "/api/v1/training"


@pytest.fixture
def track(session: Session, settings: Settings) -> Track:
    track = create_track(session, settings=settings, name="Speak-up essentials")
    first = create_course(session, track=track, title="Why speaking up matters")
    create_quiz(session, course=first)
    create_course(session, track=track, title="Reading only", content="# Read\n\nJust read.")
    return track


def courses_of(session: Session, track: Track) -> list[Course]:
    return list(
        session.scalars(select(Course).where(Course.track_id == track.id).order_by(Course.id))
    )


def german(session: Session, track: Track) -> dict[str, Any]:
    """A complete German document for `track`."""
    first, second = courses_of(session, track)
    questions = [
        {
            "id": q["id"],
            "question": f"DE {q['question']}",
            "explanation": f"DE {q['explanation']}" if q.get("explanation") else None,
            "options": [{"id": o["id"], "text": f"DE {o['text']}"} for o in q["options"]],
        }
        for q in sample_questions()
    ]
    return {
        "name": "Grundlagen des Ansprechens",
        "courses": [
            {
                "courseId": first.id,
                "title": "Warum Ansprechen wichtig ist",
                "content": "# Willkommen\n\nLesen Sie dies.",
                "quiz": {"questions": questions},
            },
            {"courseId": second.id, "title": "Nur lesen", "content": "# Lesen\n\nNur lesen."},
        ],
    }


def language(body: dict[str, Any], locale: str) -> dict[str, Any]:
    return next(item for item in body["languages"] if item["locale"] == locale)


class TestStatus:
    def test_every_language_but_the_default_starts_missing(
        self, client: TestClient, track: Track, admin_headers: dict[str, str]
    ) -> None:
        body = client.get(f"{API}/tracks/{track.id}/translations", headers=admin_headers).json()
        assert body["defaultLocale"] == "en"
        # The shipped catalogues, by code.
        assert [item["locale"] for item in body["languages"]] == ["ar", "de", "es", "fr"]
        for item in body["languages"]:
            assert item["status"] == "missing"
            assert item["completeFields"] == 0
            assert item["updatedAt"] is None
        # name; first course: title, content, 5 questions, 12 options, 2 explanations;
        # second course: title, content.
        assert language(body, "de")["totalFields"] == 1 + 2 + 5 + 12 + 2 + 2

    def test_the_track_read_names_its_languages(
        self,
        client: TestClient,
        session: Session,
        track: Track,
        admin_headers: dict[str, str],
    ) -> None:
        client.put(
            f"{API}/tracks/{track.id}/translations/de",
            json=german(session, track),
            headers=admin_headers,
        ).raise_for_status()
        read = client.get(f"{API}/tracks/{track.id}", headers=admin_headers).json()
        assert read["defaultLocale"] == "en"
        assert {t["locale"]: t["status"] for t in read["translations"]} == {
            "de": "complete",
            "fr": "missing",
            "es": "missing",
            "ar": "missing",
        }
        patched = client.patch(
            f"{API}/tracks/{track.id}", json={"estimatedMinutes": 30}, headers=admin_headers
        ).json()
        assert {"locale": "de", "status": "complete"} in patched["translations"]

    def test_only_admins_read_or_change_translations(
        self, client: TestClient, track: Track, customer: Customer
    ) -> None:
        url = f"{API}/tracks/{track.id}/translations/de"
        assert client.get(url, headers=customer.headers).status_code == 403
        assert client.put(url, json={}, headers=customer.headers).status_code == 403
        assert client.delete(url, headers=customer.headers).status_code == 403
        assert client.get(url).status_code == 401


class TestPutAndGet:
    def test_a_complete_document_reads_back_complete(
        self,
        client: TestClient,
        session: Session,
        track: Track,
        admin_headers: dict[str, str],
    ) -> None:
        document = german(session, track)
        response = client.put(
            f"{API}/tracks/{track.id}/translations/de", json=document, headers=admin_headers
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["status"] == "complete"
        assert body["name"] == "Grundlagen des Ansprechens"
        assert body["description"] is None  # the track has no description to translate
        first = body["courses"][0]
        assert first["title"] == "Warum Ansprechen wichtig ist"
        assert first["quiz"]["questions"][0]["options"][1] == {"id": "b", "text": "DE Anyone"}
        assert {f["status"] for f in body["fields"]} == {"complete"}
        again = client.get(f"{API}/tracks/{track.id}/translations/de", headers=admin_headers)
        assert again.json() == body
        status = client.get(f"{API}/tracks/{track.id}/translations", headers=admin_headers)
        assert language(status.json(), "de")["status"] == "complete"
        actions = session.scalars(select(AuditEntry.action)).all()
        assert "track_translation.save" in actions

    def test_a_partial_document_is_missing_its_other_fields(
        self,
        client: TestClient,
        session: Session,
        track: Track,
        admin_headers: dict[str, str],
    ) -> None:
        document = {"name": "Les bases", "courses": []}
        body = client.put(
            f"{API}/tracks/{track.id}/translations/fr", json=document, headers=admin_headers
        ).json()
        assert body["status"] == "missing"
        statuses = {f["key"]: f["status"] for f in body["fields"]}
        assert statuses["name"] == "complete"
        assert list(statuses.values()).count("missing") == len(statuses) - 1

    def test_a_put_replaces_the_whole_language(
        self,
        client: TestClient,
        session: Session,
        track: Track,
        admin_headers: dict[str, str],
    ) -> None:
        url = f"{API}/tracks/{track.id}/translations/de"
        client.put(url, json=german(session, track), headers=admin_headers).raise_for_status()
        body = client.put(url, json={"name": "Nur der Name"}, headers=admin_headers).json()
        assert body["courses"][0]["title"] is None
        assert body["status"] == "missing"

    def test_a_blank_text_is_not_a_translation(
        self,
        client: TestClient,
        session: Session,
        track: Track,
        admin_headers: dict[str, str],
    ) -> None:
        body = client.put(
            f"{API}/tracks/{track.id}/translations/de",
            json={"name": "   "},
            headers=admin_headers,
        ).json()
        assert body["name"] is None


class TestRefused:
    @pytest.mark.parametrize(
        ("change", "field"),
        [
            (lambda d: d["courses"][0].update(courseId=999_999), "courses.0.courseId"),
            (
                lambda d: d["courses"][0]["quiz"]["questions"][1].update(id="nope"),
                "courses.0.quiz.questions.1.id",
            ),
            (
                lambda d: d["courses"][0]["quiz"]["questions"][0]["options"][2].update(id="z"),
                "courses.0.quiz.questions.0.options.2.id",
            ),
            (
                lambda d: d["courses"][1].update(quiz={"questions": []}),
                "courses.1.quiz",
            ),
            (lambda d: d.update(description="Eine Beschreibung"), "description"),
            (
                lambda d: d["courses"][0]["quiz"]["questions"][2].update(explanation="Warum"),
                "courses.0.quiz.questions.2.explanation",
            ),
            (lambda d: d["courses"][0]["quiz"].update(title="Quiz"), "courses.0.quiz.title"),
            (lambda d: d.update(name="x" * 201), "name"),
            (lambda d: d.update(upToDate=["courses/1/nothing"]), "upToDate.0"),
            (lambda d: d.update(colour="blue"), "colour"),
        ],
    )
    def test_what_the_track_does_not_have_is_a_422_naming_the_field(
        self,
        client: TestClient,
        session: Session,
        track: Track,
        admin_headers: dict[str, str],
        change: Any,
        field: str,
    ) -> None:
        document = german(session, track)
        change(document)
        response = client.put(
            f"{API}/tracks/{track.id}/translations/de", json=document, headers=admin_headers
        )
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert field in [e["field"] for e in response.json()["errors"]]
        assert session.scalar(select(func.count()).select_from(TranslatedText)) == 0

    def test_every_unknown_id_is_named_at_once(
        self,
        client: TestClient,
        session: Session,
        track: Track,
        admin_headers: dict[str, str],
    ) -> None:
        document = german(session, track)
        questions = document["courses"][0]["quiz"]["questions"]
        questions[0]["id"] = "x1"
        questions[3]["options"][0]["id"] = "x2"
        response = client.put(
            f"{API}/tracks/{track.id}/translations/de", json=document, headers=admin_headers
        )
        fields = [e["field"] for e in response.json()["errors"]]
        assert fields == [
            "courses.0.quiz.questions.0.id",
            "courses.0.quiz.questions.3.options.0.id",
        ]

    @pytest.mark.parametrize(
        ("locale", "status"), [("en", 422), ("it", 422), ("de!", 422), ("xx_YY_ZZ", 422)]
    )
    def test_a_language_tracks_are_not_translated_into_is_refused(
        self,
        client: TestClient,
        track: Track,
        admin_headers: dict[str, str],
        locale: str,
        status: int,
    ) -> None:
        url = f"{API}/tracks/{track.id}/translations/{locale}"
        assert client.put(url, json={"name": "x"}, headers=admin_headers).status_code == status
        assert client.get(url, headers=admin_headers).status_code == status

    def test_an_unknown_track_is_404(
        self, client: TestClient, admin_headers: dict[str, str]
    ) -> None:
        response = client.put(
            f"{API}/tracks/999999/translations/de", json={}, headers=admin_headers
        )
        assert response.status_code == 404


class TestOutdated:
    def test_editing_the_source_outdates_its_translation_until_retranslated(
        self,
        client: TestClient,
        session: Session,
        track: Track,
        admin_headers: dict[str, str],
    ) -> None:
        url = f"{API}/tracks/{track.id}/translations/de"
        document = german(session, track)
        client.put(url, json=document, headers=admin_headers).raise_for_status()
        first = courses_of(session, track)[0]
        client.patch(
            f"{API}/courses/{first.id}",
            json={"content": "# Welcome\n\nRead this twice."},
            headers=admin_headers,
        ).raise_for_status()
        body = client.get(url, headers=admin_headers).json()
        assert body["status"] == "outdated"
        outdated = [f["key"] for f in body["fields"] if f["status"] == "outdated"]
        assert outdated == [f"courses/{first.id}/content"]
        # Saving the same document again does not hide it: that text was not retranslated.
        again = client.put(url, json=document, headers=admin_headers).json()
        assert again["status"] == "outdated"
        # A new text for the field translates the source as it is now.
        document["courses"][0]["content"] = "# Willkommen\n\nLesen Sie dies zweimal."
        assert client.put(url, json=document, headers=admin_headers).json()["status"] == (
            "complete"
        )

    def test_an_unchanged_translation_can_be_confirmed_as_still_right(
        self,
        client: TestClient,
        session: Session,
        track: Track,
        admin_headers: dict[str, str],
    ) -> None:
        url = f"{API}/tracks/{track.id}/translations/de"
        document = german(session, track)
        client.put(url, json=document, headers=admin_headers).raise_for_status()
        first = courses_of(session, track)[0]
        quiz = session.scalars(select(Quiz).where(Quiz.course_id == first.id)).one()
        questions = sample_questions()
        questions[0]["options"][1]["text"] = "Anyone at all"
        client.put(
            f"{API}/courses/{quiz.course_id}/quiz",
            json={"questions": questions},
            headers=admin_headers,
        ).raise_for_status()
        key = f"courses/{quiz.course_id}/quiz/questions/q1/options/b"
        assert client.get(url, headers=admin_headers).json()["status"] == "outdated"
        document["upToDate"] = [key]
        body = client.put(url, json=document, headers=admin_headers).json()
        assert body["status"] == "complete"


class TestDelete:
    def test_deleting_a_language_makes_it_missing_again(
        self,
        client: TestClient,
        session: Session,
        track: Track,
        admin_headers: dict[str, str],
    ) -> None:
        url = f"{API}/tracks/{track.id}/translations/de"
        client.put(url, json=german(session, track), headers=admin_headers).raise_for_status()
        assert client.delete(url, headers=admin_headers).status_code == 204
        assert client.get(url, headers=admin_headers).json()["status"] == "missing"
        assert session.scalar(select(func.count()).select_from(TranslatedText)) == 0
        assert client.delete(url, headers=admin_headers).status_code == 204


class TestDefaultLocale:
    def test_a_track_is_created_in_a_language(
        self, client: TestClient, admin_headers: dict[str, str]
    ) -> None:
        body = {"name": "Verhaltenskodex", "type": "CUSTOMER", "defaultLocale": "de"}
        created = client.post(f"{API}/tracks", json=body, headers=admin_headers).json()
        assert created["defaultLocale"] == "de"
        assert [t["locale"] for t in created["translations"]] == ["en", "ar", "es", "fr"]
        plain = client.post(
            f"{API}/tracks", json={"name": "Plain", "type": "CUSTOMER"}, headers=admin_headers
        ).json()
        assert plain["defaultLocale"] == "en"

    def test_an_unknown_default_language_is_refused(
        self, client: TestClient, admin_headers: dict[str, str]
    ) -> None:
        body = {"name": "Codice", "type": "CUSTOMER", "defaultLocale": "it"}
        response = client.post(f"{API}/tracks", json=body, headers=admin_headers)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "defaultLocale"

    def test_the_default_cannot_become_a_language_it_is_translated_into(
        self,
        client: TestClient,
        session: Session,
        track: Track,
        admin_headers: dict[str, str],
    ) -> None:
        client.put(
            f"{API}/tracks/{track.id}/translations/de",
            json=german(session, track),
            headers=admin_headers,
        ).raise_for_status()
        response = client.patch(
            f"{API}/tracks/{track.id}", json={"defaultLocale": "de"}, headers=admin_headers
        )
        assert response.status_code == 409
        assert (
            client.patch(
                f"{API}/tracks/{track.id}", json={"defaultLocale": "fr"}, headers=admin_headers
            ).json()["defaultLocale"]
            == "fr"
        )
