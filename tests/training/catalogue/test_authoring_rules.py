"""Authoring rules an author meets at once: every quiz error in one answer, new tracks go last."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from opsportal.models import Role
from tests.factories import Customer, create_course, create_track, sample_questions


def _put(client: TestClient, course_id: int, questions: list[dict[str, Any]], headers: Any) -> Any:
    return client.put(
        f"/api/v1/training/courses/{course_id}/quiz",
        json={"title": "Check", "questions": questions},
        headers=headers,
    )


class TestEveryQuizErrorAtOnce:
    def test_all_offending_fields_are_listed(
        self, client: TestClient, session: Session, admin_headers: dict[str, str]
    ) -> None:
        course = create_course(session, track=create_track(session))
        questions = sample_questions()
        questions[0]["correctOptionIds"] = ["a", "b"]  # MULTIPLE_CHOICE with two answers
        questions[1]["options"].append({"id": "m", "text": "Maybe"})  # TRUE_FALSE with three
        questions[2]["correctOptionIds"] = []  # MULTI_SELECT with none
        questions[3]["options"][1]["id"] = "a"  # option id used twice
        questions[4]["id"] = "q1"  # question id used twice
        response = _put(client, course.id, questions, admin_headers)
        assert response.status_code == 422
        fields = [e["field"] for e in response.json()["errors"]]
        assert fields == [
            "questions.0.correctOptionIds",
            "questions.1.options",
            "questions.2.correctOptionIds",
            "questions.3.options.1.id",
            "questions.4.id",
        ]
        # The detail names each too, for a client that shows only the detail.
        assert all(field in response.json()["detail"] for field in fields)
        quiz = client.get(f"/api/v1/training/courses/{course.id}/quiz", headers=admin_headers)
        assert quiz.status_code == 404  # nothing written

    def test_shape_errors_are_all_listed_too(
        self, client: TestClient, session: Session, admin_headers: dict[str, str]
    ) -> None:
        course = create_course(session, track=create_track(session))
        questions = sample_questions()
        questions[0]["type"] = "ESSAY"
        questions[3]["options"] = []
        questions[4].pop("question")
        response = _put(client, course.id, questions, admin_headers)
        assert response.status_code == 422
        fields = {e["field"] for e in response.json()["errors"]}
        assert fields >= {"questions.0.type", "questions.3.options", "questions.4.question"}


class TestNewTracksGoLast:
    def test_a_track_without_sort_order_sorts_after_every_other(
        self, client: TestClient, session: Session, admin_headers: dict[str, str],
        customer: Customer,
    ) -> None:  # fmt: skip
        create_track(session, name="Required basics", sort_order=5)
        create_track(session, name="Earlier", sort_order=1)
        response = client.post(
            "/api/v1/training/tracks",
            json={"name": "Brand new", "type": "CUSTOMER"},
            headers=admin_headers,
        )
        assert response.status_code == 201, response.text
        assert response.json()["sortOrder"] == 6
        assert response.json()["isActive"] is True  # the API's default stays live
        names = [
            t["name"]
            for t in client.get("/api/v1/training/tracks", headers=customer.headers).json()
        ]
        assert names[-1] == "Brand new"
        assert names.index("Required basics") < names.index("Brand new")

    def test_explicit_sort_order_is_kept(
        self, client: TestClient, session: Session, admin_headers: dict[str, str]
    ) -> None:
        create_track(session, sort_order=5)
        response = client.post(
            "/api/v1/training/tracks",
            json={"name": "First", "type": "INTERNAL", "sortOrder": -1},
            headers=admin_headers,
        )
        assert response.json()["sortOrder"] == -1

    def test_only_admins(self, client: TestClient, customer: Customer) -> None:
        assert customer.user.role is Role.CUSTOMER
        response = client.post(
            "/api/v1/training/tracks", json={"name": "X", "type": "CUSTOMER"},
            headers=customer.headers,
        )  # fmt: skip
        assert response.status_code == 403
