"""Authoring tracks, courses and quizzes; who sees which tracks."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from opsportal.models import Role, TrackType
from tests.factories import (
    Customer,
    bearer,
    create_course,
    create_quiz,
    create_track,
    create_user,
    sample_questions,
)

TRACK = {
    "name": "Speak-up Foundations",
    "description": "Hotline basics",
    "type": "CUSTOMER",
    "level": "FOUNDATION",
    "isRequired": True,
    "estimatedMinutes": 45,
    "version": "1.0",
    "sortOrder": 1,
}


class TestTracks:
    def test_admin_creates_track(
        self, client: TestClient, admin_headers: dict[str, str], settings: Any
    ) -> None:
        response = client.post("/api/v1/training/tracks", json=TRACK, headers=admin_headers)
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["slug"] == "speak-up-foundations"
        assert body["version"] == "1.0"
        assert body["isRequired"] is True and body["isActive"] is True
        assert body["validityDays"] == settings.certificate_validity_days == 730
        assert set(body) >= {
            "id", "name", "slug", "description", "type", "level", "isRequired",
            "estimatedMinutes", "version", "isActive", "sortOrder",
        }  # fmt: skip

    def test_validity_days_per_track(
        self, client: TestClient, admin_headers: dict[str, str]
    ) -> None:
        response = client.post(
            "/api/v1/training/tracks", json={**TRACK, "validityDays": 365}, headers=admin_headers
        )
        assert response.json()["validityDays"] == 365

    @pytest.mark.parametrize("role", [Role.INTERNAL, Role.CUSTOMER])
    def test_only_admins_author(self, client: TestClient, session: Session, role: Role) -> None:
        _, token = create_user(session, role=role)
        response = client.post("/api/v1/training/tracks", json=TRACK, headers=bearer(token))
        assert response.status_code == 403

    def test_duplicate_slug_is_409(self, client: TestClient, admin_headers: dict[str, str]) -> None:
        assert (
            client.post("/api/v1/training/tracks", json=TRACK, headers=admin_headers).status_code
            == 201
        )
        response = client.post("/api/v1/training/tracks", json=TRACK, headers=admin_headers)
        assert response.status_code == 409

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"version": "1"}, "version"),
            ({"version": "1.0.0"}, "version"),
            ({"version": "v2.0"}, "version"),
            ({"type": "PARTNER"}, "type"),
            ({"level": "NOVICE"}, "level"),
            ({"estimatedMinutes": 10**30}, "estimatedMinutes"),
            ({"sortOrder": -(10**30)}, "sortOrder"),
            ({"name": ""}, "name"),
            ({"slug": "Not A Slug"}, "slug"),
            ({"validityDays": 0}, "validityDays"),
            ({"unexpected": 1}, "unexpected"),
        ],
    )
    def test_invalid_track_is_422_naming_field(
        self, client: TestClient, admin_headers: dict[str, str], change: dict[str, Any], field: str
    ) -> None:
        response = client.post(
            "/api/v1/training/tracks", json={**TRACK, **change}, headers=admin_headers
        )
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert field in [e["field"] for e in response.json()["errors"]]

    @pytest.mark.parametrize("body", ["[1, 2]", "null", '"text"', "{", "12"])
    def test_malformed_body_is_4xx(
        self, client: TestClient, admin_headers: dict[str, str], body: str
    ) -> None:
        response = client.post(
            "/api/v1/training/tracks",
            content=body,
            headers={**admin_headers, "Content-Type": "application/json"},
        )
        assert response.status_code in (400, 422)

    def test_patch_track(self, client: TestClient, admin_headers: dict[str, str]) -> None:
        track = client.post("/api/v1/training/tracks", json=TRACK, headers=admin_headers).json()
        response = client.patch(
            f"/api/v1/training/tracks/{track['id']}",
            json={"version": "2.1", "isActive": False, "name": "Speak-up 2"},
            headers=admin_headers,
        )
        assert response.status_code == 200
        assert response.json()["version"] == "2.1"
        assert response.json()["isActive"] is False
        assert response.json()["name"] == "Speak-up 2"

    def test_patch_cannot_lower_version_or_null_required(
        self, client: TestClient, admin_headers: dict[str, str]
    ) -> None:
        track = client.post(
            "/api/v1/training/tracks", json={**TRACK, "version": "2.3"}, headers=admin_headers
        ).json()
        url = f"/api/v1/training/tracks/{track['id']}"
        assert client.patch(url, json={"version": "2.2"}, headers=admin_headers).status_code == 422
        response = client.patch(url, json={"name": None}, headers=admin_headers)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "name"
        assert client.patch(url, json={"version": "2.10"}, headers=admin_headers).status_code == 200

    def test_patch_unknown_track_is_404(
        self, client: TestClient, admin_headers: dict[str, str]
    ) -> None:
        assert (
            client.patch(
                "/api/v1/training/tracks/999999", json={}, headers=admin_headers
            ).status_code
            == 404
        )

    @pytest.mark.parametrize("track_id", ["0", "-1", str(2**63), "abc", "1e3"])
    def test_bad_ids_are_4xx(
        self, client: TestClient, admin_headers: dict[str, str], track_id: str
    ) -> None:
        response = client.patch(
            f"/api/v1/training/tracks/{track_id}", json={}, headers=admin_headers
        )
        assert response.status_code == 422


class TestVisibility:
    def test_customer_sees_only_customer_tracks(self, client: TestClient, session: Session) -> None:
        customer_track = create_track(session, type=TrackType.CUSTOMER, name="For customers")
        internal_track = create_track(session, type=TrackType.INTERNAL, name="For staff")
        create_track(session, type=TrackType.CUSTOMER, name="Retired", is_active=False)
        _, customer = create_user(session, role=Role.CUSTOMER)
        _, internal = create_user(session, role=Role.INTERNAL)

        names = [t["name"] for t in client.get(
            "/api/v1/training/tracks", headers=bearer(customer)
        ).json()]  # fmt: skip
        assert "For customers" in names
        assert "For staff" not in names and "Retired" not in names

        staff_names = [t["name"] for t in client.get(
            "/api/v1/training/tracks", headers=bearer(internal)
        ).json()]  # fmt: skip
        assert {"For customers", "For staff"} <= set(staff_names)
        assert "Retired" not in staff_names

        # Hidden tracks are 404, never 403.
        assert (
            client.get(
                f"/api/v1/training/tracks/{internal_track.id}", headers=bearer(customer)
            ).status_code
            == 404
        )
        assert (
            client.get(
                f"/api/v1/training/tracks/{customer_track.id}", headers=bearer(customer)
            ).status_code
            == 200
        )

    def test_customer_cannot_reach_internal_course_or_quiz(
        self, client: TestClient, session: Session
    ) -> None:
        track = create_track(session, type=TrackType.INTERNAL)
        course = create_course(session, track=track)
        quiz = create_quiz(session, course=course)
        _, customer = create_user(session, role=Role.CUSTOMER)
        headers = bearer(customer)
        assert (
            client.get(f"/api/v1/training/courses/{course.id}", headers=headers).status_code == 404
        )
        assert (
            client.post(f"/api/v1/training/quizzes/{quiz.id}/start", headers=headers).status_code
            == 404
        )
        _, internal = create_user(session, role=Role.INTERNAL)
        assert (
            client.post(
                f"/api/v1/training/quizzes/{quiz.id}/start", headers=bearer(internal)
            ).status_code
            == 201
        )

    def test_unauthenticated_is_401(self, client: TestClient) -> None:
        assert client.get("/api/v1/training/tracks").status_code == 401

    def test_courses_in_order(
        self, client: TestClient, session: Session, customer: Customer
    ) -> None:
        track = create_track(session)
        create_course(session, track=track, title="Third", sort_order=3)
        create_course(session, track=track, title="First", sort_order=1)
        create_course(session, track=track, title="Second", sort_order=2)
        create_course(session, track=track, title="Hidden", sort_order=0, is_active=False)
        body = client.get(f"/api/v1/training/tracks/{track.id}", headers=customer.headers).json()
        assert [c["title"] for c in body["courses"]] == ["First", "Second", "Third"]

    def test_tracks_in_sort_order(
        self, client: TestClient, session: Session, customer: Customer
    ) -> None:
        create_track(session, name="Zeta", sort_order=1)
        create_track(session, name="Alpha", sort_order=2)
        names = [
            t["name"]
            for t in client.get("/api/v1/training/tracks", headers=customer.headers).json()
            if t["name"] in {"Zeta", "Alpha"}
        ]
        assert names == ["Zeta", "Alpha"]


class TestCourses:
    def test_admin_adds_course_with_markdown(
        self, client: TestClient, session: Session, admin_headers: dict[str, str]
    ) -> None:
        track = create_track(session)
        response = client.post(
            f"/api/v1/training/tracks/{track.id}/courses",
            json={"title": "Speaking up", "content": "# Why\n\nBecause.", "description": "Intro"},
            headers=admin_headers,
        )
        assert response.status_code == 201
        body = response.json()
        assert body["trackId"] == track.id and body["quizId"] is None
        assert body["content"] == "# Why\n\nBecause."
        assert body["sortOrder"] == 0
        second = client.post(
            f"/api/v1/training/tracks/{track.id}/courses",
            json={"title": "Next"},
            headers=admin_headers,
        ).json()
        assert second["sortOrder"] == 1

    def test_course_for_unknown_track_is_404(
        self, client: TestClient, admin_headers: dict[str, str]
    ) -> None:
        response = client.post(
            "/api/v1/training/tracks/424242/courses", json={"title": "X"}, headers=admin_headers
        )
        assert response.status_code == 404

    def test_rendered_content_is_sanitised(self) -> None:
        from opsportal.training.markdown import render_course_content

        html = render_course_content("# Title\n\n<script>alert(1)</script> **bold**")
        assert "<h1>Title</h1>" in html and "<strong>bold</strong>" in html
        assert "<script" not in html


def quiz_body(questions: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "title": "Check",
        "questions": sample_questions() if questions is None else questions,
        **extra,
    }


class TestQuizAuthoring:
    def test_put_creates_then_replaces(
        self, client: TestClient, session: Session, admin_headers: dict[str, str]
    ) -> None:
        course = create_course(session, track=create_track(session))
        url = f"/api/v1/training/courses/{course.id}/quiz"
        first = client.put(url, json=quiz_body(), headers=admin_headers)
        assert first.status_code == 200, first.text
        assert first.json()["passThreshold"] == 0.8
        assert len(first.json()["questions"]) == 5
        second = client.put(
            url, json=quiz_body(sample_questions()[:2], passThreshold=0.75), headers=admin_headers
        )
        assert second.status_code == 200
        assert second.json()["id"] == first.json()["id"]
        assert len(second.json()["questions"]) == 2
        assert second.json()["passThreshold"] == 0.75
        course_body = client.get(
            f"/api/v1/training/courses/{course.id}", headers=admin_headers
        ).json()
        assert course_body["quizId"] == first.json()["id"]
        assert client.get(url, headers=admin_headers).json()["questions"][0][
            "correctOptionIds"
        ] == ["b"]

    def test_quiz_on_unknown_course_is_404(
        self, client: TestClient, admin_headers: dict[str, str]
    ) -> None:
        response = client.put(
            "/api/v1/training/courses/999999/quiz", json=quiz_body(), headers=admin_headers
        )
        assert response.status_code == 404

    def test_non_admin_cannot_put_or_read_key(
        self, client: TestClient, session: Session, staff_headers: dict[str, str]
    ) -> None:
        course = create_course(session, track=create_track(session))
        create_quiz(session, course=course)
        url = f"/api/v1/training/courses/{course.id}/quiz"
        assert client.put(url, json=quiz_body(), headers=staff_headers).status_code == 403
        assert client.get(url, headers=staff_headers).status_code == 403

    @staticmethod
    def _broken(mutate: Any) -> list[dict[str, Any]]:
        questions = copy.deepcopy(sample_questions())
        mutate(questions)
        return questions

    @pytest.mark.parametrize(
        ("mutate", "field"),
        [
            # MULTIPLE_CHOICE: exactly one correct option.
            (lambda qs: qs[0].update(correctOptionIds=["a", "b"]), "questions.0.correctOptionIds"),
            (lambda qs: qs[0].update(correctOptionIds=[]), "questions.0.correctOptionIds"),
            # TRUE_FALSE: exactly two options and one correct.
            (
                lambda qs: qs[1]["options"].append({"id": "m", "text": "Maybe"}),
                "questions.1.options",
            ),
            (lambda qs: qs[1].update(correctOptionIds=["t", "f"]), "questions.1.correctOptionIds"),
            # MULTI_SELECT: at least one correct.
            (lambda qs: qs[2].update(correctOptionIds=[]), "questions.2.correctOptionIds"),
            # Correct ids among the options.
            (lambda qs: qs[2].update(correctOptionIds=["a", "z"]), "questions.2.correctOptionIds"),
            (lambda qs: qs[2].update(correctOptionIds=["a", "a"]), "questions.2.correctOptionIds"),
            # Option ids unique within a question.
            (lambda qs: qs[3]["options"][1].update(id="a"), "questions.3.options.1.id"),
            # Question ids unique.
            (lambda qs: qs[4].update(id="q1"), "questions.4.id"),
            # Shapes.
            (lambda qs: qs[0].update(type="ESSAY"), "questions.0.type"),
            (lambda qs: qs[0].update(options=[]), "questions.0.options"),
            (lambda qs: qs[0].pop("question"), "questions.0.question"),
            (lambda qs: qs[0].update(correctOptionIds="b"), "questions.0.correctOptionIds"),
        ],
    )
    def test_invalid_quiz_is_422_naming_field(
        self,
        client: TestClient,
        session: Session,
        admin_headers: dict[str, str],
        mutate: Any,
        field: str,
    ) -> None:
        course = create_course(session, track=create_track(session))
        response = client.put(
            f"/api/v1/training/courses/{course.id}/quiz",
            json=quiz_body(self._broken(mutate)),
            headers=admin_headers,
        )
        assert response.status_code == 422, response.text
        assert field in [e["field"] for e in response.json()["errors"]]

    @pytest.mark.parametrize(
        ("extra", "field"),
        [
            ({"passThreshold": 0.805}, "passThreshold"),
            ({"passThreshold": 0}, "passThreshold"),
            ({"passThreshold": 1.5}, "passThreshold"),
            ({"passThreshold": "lots"}, "passThreshold"),
            ({"questions": []}, "questions"),
        ],
    )
    def test_invalid_quiz_fields(
        self,
        client: TestClient,
        session: Session,
        admin_headers: dict[str, str],
        extra: dict[str, Any],
        field: str,
    ) -> None:
        course = create_course(session, track=create_track(session))
        response = client.put(
            f"/api/v1/training/courses/{course.id}/quiz",
            json=quiz_body(**extra),
            headers=admin_headers,
        )
        assert response.status_code == 422
        assert field in [e["field"] for e in response.json()["errors"]]

    def test_failed_replace_keeps_old_quiz(
        self, client: TestClient, session: Session, admin_headers: dict[str, str]
    ) -> None:
        course = create_course(session, track=create_track(session))
        url = f"/api/v1/training/courses/{course.id}/quiz"
        client.put(url, json=quiz_body(), headers=admin_headers)
        bad = self._broken(lambda qs: qs[0].update(correctOptionIds=["zz"]))
        assert client.put(url, json=quiz_body(bad), headers=admin_headers).status_code == 422
        assert len(client.get(url, headers=admin_headers).json()["questions"]) == 5


class TestNulCharacters:
    """PostgreSQL cannot store NUL; it must be a 422, never a database error."""

    def test_nul_in_track_name(self, client: TestClient, admin_headers: dict[str, str]) -> None:
        response = client.post(
            "/api/v1/training/tracks", json={**TRACK, "name": "Bad\x00name"}, headers=admin_headers
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "name"

    def test_nul_in_quiz_option(
        self, client: TestClient, session: Session, admin_headers: dict[str, str]
    ) -> None:
        course = create_course(session, track=create_track(session))
        questions = sample_questions()
        questions[1]["options"][0]["text"] = "Tr\x00ue"
        questions[2]["correctOptionIds"] = ["a\x00"]
        response = client.put(
            f"/api/v1/training/courses/{course.id}/quiz",
            json=quiz_body(questions),
            headers=admin_headers,
        )
        assert response.status_code == 422
        fields = [e["field"] for e in response.json()["errors"]]
        assert "questions.1.options.0.text" in fields
        assert "questions.2.correctOptionIds" in fields
